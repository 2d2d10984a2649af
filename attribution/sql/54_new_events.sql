-- The newest rows without an attribution, checked against attributions
-- with a hash table of those rows alone. Comparing every event with every
-- attribution instead took the largest part of a nightly run, and grew
-- with the database.
CREATE OR REPLACE TEMP TABLE target_all AS
SELECT n.event_id FROM newest n ANTI JOIN (
	SELECT a.event_id FROM attributions a SEMI JOIN newest n ON n.event_id = a.event_id
) a ON a.event_id = n.event_id
