-- migrate:up
-- Who read or changed which liaison's personal data, when and why. Append-only: the service
-- role may only insert and select, and a trigger refuses changes from anyone.
CREATE TABLE pii_audit (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    actor_role  text        NOT NULL,
    action      text        NOT NULL,
    liaison_id  uuid,
    fields      text[]      NOT NULL,
    reason      text        NOT NULL,
    CONSTRAINT pii_audit_pk PRIMARY KEY (id),
    CONSTRAINT pii_audit_action_check
        CHECK (action IN ('read', 'reveal', 'create', 'update', 'unlink', 'import', 'export'))
);
CREATE INDEX pii_audit_liaison_idx ON pii_audit (liaison_id, id);
CREATE INDEX pii_audit_actor_idx ON pii_audit (actor, id);

CREATE FUNCTION pii_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'pii_audit is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER pii_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON pii_audit
    FOR EACH STATEMENT EXECUTE FUNCTION pii_audit_is_append_only();

-- City onboarding: one row per uploaded file, with its progress and per-row errors.
CREATE TABLE import_job (
    id             uuid        NOT NULL,
    kind           text        NOT NULL,
    file_name      text        NOT NULL,
    file_sha256    text        NOT NULL,
    status         text        NOT NULL,
    total_rows     integer     NOT NULL DEFAULT 0,
    processed_rows integer     NOT NULL DEFAULT 0,
    created_rows   integer     NOT NULL DEFAULT 0,
    unchanged_rows integer     NOT NULL DEFAULT 0,
    errors         jsonb       NOT NULL DEFAULT '[]',
    region_scope   text        NOT NULL,
    created_by     text        NOT NULL,
    created_at     timestamptz NOT NULL,
    finished_at    timestamptz,
    CONSTRAINT import_job_pk PRIMARY KEY (id),
    CONSTRAINT import_job_kind_check CHECK (kind IN (
        'committees', 'members', 'units', 'liaisons', 'workstations')),
    CONSTRAINT import_job_status_check
        CHECK (status IN ('validating', 'applying', 'failed', 'done'))
);

-- migrate:down
DROP TABLE import_job;
DROP TRIGGER pii_audit_append_only ON pii_audit;
DROP FUNCTION pii_audit_is_append_only();
DROP TABLE pii_audit;
