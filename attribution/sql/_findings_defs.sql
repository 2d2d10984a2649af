{{- /* Shared parts of the findings steps. Each takes the column it tests as its argument. */ -}}

{{define "ipv4"}}regexp_full_match({{.}}, '[0-9]{1,3}(\.[0-9]{1,3}){3}'){{end}}

{{define "ipv6"}}regexp_full_match({{.}}, '[0-9a-fA-F]*:[0-9a-fA-F:.]+'){{end}}

{{- /* RFC 1918, loopback, link-local, carrier-grade NAT and IPv6 unique-local
       addresses: a call from one came through a VPC endpoint or the VPC. */}}
{{define "private"}}regexp_matches({{.}}, '^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|127\.|169\.254\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.|[fF][cdCD][0-9a-fA-F]{2}:)'){{end}}

{{- /* A desktop operating system in the user agent: the AWS CLI and SDKs on
       macOS and Windows, and Go SDK v1's "(go1.x; darwin; arm64)". */}}
{{define "desktop"}}regexp_matches({{.}}, '(?i)(os/macos|os/windows|darwin/[0-9]|windows/[0-9]|windows_nt|mac os x|; (darwin|windows); )'){{end}}

{{- /* The runtime marker AWS SDKs add from AWS_EXECUTION_ENV: AWS_Lambda,
       AWS_ECS, AWS_SageMaker, ... ('' for none). */}}
{{define "runtime"}}regexp_extract({{.}}, 'exec-env/(AWS_[A-Za-z]+)', 1){{end}}

{{- /* The kinds of compute whose credentials live on a machine AWS runs for
       the customer, and can be taken off it. */}}
{{define "compute"}}'notebook-instance', 'studio-user-profile', 'studio-domain', 'ec2-instance', 'lambda-function', 'ecs-task', 'training-job', 'processing-job', 'transform-job', 'endpoint', 'hyperpod-cluster', 'hyperpod-node'{{end}}


{{- /* call_rows: the calls made with a compute's credentials whose session
       key passes the filter given as the argument ("true" for all), with
       where each came from (place: the VPC endpoint, 'private', or the
       public address) and what made it (a desktop OS in the user agent, the
       runtime marker). AWS services calling on the session's behalf are
       never findings and are left out: invokedBy set, or an address that is
       not an IP address ('AWS Internal', a service host name). Addresses
       and user agents are classified once each, not once per call: there
       are few of them, and the patterns cost more than the join. */}}
{{define "call_rows"}}
WITH c AS MATERIALIZED (
    SELECT a.event_id, e.event_time, a.actor_kind, a.actor, a.account_id, a.region, e.access_key_id,
        e.source_ip, coalesce(e.user_agent, '') AS user_agent,
        coalesce(e.identity_account_id, e.recipient_account_id) AS caller_account,
        nullif(e.vpc_endpoint_id, '') AS vpce
    FROM (SELECT event_id, actor_kind, actor, account_id, region FROM attributions
        WHERE actor_kind IN ({{template "compute"}}) AND actor IS NOT NULL) a
    -- The filter applies to the events before the join: given a few keys,
    -- the events are the small side.
    JOIN (SELECT event_id, event_time, access_key_id, source_ip, user_agent, identity_account_id,
            recipient_account_id, vpc_endpoint_id
        FROM event_rows e
        WHERE e.identity_type = 'AssumedRole' AND e.invoked_by IS NULL AND e.event_time IS NOT NULL
          AND coalesce(e.access_key_id, '') <> '' AND ({{.}})) e ON e.event_id = a.event_id
), ips AS (
    SELECT source_ip, {{template "private" "source_ip"}} AS private
    FROM (SELECT DISTINCT source_ip FROM c)
    WHERE {{template "ipv4" "source_ip"}} OR {{template "ipv6" "source_ip"}}
), uas AS (
    SELECT user_agent,
        coalesce({{template "desktop" "user_agent"}}, false) AS desktop,
        coalesce({{template "runtime" "user_agent"}}, '') AS runtime
    FROM (SELECT DISTINCT user_agent FROM c)
)
SELECT c.event_id, c.event_time, c.actor_kind, c.actor, c.account_id, c.region, c.access_key_id,
    c.source_ip, c.user_agent, c.caller_account,
    CASE WHEN c.vpce IS NOT NULL THEN 'vpce ' || c.vpce
        WHEN ips.private THEN 'private'
        ELSE c.source_ip END AS place,
    uas.desktop, uas.runtime
FROM c
JOIN ips ON ips.source_ip = c.source_ip
JOIN uas ON uas.user_agent = c.user_agent
{{end}}

