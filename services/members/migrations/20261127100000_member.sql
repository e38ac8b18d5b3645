-- migrate:up
CREATE TABLE member (
    id             uuid        NOT NULL,
    full_name      text        NOT NULL,
    sector_code    text        NOT NULL,
    committee_code text        NOT NULL,
    region_code    text     NOT NULL,
    status         text        NOT NULL,
    registered_at  timestamptz NOT NULL,
    CONSTRAINT member_pk PRIMARY KEY (id),
    CONSTRAINT member_status_check CHECK (status IN ('active', 'on_leave', 'retired'))
);
-- Scoped listing: region prefix first (every query is scoped by region), newest last.
CREATE INDEX member_region_idx ON member (region_code text_pattern_ops, id);

-- migrate:down
DROP TABLE member;
