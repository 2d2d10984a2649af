-- How many events are attributed: every run attributes all of them, and
-- event_rows only grows, so the events without an attribution are the
-- newest rows, as many as event_rows has rows more than attributions.
SELECT count(*) FROM attributions
