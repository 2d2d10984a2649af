-- Add to target_all the events whose evidence changed, and leave each
-- event once in the table target: those an incremental run
-- (re)attributes. Each reason is its own statement: as one UNION, the
-- joins of all events with all attributions and with the changes held their hash tables at once and ran out of ingest's memory;
-- alone, each spills to disk when it must.
INSERT INTO target_all
	SELECT event_id FROM event_rows WHERE access_key_id IN (SELECT access_key_id FROM changed_keys);

INSERT INTO target_all
	SELECT e.event_id FROM event_rows e
	JOIN (SELECT DISTINCT account_id, name FROM changed_inv) c
		ON c.account_id = e.identity_account_id AND c.name = e.session_name;

INSERT INTO target_all
	SELECT e.event_id FROM event_rows e
	JOIN (SELECT DISTINCT account_id, role_name FROM changed_inv WHERE role_name IS NOT NULL) c
		ON c.account_id = e.identity_account_id AND c.role_name = lower(e.role_name);

-- The default-session calls on a role whose compute changed.
INSERT INTO target_all
	SELECT e.event_id FROM event_rows e
	JOIN (SELECT DISTINCT account_id, role_name FROM changed_comp) c
		ON c.account_id = e.identity_account_id AND c.role_name = lower(e.role_name)
	WHERE e.session_name = 'SageMaker';

CREATE OR REPLACE TEMP TABLE target AS SELECT DISTINCT event_id FROM target_all;

DROP TABLE target_all;
