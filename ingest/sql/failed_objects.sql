-- The objects below $root that failed, in key order.
SELECT uri FROM objects WHERE status = 'failed' AND starts_with(uri, $root) ORDER BY uri
