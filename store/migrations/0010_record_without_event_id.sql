-- Ingest stores each record without the value of its eventID, which
-- event_id already holds: id_pos is the number of characters before the
-- value, NULL for records stored whole (those loaded before, and those
-- whose eventID is not in the text as the key is). It stores an S3
-- resource ARN that request_bucket and request_key spell as 's3:object'
-- or 's3:bucket' (no ARN is spelled so). The events view puts both back,
-- so readers see the record and the ARN as delivered.

ALTER TABLE event_rows ADD COLUMN id_pos INTEGER;

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
