-- migrate:up
-- Accounts follow the directory: one row per member, written in the same transaction as the
-- member (registered, imported, changed, retired), worked by the account job
-- (services/members/jobs.py) with FOR UPDATE SKIP LOCKED. `wanted_*` is what the directory
-- says; `synced_*` is what Keycloak last confirmed; the row is due while they differ.
CREATE TABLE keycloak_account (
    member_id       uuid        NOT NULL,
    region_code     text        NOT NULL,
    full_name       text        NOT NULL,
    username        text        NOT NULL,
    wanted_enabled  boolean     NOT NULL,
    wanted_version  bigint      NOT NULL DEFAULT 1,
    synced_version  bigint      NOT NULL DEFAULT 0,
    keycloak_user_id text,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    synced_at       timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT keycloak_account_pk PRIMARY KEY (member_id),
    -- Checked at commit: an import notes the accounts before it moves the staged members in.
    CONSTRAINT keycloak_account_member_fk FOREIGN KEY (member_id) REFERENCES member (id)
        DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT keycloak_account_versions CHECK (synced_version <= wanted_version)
);
-- The job's queue: only rows still to do are indexed.
CREATE INDEX keycloak_account_due_ix ON keycloak_account (next_attempt_at)
    WHERE synced_version < wanted_version;
-- Members already in the directory get theirs too (switching sign-in on provisions them all).
INSERT INTO keycloak_account
    (member_id, region_code, full_name, username, wanted_enabled, next_attempt_at)
SELECT id, region_code, full_name, 'm' || right(replace(id::text, '-', ''), 12),
       status <> 'retired', '-infinity'
FROM member;

-- A liaison may sign in as a constituent: the subject (`sub`) of their account, linked by the
-- member or an office (one account speaks for at most one current liaison).
ALTER TABLE liaison ADD COLUMN account_subject text;
CREATE UNIQUE INDEX liaison_account_subject_key ON liaison (account_subject)
    WHERE account_subject IS NOT NULL AND unlinked_at IS NULL;

-- migrate:down
DROP INDEX liaison_account_subject_key;
ALTER TABLE liaison DROP COLUMN account_subject;
DROP TABLE keycloak_account;
