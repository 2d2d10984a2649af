-- Events and the manifest of the objects they came from.

CREATE TABLE IF NOT EXISTS events (
    event_id              VARCHAR NOT NULL,  -- eventID, or 'ctattrib:' || a hash of the record when CloudTrail gave none
    event_time            TIMESTAMPTZ,       -- eventTime (or @timestamp in Logstash exports)
    event_version         VARCHAR,
    event_source          VARCHAR,
    event_name            VARCHAR,
    aws_region            VARCHAR,
    recipient_account_id  VARCHAR,
    source_ip             VARCHAR,
    user_agent            VARCHAR,
    identity_type         VARCHAR,           -- userIdentity.type: AssumedRole, IAMUser, Root, AWSService, ...
    principal_id          VARCHAR,
    principal_arn         VARCHAR,
    identity_account_id   VARCHAR,
    access_key_id         VARCHAR,
    user_name             VARCHAR,
    role_arn              VARCHAR,           -- sessionContext.sessionIssuer.arn, path included
    role_name             VARCHAR,           -- sessionContext.sessionIssuer.userName
    session_name          VARCHAR,           -- last part of an assumed-role ARN, any partition
    source_identity       VARCHAR,           -- sessionContext.sourceIdentity
    invoked_by            VARCHAR,
    mfa_authenticated     BOOLEAN,
    session_created_at    TIMESTAMPTZ,       -- sessionContext.attributes.creationDate
    ec2_role_delivery     VARCHAR,
    error_code            VARCHAR,
    error_message         VARCHAR,
    read_only             BOOLEAN,
    event_type            VARCHAR,
    management_event      BOOLEAN,
    event_category        VARCHAR,
    shared_event_id       VARCHAR,
    vpc_endpoint_id       VARCHAR,
    -- The whole record as delivered (compacted), JSON text. VARCHAR rather
    -- than JSON so that loading does not parse it a second time; DuckDB's
    -- json functions and ->> read it all the same.
    record                VARCHAR USING COMPRESSION zstd,
    source_uri            VARCHAR,           -- the object it came from

    -- Read from the record when queried rather than stored twice: they are
    -- the bulk of an event and rarely filtered on.
    request_id            VARCHAR GENERATED ALWAYS AS (record ->> '$.requestID') VIRTUAL,
    request_parameters    JSON GENERATED ALWAYS AS (nullif(json_extract(record, '$.requestParameters'), 'null')) VIRTUAL,
    response_elements     JSON GENERATED ALWAYS AS (nullif(json_extract(record, '$.responseElements'), 'null')) VIRTUAL,
    resources             JSON GENERATED ALWAYS AS (nullif(json_extract(record, '$.resources'), 'null')) VIRTUAL,
    additional_event_data JSON GENERATED ALWAYS AS (nullif(json_extract(record, '$.additionalEventData'), 'null')) VIRTUAL
);

CREATE TABLE IF NOT EXISTS objects (
    uri           VARCHAR PRIMARY KEY,
    etag          VARCHAR,
    size          BIGINT,
    last_modified TIMESTAMPTZ,
    status        VARCHAR NOT NULL CHECK (status IN ('loaded', 'failed', 'skipped')),
    events        BIGINT,      -- events decoded from the object
    new_events    BIGINT,      -- of those, events not already in the database
    error         VARCHAR,
    attempts      INTEGER NOT NULL DEFAULT 1,
    ingested_at   TIMESTAMPTZ NOT NULL
);
