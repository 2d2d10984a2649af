-- Every event without an attribution, compared whole: rows were deleted
-- since the last run, or the newest rows are not all the new events.
CREATE OR REPLACE TEMP TABLE target_all AS
SELECT event_id FROM event_rows e ANTI JOIN attributions a ON a.event_id = e.event_id
