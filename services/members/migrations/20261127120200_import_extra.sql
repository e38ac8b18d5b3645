-- migrate:up
-- City onboarding: updated rows are counted apart from created and unchanged ones; errors
-- beyond the first thousand are counted, not stored; a job that stops beating (its process
-- died) is reported as failed, and its one transaction left nothing behind.
ALTER TABLE import_job
    ADD COLUMN updated_rows integer     NOT NULL DEFAULT 0,
    ADD COLUMN error_count  integer     NOT NULL DEFAULT 0,
    ADD COLUMN detail       text,
    ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX import_job_scope_idx ON import_job (region_scope text_pattern_ops, created_at);

-- Special committees get the same stable row key as committees, so a committees file that
-- lists them can be imported again without creating anything twice.
ALTER TABLE special_committee
    ADD COLUMN external_id text,
    ADD CONSTRAINT special_committee_external_id_key UNIQUE (external_id);

-- migrate:down
ALTER TABLE special_committee
    DROP CONSTRAINT special_committee_external_id_key,
    DROP COLUMN external_id;
DROP INDEX import_job_scope_idx;
ALTER TABLE import_job
    DROP COLUMN heartbeat_at,
    DROP COLUMN detail,
    DROP COLUMN error_count,
    DROP COLUMN updated_rows;
