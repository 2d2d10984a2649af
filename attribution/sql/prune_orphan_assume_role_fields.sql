-- What attribution read from deleted AssumeRole calls.
DELETE FROM assume_role_fields f WHERE NOT EXISTS (SELECT 1 FROM event_rows e WHERE e.event_id = f.event_id)
