-- One finding of each kind on the calls of fixture.sql, for query findings,
-- and the calls they mark, for activity, instances and coverage.
INSERT INTO findings (finding_id, kind, severity, account_id, actor_kind, actor, access_key_id,
	first_seen, last_seen, source_ips, user_agents, events, event_ids, home_places, reason) VALUES
 ('f1', 'credentials-used-off-compute', 'high', '111122223333', 'notebook-instance', 'nb-alpha', 'ASIANB',
  '2024-05-02T10:00:00Z', '2024-05-02T11:00:00Z', ['203.0.113.5'], ['aws-cli/2.15.0 Python/3.11 Darwin/23.1'], 2, ['e1', 'e2'],
  ['10.0.0.0/16'], 'the notebook''s credentials were used from 203.0.113.5 with a desktop CLI; its own calls come from 10.0.0.0/16'),
 ('f2', 'credentials-used-after-compute-ended', 'medium', '111122223333', 'notebook-instance', 'nb-beta', 'ASIABETA',
  '2024-05-03T12:00:00Z', '2024-05-03T12:00:00Z', ['198.51.100.7'], ['Boto3/1.34.0'], 1, ['e3'],
  NULL, 'used 2 hours after the instance was stopped'),
 ('f3', 'one-session-many-places', 'low', '111122223333', 'notebook-instance', 'nb-alpha', 'ASIANB2',
  '2024-05-03T14:00:00Z', '2024-05-03T14:00:00Z', ['3.80.0.1', '34.1.2.3'], [], 1, ['e5'],
  NULL, 'one session key used from two networks 4 minutes apart');

UPDATE attributions SET finding = CASE
	WHEN event_id IN ('e1', 'e2') THEN 'credentials-used-off-compute'
	WHEN event_id = 'e3' THEN 'credentials-used-after-compute-ended'
	WHEN event_id = 'e5' THEN 'one-session-many-places' END;
