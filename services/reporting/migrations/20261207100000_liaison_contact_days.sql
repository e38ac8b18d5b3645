-- migrate:up
-- Every day a liaison was reached, on the liaison's own row: a cut period's distinct liaisons
-- reached (not one whole day, month or year, so not in the rollups) is then one test per
-- liaison of the scope (`contact_days && daterange(from, to, '[]')`) instead of one index probe
-- of liaison_period_contact per liaison and period piece. A multirange merges adjacent days,
-- and adding a day already there changes nothing, so duplicates and order do not matter.
-- It is kept from liaison_period_contact's day rows (a rollup of them): by the contact writer
-- per batch, by the liaison writer for a liaison reached before it was linked, and by the
-- recount after a rebuild's bulk.
ALTER TABLE liaison ADD COLUMN contact_days datemultirange NOT NULL DEFAULT '{}';

UPDATE liaison l SET contact_days = c.days
FROM (SELECT liaison_id, range_agg(daterange(period, period, '[]')) AS days
      FROM liaison_period_contact WHERE grain = 'd' GROUP BY 1) AS c
WHERE c.liaison_id = l.liaison_id;

-- migrate:down
ALTER TABLE liaison DROP COLUMN contact_days;
