-- migrate:up
-- "Escalated" now means escalated and still open; an escalated obligation fulfilled later
-- counts in obligations_escalated_fulfilled instead (issue 19, item 6). Existing rollups are
-- corrected from the obligation rows, at every grain, so no rebuild is needed.
ALTER TABLE member_kpi ADD COLUMN obligations_escalated_fulfilled integer NOT NULL DEFAULT 0;
ALTER TABLE region_kpi ADD COLUMN obligations_escalated_fulfilled integer NOT NULL DEFAULT 0;

CREATE TEMPORARY TABLE escalated_then_fulfilled ON COMMIT DROP AS
SELECT o.member_id, g.grain, kpi_period(g.grain, o.due_on) AS period, o.region_code,
       coalesce(o.sector_code, '-') AS sector_code, count(*)::int AS n
FROM obligation o CROSS JOIN (VALUES ('d'::"char"), ('m'::"char"), ('y'::"char")) AS g(grain)
WHERE NOT o.withdrawn AND o.escalation_level > 0 AND o.fulfilled_on IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;

UPDATE member_kpi k
SET obligations_escalated = k.obligations_escalated - e.n, obligations_escalated_fulfilled = e.n
FROM escalated_then_fulfilled e
WHERE (k.member_id, k.grain, k.period, k.region_code, k.sector_code)
    = (e.member_id, e.grain, e.period, e.region_code, e.sector_code);

UPDATE region_kpi k
SET obligations_escalated = k.obligations_escalated - e.n, obligations_escalated_fulfilled = e.n
FROM (SELECT grain, period, region_code, sector_code, sum(n)::int AS n
      FROM escalated_then_fulfilled GROUP BY 1, 2, 3, 4) e
WHERE (k.grain, k.period, k.region_code, k.sector_code)
    = (e.grain, e.period, e.region_code, e.sector_code);

-- migrate:down
UPDATE member_kpi SET obligations_escalated = obligations_escalated + obligations_escalated_fulfilled;
UPDATE region_kpi SET obligations_escalated = obligations_escalated + obligations_escalated_fulfilled;
ALTER TABLE region_kpi DROP COLUMN obligations_escalated_fulfilled;
ALTER TABLE member_kpi DROP COLUMN obligations_escalated_fulfilled;
