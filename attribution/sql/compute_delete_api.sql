-- A sync replaces every row an earlier sync stored for the account and
-- region: the API lists what exists now, and a job's end.
DELETE FROM compute_resources WHERE source = 'api' AND account_id = $account_id AND region = $region
