-- Fields attribution reads from the requests and responses of two kinds
-- of events: notebook lifecycle events (for the inventory) and successful
-- AssumeRole calls (for key links). Read from the records every run, they
-- took 3 s of a nightly run on 10,000,000 events, and more as the
-- database grew: each event found decompresses a vector of records.
-- Attribution now reads an event's record once, when the event is new,
-- and keeps the fields here; attribute --full reads them all again.
--
-- record_fields_state says which rows of event_rows the tables cover:
-- how many there were and the last rowid, when they were last filled. It
-- is empty until attribution first fills them.

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

CREATE TABLE assume_role_fields (
    event_id        VARCHAR NOT NULL,
    target_role_arn VARCHAR,
    target_session  VARCHAR,
    issued_key      VARCHAR,
    expiration_text VARCHAR
);

CREATE TABLE record_fields_state (
    event_rows BIGINT NOT NULL,
    last_rowid BIGINT NOT NULL
);
