-- Credential misuse: calls made with a compute's credentials from somewhere
-- the compute itself does not call from, after it ended, or from several
-- distant networks at once. attribution.Findings recomputes both every run.
--
-- attributions.finding is the kind of the finding an event belongs to
-- (NULL for none), so that SQL users see it per event.

ALTER TABLE attributions ADD COLUMN finding VARCHAR;

CREATE TABLE IF NOT EXISTS findings (
    finding_id    VARCHAR NOT NULL,  -- stable across runs: a hash of kind, account, actor and key
    kind          VARCHAR NOT NULL,  -- credentials-used-off-compute, credentials-used-after-compute-ended,
                                     -- one-session-many-places
    severity      VARCHAR NOT NULL CHECK (severity IN ('high', 'medium', 'low')),
    account_id    VARCHAR,           -- the account of the credentials' owner
    actor_kind    VARCHAR,           -- whose credentials: notebook-instance, ec2-instance, ...
    actor         VARCHAR,
    access_key_id VARCHAR,           -- the session key the calls were made with
    first_seen    TIMESTAMPTZ,
    last_seen     TIMESTAMPTZ,
    source_ips    VARCHAR[],         -- where the finding's calls came from
    user_agents   VARCHAR[],
    events        BIGINT,
    event_ids     VARCHAR[],         -- sorted by time, then id
    home_places   VARCHAR[],         -- where the compute's own calls came from, as learned from the data
    reason        VARCHAR            -- why, in words an analyst can act on
);
