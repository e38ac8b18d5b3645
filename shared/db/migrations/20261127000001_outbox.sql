-- migrate:up
-- Events waiting to be published. Written in the same transaction as the business rows,
-- so an event exists if and only if the change it describes was committed.
CREATE TABLE outbox_message (
    id              bigint GENERATED ALWAYS AS IDENTITY,
    event_id        uuid        NOT NULL,
    event_type      text        NOT NULL,
    topic           text        NOT NULL,
    partition_key   text        NOT NULL,
    -- One relay at a time owns a shard (advisory lock), so one key's events leave in order.
    shard           smallint    NOT NULL,
    payload         text        NOT NULL,
    headers         jsonb       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    sent_at         timestamptz,
    CONSTRAINT outbox_message_pk PRIMARY KEY (id),
    CONSTRAINT outbox_message_event_id_key UNIQUE (event_id)
);
CREATE INDEX outbox_message_pending_idx ON outbox_message (shard, id) WHERE sent_at IS NULL;

-- migrate:down
DROP TABLE outbox_message;
