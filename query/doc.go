// Package query answers analysts' questions about the events in a ctattrib
// database: named queries (whodid, activity, instances, compute, denied,
// coverage), raw read-only SQL, and the output formats they are written in
// (table, csv, json, jsonl, parquet and arrow).
//
// Every named query is one typed function (Whodid, Activity, Instances,
// Compute, Denied, Coverage) taking its own Params struct, and one SQL file in sql/
// (sql/whodid.sql, ...), embedded and rendered with text/template for the
// optional filters. The filters the user gives (--since, --until,
// --account, --region and the query's own flags) become sql.Named
// parameters, never text spliced into the SQL. The denied query's
// explanations come from package internal/denial. The
// work over millions of events stays in DuckDB; Go only formats rows and,
// for denied, explains the few distinct error messages left after grouping.
//
// Joining attributions to events whole on the text event_id reads every
// event of the table, so attributions carry the event columns the
// queries filter and group by: instances and coverage read attributions
// alone, and whodid and denied filter both tables by event name or error
// code before joining them. Coverage reads the events too only when some
// have no attribution yet.
//
// Results stream: the queries return Rows that the formats write as they scan, so
// csv, json, jsonl, parquet and arrow never hold a whole result in memory.
// The table format holds at most MaxTableRows rows, because aligning
// columns needs every width first.
package query
