-- Read every event again: asked to (attribute --full), or event_rows is
-- no longer the rows the tables covered and new ones.
DELETE FROM notebook_events;
DELETE FROM compute_events;
DELETE FROM assume_role_fields;
