-- The objects of $uris the manifest holds as loaded or skipped, with the
-- ETag they had then.
SELECT uri, etag FROM objects
WHERE status IN ('loaded', 'skipped') AND uri IN (SELECT unnest($uris::VARCHAR[]))
