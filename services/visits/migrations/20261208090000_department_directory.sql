-- migrate:up
-- Visits' picture of the departments (承办单位) concerns are assigned to, from members'
-- department events alone: assigning checks a department exists and serves the concern's
-- region, and every concern read shows the department's name, never its code.
CREATE TABLE department_directory (
    department_id uuid        NOT NULL,
    code          text        NOT NULL,
    name          text        NOT NULL,
    region_code   text        NOT NULL,
    platform_id   text,
    updated_at    timestamptz NOT NULL,
    CONSTRAINT department_directory_pk PRIMARY KEY (department_id),
    CONSTRAINT department_directory_code_key UNIQUE (code)
);
CREATE INDEX department_directory_region_idx
    ON department_directory (region_code text_pattern_ops);

-- migrate:down
DROP TABLE department_directory;
