-- Ingest stores an S3 resource ARN that request_bucket and request_key
-- spell as 's3:object' or 's3:bucket' (no ARN is spelled so); the events
-- view spells it out again.

CREATE OR REPLACE VIEW events AS
SELECT
    * EXCLUDE (id_pos) REPLACE (
        CASE WHEN id_pos IS NULL THEN record
             ELSE left(record, id_pos) || event_id || substr(record, id_pos + 1) END AS record,
        CASE resource_arn
             WHEN 's3:object' THEN 'arn:aws:s3:::' || request_bucket || '/' || request_key
             WHEN 's3:bucket' THEN 'arn:aws:s3:::' || request_bucket
             ELSE resource_arn END AS resource_arn),
    record ->> '$.requestID'                                        AS request_id,
    nullif(json_extract(record, '$.requestParameters'), 'null')     AS request_parameters,
    nullif(json_extract(record, '$.responseElements'), 'null')      AS response_elements,
    nullif(json_extract(record, '$.resources'), 'null')             AS resources,
    nullif(json_extract(record, '$.additionalEventData'), 'null')   AS additional_event_data
FROM event_rows;
