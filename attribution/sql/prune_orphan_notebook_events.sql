-- What attribution read from deleted notebook lifecycle events.
DELETE FROM notebook_events n WHERE NOT EXISTS (SELECT 1 FROM event_rows e WHERE e.event_id = n.event_id)
