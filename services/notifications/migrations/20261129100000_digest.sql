-- migrate:up
-- The daily digest: one row per (recipient, local day), whoever's replica gets there first;
-- the low-priority items it summarises point at it (each item is summarised once).
CREATE TABLE digest (
    id            uuid        NOT NULL,
    recipient_key text        NOT NULL,
    day           date        NOT NULL,
    status        text        NOT NULL,
    items         integer     NOT NULL DEFAULT 0,
    attempts      integer     NOT NULL DEFAULT 0,
    last_error    text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CONSTRAINT digest_pk PRIMARY KEY (id),
    CONSTRAINT digest_recipient_day_key UNIQUE (recipient_key, day),
    CONSTRAINT digest_status_check CHECK (status IN ('pending', 'sent', 'failed'))
);
CREATE INDEX digest_pending_idx ON digest (created_at) WHERE status = 'pending';

ALTER TABLE notification ADD COLUMN digest_id uuid;
ALTER TABLE notification ADD CONSTRAINT notification_digest_fk
    FOREIGN KEY (digest_id) REFERENCES digest (id) ON DELETE SET NULL;
-- Low-priority items not yet summarised, found per recipient.
CREATE INDEX notification_undigested_idx ON notification (recipient_key)
    WHERE priority = 'low' AND digest_id IS NULL;

-- migrate:down
DROP INDEX notification_undigested_idx;
ALTER TABLE notification DROP CONSTRAINT notification_digest_fk;
ALTER TABLE notification DROP COLUMN digest_id;
DROP TABLE digest;
