-- migrate:up
-- The visits service's schema as of 27 November 2026, squashed from its first four migrations
-- (member_roster, read_models, visits_and_obligations, concerns). It keeps the last one's
-- version, so a database that applied those four finds nothing new here.

-- Visits' read models of the members service's directory, built only from its events, so
-- obligations can be opened per affected member without calling the members service.
CREATE TABLE member_roster (
    member_id              uuid        NOT NULL,
    region_code            text        NOT NULL,
    sector_code            text        NOT NULL,
    committee_code         text        NOT NULL,
    joined_at              timestamptz NOT NULL,
    special_committee_code text,
    status                 text        NOT NULL DEFAULT 'active',
    unit_id                uuid,
    unit_name              text,
    updated_at             timestamptz,
    CONSTRAINT member_roster_pk PRIMARY KEY (member_id),
    CONSTRAINT member_roster_status_check CHECK (status IN ('active', 'on_leave', 'retired'))
);
CREATE INDEX member_roster_sector_region_idx
    ON member_roster (sector_code, region_code text_pattern_ops) WHERE status = 'active';

CREATE TABLE liaison_roster (
    liaison_id             uuid        NOT NULL,
    member_id              uuid        NOT NULL,
    region_code            text        NOT NULL,
    display_name           text        NOT NULL,
    consent_to_departments boolean     NOT NULL,
    linked                 boolean     NOT NULL,
    updated_at             timestamptz NOT NULL,
    CONSTRAINT liaison_roster_pk PRIMARY KEY (liaison_id)
);
CREATE INDEX liaison_roster_member_idx ON liaison_roster (member_id) WHERE linked;

CREATE TABLE workstation_roster (
    workstation_id uuid        NOT NULL,
    name           text        NOT NULL,
    kind           text        NOT NULL,
    region_code    text        NOT NULL,
    open           boolean     NOT NULL,
    member_ids     uuid[]      NOT NULL,
    updated_at     timestamptz NOT NULL,
    CONSTRAINT workstation_roster_pk PRIMARY KEY (workstation_id)
);

-- 走访记录: how a member reached their people, over one of the five channels.
CREATE TABLE contact_record (
    id                  uuid        NOT NULL,
    member_id           uuid        NOT NULL,
    region_code         text        NOT NULL,
    sector_code         text        NOT NULL,
    channel             text        NOT NULL,
    occasion            text        NOT NULL,
    occurred_on         date        NOT NULL,
    place_kind          text        NOT NULL,
    place_id            uuid,
    place_name          text,
    liaison_ids         uuid[]      NOT NULL DEFAULT '{}',
    people_reached      integer     NOT NULL,
    heart_to_heart_talks integer    NOT NULL,
    summary             text        NOT NULL,
    evidence            jsonb       NOT NULL DEFAULT '[]',
    recorded_by         text        NOT NULL,
    recorded_by_role    text        NOT NULL,
    recorded_at         timestamptz NOT NULL,
    CONSTRAINT contact_record_pk PRIMARY KEY (id),
    CONSTRAINT contact_record_channel_check CHECK (channel IN (
        'face_to_face', 'regular_work', 'online', 'service', 'innovative')),
    CONSTRAINT contact_record_occasion_check CHECK (occasion IN (
        'routine', 'leader_speech', 'congress_closed', 'policy_issued', 'plenary_upcoming',
        'liaison_life_change', 'liaison_request', 'liaison_hardship', 'sector_festival')),
    CONSTRAINT contact_record_place_check CHECK (place_kind IN ('unit', 'workstation', 'other')),
    CONSTRAINT contact_record_counts_check
        CHECK (people_reached >= 0 AND heart_to_heart_talks >= 0
               AND heart_to_heart_talks <= people_reached)
);
CREATE INDEX contact_record_member_idx ON contact_record (member_id, occurred_on DESC, id);
CREATE INDEX contact_record_region_idx ON contact_record (region_code text_pattern_ops, id);

-- 八必访: one obligation per affected member and occasion (the unique key makes opening
-- idempotent however often the occasion's event is delivered).
CREATE TABLE obligation (
    id                     uuid        NOT NULL DEFAULT gen_random_uuid(),
    member_id              uuid        NOT NULL,
    region_code            text        NOT NULL,
    sector_code            text        NOT NULL,
    special_committee_code text,
    occasion_kind          text        NOT NULL,
    source_id              uuid        NOT NULL,
    title                  text        NOT NULL,
    liaison_id             uuid,
    opened_at              timestamptz NOT NULL,
    -- Visits on or after this day count (a visit the day after a policy was issued counts
    -- even if the policy reached us a day later).
    counts_from            date        NOT NULL,
    due_on                 date        NOT NULL,
    status                 text        NOT NULL DEFAULT 'open',
    escalation_level       smallint    NOT NULL DEFAULT 0,
    escalated_to           text,
    fulfilled_by           uuid,
    fulfilled_on           date,
    closed_at              timestamptz,
    CONSTRAINT obligation_pk PRIMARY KEY (id),
    CONSTRAINT obligation_once_per_member_and_source UNIQUE (member_id, source_id),
    CONSTRAINT obligation_status_check
        CHECK (status IN ('open', 'overdue', 'escalated', 'fulfilled', 'withdrawn')),
    CONSTRAINT obligation_fulfilled_by_fk
        FOREIGN KEY (fulfilled_by) REFERENCES contact_record (id)
);
-- What the sweeps and a member's list look for: the still-owed ones.
CREATE INDEX obligation_owed_due_idx ON obligation (due_on)
    WHERE status IN ('open', 'overdue', 'escalated');
CREATE INDEX obligation_member_idx ON obligation (member_id, status, due_on);
CREATE INDEX obligation_region_idx ON obligation (region_code text_pattern_ops, due_on);

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
DROP TABLE obligation;
DROP TABLE contact_record;
DROP TABLE workstation_roster;
DROP TABLE liaison_roster;
DROP TABLE member_roster;
