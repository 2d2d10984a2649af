-- True when rows that attribution last saw (record_fields_state: how many,
-- up to which rowid) have been deleted since, whatever was added after
-- them: Run must follow.
SELECT coalesce(bool_or(stale), false) FROM (
	SELECT (SELECT count(*) FROM event_rows WHERE rowid <= s.last_rowid) < s.event_rows AS stale
	FROM record_fields_state s)
