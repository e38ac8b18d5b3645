-- migrate:up
-- Idempotency keys on creates: the first request with a key claims it inside its own
-- transaction and records what it created; a retry with the same key gets that back.
CREATE TABLE idempotency_key (
    actor        text        NOT NULL,
    key          text        NOT NULL,
    request_hash text        NOT NULL,
    resource_id  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_key_pk PRIMARY KEY (actor, key)
);

-- migrate:down
DROP TABLE idempotency_key;
