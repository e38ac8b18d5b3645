-- One database per service, and Keycloak's (docker-compose.yml). The postgres image runs this
-- once, when the data volume is empty, through psql; \gexec makes it safe to run again by hand.
SELECT format('CREATE DATABASE %I', name)
FROM unnest(ARRAY['members', 'visits', 'notifications', 'reporting', 'keycloak']) AS name
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = name)
\gexec
