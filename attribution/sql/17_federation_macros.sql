-- Whom the credentials of a federated session stand for, read from the
-- call that issued them: the same rules as awsid.ParseWebIdentity and
-- awsid.PodOfSession, on the same patterns.
--
-- web_identity: a web identity token's subject and its OIDC provider (an
-- ARN, a URL or a principal id that holds it). A Kubernetes service
-- account (IRSA) is NAMESPACE/NAME, with the EKS cluster's OIDC id; a
-- GitHub Actions subject issued by GitHub is OWNER/REPO, with its ref or
-- environment; any other subject is itself.
CREATE OR REPLACE TEMP MACRO web_identity(subject, provider) AS CASE
	WHEN regexp_full_match(subject, {{ pattern "serviceaccount" }}) THEN struct_pack(
		kind := 'kubernetes-service-account',
		actor := regexp_extract(subject, '^' || {{ pattern "serviceaccount" }} || '$', {{ group "serviceaccount_namespace" }})
			|| '/' || regexp_extract(subject, '^' || {{ pattern "serviceaccount" }} || '$', {{ group "serviceaccount_name" }}),
		note := CASE
			WHEN regexp_matches(provider, {{ pattern "eksoidc" }}) THEN
				'IRSA, EKS cluster OIDC id ' || regexp_extract(provider, {{ pattern "eksoidc" }}, {{ group "eksoidc_id" }})
				|| ' in ' || regexp_extract(provider, {{ pattern "eksoidc" }}, {{ group "eksoidc_region" }})
			WHEN provider IS NOT NULL THEN 'IRSA, OIDC provider ' || provider END)
	WHEN regexp_full_match(subject, {{ pattern "github" }})
		AND (provider IS NULL OR contains(provider, {{ literal "githubprovider" }})) THEN struct_pack(
		kind := 'github-actions',
		actor := regexp_extract(subject, '^' || {{ pattern "github" }} || '$', {{ group "github_repo" }}),
		note := 'GitHub Actions ' || regexp_extract(subject, '^' || {{ pattern "github" }} || '$', {{ group "github_context" }}))
	WHEN subject IS NOT NULL AND subject <> '' THEN struct_pack(
		kind := 'web-identity', actor := subject, note := 'OIDC provider ' || provider)
END;

-- pod_of_session: the pod an EKS Pod Identity session name names, between
-- "eks-CLUSTER-" and its random suffix (a UUID, else the last "-" part).
CREATE OR REPLACE TEMP MACRO pod_of_session(session, cluster) AS CASE
	WHEN cluster <> '' AND starts_with(session, {{ literal "podprefix" }} || cluster || '-') THEN
		nullif(CASE
			WHEN regexp_full_match(substr(session, length(cluster) + 6), '.+' || {{ pattern "podsuffix" }})
				THEN regexp_extract(substr(session, length(cluster) + 6), '^(.+)' || {{ pattern "podsuffix" }} || '$', 1)
			ELSE regexp_extract(substr(session, length(cluster) + 6), '^(.+)-[^-]*$', 1) END, '')
END;
