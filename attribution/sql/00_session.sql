-- Settings of the connection a run uses.
-- Times parsed from text (credential expirations) are UTC, and the
-- comparisons must not depend on the machine's zone.
SET TimeZone = 'UTC';
-- Attributions have no order: without this, DuckDB keeps the rows of the
-- parallel INSERT in order, and holds them in memory to do so.
SET preserve_insertion_order = false;
