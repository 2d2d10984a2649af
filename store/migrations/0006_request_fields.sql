-- The request fields an access denial's resource is read from when its
-- message names none (S3's bare "Access Denied"), stored beside the
-- record: reading them from the record made `query denied` decompress
-- every record of the table, since denials are scattered through it
-- (7.7 s on 10,000,000 events, against well under a second now).

ALTER TABLE event_rows ADD COLUMN request_bucket VARCHAR;   -- requestParameters.bucketName
ALTER TABLE event_rows ADD COLUMN request_key VARCHAR;      -- requestParameters.key
ALTER TABLE event_rows ADD COLUMN request_kms_key VARCHAR;  -- requestParameters.keyId (or KeyId)
ALTER TABLE event_rows ADD COLUMN resource_arn VARCHAR;     -- resources[0].ARN

UPDATE event_rows SET
    request_bucket  = nullif(record ->> '$.requestParameters.bucketName', ''),
    request_key     = nullif(record ->> '$.requestParameters.key', ''),
    request_kms_key = coalesce(nullif(record ->> '$.requestParameters.keyId', ''), nullif(record ->> '$.requestParameters.KeyId', '')),
    resource_arn    = nullif(record ->> '$.resources[0].ARN', '')
-- Ingest fills them for every event. Here only failed calls, the ones
-- denied reads: rewriting every row of a large table in one transaction
-- needs more memory than ingest gives DuckDB.
WHERE error_code IS NOT NULL;
