-- Resolve every linked access key for a round: keys AssumeRole issued
-- (to a notebook-named session, to compute by an AWS service, or to
-- whoever called it, as attributed so far) and the default-session keys
-- that called AssumeRole for a notebook- or HyperPod-node-named session. One row per key
-- and start time; several actors for one key make a low-confidence row.
-- A key's evidence is its chain from the compute outwards: the
-- notebook's lifetime and the AssumeRole that named it, the service's
-- AssumeRole for EC2, Lambda and ECS, or the caller's evidence and this
-- AssumeRole, so that it grows by one hop each round.
CREATE OR REPLACE TEMP TABLE keys_new AS
WITH linked AS (
	SELECT issued_key AS access_key_id, valid_from, valid_to, 'issued' AS link_kind, fix_kind AS actor_kind,
		fix_actor AS actor, fix_conf AS confidence, fix_account AS account_id, fix_region AS region,
		link_event_id AS evidence_event_id, 1 AS prio,
		CASE WHEN nb_evidence IS NOT NULL THEN [nb_evidence, link_event_id] ELSE [link_event_id] END AS evidence,
		fix_note AS link_note, fix_method AS method
	FROM links WHERE issued_key IS NOT NULL AND fix_kind IS NOT NULL AND fix_actor IS NOT NULL
	UNION ALL
	-- A federated session's key keeps its method and note down the chain:
	-- a role assumed with it is the same subject's.
	SELECT l.issued_key, l.valid_from, l.valid_to, 'issued', a.actor_kind, a.actor, a.confidence,
		a.account_id, a.region, l.link_event_id, 2, list_append(coalesce(a.evidence, []::VARCHAR[]), l.link_event_id),
		CASE WHEN a.method IN ('web-identity', 'saml', 'pod-identity') THEN a.note END,
		CASE WHEN a.method IN ('web-identity', 'saml', 'pod-identity') THEN a.method END
	FROM links l JOIN ar_att a ON a.event_id = l.link_event_id
	WHERE l.issued_key IS NOT NULL AND l.fix_kind IS NULL AND NOT l.skip
		AND a.actor_kind <> 'unattributed' AND a.actor IS NOT NULL
	UNION ALL
	SELECT caller_key, caller_from, caller_to, 'caller', fix_kind, fix_actor, fix_conf,
		fix_account, fix_region, link_event_id, 3,
		CASE WHEN nb_evidence IS NOT NULL THEN [nb_evidence, link_event_id] ELSE [link_event_id] END, NULL, NULL
	FROM links WHERE caller_link
), cand AS (
	SELECT * FROM linked
	UNION ALL
	-- Keys known from their own calls, when no AssumeRole links them: an
	-- AssumeRole link is the stronger evidence, and a row of each would
	-- hide one another in the time-ordered lookup.
	SELECT access_key_id, valid_from, valid_to, 'seen', actor_kind, actor, 'medium',
		account_id, region, evidence_event_id, 4, [evidence_event_id], NULL, NULL
	FROM seen_keys
	WHERE access_key_id NOT IN (SELECT access_key_id FROM linked WHERE access_key_id IS NOT NULL)
)
SELECT access_key_id, valid_from, max(valid_to) AS valid_to,
	arg_min(link_kind, (prio, actor_kind, actor, evidence_event_id)) AS link_kind,
	arg_min(actor_kind, (prio, actor_kind, actor, evidence_event_id)) AS actor_kind,
	arg_min(actor, (prio, actor_kind, actor, evidence_event_id)) AS actor,
	CASE WHEN count(DISTINCT actor_kind || ':' || actor) > 1 THEN 'low'
		ELSE arg_min(confidence, (prio, actor_kind, actor, evidence_event_id)) END AS confidence,
	arg_min(account_id, (prio, actor_kind, actor, evidence_event_id)) AS account_id,
	arg_min(region, (prio, actor_kind, actor, evidence_event_id)) AS region,
	CASE WHEN count(DISTINCT actor_kind || ':' || actor) > 1 THEN
		'key ' || access_key_id || ' is linked to several actors: ' ||
		string_agg(DISTINCT actor_kind || ' ' || actor, ', ' ORDER BY actor_kind || ' ' || actor)
		ELSE arg_min(link_note, (prio, actor_kind, actor, evidence_event_id, evidence)) END AS note,
	arg_min(evidence_event_id, (prio, actor_kind, actor, evidence_event_id)) AS evidence_event_id,
	-- Of two copies of one AssumeRole (an organisation trail records a
	-- cross-account call in both accounts), the one with the lower event ID.
	arg_min(evidence, (prio, actor_kind, actor, evidence_event_id, evidence)) AS evidence,
	arg_min(method, (prio, actor_kind, actor, evidence_event_id, evidence)) AS method
FROM cand
GROUP BY access_key_id, valid_from
