-- migrate:up
-- 承办单位: the government bodies concerns are assigned to (over the disposal platform). The
-- code is what a department's token names as its subject, so it is unique province-wide;
-- people pick a department by its Chinese name and never type the code.
CREATE TABLE department (
    id            uuid        NOT NULL,
    code          text        NOT NULL,
    name          text        NOT NULL,
    region_code   text        NOT NULL,
    contact       text,
    platform_id   text,
    external_id   text,
    registered_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CONSTRAINT department_pk PRIMARY KEY (id),
    CONSTRAINT department_code_key UNIQUE (code),
    CONSTRAINT department_external_id_key UNIQUE (external_id),
    CONSTRAINT department_platform_id_key UNIQUE (platform_id),
    CONSTRAINT department_region_fk FOREIGN KEY (region_code) REFERENCES region (code),
    CONSTRAINT department_code_check CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$')
);
CREATE INDEX department_region_idx ON department (region_code text_pattern_ops);
GRANT SELECT, INSERT, UPDATE, DELETE ON department TO members_app;

ALTER TABLE import_job DROP CONSTRAINT import_job_kind_check;
ALTER TABLE import_job ADD CONSTRAINT import_job_kind_check CHECK (kind IN (
    'committees', 'members', 'units', 'liaisons', 'workstations', 'departments'));

-- migrate:down
DELETE FROM import_job WHERE kind = 'departments';
ALTER TABLE import_job DROP CONSTRAINT import_job_kind_check;
ALTER TABLE import_job ADD CONSTRAINT import_job_kind_check CHECK (kind IN (
    'committees', 'members', 'units', 'liaisons', 'workstations'));
DROP TABLE department;
