package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// ErrInUse is returned by Open when another process holds the database.
var ErrInUse = errors.New("database in use")

// ErrNotExist is returned by Open in read-only mode, or with
// Options.Existing, when the file is missing.
var ErrNotExist = errors.New("database does not exist")

// Mode says how a database is opened.
type Mode int

const (
	// ReadWrite creates the file if needed, migrates it and locks it
	// exclusively.
	ReadWrite Mode = iota
	// ReadOnly opens an existing file that DuckDB itself refuses to modify,
	// under a shared lock.
	ReadOnly
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is an open ctattrib database.
type DB struct {
	// SQL is the connection pool. All connections share one DuckDB instance.
	SQL *sql.DB

	connector *duckdb.Connector
	path      string
	lock      *os.File
	mode      Mode
}

// Options tune an open database.
type Options struct {
	// MemoryLimit caps DuckDB's buffer memory, e.g. "512MB"; empty keeps
	// DuckDB's default (80% of RAM). Hash joins and sorts spill to disk
	// beyond it.
	MemoryLimit string
	// Existing refuses to create the file in ReadWrite mode: commands that
	// work on loaded events return ErrNotExist for a mistyped --db rather
	// than leave an empty database behind.
	Existing bool
	// RetryLock is how long Open keeps trying while another process holds
	// the database (restic's --retry-lock): a nightly ingest then waits
	// out an analyst's query instead of failing. Zero fails at once.
	RetryLock time.Duration
	// Waiting, when set, is called once if Open has to wait, with the
	// error that says who holds the database.
	Waiting func(error)
	// Recovered, when set, is called when Open has set aside the
	// write-ahead log of a database that an earlier version left
	// unreadable (killed during its first ingest), with the name the log
	// now has, and created the database again.
	Recovered func(aside string)
}

// Open opens the DuckDB file at path with default options. A path of
// ":memory:" opens a throwaway in-memory database (for tests and
// examples), without a lock.
func Open(ctx context.Context, path string, mode Mode) (*DB, error) {
	return OpenWith(ctx, path, mode, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, mode Mode, opts Options) (*DB, error) {
	if opts.MemoryLimit != "" && !memoryLimitRe.MatchString(opts.MemoryLimit) {
		return nil, fmt.Errorf("memory limit %q: want a size like 512MB or 2GB", opts.MemoryLimit)
	}
	deadline := time.Now().Add(opts.RetryLock)
	pause := retryFirst
	for attempt := 1; ; attempt++ {
		db, err := openOnce(ctx, path, mode, opts)
		if !errors.Is(err, ErrInUse) || opts.RetryLock <= 0 {
			return db, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, fmt.Errorf("%w (retried for %v)", err, opts.RetryLock)
		}
		if attempt == 1 && opts.Waiting != nil {
			opts.Waiting(err)
		}
		t := time.NewTimer(min(pause, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		pause = min(2*pause, retryMax)
	}
}

// Open tries again after retryFirst, then at doubling intervals up to
// retryMax, while another process holds the database: taking the lock
// costs one system call, and a short query is waited out in well under a
// second.
const (
	retryFirst = 50 * time.Millisecond
	retryMax   = 2 * time.Second
)

// openOnce is one attempt of OpenWith.
func openOnce(ctx context.Context, path string, mode Mode, opts Options) (*DB, error) {
	db := &DB{path: path, mode: mode}
	if path != ":memory:" {
		if mode == ReadOnly || opts.Existing {
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("open %s: %w", path, ErrNotExist)
			}
		}
		if mode == ReadWrite {
			// Said plainly rather than as the lock file's open error. The
			// folder is not created: a mistyped path should not become a
			// new, empty database somewhere unexpected.
			dir := filepath.Dir(path)
			if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("create %s: folder %s does not exist", path, dir)
			} else if err == nil && !fi.IsDir() {
				return nil, fmt.Errorf("create %s: %s is not a folder", path, dir)
			}
		}
		lock, err := acquireLock(path+".lock", mode)
		if err != nil {
			return nil, err
		}
		db.lock = lock
	}
	if mode == ReadWrite && path != ":memory:" {
		if err := prepare(ctx, path, opts); err != nil {
			db.unlock()
			return nil, err
		}
	}
	connector, err := duckdb.NewConnector(dsn(path, mode, opts), initConn)
	if err != nil && mode == ReadWrite && isUnreplayable(err) {
		aside, rerr := recoverFirstRun(ctx, path)
		if rerr != nil {
			db.unlock()
			return nil, fmt.Errorf("open %s: %w (and it cannot be recovered: %v)", path, translate(err), rerr)
		}
		if opts.Recovered != nil {
			opts.Recovered(aside)
		}
		if err = prepare(ctx, path, opts); err == nil {
			connector, err = duckdb.NewConnector(dsn(path, mode, opts), initConn)
		}
	}
	if err != nil {
		db.unlock()
		return nil, fmt.Errorf("open %s: %w", path, translate(err))
	}
	db.connector = connector
	db.SQL = sql.OpenDB(connector)
	if mode == ReadWrite {
		if err := db.migrate(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("migrate %s: %w", path, err)
		}
	}
	return db, nil
}

// dsn is the DuckDB data source name that opens path in mode.
func dsn(path string, mode Mode, opts Options) string {
	dsn := path
	if path == ":memory:" {
		dsn = ""
	}
	// New files use DuckDB's current storage format: it has zstd for long
	// strings, which keeps the raw record column smaller than the gzip'd
	// logs it came from.
	dsn += "?storage_compatibility_version=" + storageVersion
	if mode == ReadOnly {
		dsn += "&access_mode=READ_ONLY"
	}
	// DuckDB's allocator (its own jemalloc) keeps freed pages until a
	// thread has freed 128 MiB or the process asks; its background threads
	// hand them back to the system as they age. Without them, 2,000,000
	// events took 700-880 MiB of RSS, the most in the runs with the most
	// batches, as if memory grew with the bucket; with them 690-740 MiB,
	// as 1,000,000 events do, in the same time.
	dsn += "&allocator_background_threads=true"
	if opts.MemoryLimit != "" {
		dsn += "&memory_limit=" + opts.MemoryLimit
	}
	return dsn
}

// Path returns the file the database was opened from.
func (db *DB) Path() string { return db.path }

// Files returns the absolute paths of what the database keeps on disk: the
// file, its write-ahead log, its lock file, the copies Compact and the
// creation of a new database write (and their logs) and DuckDB's spill folder (the last ends in a separator;
// everything below it is DuckDB's). An in-memory database has none.
func (db *DB) Files() []string {
	if db.path == ":memory:" {
		return nil
	}
	abs, err := filepath.Abs(db.path)
	if err != nil {
		abs = db.path
	}
	return []string{abs, abs + ".wal", abs + ".lock", abs + compactSuffix, abs + compactSuffix + ".wal",
		abs + newSuffix, abs + newSuffix + ".wal", abs + ".tmp" + string(filepath.Separator)}
}

// Close closes the database and releases the lock.
func (db *DB) Close() error {
	err := db.closeDuckDB()
	db.unlock()
	return err
}

// closeDuckDB closes DuckDB's hold on the file, checkpointing it, and
// keeps the lock. It may be called more than once.
func (db *DB) closeDuckDB() error {
	var err error
	if db.SQL != nil {
		err = db.SQL.Close()
		db.SQL = nil
	}
	if db.connector != nil {
		if cerr := db.connector.Close(); err == nil {
			err = cerr
		}
		db.connector = nil
	}
	return err
}

func (db *DB) unlock() {
	if db.lock != nil {
		syscall.Flock(int(db.lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing releases it anyway
		db.lock.Close()
		db.lock = nil
	}
}

var memoryLimitRe = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`)

// storageVersion is the DuckDB storage format of new database files.
const storageVersion = "v1.5.0"

// initConn prepares every pooled connection: times are shown and read in
// UTC, whatever the machine's zone.
func initConn(execer driver.ExecerContext) error {
	_, err := execer.ExecContext(context.Background(), `SET TimeZone = 'UTC'`, nil)
	return err
}

// acquireLock takes a non-blocking flock on the lock file: exclusive for
// writers, shared for readers. The writer records its PID so that the error
// a second process sees can name the holder.
func acquireLock(name string, mode Mode) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		if mode == ReadOnly && errors.Is(err, fs.ErrPermission) {
			// A read-only user of someone else's database: DuckDB's own
			// file lock still guards it.
			return nil, nil
		}
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	how := syscall.LOCK_EX
	if mode == ReadOnly {
		how = syscall.LOCK_SH
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		holder := ""
		if b, rerr := os.ReadFile(name); rerr == nil {
			if pid := strings.TrimSpace(string(b)); pid != "" {
				holder = " by pid " + pid
			}
		}
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is locked%s: %w", strings.TrimSuffix(name, ".lock"), holder, ErrInUse)
		}
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	if mode == ReadWrite {
		f.Truncate(0)                                   //nolint:errcheck // the PID is only a hint
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())), 0) //nolint:errcheck // the PID is only a hint
	}
	return f, nil
}

// migrate applies, in one transaction each, the embedded migrations that the
// file has not seen yet, recording each in schema_migrations, and
// checkpoints when it applied any.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.SQL.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	var current int
	if err := db.SQL.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	migs, err := migrations()
	if err != nil {
		return err
	}
	applied := 0
	for _, m := range migs {
		if m.version <= current {
			continue
		}
		if err := db.apply(ctx, m); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		applied++
	}
	if applied == 0 {
		return nil
	}
	CrashPoint(PhaseMigrated)
	// No migration's DDL stays only in the write-ahead log: DuckDB fails to
	// replay some of it (ALTER TABLE on a table with generated columns), and
	// a crash before the next checkpoint would leave a file no open reads.
	if _, err := db.SQL.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return fmt.Errorf("checkpoint after migrating: %w", err)
	}
	return nil
}

func (db *DB) apply(ctx context.Context, m migration) error {
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.version, m.name); err != nil {
		return err
	}
	return tx.Commit()
}

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations sorted by the number their
// file name starts with (NNNN_name.sql).
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var migs []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and '_'", e.Name())
		}
		b, err := migrationFS.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		migs = append(migs, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].version < migs[j].version })
	for i := 1; i < len(migs); i++ {
		if migs[i].version == migs[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a number", migs[i-1].name, migs[i].name)
		}
	}
	return migs, nil
}

// SchemaVersion is the number of the latest migration this build has:
// the version of every file it opens for writing.
func SchemaVersion() int {
	migs, err := migrations()
	if err != nil || len(migs) == 0 {
		return 0 // TestMigrateIsIdempotent fails on such a build
	}
	return migs[len(migs)-1].version
}

// Version returns the highest migration applied to the file.
func (db *DB) Version(ctx context.Context) (int, error) {
	var v int
	err := db.SQL.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// NewAppender returns a DuckDB Appender on conn for table. Use conn for SQL
// between appends, never at the same time.
func NewAppender(conn *sql.Conn, table string) (*duckdb.Appender, error) {
	var a *duckdb.Appender
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("appender: unexpected driver connection %T", dc)
		}
		var err error
		a, err = duckdb.NewAppenderFromConn(c, "", table)
		return err
	})
	return a, err
}
