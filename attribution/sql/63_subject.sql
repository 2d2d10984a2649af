-- The events an incremental run attributes. The classification reads its
-- subject twice; a table read twice costs nothing, a join with target
-- twice runs two hash tables at once and exhausts ingest's memory limit
-- on large loads. A temporary table spills to disk when it must.
CREATE OR REPLACE TEMP TABLE subject AS
SELECT {{ template "subject_columns" }} FROM event_rows e SEMI JOIN target t ON t.event_id = e.event_id
