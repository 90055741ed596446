package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// OpenSQLite opens (creating if needed) the embedded database in dir and
// applies pending migrations.
//
// Durability: the database runs in WAL mode with synchronous=FULL, so every
// committed transaction is fsynced before Commit returns. Writes go through
// one connection (SQLite has one writer anyway) and take the write lock at
// BEGIN (IMMEDIATE), so a read-check-write transaction cannot be raced.
func OpenSQLite(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dir, "latchkey.db")
	pragmas := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		pragmas.Add("_pragma", p)
	}
	wq := url.Values{}
	for k, v := range pragmas {
		wq[k] = v
	}
	wq.Set("_txlock", "immediate")
	write, err := sql.Open("sqlite", "file:"+path+"?"+wq.Encode())
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	rq := url.Values{}
	for k, v := range pragmas {
		rq[k] = v
	}
	rq.Add("_pragma", "query_only(1)")
	read, err := sql.Open("sqlite", "file:"+path+"?"+rq.Encode())
	if err != nil {
		write.Close()
		return nil, err
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	s := &Store{write: write, read: read, d: sqliteDialect}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	s.prepared = newStmtCache(write)
	s.startCommitter()
	// The admin commands write the same file from processes of their own
	// (a key quarantined, a key policy set): the server follows their
	// changes through the change counter as servers sharing PostgreSQL
	// do, by polling alone.
	if err := s.startFeed(ctx, "", false); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

var sqliteDialect = dialect{
	name:        "sqlite",
	rebind:      func(q string) string { return q },
	bumpChanges: `UPDATE changes SET seq = seq + ? WHERE id = 1 RETURNING seq`,
	// insertChanges: none, a change a prepared insert (changelog.go).
	// One process owns a data dir, and its writes go through one
	// connection that locks the database at BEGIN.
	migrationLock: func(context.Context, *sql.DB) (func(), error) { return func() {}, nil },
	isUniqueViolation: func(err error) bool {
		var se *sqlite.Error
		if errors.As(err, &se) {
			c := se.Code()
			return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
		}
		return false
	},
}
