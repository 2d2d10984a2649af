// Package ingest loads CloudTrail log objects from an S3 bucket or a local
// folder (a Source) into the database's events table, recording each
// object in the manifest (the objects table) so that later runs load only
// what is new or failed.
//
// Load runs three stages, each a type in its own file that returns its
// own counts, merged into the Summary once all have finished:
//
//   - lister (lister.go) walks the source by CloudTrail's key layout
//     (layout.go), resuming each region folder where the last complete
//     run got to (resume.go), and passes on the objects the manifest does
//     not already hold. A folder whose listing fails is named and passed
//     over.
//   - decoders (decoders.go) download and decode objects concurrently
//     (decode.go), in any form CloudTrail reaches people in, each object's
//     records packed compressed (batchfunc.go). Every record is held to
//     one definition of an event (event.go): those that fail it are
//     rejected and counted in the object's manifest row, never stored. An object is read to its end and checked against
//     its listed size (and, on S3, its Content-Length and MD5 ETag,
//     s3body.go); any fault fails the object whole.
//   - writer (writer.go) commits batches of objects, their events and
//     their manifest rows in one transaction each. DuckDB reads a batch's
//     records straight from memory through the ctattrib_batch table
//     function and maps them to columns in SQL (sql/insert_events.sql).
//
// An interrupted run leaves whole objects or none; a failed object is
// recorded as failed and retried by the next run.
//
// Every statement is a file under sql/, rendered once (sql.go) and bound
// with named parameters.
package ingest
