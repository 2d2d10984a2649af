-- SageMaker compute beyond notebook instances: HyperPod clusters,
-- training, processing and transform jobs, endpoints, Studio domains and
-- user profiles. All of them run with an execution role, and all call AWS
-- as assumed-role/ROLE/SageMaker; a call under that default session is the
-- one resource alive on the role at the time, when there is one.
--
-- compute_events holds what attribution reads from their lifecycle events
-- (one row per event, filled like notebook_events; models and endpoint
-- configs too, which tie endpoints and transform jobs to a role).
-- compute_resources is the inventory: one row per span of time a resource
-- (or one of its parts: an instance group, an endpoint's model) ran on one
-- role. Attribution rebuilds the rows with source 'cloudtrail' every run;
-- inventory sync stores 'api' rows and inventory import 'csv' rows.

CREATE TABLE compute_events (
    event_id      VARCHAR NOT NULL,
    event_name    VARCHAR NOT NULL,
    event_time    TIMESTAMPTZ NOT NULL,
    account_id    VARCHAR,
    region        VARCHAR,
    kind          VARCHAR NOT NULL,  -- hyperpod-cluster, training-job, ..., model, endpoint-config
    op            VARCHAR NOT NULL,  -- create, update, end
    name          VARCHAR,
    parent        VARCHAR NOT NULL DEFAULT '',  -- a user profile's domain id
    role_arn      VARCHAR,
    ref           VARCHAR,           -- a transform job's model, an endpoint's endpoint config
    max_runtime_s BIGINT,            -- a job's stopping condition
    parts         STRUCT(part VARCHAR, role VARCHAR, count BIGINT, model VARCHAR)[],
    deleted_parts VARCHAR[],
    arn           VARCHAR
);

CREATE TABLE compute_resources (
    account_id VARCHAR NOT NULL,
    region     VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    parent     VARCHAR NOT NULL DEFAULT '',
    part       VARCHAR,      -- instance group, Studio setting, endpoint's model
    arn        VARCHAR,
    role_arn   VARCHAR,
    created_at TIMESTAMPTZ,  -- when the part started on the role (NULL: before the data)
    ended_at   TIMESTAMPTZ,  -- when it stopped, at the latest (NULL: still running)
    ended_by   VARCHAR,      -- what says so: the event name, stopping-condition, assumed-maximum, api
    status     VARCHAR,
    source     VARCHAR NOT NULL,  -- cloudtrail, api or csv
    event_id   VARCHAR,           -- the event that put the part on the role (cloudtrail)
    life_from  TIMESTAMPTZ        -- when the resource's lifetime started (NULL: unknown): the spans of
                                  -- one lifetime share it, a name reused after deletion has another
);

-- The compute candidates of the last attribution run, by role: a change
-- re-attributes the calls on that role.
CREATE TABLE attribution_seen_compute (
    account_id VARCHAR, region VARCHAR, kind VARCHAR, name VARCHAR, parent VARCHAR, part VARCHAR,
    role_name VARCHAR, live_from TIMESTAMPTZ, live_until TIMESTAMPTZ, evidence VARCHAR
);

-- Read every event's record again on the next run, so that compute_events
-- covers the events loaded before this version.
DELETE FROM record_fields_state;
