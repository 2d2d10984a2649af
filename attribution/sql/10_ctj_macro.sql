-- ctj reads a JSON column whether it holds the object or the object
-- encoded as a JSON string (older ingests stored it that way).
CREATE OR REPLACE TEMP MACRO ctj(x) AS CASE WHEN json_type(x) = 'VARCHAR' THEN json(x ->> '$') ELSE x END
