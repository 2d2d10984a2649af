-- Attribution detail and the state incremental attribution compares with.

-- note: caveats on an attribution (credentials used from an address a person
-- also used, a key linked to several actors); evidence_event_id: the event
-- that proves the link (the AssumeRole that issued or used the key, or the
-- CreateNotebookInstance of the matched instance).
ALTER TABLE attributions ADD COLUMN note VARCHAR;
ALTER TABLE attributions ADD COLUMN evidence_event_id VARCHAR;

-- The resolved access keys of the last attribution run: a key, the time it
-- was valid, and whose it was. A run recomputes this, and re-attributes the
-- events whose key's row changed.
CREATE TABLE IF NOT EXISTS attribution_keys (
    access_key_id     VARCHAR NOT NULL,
    valid_from        TIMESTAMPTZ NOT NULL,
    valid_to          TIMESTAMPTZ NOT NULL,
    link_kind         VARCHAR NOT NULL,  -- 'issued' (the key AssumeRole returned) or 'caller' (the key that called it)
    actor_kind        VARCHAR NOT NULL,
    actor             VARCHAR NOT NULL,
    confidence        VARCHAR NOT NULL,
    account_id        VARCHAR,
    region            VARCHAR,
    note              VARCHAR,
    evidence_event_id VARCHAR
);

-- The notebook inventory (all sources) as the last run saw it.
CREATE TABLE IF NOT EXISTS attribution_seen_inventory (
    account_id VARCHAR, region VARCHAR, name VARCHAR, role_name VARCHAR,
    lifecycle_config_name VARCHAR, created_at TIMESTAMPTZ, deleted_at TIMESTAMPTZ, source VARCHAR
);

-- Source addresses people (IAM users, root, Identity Center) used, per
-- account, as the last run saw them.
CREATE TABLE IF NOT EXISTS attribution_seen_ips (
    account_id VARCHAR, source_ip VARCHAR, person VARCHAR, people BIGINT
);
