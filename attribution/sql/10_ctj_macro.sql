-- ctj reads a JSON column whether it holds the object or the object
-- encoded as a JSON string (older ingests stored it that way). A string
-- that is no JSON ("HIDDEN_DUE_TO_SECURITY_REASONS") reads as NULL: one odd
-- record must not fail the run.
CREATE OR REPLACE TEMP MACRO ctj(x) AS CASE
	WHEN json_type(x) = 'VARCHAR' THEN CASE WHEN json_valid(x ->> '$') THEN json(x ->> '$') END
	ELSE x END
