-- Federated sessions: the calls other than AssumeRole that issue a role's
-- credentials name whom they are for. assume_role_fields keeps, for
-- AssumeRoleWithWebIdentity, the token's subject and OIDC provider; for
-- AssumeRoleWithSAML, the SAML subject and issuer; for EKS Pod Identity
-- (AssumeRoleForPodIdentity, and the AssumeRole EKS makes for it with
-- session tags), the cluster, namespace, service account and pod.
ALTER TABLE assume_role_fields ADD COLUMN subject VARCHAR;
ALTER TABLE assume_role_fields ADD COLUMN provider VARCHAR;
ALTER TABLE assume_role_fields ADD COLUMN cluster VARCHAR;
ALTER TABLE assume_role_fields ADD COLUMN namespace VARCHAR;
ALTER TABLE assume_role_fields ADD COLUMN service_account VARCHAR;
ALTER TABLE assume_role_fields ADD COLUMN pod VARCHAR;

-- How a key's chain starts, when not with an AssumeRole: web-identity,
-- saml or pod-identity (NULL: access-key-chain). The calls made with the
-- key take it as their method.
ALTER TABLE attribution_keys ADD COLUMN method VARCHAR;

-- The record fields are read again, from every event, on the next run
-- (an empty record_fields_state says they cover nothing), and as in 0013
-- the attributions are recomputed whole rather than rewritten here.
DELETE FROM record_fields_state;
DELETE FROM attributions;
DELETE FROM attribution_keys;
DELETE FROM attribution_seen_inventory;
DELETE FROM attribution_seen_ips;
