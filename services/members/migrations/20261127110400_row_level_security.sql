-- migrate:up
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
DROP POLICY liaison_circumstance_in_region_scope ON liaison_circumstance;
ALTER TABLE liaison_circumstance NO FORCE ROW LEVEL SECURITY;
ALTER TABLE liaison_circumstance DISABLE ROW LEVEL SECURITY;
DROP POLICY liaison_in_region_scope ON liaison;
ALTER TABLE liaison NO FORCE ROW LEVEL SECURITY;
ALTER TABLE liaison DISABLE ROW LEVEL SECURITY;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM members_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM members_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM members_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM members_app;
REVOKE USAGE ON SCHEMA public FROM members_app;
