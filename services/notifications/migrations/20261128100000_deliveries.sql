-- migrate:up
-- The recipient read model grows what reactions need: who is still active, in which committee.
ALTER TABLE recipient
    ADD COLUMN status                 text NOT NULL DEFAULT 'active',
    ADD COLUMN committee_code         text,
    ADD COLUMN special_committee_code text;
ALTER TABLE recipient
    ADD CONSTRAINT recipient_status_check CHECK (status IN ('active', 'on_leave', 'retired'));

-- Where concerns came from and who holds them now (visits.concern.*): who hears of a reply.
CREATE TABLE concern_origin (
    concern_id uuid NOT NULL,
    source     text NOT NULL,
    liaison_id uuid,
    department_code text,
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
    CONSTRAINT notification_pk PRIMARY KEY (id),
    CONSTRAINT notification_event_recipient_key UNIQUE (source_event_id, recipient_key),
    CONSTRAINT notification_priority_check CHECK (priority IN ('urgent', 'normal', 'low'))
);
CREATE INDEX notification_inbox_idx ON notification (recipient_key, created_at DESC, id);
CREATE INDEX notification_unread_idx ON notification (recipient_key) WHERE read_at IS NULL;

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

-- migrate:down
DROP TABLE delivery;
DROP TABLE notification;
DROP TABLE preference;
DROP TABLE concern_origin;
ALTER TABLE recipient DROP CONSTRAINT recipient_status_check;
ALTER TABLE recipient
    DROP COLUMN special_committee_code,
    DROP COLUMN committee_code,
    DROP COLUMN status;
