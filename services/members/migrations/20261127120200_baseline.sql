-- migrate:up
-- The members service's schema as one file: the directory (regions, sectors, committees,
-- members), the rosters (units, liaisons, circumstances, workstations), occasions, the audit
-- log and city imports, reference data, and the row-level-security wall. Squashed from the
-- files of 2026-11-27; it keeps the last of their versions, so databases that applied them
-- count this file as applied already.

-- Administrative divisions: GB/T 2260 (6 digits) down to county; statistical codes extend
-- them to township (9) and community/village (12), so "inside a scope" stays a prefix test.
CREATE TABLE region (
    code        text NOT NULL,
    name        text NOT NULL,
    level       text NOT NULL,
    parent_code text,
    CONSTRAINT region_pk PRIMARY KEY (code),
    CONSTRAINT region_code_format CHECK (code ~ '^[1-9][0-9]{5}([0-9]{3}([0-9]{3})?)?$'),
    CONSTRAINT region_level_check
        CHECK (level IN ('province', 'city', 'county', 'township', 'community')),
    CONSTRAINT region_parent_fk FOREIGN KEY (parent_code) REFERENCES region (code)
);

-- 界别: a configurable list, seeded with the national sectors.
CREATE TABLE sector (
    code   text    NOT NULL,
    name   text    NOT NULL,
    active boolean NOT NULL DEFAULT true,
    CONSTRAINT sector_pk PRIMARY KEY (code),
    CONSTRAINT sector_code_format CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$')
);

-- The sector's days (Teachers' Day, Nurses' Day, ...): each opens must-visit occasion no. 8.
CREATE TABLE sector_festival (
    sector_code text     NOT NULL,
    name        text     NOT NULL,
    month       smallint NOT NULL,
    day         smallint NOT NULL,
    CONSTRAINT sector_festival_pk PRIMARY KEY (sector_code, name),
    CONSTRAINT sector_festival_sector_fk FOREIGN KEY (sector_code) REFERENCES sector (code),
    CONSTRAINT sector_festival_date CHECK (month BETWEEN 1 AND 12 AND day BETWEEN 1 AND 31)
);

-- CPPCC committees at province, city and county level (两级政协 and the province above).
CREATE TABLE committee (
    code        text NOT NULL,
    name        text NOT NULL,
    level       text NOT NULL,
    region_code text NOT NULL,
    external_id text,
    CONSTRAINT committee_pk PRIMARY KEY (code),
    CONSTRAINT committee_level_check CHECK (level IN ('province', 'city', 'county')),
    CONSTRAINT committee_region_fk FOREIGN KEY (region_code) REFERENCES region (code),
    CONSTRAINT committee_external_id_key UNIQUE (external_id)
);

-- 专委会: guides workstations and follows its members' duty lists. It has the same stable
-- row key as committees, so a committees file that lists them imports again without creating
-- anything twice.
CREATE TABLE special_committee (
    code           text NOT NULL,
    name           text NOT NULL,
    committee_code text NOT NULL,
    external_id    text,
    CONSTRAINT special_committee_pk PRIMARY KEY (code),
    CONSTRAINT special_committee_committee_fk
        FOREIGN KEY (committee_code) REFERENCES committee (code),
    CONSTRAINT special_committee_external_id_key UNIQUE (external_id)
);

CREATE TABLE member (
    id                     uuid        NOT NULL,
    full_name              text        NOT NULL,
    sector_code            text        NOT NULL,
    committee_code         text        NOT NULL,
    region_code            text        NOT NULL,
    status                 text        NOT NULL,
    registered_at          timestamptz NOT NULL,
    special_committee_code text,
    term                   text,
    title                  text,
    external_id            text,
    updated_at             timestamptz,
    CONSTRAINT member_pk PRIMARY KEY (id),
    CONSTRAINT member_status_check CHECK (status IN ('active', 'on_leave', 'retired')),
    CONSTRAINT member_external_id_key UNIQUE (external_id)
);
-- NOT VALID as on the databases that predate this file (their first members came before
-- committees and sectors were tables), so both kinds of database have the same catalogue;
-- every new or changed row is checked all the same.
ALTER TABLE member
    ADD CONSTRAINT member_sector_fk FOREIGN KEY (sector_code) REFERENCES sector (code) NOT VALID,
    ADD CONSTRAINT member_committee_fk
        FOREIGN KEY (committee_code) REFERENCES committee (code) NOT VALID,
    ADD CONSTRAINT member_special_committee_fk
        FOREIGN KEY (special_committee_code) REFERENCES special_committee (code) NOT VALID,
    ADD CONSTRAINT member_region_fk FOREIGN KEY (region_code) REFERENCES region (code) NOT VALID;
-- Scoped listing: region prefix first (every query is scoped by region), newest last.
CREATE INDEX member_region_idx ON member (region_code text_pattern_ops, id);
CREATE INDEX member_committee_idx ON member (committee_code);
CREATE INDEX member_sector_region_idx ON member (sector_code, region_code text_pattern_ops);

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
-- Reports are read by liaison, newest first; the foreign key alone has no index, so each
-- read would scan every report in the province.
CREATE INDEX liaison_circumstance_liaison_idx
    ON liaison_circumstance (liaison_id, reported_at DESC, id DESC);

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
        FOREIGN KEY (guiding_special_committee_code) REFERENCES special_committee (code),
    -- A township (9 digits) or community (12 digits) extends its county's code.
    CONSTRAINT workstation_locality_in_region CHECK (
        locality_code IS NULL
        OR (locality_code ~ '^[0-9]{9}([0-9]{3})?$' AND left(locality_code, 6) = region_code))
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
-- A member's own workstations and duty list are looked up by member.
CREATE INDEX workstation_member_member_idx ON workstation_member (member_id);

CREATE TABLE duty_rota (
    workstation_id uuid NOT NULL,
    member_id      uuid NOT NULL,
    duty_date      date NOT NULL,
    shift          text NOT NULL DEFAULT 'day',
    CONSTRAINT duty_rota_pk PRIMARY KEY (workstation_id, duty_date, shift, member_id),
    CONSTRAINT duty_rota_attached_fk FOREIGN KEY (workstation_id, member_id)
        REFERENCES workstation_member (workstation_id, member_id),
    CONSTRAINT duty_rota_shift_check CHECK (shift IN ('day', 'morning', 'afternoon', 'evening'))
);
CREATE INDEX duty_rota_member_idx ON duty_rota (member_id, duty_date);

-- Declared occasions (八必访 nos. 1-4 and 8): the visits service turns each into obligations.
-- Every one concerns some sectors and regions; only calendar festivals have a key.
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
    CONSTRAINT occasion_festival_key UNIQUE (festival_key),
    CONSTRAINT occasion_has_sectors CHECK (cardinality(sector_codes) > 0),
    CONSTRAINT occasion_has_regions CHECK (cardinality(region_codes) > 0),
    CONSTRAINT occasion_festival_key_iff_festival
        CHECK ((kind = 'sector_festival') = (festival_key IS NOT NULL))
);
CREATE INDEX occasion_occurs_on_idx ON occasion (occurs_on);

-- Who read or changed which liaison's personal data, when and why. Append-only: the service
-- role may only insert and select, and a trigger refuses changes from anyone.
CREATE TABLE pii_audit (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    actor_role  text        NOT NULL,
    action      text        NOT NULL,
    liaison_id  uuid,
    fields      text[]      NOT NULL,
    reason      text        NOT NULL,
    CONSTRAINT pii_audit_pk PRIMARY KEY (id),
    CONSTRAINT pii_audit_action_check
        CHECK (action IN ('read', 'reveal', 'create', 'update', 'unlink', 'import', 'export'))
);
CREATE INDEX pii_audit_liaison_idx ON pii_audit (liaison_id, id);
CREATE INDEX pii_audit_actor_idx ON pii_audit (actor, id);

CREATE FUNCTION pii_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'pii_audit is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER pii_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON pii_audit
    FOR EACH STATEMENT EXECUTE FUNCTION pii_audit_is_append_only();

-- City onboarding: one row per uploaded file, with its progress and per-row errors. Updated
-- rows are counted apart from created and unchanged ones; errors beyond the first thousand
-- are counted, not stored; a job that stops beating (its process died) is reported as
-- failed, and its one transaction left nothing behind.
CREATE TABLE import_job (
    id             uuid        NOT NULL,
    kind           text        NOT NULL,
    file_name      text        NOT NULL,
    file_sha256    text        NOT NULL,
    status         text        NOT NULL,
    total_rows     integer     NOT NULL DEFAULT 0,
    processed_rows integer     NOT NULL DEFAULT 0,
    created_rows   integer     NOT NULL DEFAULT 0,
    unchanged_rows integer     NOT NULL DEFAULT 0,
    errors         jsonb       NOT NULL DEFAULT '[]',
    region_scope   text        NOT NULL,
    created_by     text        NOT NULL,
    created_at     timestamptz NOT NULL,
    finished_at    timestamptz,
    updated_rows   integer     NOT NULL DEFAULT 0,
    error_count    integer     NOT NULL DEFAULT 0,
    detail         text,
    heartbeat_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT import_job_pk PRIMARY KEY (id),
    CONSTRAINT import_job_kind_check CHECK (kind IN (
        'committees', 'members', 'units', 'liaisons', 'workstations')),
    CONSTRAINT import_job_status_check
        CHECK (status IN ('validating', 'applying', 'failed', 'done'))
);
CREATE INDEX import_job_scope_idx ON import_job (region_scope text_pattern_ops, created_at);

-- Reference data: Heilongjiang's prefecture-level divisions and Jixi's county-level ones
-- (other counties are added by each city's onboarding import), and the national sectors
-- with the festivals that open the must-visit occasion 八必访 no. 8.
INSERT INTO region (code, name, level, parent_code) VALUES
    ('230000', '黑龙江省', 'province', NULL),
    ('230100', '哈尔滨市', 'city', '230000'),
    ('230200', '齐齐哈尔市', 'city', '230000'),
    ('230300', '鸡西市', 'city', '230000'),
    ('230400', '鹤岗市', 'city', '230000'),
    ('230500', '双鸭山市', 'city', '230000'),
    ('230600', '大庆市', 'city', '230000'),
    ('230700', '伊春市', 'city', '230000'),
    ('230800', '佳木斯市', 'city', '230000'),
    ('230900', '七台河市', 'city', '230000'),
    ('231000', '牡丹江市', 'city', '230000'),
    ('231100', '黑河市', 'city', '230000'),
    ('231200', '绥化市', 'city', '230000'),
    ('232700', '大兴安岭地区', 'city', '230000'),
    ('230302', '鸡冠区', 'county', '230300'),
    ('230303', '恒山区', 'county', '230300'),
    ('230304', '滴道区', 'county', '230300'),
    ('230305', '梨树区', 'county', '230300'),
    ('230306', '城子河区', 'county', '230300'),
    ('230307', '麻山区', 'county', '230300'),
    ('230321', '鸡东县', 'county', '230300'),
    ('230381', '虎林市', 'county', '230300'),
    ('230382', '密山市', 'county', '230300');
INSERT INTO sector (code, name) VALUES
    ('cpc', '中国共产党'),
    ('rcck', '中国国民党革命委员会'),
    ('cdl', '中国民主同盟'),
    ('cndca', '中国民主建国会'),
    ('capd', '中国民主促进会'),
    ('pwdp', '中国农工民主党'),
    ('zhigong', '中国致公党'),
    ('jiusan', '九三学社'),
    ('tdsl', '台湾民主自治同盟'),
    ('non_party', '无党派人士'),
    ('youth', '中国共产主义青年团和中华全国青年联合会'),
    ('trade_union', '中华全国总工会'),
    ('women', '中华全国妇女联合会'),
    ('industry_commerce', '中华全国工商业联合会'),
    ('science_association', '中国科学技术协会'),
    ('taiwan_compatriots', '中华全国台湾同胞联谊会'),
    ('overseas_chinese', '中华全国归国华侨联合会'),
    ('culture_arts', '文化艺术界'),
    ('science_tech', '科学技术界'),
    ('social_sciences', '社会科学界'),
    ('economy', '经济界'),
    ('agriculture', '农业界'),
    ('education', '教育界'),
    ('sports', '体育界'),
    ('press_publishing', '新闻出版界'),
    ('medicine_health', '医药卫生界'),
    ('foreign_friendship', '对外友好界'),
    ('social_welfare', '社会福利和社会保障界'),
    ('ethnic_minorities', '少数民族界'),
    ('religion', '宗教界'),
    ('hong_kong', '特邀香港人士'),
    ('macao', '特邀澳门人士'),
    ('special_invitees', '特别邀请人士'),
    ('environment_resources', '环境资源界');
INSERT INTO sector_festival (sector_code, name, month, day) VALUES
    ('education', '教师节', 9, 10),
    ('medicine_health', '国际护士节', 5, 12),
    ('medicine_health', '中国医师节', 8, 19),
    ('press_publishing', '中国记者节', 11, 8),
    ('women', '国际妇女节', 3, 8),
    ('youth', '五四青年节', 5, 4),
    ('trade_union', '国际劳动节', 5, 1),
    ('agriculture', '中国农民丰收节', 9, 23),
    ('science_tech', '全国科技工作者日', 5, 30),
    ('science_association', '全国科技工作者日', 5, 30),
    ('sports', '全民健身日', 8, 8),
    ('social_welfare', '全国助残日', 5, 18);
INSERT INTO committee (code, name, level, region_code) VALUES
    ('cppcc-230000', '政协黑龙江省委员会', 'province', '230000');
-- The service works as `members_app`, never as the owner, so row-level security applies:
-- each transaction sets `app.region_prefix` from the caller's token, and liaison rows outside
-- it are invisible (the second wall behind the queries' own WHERE clauses).
DO $$
BEGIN
    CREATE ROLE members_app NOLOGIN;
EXCEPTION WHEN duplicate_object THEN
    NULL;  -- the role is cluster-wide; another database of this cluster created it
END $$;
GRANT USAGE ON SCHEMA public TO members_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO members_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO members_app;
REVOKE UPDATE, DELETE, TRUNCATE ON pii_audit FROM members_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO members_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO members_app;

ALTER TABLE liaison ENABLE ROW LEVEL SECURITY;
ALTER TABLE liaison FORCE ROW LEVEL SECURITY;
-- No prefix set means no rows: forgetting the scope fails closed. A pooled connection that
-- once had the setting reports '' rather than NULL afterwards, hence the NULLIF; the whole
-- province is the explicit prefix '%'.
CREATE POLICY liaison_in_region_scope ON liaison
    USING (region_code LIKE NULLIF(current_setting('app.region_prefix', true), '') || '%')
    WITH CHECK (region_code LIKE NULLIF(current_setting('app.region_prefix', true), '') || '%');
ALTER TABLE liaison_circumstance ENABLE ROW LEVEL SECURITY;
ALTER TABLE liaison_circumstance FORCE ROW LEVEL SECURITY;
CREATE POLICY liaison_circumstance_in_region_scope ON liaison_circumstance
    USING (EXISTS (SELECT 1 FROM liaison l WHERE l.id = liaison_id));

-- migrate:down
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM members_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM members_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM members_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM members_app;
REVOKE USAGE ON SCHEMA public FROM members_app;
DROP TABLE import_job;
DROP TRIGGER pii_audit_append_only ON pii_audit;
DROP FUNCTION pii_audit_is_append_only();
DROP TABLE pii_audit;
DROP TABLE occasion;
DROP TABLE duty_rota;
DROP TABLE workstation_member;
DROP TABLE workstation;
DROP TABLE liaison_circumstance;
DROP TABLE liaison;
DROP TABLE grassroots_unit;
DROP TABLE member;
DROP TABLE special_committee;
DROP TABLE committee;
DROP TABLE sector_festival;
DROP TABLE sector;
DROP TABLE region;
