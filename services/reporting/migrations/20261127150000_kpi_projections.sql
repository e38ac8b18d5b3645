-- migrate:up
-- KPI projections, built only from events (rebuildable). Every row is keyed by the aggregate
-- it describes and updated monotonically, so the order events arrive in does not matter.

-- Who is in which sector, region and special committee (from members.member).
CREATE TABLE member_dim (
    member_id              uuid PRIMARY KEY,
    region_code            text NOT NULL,
    sector_code            text,
    committee_code         text,
    special_committee_code text,
    full_name              text,
    status                 text NOT NULL DEFAULT 'active',
    profile_at             timestamptz,
    status_at              timestamptz
);
CREATE INDEX member_dim_region_idx ON member_dim (region_code text_pattern_ops);
CREATE INDEX member_dim_special_committee_idx ON member_dim (special_committee_code);

-- Liaisons (界别群众联系人) by id only: who counts as active for coverage.
CREATE TABLE liaison (
    liaison_id   uuid PRIMARY KEY,
    member_id    uuid NOT NULL,
    region_code  text NOT NULL,
    sector_code  text,
    linked_on    date,
    unlinked_on  date
);
CREATE INDEX liaison_region_idx ON liaison (region_code text_pattern_ops);

-- One row per contact record (the dossier's and the feed's source).
CREATE TABLE visit (
    visit_id             uuid PRIMARY KEY,
    member_id            uuid NOT NULL,
    region_code          text NOT NULL,
    sector_code          text NOT NULL,
    channel              text NOT NULL,
    occasion             text NOT NULL,
    occurred_on          date NOT NULL,
    people_reached       integer NOT NULL,
    heart_to_heart_talks integer NOT NULL
);
CREATE INDEX visit_member_idx ON visit (member_id, occurred_on);

-- Daily facts per member: what the KPI queries roll up with GROUP BY.
CREATE TABLE member_day (
    member_id            uuid NOT NULL,
    day                  date NOT NULL,
    region_code          text NOT NULL,
    sector_code          text NOT NULL,
    contacts             integer NOT NULL DEFAULT 0,
    face_to_face         integer NOT NULL DEFAULT 0,
    regular_work         integer NOT NULL DEFAULT 0,
    online               integer NOT NULL DEFAULT 0,
    service              integer NOT NULL DEFAULT 0,
    innovative           integer NOT NULL DEFAULT 0,
    people_reached       integer NOT NULL DEFAULT 0,
    heart_to_heart_talks integer NOT NULL DEFAULT 0,
    CONSTRAINT member_day_pk PRIMARY KEY (member_id, day, region_code, sector_code)
);
CREATE INDEX member_day_region_day_idx ON member_day (region_code text_pattern_ops, day);
CREATE INDEX member_day_sector_day_idx ON member_day (sector_code, day);

-- Which liaison a member reached on which day (distinct per period at query time).
CREATE TABLE liaison_contact (
    member_id  uuid NOT NULL,
    liaison_id uuid NOT NULL,
    day        date NOT NULL,
    CONSTRAINT liaison_contact_pk PRIMARY KEY (liaison_id, day, member_id)
);

-- One row per must-visit obligation; flags only ever move forward.
CREATE TABLE obligation (
    obligation_id    uuid PRIMARY KEY,
    member_id        uuid NOT NULL,
    region_code      text NOT NULL,
    sector_code      text NOT NULL,
    occasion_kind    text NOT NULL,
    due_on           date NOT NULL,
    opened           boolean NOT NULL DEFAULT false,
    fulfilled_on     date,
    fulfilled_on_time boolean,
    overdue          boolean NOT NULL DEFAULT false,
    escalation_level integer NOT NULL DEFAULT 0,
    withdrawn        boolean NOT NULL DEFAULT false
);
CREATE INDEX obligation_region_due_idx ON obligation (region_code text_pattern_ops, due_on);
CREATE INDEX obligation_member_idx ON obligation (member_id, due_on);

-- One row per concern; each round-bound fact keeps the latest round's value.
CREATE TABLE concern (
    concern_id        uuid PRIMARY KEY,
    member_id         uuid NOT NULL,
    region_code       text NOT NULL,
    sector_code       text NOT NULL,
    submitted_on      date,
    kind              text,
    accepted          boolean NOT NULL DEFAULT false,
    rejected          boolean NOT NULL DEFAULT false,
    merged            boolean NOT NULL DEFAULT false,
    assigned_round    integer,
    replied_round     integer,
    first_replied_on  date,
    replied_on_time   boolean,
    rated_round       integer,
    satisfaction      integer,
    rated_resolved    boolean,
    reopened          integer NOT NULL DEFAULT 0,
    closed            boolean NOT NULL DEFAULT false,
    closed_resolved   boolean,
    to_public_opinion boolean NOT NULL DEFAULT false,
    to_proposal       boolean NOT NULL DEFAULT false
);
CREATE INDEX concern_region_submitted_idx ON concern (region_code text_pattern_ops, submitted_on);
CREATE INDEX concern_member_idx ON concern (member_id, submitted_on);

-- A member's timeline (履职档案): one row per event about them.
CREATE TABLE timeline_entry (
    event_id    uuid PRIMARY KEY,
    member_id   uuid NOT NULL,
    occurred_at timestamptz NOT NULL,
    event_type  text NOT NULL,
    subject_id  uuid,
    facts       jsonb NOT NULL
);
CREATE INDEX timeline_entry_member_idx ON timeline_entry (member_id, occurred_at, event_id);

-- The data-platform feed for pull clients: the same de-identified facts as the topics.
CREATE TABLE feed_entry (
    seq         bigserial PRIMARY KEY,
    event_id    uuid NOT NULL,
    event_type  text NOT NULL,
    region_code text NOT NULL,
    payload     jsonb NOT NULL,
    CONSTRAINT feed_entry_event_id_key UNIQUE (event_id)
);

-- migrate:down
DROP TABLE feed_entry;
DROP TABLE timeline_entry;
DROP TABLE concern;
DROP TABLE obligation;
DROP TABLE liaison_contact;
DROP TABLE member_day;
DROP TABLE visit;
DROP TABLE liaison;
DROP TABLE member_dim;
