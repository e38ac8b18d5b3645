-- migrate:up
-- Notifications' schema in one file: the five migrations of 27-29 Nov 2026 squashed. It keeps
-- the version of the last of them, so a database that has applied those finds nothing to do.

-- The read model of who can be told what (from members' events), and whether they still can.
CREATE TABLE recipient (
    member_id              uuid        NOT NULL,
    display_name           text        NOT NULL,
    region_code            text        NOT NULL,
    sector_code            text        NOT NULL,
    known_since            timestamptz NOT NULL,
    status                 text        NOT NULL DEFAULT 'active',
    committee_code         text,
    special_committee_code text,
    CONSTRAINT recipient_pk PRIMARY KEY (member_id),
    CONSTRAINT recipient_status_check CHECK (status IN ('active', 'on_leave', 'retired'))
);
CREATE INDEX recipient_sector_region_idx ON recipient (sector_code, region_code);

-- Where concerns came from and who holds them now (visits.concern.*): who hears of a reply.
-- `submitted_by` is the account of an online submitter, so the answer and the request to rate
-- it reach their own inbox.
CREATE TABLE concern_origin (
    concern_id      uuid NOT NULL,
    source          text NOT NULL,
    liaison_id      uuid,
    department_code text,
    submitted_by    text,
    CONSTRAINT concern_origin_pk PRIMARY KEY (concern_id)
);

-- Per-user preferences; recipient_key is member:<id>, department:<code>, office:<code>, ...
-- Addresses are personal data: never logged, never in events.
CREATE TABLE preference (
    recipient_key   text        NOT NULL,
    email           text,
    phone           text,
    wechat_openid   text,
    channels        text[]      NOT NULL DEFAULT ARRAY['in_app', 'email', 'sms', 'wechat'],
    quiet_start     time,
    quiet_end       time,
    timezone        text        NOT NULL DEFAULT 'Asia/Shanghai',
    digest          boolean     NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT preference_pk PRIMARY KEY (recipient_key)
);

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

-- One notification per (source event, recipient): the inbox item (站内信).
CREATE TABLE notification (
    id              uuid        NOT NULL,
    source_event_id uuid        NOT NULL,
    recipient_key   text        NOT NULL,
    member_id       uuid,
    region_code     text        NOT NULL,
    kind            text        NOT NULL,
    priority        text        NOT NULL,
    title           text        NOT NULL,
    body            text        NOT NULL,
    created_at      timestamptz NOT NULL,
    read_at         timestamptz,
    digest_id       uuid,
    CONSTRAINT notification_pk PRIMARY KEY (id),
    CONSTRAINT notification_event_recipient_key UNIQUE (source_event_id, recipient_key),
    CONSTRAINT notification_priority_check CHECK (priority IN ('urgent', 'normal', 'low')),
    CONSTRAINT notification_digest_fk FOREIGN KEY (digest_id)
        REFERENCES digest (id) ON DELETE SET NULL
);
CREATE INDEX notification_inbox_idx ON notification (recipient_key, created_at DESC, id);
CREATE INDEX notification_unread_idx ON notification (recipient_key) WHERE read_at IS NULL;
-- Low-priority items not yet summarised, found per recipient.
CREATE INDEX notification_undigested_idx ON notification (recipient_key)
    WHERE priority = 'low' AND digest_id IS NULL;

-- One delivery per (notification, channel), worked by every replica's loop (SKIP LOCKED).
CREATE TABLE delivery (
    id              uuid        NOT NULL,
    notification_id uuid        NOT NULL,
    channel         text        NOT NULL,
    status          text        NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT delivery_pk PRIMARY KEY (id),
    CONSTRAINT delivery_notification_channel_key UNIQUE (notification_id, channel),
    CONSTRAINT delivery_notification_fk FOREIGN KEY (notification_id)
        REFERENCES notification (id) ON DELETE CASCADE,
    CONSTRAINT delivery_channel_check CHECK (channel IN ('in_app', 'email', 'sms', 'wechat')),
    CONSTRAINT delivery_status_check
        CHECK (status IN ('pending', 'sent', 'failed', 'cancelled'))
);
CREATE INDEX delivery_due_idx ON delivery (next_attempt_at) WHERE status = 'pending';
CREATE INDEX delivery_failed_idx ON delivery (updated_at DESC) WHERE status = 'failed';

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
DROP TABLE delivery;
DROP TABLE notification;
DROP TABLE digest;
DROP TABLE preference;
DROP TABLE concern_origin;
DROP TABLE recipient;
