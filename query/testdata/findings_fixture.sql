-- Three findings in two accounts on the calls of fixture.sql, one of
-- each kind, for query findings.

-- SHIM: migration 0014 until wt-findings is merged.
ALTER TABLE attributions ADD COLUMN IF NOT EXISTS finding VARCHAR;
CREATE TABLE IF NOT EXISTS findings (
    finding_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, severity VARCHAR NOT NULL,
    account_id VARCHAR, actor_kind VARCHAR, actor VARCHAR, access_key_id VARCHAR,
    first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, source_ips VARCHAR[], user_agents VARCHAR[],
    events BIGINT, event_ids VARCHAR[], home_places VARCHAR[], reason VARCHAR);

INSERT INTO findings (finding_id, kind, severity, account_id, actor_kind, actor, access_key_id,
	first_seen, last_seen, source_ips, user_agents, events, event_ids, home_places, reason) VALUES
 ('f1', 'credentials-used-off-compute', 'high', '111122223333', 'notebook-instance', 'nb-alpha', 'ASIANB',
  '2024-05-02T10:00:00Z', '2024-05-02T11:00:00Z', ['203.0.113.5'], ['aws-cli/2.15.0 Python/3.11 Darwin/23.1'], 2, ['e1', 'e2'],
  ['10.0.0.0/16'], 'the notebook''s credentials were used from 203.0.113.5 with a desktop CLI; its own calls come from 10.0.0.0/16'),
 ('f2', 'credentials-used-after-compute-ended', 'medium', '111122223333', 'notebook-instance', 'nb-beta', 'ASIABETA',
  '2024-05-04T00:00:00Z', '2024-05-04T00:00:00Z', ['198.51.100.7'], ['Boto3/1.34.0'], 1, ['e5'],
  NULL, 'used 2 hours after the instance was stopped'),
 ('f3', 'one-session-many-places', 'low', '444455556666', 'lambda-function', 'resize', 'ASIALAMBDA',
  '2024-05-03T12:00:00Z', '2024-05-03T12:04:00Z', ['3.80.0.1', '34.1.2.3'], [], 2, ['e3', 'e4'],
  NULL, 'one session key used from two networks 4 minutes apart');

UPDATE attributions SET finding = CASE
	WHEN event_id IN ('e1', 'e2') THEN 'credentials-used-off-compute'
	WHEN event_id = 'e5' THEN 'credentials-used-after-compute-ended'
	WHEN event_id IN ('e3', 'e4') THEN 'one-session-many-places' END;
