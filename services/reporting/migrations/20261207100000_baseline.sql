-- migrate:up
-- Reporting's schema in one file: the four migrations of 27 Nov - 7 Dec 2026 squashed. It keeps
-- the version of the last of them, so a database that has applied those finds nothing to do.
-- Everything here is a projection built only from events (rebuildable, see rebuild/): every row
-- is keyed by the aggregate it describes and updated monotonically, so the order events arrive
-- in does not matter.

-- Members per region and sector, kept by the member events.
CREATE TABLE member_count (
    region_code text    NOT NULL,
    sector_code text    NOT NULL,
    members     integer NOT NULL,
    CONSTRAINT member_count_pk PRIMARY KEY (region_code, sector_code),
    CONSTRAINT member_count_non_negative CHECK (members >= 0)
);

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
    unlinked_on  date,
    -- Every day the liaison was reached: a cut period's distinct liaisons reached (not one whole
    -- day, month or year, so not in the rollups) is then one test per liaison of the scope
    -- (`contact_days && daterange(from, to, '[]')`). A multirange merges adjacent days, and a
    -- day added twice changes nothing, so duplicates and order do not matter. It is kept from
    -- liaison_period_contact's day rows: by the contact writer per batch, by the liaison writer
    -- for a liaison reached before it was linked, and by the recount after a rebuild's bulk.
    contact_days datemultirange NOT NULL DEFAULT '{}'
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
    region_code text    NOT NULL,
    payload     jsonb NOT NULL,
    CONSTRAINT feed_entry_event_id_key UNIQUE (event_id)
);

-- KPI rollups, maintained by the batch handlers in the same transaction as the facts, so a
-- province-wide query reads thousands of pre-summed rows instead of millions of facts.
--
-- Each fact (a contact record, an obligation, a concern, a liaison's link state, a notification)
-- contributes to one (member, region, sector, day); the handlers apply the change of that
-- contribution (new minus old) to every grain: 'd' (the day), 'm' (its month), 'y' (its year).
-- Every count is additive across periods of one grain, except liaisons_contacted (distinct
-- liaisons: it is stored per grain for exactly that period, see views/kpi.py).

-- Plain timestamps (not timestamptz): date_trunc on them is immutable, so the planner inlines
-- these functions instead of calling them once per row.
CREATE FUNCTION kpi_period(grain "char", day date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE grain WHEN 'd' THEN day
                  WHEN 'm' THEN date_trunc('month', day::timestamp)::date
                  ELSE date_trunc('year', day::timestamp)::date END;

CREATE FUNCTION kpi_period_end(grain "char", period date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE grain WHEN 'd' THEN period
                  WHEN 'm' THEN (period + interval '1 month' - interval '1 day')::date
                  ELSE (period + interval '1 year' - interval '1 day')::date END;

-- Active on `at`: linked by then and not unlinked since (an unlink before the link is stale).
CREATE FUNCTION liaison_active(linked_on date, unlinked_on date, at date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN linked_on IS NOT NULL AND linked_on <= at
       AND (unlinked_on IS NULL OR unlinked_on < linked_on OR unlinked_on > at);

CREATE TABLE member_kpi (
    member_id                     uuid NOT NULL,
    grain                         "char" NOT NULL,
    period                        date NOT NULL,
    region_code                   text NOT NULL,
    sector_code                   text NOT NULL,
    contacts                      integer NOT NULL DEFAULT 0,
    contacts_face_to_face         integer NOT NULL DEFAULT 0,
    contacts_regular_work         integer NOT NULL DEFAULT 0,
    contacts_online               integer NOT NULL DEFAULT 0,
    contacts_service              integer NOT NULL DEFAULT 0,
    contacts_innovative           integer NOT NULL DEFAULT 0,
    people_reached                integer NOT NULL DEFAULT 0,
    heart_to_heart_talks          integer NOT NULL DEFAULT 0,
    liaison_delta                 integer NOT NULL DEFAULT 0,
    liaisons_contacted            integer NOT NULL DEFAULT 0,
    obligations_due               integer NOT NULL DEFAULT 0,
    obligations_fulfilled_on_time integer NOT NULL DEFAULT 0,
    obligations_fulfilled_late    integer NOT NULL DEFAULT 0,
    obligations_overdue           integer NOT NULL DEFAULT 0,
    obligations_escalated         integer NOT NULL DEFAULT 0,
    concerns_collected            integer NOT NULL DEFAULT 0,
    concerns_handled              integer NOT NULL DEFAULT 0,
    concerns_assigned             integer NOT NULL DEFAULT 0,
    concerns_replied              integer NOT NULL DEFAULT 0,
    concerns_replied_on_time      integer NOT NULL DEFAULT 0,
    concerns_rated                integer NOT NULL DEFAULT 0,
    concerns_satisfied            integer NOT NULL DEFAULT 0,
    concerns_resolved             integer NOT NULL DEFAULT 0,
    public_opinion_reports        integer NOT NULL DEFAULT 0,
    proposals                     integer NOT NULL DEFAULT 0,
    days_to_reply_total           integer NOT NULL DEFAULT 0,
    notifications_reached         integer NOT NULL DEFAULT 0,
    CONSTRAINT member_kpi_pk PRIMARY KEY (member_id, grain, period, region_code, sector_code)
) PARTITION BY LIST (grain);
-- One partition per grain: a year's rows for the whole province sit together (a few MB), not
-- scattered among millions of day rows.
CREATE TABLE member_kpi_d PARTITION OF member_kpi FOR VALUES IN ('d');
CREATE TABLE member_kpi_m PARTITION OF member_kpi FOR VALUES IN ('m');
CREATE TABLE member_kpi_y PARTITION OF member_kpi FOR VALUES IN ('y');
-- A county's or city's rows without walking the whole province's (the PK leads with member).
CREATE INDEX member_kpi_region_idx
    ON member_kpi (grain, region_code text_pattern_ops, period);

-- The same sums without the member: what province/city/county/sector/period queries read.
CREATE TABLE region_kpi (LIKE member_kpi INCLUDING DEFAULTS) PARTITION BY LIST (grain);
ALTER TABLE region_kpi DROP COLUMN member_id;
CREATE TABLE region_kpi_d PARTITION OF region_kpi FOR VALUES IN ('d');
CREATE TABLE region_kpi_m PARTITION OF region_kpi FOR VALUES IN ('m');
CREATE TABLE region_kpi_y PARTITION OF region_kpi FOR VALUES IN ('y');
ALTER TABLE region_kpi
    ADD CONSTRAINT region_kpi_pk PRIMARY KEY (grain, period, region_code, sector_code);
-- The PK serves province-wide periods; this one a county's or city's days and months.
CREATE INDEX region_kpi_region_idx
    ON region_kpi (grain, region_code text_pattern_ops, period);

-- Which liaison was reached in which day, month and year (by anyone): coverage counts a
-- liaison once per period, and the link handler re-counts these rows when a liaison changes.
CREATE TABLE liaison_period_contact (
    liaison_id uuid NOT NULL,
    grain      "char" NOT NULL,
    period     date NOT NULL,
    CONSTRAINT liaison_period_contact_pk PRIMARY KEY (liaison_id, grain, period)
);
CREATE INDEX liaison_period_contact_period_idx ON liaison_period_contact (grain, period);

-- Workstations (委员工作站/工作室) and the members attached to them (the latest state wins).
CREATE TABLE workstation (
    workstation_id uuid PRIMARY KEY,
    region_code    text NOT NULL,
    kind           text NOT NULL,
    name           text NOT NULL,
    changed_at     timestamptz NOT NULL,
    closed         boolean NOT NULL DEFAULT false
);
CREATE TABLE member_workstation (
    workstation_id uuid NOT NULL,
    member_id      uuid NOT NULL,
    CONSTRAINT member_workstation_pk PRIMARY KEY (workstation_id, member_id)
);
CREATE INDEX member_workstation_member_idx ON member_workstation (member_id);

-- A notification counts once per member however many channels reached them.
CREATE TABLE notification_reach (
    notification_id uuid NOT NULL,
    member_id       uuid NOT NULL,
    CONSTRAINT notification_reach_pk PRIMARY KEY (notification_id, member_id)
);

-- migrate:down
DROP TABLE notification_reach;
DROP TABLE member_workstation;
DROP TABLE workstation;
DROP TABLE liaison_period_contact;
DROP TABLE region_kpi;
DROP TABLE member_kpi;
DROP FUNCTION liaison_active(date, date, date);
DROP FUNCTION kpi_period_end("char", date);
DROP FUNCTION kpi_period("char", date);
DROP TABLE feed_entry;
DROP TABLE timeline_entry;
DROP TABLE concern;
DROP TABLE obligation;
DROP TABLE visit;
DROP TABLE liaison;
DROP TABLE member_dim;
DROP TABLE member_count;
