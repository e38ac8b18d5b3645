-- migrate:up
-- Visits' read models of the members service's directory, built only from its events.
ALTER TABLE member_roster
    ADD COLUMN special_committee_code text,
    ADD COLUMN status     text NOT NULL DEFAULT 'active',
    ADD COLUMN unit_id    uuid,
    ADD COLUMN unit_name  text,
    ADD COLUMN updated_at timestamptz,
    ADD CONSTRAINT member_roster_status_check CHECK (status IN ('active', 'on_leave', 'retired'));
DROP INDEX member_roster_sector_region_idx;
CREATE INDEX member_roster_sector_region_idx
    ON member_roster (sector_code, region_code text_pattern_ops) WHERE status = 'active';

CREATE TABLE liaison_roster (
    liaison_id             uuid        NOT NULL,
    member_id              uuid        NOT NULL,
    region_code            text        NOT NULL,
    display_name           text        NOT NULL,
    consent_to_departments boolean     NOT NULL,
    linked                 boolean     NOT NULL,
    updated_at             timestamptz NOT NULL,
    CONSTRAINT liaison_roster_pk PRIMARY KEY (liaison_id)
);
CREATE INDEX liaison_roster_member_idx ON liaison_roster (member_id) WHERE linked;

CREATE TABLE workstation_roster (
    workstation_id uuid        NOT NULL,
    name           text        NOT NULL,
    kind           text        NOT NULL,
    region_code    text        NOT NULL,
    open           boolean     NOT NULL,
    member_ids     uuid[]      NOT NULL,
    updated_at     timestamptz NOT NULL,
    CONSTRAINT workstation_roster_pk PRIMARY KEY (workstation_id)
);

-- migrate:down
DROP TABLE workstation_roster;
DROP TABLE liaison_roster;
DROP INDEX member_roster_sector_region_idx;
CREATE INDEX member_roster_sector_region_idx ON member_roster (sector_code, region_code);
ALTER TABLE member_roster
    DROP CONSTRAINT member_roster_status_check,
    DROP COLUMN updated_at,
    DROP COLUMN unit_name,
    DROP COLUMN unit_id,
    DROP COLUMN status,
    DROP COLUMN special_committee_code;
