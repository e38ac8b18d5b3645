-- migrate:up
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

-- migrate:down
DROP TABLE obligation;
DROP TABLE contact_record;
