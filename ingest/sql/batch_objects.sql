-- The batch's objects by their place in it ($uris in that order), for the
-- manifest's count of new events.
CREATE OR REPLACE TEMP TABLE batch_objects AS
SELECT unnest(range(len($uris::VARCHAR[])))::INTEGER AS obj, unnest($uris::VARCHAR[]) AS uri
