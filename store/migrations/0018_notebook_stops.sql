-- notebook_events now also holds StopNotebookInstance and
-- StartNotebookInstance, which the findings of credentials used after a
-- notebook stopped read instead of every record. Forgetting which rows the
-- record fields covered makes the next attribution read them all again.
DELETE FROM record_fields_state;
