-- migrate:up
-- Notifications' read model of who can be told what (from members' events).
CREATE TABLE recipient (
    member_id    uuid        NOT NULL,
    display_name text        NOT NULL,
    region_code  text     NOT NULL,
    sector_code  text        NOT NULL,
    known_since  timestamptz NOT NULL,
    CONSTRAINT recipient_pk PRIMARY KEY (member_id)
);
CREATE INDEX recipient_sector_region_idx ON recipient (sector_code, region_code);

-- migrate:down
DROP TABLE recipient;
