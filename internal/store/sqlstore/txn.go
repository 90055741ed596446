package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// txn is a transaction as the store's statements see it. On the embedded
// store a write transaction runs each statement it has met before as a
// prepared statement of the one write connection: SQLite otherwise parses
// and plans the text of every statement of every write again, which was a
// fifth of a write's CPU, all of it on the committer (the one goroutine
// every write goes through). PostgreSQL's driver caches prepared
// statements per connection itself.
type txn struct {
	*sql.Tx
	cache *stmtCache // nil: every statement as text
	job   *job       // the write running in it (nil outside the committer)
}

// ExecContext runs a statement that returns no rows.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.cache.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.cache.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query expected to return at most one row.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.cache.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// maxCachedStatements bounds the cache: the store's statements are
// constant text, a few hundred at most, but a statement built from its
// arguments must not grow it without end.
const maxCachedStatements = 512

// stmtCache holds the write connection's prepared statements. A statement
// is met first inside a transaction, which holds the only connection, so
// it is prepared after the transaction ends (prepareMet, by the committer
// between batches); inside the next transaction database/sql finds it
// prepared on that connection and runs it as it is. Were the connection
// replaced, database/sql prepares the statement on the new one.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
	met   map[string]struct{}
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, met: map[string]struct{}{}}
}

// get returns the prepared statement for query, or nil (and notes query)
// when it has none yet.
func (c *stmtCache) get(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if len(c.stmts)+len(c.met) < maxCachedStatements {
		c.met[query] = struct{}{}
	}
	return nil
}

// prepareMet prepares the statements met since the last call. It must run
// while no transaction holds the write connection. A statement that fails
// to prepare is left to run as text.
func (c *stmtCache) prepareMet(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.Lock()
	met := c.met
	if len(met) == 0 {
		c.mu.Unlock()
		return
	}
	c.met = map[string]struct{}{}
	c.mu.Unlock()
	for q := range met {
		st, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		c.stmts[q] = st
		c.mu.Unlock()
	}
}

// close releases the prepared statements.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = map[string]*sql.Stmt{}
}
