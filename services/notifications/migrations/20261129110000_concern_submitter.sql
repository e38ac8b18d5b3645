-- migrate:up
-- Who submitted an online concern (their account id), so the answer and the request to rate
-- it reach their own inbox.
ALTER TABLE concern_origin ADD COLUMN submitted_by text;

-- migrate:down
ALTER TABLE concern_origin DROP COLUMN submitted_by;
