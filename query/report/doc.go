// Package report builds ctattrib's report: one self-contained HTML file
// that answers, for a window of events, how much attribution explains and
// by which method, how that changed over time per account and execution
// role, what each notebook instance and other compute did, which
// credentials look borrowed, what was denied and how to fix it, and why
// the rest stays unattributed.
//
// Build runs the report's queries: its own SQL in sql/ (rendered with the
// query package's template set, so the "filter" and "denied" definitions
// are the named queries'), and query.Coverage, query.Instances,
// query.Findings and query.Denied for what those already answer. All of
// it aggregates in DuckDB: the report holds per-bucket counts and the top
// rows of each list (Params.Top), so its size does not grow with the
// events.
//
// Write draws the Report with html/template (templates/report.html.tmpl);
// the charts are inline SVG drawn in Go (svg.go), the style inline CSS:
// nothing is fetched, so the file opens offline and prints as it shows.
// Colours come from the Okabe-Ito palette, which people with the common
// colour-vision deficiencies can tell apart, and every series is also
// named in a legend and in each shape's tooltip. The output depends on
// the database and the parameters alone (no time of generation, no random
// ids), so the same database gives the same bytes.
//
// Every drawn shape carries data-chart, data-key, data-series and data-n
// attributes: the tests read the figures back from the HTML and compare
// them with SQL of their own.
package report
