// Package store owns the DuckDB file: it opens it under a process lock,
// applies the embedded schema migrations in order, and hands out the
// connection the domain packages run their SQL on.
//
// One writer at a time: Open takes an exclusive lock on FILE.lock for
// read-write access and a shared one for read-only access, so a second
// ingest gets ErrInUse instead of a corrupt file, or, with
// Options.RetryLock, waits for the first to finish.
package store
