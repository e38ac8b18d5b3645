-- migrate:up
-- The last pass of the overdue sweep per trigger (its schedule, or staff asking for one), so
-- operators can see when it last ran and run it on demand (issue 19, item 6).
CREATE TABLE obligation_sweep_run (
    trigger      text        NOT NULL,
    requested_by text,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL,
    overdue      integer     NOT NULL,
    escalated    integer     NOT NULL,
    CONSTRAINT obligation_sweep_run_pk PRIMARY KEY (trigger),
    CONSTRAINT obligation_sweep_run_trigger_check CHECK (trigger IN ('schedule', 'on_demand'))
);

-- migrate:down
DROP TABLE obligation_sweep_run;
