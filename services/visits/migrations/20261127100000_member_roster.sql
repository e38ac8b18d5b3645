-- migrate:up
-- Visits' local read model of who is in which sector and region (from members' events),
-- so obligations can be opened per affected member without calling the members service.
CREATE TABLE member_roster (
    member_id      uuid        NOT NULL,
    region_code    text     NOT NULL,
    sector_code    text        NOT NULL,
    committee_code text        NOT NULL,
    joined_at      timestamptz NOT NULL,
    CONSTRAINT member_roster_pk PRIMARY KEY (member_id)
);
CREATE INDEX member_roster_sector_region_idx ON member_roster (sector_code, region_code);

-- migrate:down
DROP TABLE member_roster;
