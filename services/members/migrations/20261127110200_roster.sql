-- migrate:up
-- 基层单元: the one grassroots unit each member links (a compound, an office building, a village).
CREATE TABLE grassroots_unit (
    id          uuid        NOT NULL,
    member_id   uuid        NOT NULL,
    name        text        NOT NULL,
    kind        text        NOT NULL,
    region_code text        NOT NULL,
    address     text,
    external_id text,
    linked_at   timestamptz NOT NULL,
    CONSTRAINT grassroots_unit_pk PRIMARY KEY (id),
    CONSTRAINT grassroots_unit_one_per_member UNIQUE (member_id),
    CONSTRAINT grassroots_unit_member_fk FOREIGN KEY (member_id) REFERENCES member (id),
    CONSTRAINT grassroots_unit_external_id_key UNIQUE (external_id),
    CONSTRAINT grassroots_unit_kind_check CHECK (kind IN (
        'residential_compound', 'office_building', 'village', 'enterprise', 'school',
        'hospital', 'farm', 'other'))
);

-- 界别群众联系人. Personal data is stored encrypted (AES-GCM, bound to the row id); only masked
-- forms are kept in clear, for lists. Row-level security scopes every read by region.
CREATE TABLE liaison (
    id                     uuid        NOT NULL,
    member_id              uuid        NOT NULL,
    region_code            text        NOT NULL,
    external_id            text,
    name_masked            text        NOT NULL,
    phone_masked           text        NOT NULL,
    name_enc               bytea       NOT NULL,
    phone_enc              bytea       NOT NULL,
    workplace_enc          bytea,
    id_number_enc          bytea,
    consent_to_departments boolean     NOT NULL DEFAULT false,
    status                 text        NOT NULL DEFAULT 'linked',
    linked_at              timestamptz NOT NULL,
    unlinked_at            timestamptz,
    updated_at             timestamptz,
    CONSTRAINT liaison_pk PRIMARY KEY (id),
    CONSTRAINT liaison_member_fk FOREIGN KEY (member_id) REFERENCES member (id),
    CONSTRAINT liaison_external_id_key UNIQUE (external_id),
    CONSTRAINT liaison_status_check CHECK (status IN ('linked', 'unlinked'))
);
CREATE INDEX liaison_member_idx ON liaison (member_id) WHERE status = 'linked';
CREATE INDEX liaison_region_idx ON liaison (region_code text_pattern_ops, id);

-- What a liaison's circumstances became (八必访 nos. 5-7): each obliges a visit.
CREATE TABLE liaison_circumstance (
    id          uuid        NOT NULL,
    liaison_id  uuid        NOT NULL,
    member_id   uuid        NOT NULL,
    kind        text        NOT NULL,
    summary     text        NOT NULL,
    reported_at timestamptz NOT NULL,
    reported_by text        NOT NULL,
    CONSTRAINT liaison_circumstance_pk PRIMARY KEY (id),
    CONSTRAINT liaison_circumstance_liaison_fk FOREIGN KEY (liaison_id) REFERENCES liaison (id),
    CONSTRAINT liaison_circumstance_kind_check
        CHECK (kind IN ('life_change', 'request', 'hardship'))
);

-- 委员工作站 / 委员工作室 and who is attached to them, with their duty rota.
CREATE TABLE workstation (
    id                             uuid        NOT NULL,
    kind                           text        NOT NULL,
    name                           text        NOT NULL,
    region_code                    text        NOT NULL,
    locality_code                  text,
    head_name                      text,
    guiding_special_committee_code text,
    status                         text        NOT NULL DEFAULT 'open',
    external_id                    text,
    opened_at                      timestamptz NOT NULL,
    closed_at                      timestamptz,
    CONSTRAINT workstation_pk PRIMARY KEY (id),
    CONSTRAINT workstation_kind_check CHECK (kind IN ('workstation', 'workroom')),
    CONSTRAINT workstation_status_check CHECK (status IN ('open', 'closed')),
    CONSTRAINT workstation_external_id_key UNIQUE (external_id),
    CONSTRAINT workstation_special_committee_fk
        FOREIGN KEY (guiding_special_committee_code) REFERENCES special_committee (code)
);
CREATE INDEX workstation_region_idx ON workstation (region_code text_pattern_ops);

CREATE TABLE workstation_member (
    workstation_id uuid NOT NULL,
    member_id      uuid NOT NULL,
    CONSTRAINT workstation_member_pk PRIMARY KEY (workstation_id, member_id),
    CONSTRAINT workstation_member_workstation_fk
        FOREIGN KEY (workstation_id) REFERENCES workstation (id),
    CONSTRAINT workstation_member_member_fk FOREIGN KEY (member_id) REFERENCES member (id)
);

CREATE TABLE duty_rota (
    workstation_id uuid NOT NULL,
    member_id      uuid NOT NULL,
    duty_date      date NOT NULL,
    shift          text NOT NULL DEFAULT 'day',
    CONSTRAINT duty_rota_pk PRIMARY KEY (workstation_id, duty_date, shift, member_id),
    CONSTRAINT duty_rota_attached_fk FOREIGN KEY (workstation_id, member_id)
        REFERENCES workstation_member (workstation_id, member_id)
);

-- Declared occasions (八必访 nos. 1-4 and 8): the visits service turns each into obligations.
CREATE TABLE occasion (
    id           uuid        NOT NULL,
    kind         text        NOT NULL,
    title        text        NOT NULL,
    occurs_on    date        NOT NULL,
    sector_codes text[]      NOT NULL,
    region_codes text[]      NOT NULL,
    declared_at  timestamptz NOT NULL,
    declared_by  text        NOT NULL,
    -- For calendar festivals: one declaration per sector, festival and year, however many
    -- replicas run the schedule.
    festival_key text,
    CONSTRAINT occasion_pk PRIMARY KEY (id),
    CONSTRAINT occasion_kind_check CHECK (kind IN (
        'leader_speech', 'congress_closed', 'policy_issued', 'plenary_upcoming',
        'sector_festival')),
    CONSTRAINT occasion_festival_key UNIQUE (festival_key)
);

-- migrate:down
DROP TABLE occasion;
DROP TABLE duty_rota;
DROP TABLE workstation_member;
DROP TABLE workstation;
DROP TABLE liaison_circumstance;
DROP TABLE liaison;
DROP TABLE grassroots_unit;
