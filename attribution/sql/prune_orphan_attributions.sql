-- The attributions of deleted events, in the transaction that deletes
-- them, so that no kill leaves them behind; also any a killed run left.
DELETE FROM attributions a WHERE NOT EXISTS (SELECT 1 FROM event_rows e WHERE e.event_id = a.event_id)
