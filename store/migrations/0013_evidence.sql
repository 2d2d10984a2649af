-- Evidence for every attribution: the IDs of the events an answer rests
-- on, in chain order from the compute outwards. For a notebook that is
-- the event that defines the lifetime matched (or 'inventory:api' /
-- 'inventory:csv' when the inventory row came from elsewhere), the
-- default-session AssumeRole that named the notebook, then every further
-- AssumeRole hop down to the key that made the call. Methods that rest
-- on the call alone have an empty list. evidence_event_id stays: the one
-- event that proves the last link, as before.
ALTER TABLE attributions ADD COLUMN evidence VARCHAR[];

-- A resolved key's evidence: the chain that makes it its actor's.
ALTER TABLE attribution_keys ADD COLUMN evidence VARCHAR[];

-- The CloudTrail event a lifetime rests on, for source 'cloudtrail': its
-- CreateNotebookInstance, or for a lifetime whose start the trail does not
-- show, its first Update or Delete. Attribution rebuilds these rows on
-- every run.
ALTER TABLE notebook_instances ADD COLUMN event_id VARCHAR;

-- The evidence of each inventory row as the last run saw it: a change
-- re-attributes the calls that matched it.
ALTER TABLE attribution_seen_inventory ADD COLUMN evidence VARCHAR;

-- As in 0007, existing attributions are dropped for the next attribute
-- (or ingest) to recompute with their evidence, rather than rewritten in
-- one transaction.
DELETE FROM attributions;
DELETE FROM attribution_keys;
DELETE FROM attribution_seen_inventory;
DELETE FROM attribution_seen_ips;
