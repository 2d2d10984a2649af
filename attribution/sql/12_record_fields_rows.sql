-- event_rows now: its rows, its last rowid, and how many rows came after
-- the last one the record fields read. Rows deleted since the last run
-- leave fewer rows than it saw plus those after it.
SELECT count(*), coalesce(max(rowid), -1), count(*) FILTER (WHERE rowid > $after) FROM event_rows
