-- migrate:up
-- Obligations still owed, so a member is reminded once, a few days before the due date.
CREATE TABLE obligation_watch (
    obligation_id uuid        NOT NULL,
    member_id     uuid        NOT NULL,
    region_code   text        NOT NULL,
    occasion_kind text        NOT NULL,
    due_on        date        NOT NULL,
    owed          boolean     NOT NULL DEFAULT true,
    reminded_at   timestamptz,
    CONSTRAINT obligation_watch_pk PRIMARY KEY (obligation_id)
);
CREATE INDEX obligation_watch_due_idx ON obligation_watch (due_on)
    WHERE owed AND reminded_at IS NULL;

-- migrate:down
DROP TABLE obligation_watch;
