-- How many events before $before Prune deletes, and how many it keeps as
-- evidence, by class.
SELECT {{template "prune_class"}} AS class, count(*)
FROM event_rows
WHERE event_time < $before::TIMESTAMPTZ
GROUP BY class
