DELETE FROM attributions WHERE event_id IN (SELECT event_id FROM target)
