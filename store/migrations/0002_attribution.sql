-- Notebook inventory and per-event attribution.

-- One row per notebook instance lifetime: names are unique only per account
-- and region, and a name can be reused after the instance is deleted, so a
-- lifetime is (account_id, region, name, created_at).
CREATE TABLE IF NOT EXISTS notebook_instances (
    account_id            VARCHAR NOT NULL,
    region                VARCHAR NOT NULL,
    name                  VARCHAR NOT NULL,
    arn                   VARCHAR,
    role_arn              VARCHAR,      -- execution role
    lifecycle_config_name VARCHAR,      -- attached on-start config, if any
    instance_type         VARCHAR,
    created_at            TIMESTAMPTZ,  -- NULL when unknown (seen only in calls or the API)
    deleted_at            TIMESTAMPTZ,  -- NULL while it exists
    last_started_at       TIMESTAMPTZ,
    status                VARCHAR,      -- from the SageMaker API when synced
    source                VARCHAR NOT NULL  -- 'cloudtrail', 'api' or 'csv'
);

-- One row per event: who made it, how we know, how sure we are.
CREATE TABLE IF NOT EXISTS attributions (
    event_id    VARCHAR NOT NULL,
    actor_kind  VARCHAR NOT NULL,  -- notebook-instance, studio-user-profile, ec2-instance, lambda-function,
                                   -- ecs-task, sso-user, iam-user, root, aws-service, ..., unattributed
    actor       VARCHAR,           -- instance name, user profile, instance id, function, ... (NULL when unattributed)
    method      VARCHAR NOT NULL,  -- session-name, access-key-chain, source-identity, ec2-instance-id, ...
    confidence  VARCHAR NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
    account_id  VARCHAR,
    region      VARCHAR,
    reason      VARCHAR            -- why, for unattributed events (and caveats for low confidence)
);
