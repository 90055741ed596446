package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver for database/sql
)

// OpenPostgres connects to the PostgreSQL database at dsn (a postgres://
// URL or a key=value string, as pgx reads them) and applies pending
// migrations.
//
// Durability: a commit returns once PostgreSQL has made it durable as the
// server is configured (synchronous_commit on, the default; see the
// README's "Running several nodes"). Invariants hold across nodes: each
// write transaction locks the rows its checks read (FOR UPDATE on the
// owner, or the account for per-account quotas) or relies on one
// statement's unique constraint, so concurrent transactions on any node
// serialize where they conflict. Transactions that deadlock are run again.
func OpenPostgres(ctx context.Context, dsn string, options ...PostgresOptions) (*Store, error) {
	var opts PostgresOptions
	if len(options) > 0 {
		opts = options[0]
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	s := &Store{write: db, read: db, d: postgresDialect}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	s.startCommitter()
	if err := s.startFeed(ctx, dsn, !opts.NoNotify); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// PostgresOptions tune a PostgreSQL store.
type PostgresOptions struct {
	// NoNotify leaves LISTEN/NOTIFY out: servers learn of each other's
	// writes by polling alone (the bound holds either way).
	NoNotify bool
}

// migrationLockKey names Latchkey's advisory lock (any constant works:
// it only has to be the same for every node).
const migrationLockKey = 0x6c61746368 // "latch"

var postgresDialect = dialect{
	name:       "postgres",
	rebind:     rebindDollar,
	lockSuffix: " FOR UPDATE",
	// The notification carries the counter's new value, so that the server
	// that made the change need not sync for it.
	bumpChanges:   `WITH u AS (UPDATE changes SET seq = seq + ? WHERE id = 1 RETURNING seq) SELECT u.seq FROM u, pg_notify('latchkey_changes', u.seq::text)`,
	insertChanges: `INSERT INTO change_log (seq, kind, account_id, subject, at) SELECT ? + t.ord - 1, t.e->>0, t.e->>1, t.e->>2, ? FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS t(e, ord)`,
	// A read of several statements (a policy set) sees one snapshot.
	readTx: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	isUniqueViolation: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23505"
	},
	retryable: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
	},
	// An advisory lock held by a dedicated connection for the migration's
	// whole run: nodes starting together wait for the first, then find
	// every migration recorded.
	migrationLock: func(ctx context.Context, db *sql.DB) (func(), error) {
		conn, err := db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
			conn.Close()
			return nil, err
		}
		return func() {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockKey)
			conn.Close()
		}, nil
	},
}

// rebindDollar turns '?' placeholders into $1, $2 …, leaving quoted text
// alone.
func rebindDollar(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	quoted := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
