-- How many events an incremental run would redo, of all: when most must
-- be redone, redoing them all is cheaper.
SELECT (SELECT count(*) FROM target), (SELECT count(*) FROM event_rows)
