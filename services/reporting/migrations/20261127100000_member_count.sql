-- migrate:up
-- Members per region and sector, kept by the member events (a projection: rebuildable).
CREATE TABLE member_count (
    region_code text NOT NULL,
    sector_code text    NOT NULL,
    members     integer NOT NULL,
    CONSTRAINT member_count_pk PRIMARY KEY (region_code, sector_code),
    CONSTRAINT member_count_non_negative CHECK (members >= 0)
);

-- migrate:down
DROP TABLE member_count;
