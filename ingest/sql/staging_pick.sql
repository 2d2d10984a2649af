-- Stages the manifest rows kept aside of the objects $uris; with $rest,
-- of the objects not in $uris instead.
INSERT INTO staging_objects
SELECT * FROM staging_all
WHERE (uri IN (SELECT unnest($uris::VARCHAR[]))) != $rest
