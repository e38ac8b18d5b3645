-- migrate:up
-- Administrative divisions: GB/T 2260 (6 digits) down to county; statistical codes extend
-- them to township (9) and community/village (12), so "inside a scope" stays a prefix test.
CREATE TABLE region (
    code        text NOT NULL,
    name        text NOT NULL,
    level       text NOT NULL,
    parent_code text,
    CONSTRAINT region_pk PRIMARY KEY (code),
    CONSTRAINT region_code_format CHECK (code ~ '^[1-9][0-9]{5}([0-9]{3}([0-9]{3})?)?$'),
    CONSTRAINT region_level_check
        CHECK (level IN ('province', 'city', 'county', 'township', 'community')),
    CONSTRAINT region_parent_fk FOREIGN KEY (parent_code) REFERENCES region (code)
);

-- 界别: a configurable list, seeded with the national sectors.
CREATE TABLE sector (
    code   text    NOT NULL,
    name   text    NOT NULL,
    active boolean NOT NULL DEFAULT true,
    CONSTRAINT sector_pk PRIMARY KEY (code),
    CONSTRAINT sector_code_format CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$')
);

-- The sector's days (Teachers' Day, Nurses' Day, ...): each opens must-visit occasion no. 8.
CREATE TABLE sector_festival (
    sector_code text     NOT NULL,
    name        text     NOT NULL,
    month       smallint NOT NULL,
    day         smallint NOT NULL,
    CONSTRAINT sector_festival_pk PRIMARY KEY (sector_code, name),
    CONSTRAINT sector_festival_sector_fk FOREIGN KEY (sector_code) REFERENCES sector (code),
    CONSTRAINT sector_festival_date CHECK (month BETWEEN 1 AND 12 AND day BETWEEN 1 AND 31)
);

-- CPPCC committees at province, city and county level (两级政协 and the province above).
CREATE TABLE committee (
    code        text NOT NULL,
    name        text NOT NULL,
    level       text NOT NULL,
    region_code text NOT NULL,
    external_id text,
    CONSTRAINT committee_pk PRIMARY KEY (code),
    CONSTRAINT committee_level_check CHECK (level IN ('province', 'city', 'county')),
    CONSTRAINT committee_region_fk FOREIGN KEY (region_code) REFERENCES region (code),
    CONSTRAINT committee_external_id_key UNIQUE (external_id)
);

-- 专委会: guides workstations and follows its members' duty lists.
CREATE TABLE special_committee (
    code           text NOT NULL,
    name           text NOT NULL,
    committee_code text NOT NULL,
    CONSTRAINT special_committee_pk PRIMARY KEY (code),
    CONSTRAINT special_committee_committee_fk
        FOREIGN KEY (committee_code) REFERENCES committee (code)
);

ALTER TABLE member
    ADD COLUMN special_committee_code text,
    ADD COLUMN term        text,
    ADD COLUMN title       text,
    ADD COLUMN external_id text,
    ADD COLUMN updated_at  timestamptz,
    ADD CONSTRAINT member_external_id_key UNIQUE (external_id),
    -- NOT VALID: members written by the first slice, before committees and sectors were
    -- tables, stay as they are; every new or changed row is checked.
    ADD CONSTRAINT member_sector_fk FOREIGN KEY (sector_code) REFERENCES sector (code) NOT VALID,
    ADD CONSTRAINT member_committee_fk
        FOREIGN KEY (committee_code) REFERENCES committee (code) NOT VALID,
    ADD CONSTRAINT member_special_committee_fk
        FOREIGN KEY (special_committee_code) REFERENCES special_committee (code) NOT VALID,
    ADD CONSTRAINT member_region_fk FOREIGN KEY (region_code) REFERENCES region (code) NOT VALID;
CREATE INDEX member_committee_idx ON member (committee_code);
CREATE INDEX member_sector_region_idx ON member (sector_code, region_code text_pattern_ops);

-- migrate:down
DROP INDEX member_sector_region_idx;
DROP INDEX member_committee_idx;
ALTER TABLE member
    DROP CONSTRAINT member_region_fk,
    DROP CONSTRAINT member_special_committee_fk,
    DROP CONSTRAINT member_committee_fk,
    DROP CONSTRAINT member_sector_fk,
    DROP CONSTRAINT member_external_id_key,
    DROP COLUMN updated_at,
    DROP COLUMN external_id,
    DROP COLUMN title,
    DROP COLUMN term,
    DROP COLUMN special_committee_code;
DROP TABLE special_committee;
DROP TABLE committee;
DROP TABLE sector_festival;
DROP TABLE sector;
DROP TABLE region;
