-- The settings, staging table and helpers of the connection a Load writes
-- through. All are temporary: the database file keeps no trace of them.

-- Without it, rows of a parallel INSERT are written in order: each
-- thread's partial row groups are rewritten at commit, which costs time
-- and leaves the replaced blocks free in the file.
SET preserve_insertion_order = false;

-- Merging the partly filled row groups each batch leaves rewrites every
-- row group at each checkpoint: a third of the run's time.
SET max_vacuum_tasks = 0;

-- The manifest rows of the batch's objects, appended by the writer.
CREATE OR REPLACE TEMP TABLE staging_objects (
    uri VARCHAR, etag VARCHAR, size BIGINT, last_modified TIMESTAMPTZ,
    status VARCHAR, events BIGINT, error VARCHAR,
    rejected BIGINT, rejected_reason VARCHAR);

-- CloudTrail's time form, the fractional and space-separated forms of
-- re-shipped logs, and the compact form of old creationDate values.
CREATE OR REPLACE TEMP MACRO ctattrib_time(v) AS coalesce(
    try_cast(v AS TIMESTAMPTZ),
    try_strptime(v, '%Y%m%dT%H%M%SZ')::TIMESTAMPTZ);

-- Booleans arrive as JSON booleans or as "true"/"false" strings.
CREATE OR REPLACE TEMP MACRO ctattrib_bool(v) AS
    CASE lower(v) WHEN 'true' THEN true WHEN 'false' THEN false END;
