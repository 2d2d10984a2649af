-- The fields attribution's notebook inventory reads from the requests and
-- responses of notebook lifecycle events. Read from the records every
-- run, they took 2 s of a nightly run on 10,000,000 events, and more as
-- the database grew: each event found decompresses a vector of records.
-- Attribution now reads an event's record once, when the event is new,
-- and keeps the fields here; attribute --full reads them all again.
--
-- notebook_events_state says which rows of event_rows the table covers:
-- how many there were and the last rowid, when it was last filled. It is
-- empty until attribution first fills the table.

CREATE TABLE notebook_events (
    event_id      VARCHAR NOT NULL,
    event_name    VARCHAR NOT NULL,
    event_time    TIMESTAMPTZ NOT NULL,
    account_id    VARCHAR,
    region        VARCHAR,
    name          VARCHAR,
    role_arn      VARCHAR,
    lcc           VARCHAR,
    lcc_removed   BOOLEAN NOT NULL,
    instance_type VARCHAR,
    arn           VARCHAR
);

CREATE TABLE notebook_events_state (
    event_rows BIGINT NOT NULL,
    last_rowid BIGINT NOT NULL
);
