-- How far a complete ingest listed each region folder of CloudTrail's
-- layout. CloudTrail delivers every file into the folder of the day it
-- delivers it, so the folders before that day do not change: a later run
-- lists from the day before it, not the whole bucket.

CREATE TABLE IF NOT EXISTS listed_through (
    -- s3://bucket/[prefix/]AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/, or the
    -- same folder of a local copy
    folder    VARCHAR PRIMARY KEY,
    day       DATE NOT NULL,         -- the latest day folder listed there
    listed_at TIMESTAMPTZ NOT NULL
);
