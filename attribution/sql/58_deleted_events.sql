-- Events were deleted since the last run (by hand, say to keep a year):
-- their attributions go too.
DELETE FROM attributions a WHERE NOT EXISTS (
	SELECT 1 FROM event_rows e WHERE e.event_id = a.event_id)
