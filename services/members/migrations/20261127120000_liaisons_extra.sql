-- migrate:up
-- A liaison's circumstance reports are read by liaison, newest first; the foreign key alone
-- has no index, so each read would scan every report in the province.
CREATE INDEX liaison_circumstance_liaison_idx
    ON liaison_circumstance (liaison_id, reported_at DESC, id DESC);

-- migrate:down
DROP INDEX liaison_circumstance_liaison_idx;
