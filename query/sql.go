package query

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/ctattrib/ctattrib/store"
)

// ErrRefused is returned by SQL for a statement it does not run: one that
// changes settings, writes files or runs other SQL, which DuckDB's
// read-only mode and locked configuration do not stop (CALL
// enable_logging(storage_path=...) even aborted the process).
var ErrRefused = errors.New("statement refused: query sql runs read-only queries only")

// ErrNotReadOnly is returned by SQL when db was not opened with
// store.ReadOnly: analyst SQL must not be able to change the data.
var ErrNotReadOnly = errors.New("raw SQL needs the database opened read-only")

// SQL runs an analyst's SQL on db, which must have been opened with
// store.ReadOnly, after locking it down. The caller must Close the result.
//
// What stops a statement from changing anything, in order:
//
//   - DuckDB's read-only access mode refuses INSERT, UPDATE, DELETE, CREATE,
//     DROP and ALTER on the database file;
//
//   - enable_external_access=false refuses every file system and network
//     access: COPY ... TO, EXPORT DATABASE, ATTACH, INSTALL and LOAD, and
//     also reading other files (read_parquet, read_csv, read_json, glob);
//
//   - lock_configuration=true refuses SET and RESET, so none of the above
//     can be switched back on.
//
//   - before any of that, guard refuses CALL and PRAGMA but for the
//     read-only ones that describe the database, and calls of functions
//     that change settings, write files or run SQL given as text
//     (enable_logging, checkpoint, query, ...), wherever they appear.
//
// Temporary tables and macros still work: they live in memory and vanish
// with the process.
func SQL(ctx context.Context, db *store.DB, text string) (*Rows, error) {
	if err := guard(text); err != nil {
		return nil, err
	}
	// One connection for the lockdown and the statement: once the
	// configuration is locked, a new pooled connection cannot run the
	// session setup store gives it.
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if err := lockdown(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	rs, err := conn.QueryContext(ctx, text)
	if err != nil {
		conn.Close()
		return nil, err
	}
	r, err := fromSQL(rs)
	if err != nil {
		conn.Close()
		return nil, err
	}
	closeRows := r.close
	r.close = func() error {
		err := closeRows()
		if cerr := conn.Close(); err == nil {
			err = cerr
		}
		return err
	}
	return r, nil
}

// lockdown makes the DuckDB instance behind conn unable to touch anything
// but the read-only database: it turns off external access and locks the
// configuration (both global settings). It fails with ErrNotReadOnly unless
// the database was opened with store.ReadOnly. It is idempotent.
func lockdown(ctx context.Context, conn *sql.Conn) error {
	var readOnly bool
	if err := conn.QueryRowContext(ctx,
		`SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()`).Scan(&readOnly); err != nil {
		return fmt.Errorf("check access mode: %w", err)
	}
	if !readOnly {
		return ErrNotReadOnly
	}
	var locked bool
	if err := conn.QueryRowContext(ctx, `SELECT current_setting('lock_configuration')`).Scan(&locked); err != nil {
		return fmt.Errorf("check configuration lock: %w", err)
	}
	if locked {
		return nil
	}
	for _, stmt := range []string{
		`SET GLOBAL enable_external_access = false`,
		`SET GLOBAL lock_configuration = true`,
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("lock down: %s: %w", stmt, err)
		}
	}
	return nil
}

// readOnlyPragmas are the CALL and PRAGMA targets query sql allows: they
// only describe the database and DuckDB.
var readOnlyPragmas = map[string]bool{
	"table_info": true, "show": true, "show_tables": true, "show_tables_expanded": true,
	"show_databases": true, "database_list": true, "database_size": true, "storage_info": true,
	"metadata_info": true, "version": true, "platform": true, "user_agent": true,
	"functions": true, "collations": true, "extension_versions": true,
	"pragma_table_info": true, "pragma_show": true, "pragma_database_size": true,
	"pragma_storage_info": true, "pragma_metadata_info": true, "pragma_version": true,
	"pragma_platform": true, "pragma_user_agent": true, "pragma_collations": true,
}

// sideEffectFunctions are the DuckDB functions that change settings,
// write files or checkpoint, or run SQL given as text past this guard.
// They are refused wherever they are called, also in FROM.
var sideEffectFunctions = map[string]bool{
	"enable_logging": true, "disable_logging": true, "truncate_duckdb_logs": true,
	"enable_profiling": true, "disable_profiling": true, "enable_profile": true, "disable_profile": true,
	"enable_peg_parser": true, "disable_peg_parser": true,
	"checkpoint": true, "force_checkpoint": true,
	"query": true, "query_table": true, "json_execute_serialized_sql": true,
}

var sideEffectCall = regexp.MustCompile(`(?i)\b(` + strings.Join(slices.Sorted(maps.Keys(sideEffectFunctions)), "|") + `)"?\s*\(`)

// guard refuses text when one of its statements is a CALL or PRAGMA not in
// readOnlyPragmas, or when it calls one of sideEffectFunctions. It reads
// the text as DuckDB's tokenizer does (strings, quoted names, comments),
// so a name inside a string or a comment does not count.
func guard(text string) error {
	// Should the tokenizer below ever disagree with DuckDB's on where a
	// string ends, a side-effect function's name followed by a
	// parenthesis is refused wherever it is, in strings too.
	if m := sideEffectCall.FindStringSubmatch(text); m != nil {
		return fmt.Errorf("%s(): %w", strings.ToLower(m[1]), ErrRefused)
	}
	toks := sqlTokens(text)
	start := true
	for i, tk := range toks {
		switch {
		case tk == ";":
			start = true
			continue
		case start && (tk == "call" || tk == "pragma"):
			name := ""
			if i+1 < len(toks) {
				name = toks[i+1]
			}
			if !readOnlyPragmas[name] {
				return fmt.Errorf("%s %s: %w", strings.ToUpper(tk), name, ErrRefused)
			}
		case tk == "(" && i > 0 && sideEffectFunctions[toks[i-1]]:
			return fmt.Errorf("%s(): %w", toks[i-1], ErrRefused)
		}
		start = false
	}
	return nil
}

// sqlTokens splits SQL text into lower-cased words (a quoted name is one
// word, unquoted) and single punctuation characters, leaving out string
// literals, comments and white space. A word is also ended by a dot, so
// that schema.fn( yields fn before the parenthesis.
func sqlTokens(text string) []string {
	var toks []string
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '-' && strings.HasPrefix(text[i:], "--"):
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				return toks
			}
			i += j + 1
		case c == '/' && strings.HasPrefix(text[i:], "/*"):
			j := strings.Index(text[i+2:], "*/")
			if j < 0 {
				return toks
			}
			i += j + 4
		case c == '\'':
			i = skipQuoted(text, i, '\'')
		case c == '$' && dollarTag.MatchString(text[i:]):
			tag := dollarTag.FindString(text[i:])
			j := strings.Index(text[i+len(tag):], tag)
			if j < 0 {
				return toks
			}
			i += len(tag) + j + len(tag)
		case c == '"':
			end := skipQuoted(text, i, '"')
			toks = append(toks, strings.ToLower(strings.ReplaceAll(text[i+1:max(end-1, i+1)], `""`, `"`)))
			i = end
		case c == '_' || c >= 0x80 || 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9':
			j := i
			for j < len(text) && (text[j] == '_' || text[j] == '$' || text[j] >= 0x80 ||
				'a' <= text[j]|0x20 && text[j]|0x20 <= 'z' || '0' <= text[j] && text[j] <= '9') {
				j++
			}
			word := strings.ToLower(text[i:j])
			if word == "e" && j < len(text) && text[j] == '\'' {
				// An escape string, E'...', where a backslash escapes the
				// quote after it.
				i = skipEscaped(text, j)
				continue
			}
			toks = append(toks, word)
			i = j
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		default:
			toks = append(toks, string(c))
			i++
		}
	}
	return toks
}

// skipQuoted returns the index after the quote that closes the one at i,
// where a doubled quote stands for itself.
func skipQuoted(text string, i int, q byte) int {
	for j := i + 1; j < len(text); j++ {
		if text[j] == q {
			if j+1 < len(text) && text[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(text)
}

// skipEscaped is skipQuoted for an E'...' string at i.
func skipEscaped(text string, i int) int {
	for j := i + 1; j < len(text); j++ {
		switch {
		case text[j] == '\\':
			j++
		case text[j] == '\'' && j+1 < len(text) && text[j+1] == '\'':
			j++
		case text[j] == '\'':
			return j + 1
		}
	}
	return len(text)
}

// dollarTag matches the opening of a dollar-quoted string: $$ or $tag$.
var dollarTag = regexp.MustCompile(`^\$[A-Za-z_]*\$`)
