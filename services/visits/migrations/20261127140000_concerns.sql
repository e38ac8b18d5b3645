-- migrate:up
-- 问题清单 → 履职清单: concerns owned by a member, raised in a contact record or submitted online.
CREATE TABLE concern (
    id                        uuid        NOT NULL,
    member_id                 uuid        NOT NULL,
    region_code               text        NOT NULL,
    sector_code               text        NOT NULL,
    kind                      text        NOT NULL,
    source                    text        NOT NULL,
    visit_id                  uuid,
    liaison_id                uuid,
    title                     text        NOT NULL,
    body                      text        NOT NULL,
    submitted_by              text        NOT NULL,
    submitted_by_role         text        NOT NULL,
    consent_to_share_identity boolean     NOT NULL DEFAULT false,
    submitted_at              timestamptz NOT NULL,
    status                    text        NOT NULL,
    round                     smallint    NOT NULL DEFAULT 0,
    department_code           text,
    due_on                    date,
    merged_into               uuid,
    upgraded_to               text,
    upgrade_reference         text,
    updated_at                timestamptz NOT NULL,
    CONSTRAINT concern_pk PRIMARY KEY (id),
    CONSTRAINT concern_kind_check
        CHECK (kind IN ('problem', 'suggestion', 'request', 'micro_suggestion')),
    CONSTRAINT concern_source_check CHECK (
        (source = 'contact_record' AND visit_id IS NOT NULL)
        OR (source = 'online' AND visit_id IS NULL)),
    CONSTRAINT concern_status_check CHECK (status IN (
        'submitted', 'accepted', 'rejected', 'merged', 'assigned', 'replied', 'reopened',
        'closed')),
    CONSTRAINT concern_upgraded_to_check
        CHECK (upgraded_to IS NULL OR upgraded_to IN ('public_opinion_report', 'proposal')),
    CONSTRAINT concern_visit_fk FOREIGN KEY (visit_id) REFERENCES contact_record (id),
    CONSTRAINT concern_merged_into_fk FOREIGN KEY (merged_into) REFERENCES concern (id)
);
CREATE INDEX concern_member_idx ON concern (member_id, status, id);
CREATE INDEX concern_region_idx ON concern (region_code text_pattern_ops, id);
CREATE INDEX concern_submitter_idx ON concern (submitted_by, id) WHERE source = 'online';
CREATE INDEX concern_visit_idx ON concern (visit_id) WHERE visit_id IS NOT NULL;

-- One row per assignment (交办) round: the department, its reply (办复) and the rating.
CREATE TABLE concern_round (
    concern_id      uuid        NOT NULL,
    round           smallint    NOT NULL,
    department_code text        NOT NULL,
    due_on          date        NOT NULL,
    assigned_at     timestamptz NOT NULL,
    reply           text,
    replied_on      date,
    replied_at      timestamptz,
    replied_via     text,
    satisfaction    smallint,
    resolved        boolean,
    rated_at        timestamptz,
    CONSTRAINT concern_round_pk PRIMARY KEY (concern_id, round),
    CONSTRAINT concern_round_concern_fk FOREIGN KEY (concern_id) REFERENCES concern (id),
    CONSTRAINT concern_round_via_check
        CHECK (replied_via IS NULL OR replied_via IN ('department', 'disposal_platform')),
    CONSTRAINT concern_round_satisfaction_check
        CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5)
);
CREATE INDEX concern_round_department_idx ON concern_round (department_code, concern_id);

-- Every transition, in order: the audit trail behind GET /v1/concerns/{id}/history.
CREATE TABLE concern_transition (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    concern_id  uuid        NOT NULL,
    round       smallint    NOT NULL,
    action      text        NOT NULL,
    from_status text,
    to_status   text        NOT NULL,
    actor       text        NOT NULL,
    actor_role  text        NOT NULL,
    at          timestamptz NOT NULL,
    detail      jsonb       NOT NULL DEFAULT '{}',
    note        text,
    CONSTRAINT concern_transition_pk PRIMARY KEY (id),
    CONSTRAINT concern_transition_concern_fk FOREIGN KEY (concern_id) REFERENCES concern (id)
);
CREATE INDEX concern_transition_concern_idx ON concern_transition (concern_id, id);

-- 政务联动处置平台: assignments waiting to be sent, written in the assignment's transaction
-- (an outbox of its own). The payload is the exact body that is signed and sent, every try.
CREATE TABLE concern_dispatch (
    id               uuid        NOT NULL DEFAULT gen_random_uuid(),
    concern_id       uuid        NOT NULL,
    round            smallint    NOT NULL,
    region_code      text        NOT NULL,
    department_code  text        NOT NULL,
    payload          text        NOT NULL,
    status           text        NOT NULL DEFAULT 'pending',
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    CONSTRAINT concern_dispatch_pk PRIMARY KEY (id),
    CONSTRAINT concern_dispatch_once_per_round UNIQUE (concern_id, round),
    CONSTRAINT concern_dispatch_concern_fk FOREIGN KEY (concern_id) REFERENCES concern (id),
    CONSTRAINT concern_dispatch_status_check CHECK (status IN ('pending', 'sent', 'failed'))
);
CREATE INDEX concern_dispatch_due_idx ON concern_dispatch (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX concern_dispatch_status_idx ON concern_dispatch (status, region_code, id);

-- migrate:down
DROP TABLE concern_dispatch;
DROP TABLE concern_transition;
DROP TABLE concern_round;
DROP TABLE concern;
