-- migrate:up
-- The account job's lease gets its own column. It used to be `next_attempt_at`, which a change
-- to the member resets to "due now": a second replica then took the row while the first was
-- still syncing the older version, and the first could undo the second (re-enable a retired
-- member's account). A change now waits for the lease; the newer version is synced after it.
ALTER TABLE keycloak_account ADD COLUMN leased_until timestamptz NOT NULL DEFAULT '-infinity';

-- migrate:down
ALTER TABLE keycloak_account DROP COLUMN leased_until;
