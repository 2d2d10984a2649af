-- Whether anything is attributed yet: after a first ingest every event is
-- new, and a full run attributes them.
SELECT EXISTS (SELECT 1 FROM attributions)
