-- migrate:up
-- Events a consumer group has applied. Claimed in the handler's own transaction, so a
-- redelivered event is recognised and skipped: delivered twice, applied once.
CREATE TABLE inbox_message (
    consumer_group text        NOT NULL,
    event_id       uuid        NOT NULL,
    event_type     text        NOT NULL,
    processed_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT inbox_message_pk PRIMARY KEY (consumer_group, event_id)
);

-- migrate:down
DROP TABLE inbox_message;
