-- The events before $before that are no evidence for later ones.
DELETE FROM event_rows
WHERE event_time < $before::TIMESTAMPTZ AND {{template "prune_class"}} = 'delete'
