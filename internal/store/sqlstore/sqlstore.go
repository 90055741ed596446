// Package sqlstore implements store.Store on SQL databases: the embedded
// SQLite default (pure Go, so CGO_ENABLED=0 builds work) and, through the
// same portable SQL, PostgreSQL.
//
// Statements are written with '?' placeholders and rebound per dialect.
// Every mutating method runs in one transaction that takes the write lock
// up front (SQLite BEGIN IMMEDIATE; PostgreSQL row locks), so invariants
// checked inside it hold under any concurrency.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/latchkey/latchkey/internal/store"
)

//go:embed migrations
var migrationsFS embed.FS

// dialect is what differs between the SQL databases.
type dialect struct {
	name string
	// rebind turns '?' placeholders into the dialect's.
	rebind func(string) string
	// isUniqueViolation reports whether err is a unique-constraint failure.
	isUniqueViolation func(error) bool
	// lockUser is appended to the owner lookup inside write transactions.
	lockSuffix string
	// migrationLock serializes migrations across processes; it returns the
	// function that releases the lock.
	migrationLock func(ctx context.Context, db *sql.DB) (func(), error)
	// readTx are the options of a read transaction that must see one
	// snapshot (nil: the driver's default already does).
	readTx *sql.TxOptions
	// retryable reports whether a transaction failed only because it met
	// another (a deadlock or a serialization failure) and may run again.
	retryable func(error) bool
	// bumpChanges advances the change counter by its one parameter and
	// returns the new value; insertChanges, when set, writes a batch's
	// changes in one statement (the first one's number, the time, and a
	// JSON array of [kind, account, subject] triples; else one insert a
	// change). See changelog.go.
	bumpChanges   string
	insertChanges string
}

// Store is a store.Store on a SQL database.
type Store struct {
	write *sql.DB // all writes; one connection for SQLite
	read  *sql.DB // reads; may be the same pool as write
	d     dialect
	// stmts memoizes the rebound text of each query (PostgreSQL's $N):
	// only constant query text reaches q, so it stays small.
	stmts sync.Map
	gen   atomic.Uint64 // store.ChangeFeed
	// feed follows the writes of other servers sharing the store; nil for
	// the embedded store, which one process owns.
	feed *feed
	// commits runs the write transactions (group commit).
	commits *committer
	// prepared holds the write connection's prepared statements (the
	// embedded store; nil on PostgreSQL, whose driver caches its own).
	prepared *stmtCache
	// pruned is when the committer last pruned the change log.
	pruned time.Time
	// commitObserver is told of each group commit (ObserveCommits).
	commitObserver atomic.Pointer[func(writes int, took time.Duration)]
}

var _ store.Store = (*Store)(nil)

func (s *Store) q(query string) string {
	if r, ok := s.stmts.Load(query); ok {
		return r.(string)
	}
	r := s.d.rebind(query)
	s.stmts.Store(query, r)
	return r
}

// Close releases the database handles.
func (s *Store) Close() error {
	s.stopFeed()
	s.stopCommitter()
	s.prepared.close()
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// migrate applies the embedded migrations of the dialect that are not yet
// recorded, each in its own transaction together with its record. Nodes
// starting together serialize on the dialect's migration lock, so each
// migration is applied once; a schema newer than this binary knows is
// refused.
func (s *Store) migrate(ctx context.Context) error {
	unlock, err := s.d.migrationLock(ctx, s.write)
	if err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	defer unlock()
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	dir := "migrations/" + s.d.name
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	known := 0
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		known = max(known, version)
	}
	var newest sql.NullInt64
	if err := s.write.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return err
	}
	if newest.Valid && int(newest.Int64) > known {
		return fmt.Errorf("the database's schema is at version %d, newer than this latchkey knows (%d): run a newer latchkey", newest.Int64, known)
	}
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		version, _ := strconv.Atoi(num)
		body, err := migrationsFS.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return err
		}
		// Quiet: the change log is not there before its migration.
		if err := s.txQuiet(ctx, func(tx *txn) error {
			var n int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(string(body)) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("migration %s: %w", e.Name(), err)
				}
			}
			if after := afterMigration[s.d.name+"/"+num]; after != nil {
				if err := after(ctx, s, tx); err != nil {
					return fmt.Errorf("migration %s: %w", e.Name(), err)
				}
			}
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), version, time.Now().Unix())
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// afterMigration holds what a migration does in Go, in its transaction,
// after its SQL.
var afterMigration = map[string]func(context.Context, *Store, *txn) error{
	"sqlite/0003": recountInlinePolicySizes,
}

// recountInlinePolicySizes sets the size of the inline policies migration
// 3 carried over as the store's callers count it (every Unicode white
// space character left out, which SQL's replace cannot do), so quotas
// count old and new policies alike.
func recountInlinePolicySizes(ctx context.Context, s *Store, tx *txn) error {
	type row struct {
		kind, owner, name string
		size              int
	}
	rows, err := tx.QueryContext(ctx, `SELECT owner_kind, owner_id, name_key, document FROM inline_policies`)
	if err != nil {
		return err
	}
	var fix []row
	for rows.Next() {
		var r row
		var doc string
		if err := rows.Scan(&r.kind, &r.owner, &r.name, &doc); err != nil {
			rows.Close()
			return err
		}
		r.size = sizeWithoutWhitespace(doc)
		fix = append(fix, r)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range fix {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE inline_policies SET size = ? WHERE owner_kind = ? AND owner_id = ? AND name_key = ?`), r.size, r.kind, r.owner, r.name); err != nil {
			return err
		}
	}
	return nil
}

// sizeWithoutWhitespace counts a document's characters but white space,
// as policy.SizeWithoutWhitespace does for the sizes callers store
// (TestSizeCountsAsPolicy holds the two together).
func sizeWithoutWhitespace(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

func splitStatements(sqlText string) []string {
	var out []string
	for _, part := range strings.Split(sqlText, ";") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// tx runs fn in a write transaction and commits it, then advances the
// generation (also when the commit failed: its outcome may be unknown, and
// a spurious advance only costs a cache refill).
func (s *Store) tx(ctx context.Context, fn func(*txn) error) error {
	err := s.run(ctx, fn, true)
	s.gen.Add(1)
	return err
}

// txQuiet is tx for writes that cannot change what a principal may do
// (last-used dates, re-sealed secrets, meta values): the generation stays.
func (s *Store) txQuiet(ctx context.Context, fn func(*txn) error) error {
	return s.run(ctx, fn, false)
}

// run runs fn in a write transaction, through the committer (see
// group.go); a counted write goes into the change log (changelog.go).
func (s *Store) run(ctx context.Context, fn func(*txn) error, counted bool) error {
	if s.commits == nil {
		return s.runAlone(ctx, fn, counted)
	}
	return s.submit(ctx, fn, counted)
}

// runAlone runs fn in a transaction of its own (before the committer
// starts: migrations), again if it met another one.
func (s *Store) runAlone(ctx context.Context, fn func(*txn) error, counted bool) error {
	j := &job{ctx: ctx, fn: fn, counted: counted, done: make(chan struct{})}
	s.commitBatch([]*job{j})
	<-j.done
	return j.err
}

// maxTxAttempts bounds the runs of a transaction that keeps meeting others.
const maxTxAttempts = 5

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// ---- accounts ----

// CreateAccount implements store.Accounts.
func (s *Store) CreateAccount(ctx context.Context, a store.Account, rootKey store.AccessKey) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeAccountCreated, a.ID, a.ID)
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO accounts (id, created_at) VALUES (?, ?)`), a.ID, millis(a.CreatedAt)); err != nil {
			if s.d.isUniqueViolation(err) {
				return fmt.Errorf("account %s: %w", a.ID, store.ErrAlreadyExists)
			}
			return err
		}
		return s.insertKey(ctx, tx, a.ID, "", rootKey)
	})
}

// GetAccount implements store.Accounts.
func (s *Store) GetAccount(ctx context.Context, id string) (store.Account, error) {
	return s.getAccountIn(ctx, s.read, id)
}

func (s *Store) getAccountIn(ctx context.Context, q querier, id string) (store.Account, error) {
	var ms int64
	err := q.QueryRowContext(ctx, s.q(`SELECT created_at FROM accounts WHERE id = ?`), id).Scan(&ms)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Account{}, &store.NotFoundError{Entity: store.EntityAccount, Name: id}
	}
	if err != nil {
		return store.Account{}, err
	}
	return store.Account{ID: id, CreatedAt: fromMillis(ms)}, nil
}

// CountAccounts implements store.Accounts.
func (s *Store) CountAccounts(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n)
	return n, err
}

// AccountSummary implements store.Accounts.
func (s *Store) AccountSummary(ctx context.Context, id string) (store.AccountSummary, error) {
	var sum store.AccountSummary
	err := s.readTx(ctx, func(tx *txn) error {
		if _, err := s.getAccountIn(ctx, tx, id); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(`SELECT
			(SELECT COUNT(*) FROM users WHERE account_id = ?),
			(SELECT COUNT(*) FROM iam_groups WHERE account_id = ?),
			(SELECT COUNT(*) FROM managed_policies WHERE account_id = ?),
			(SELECT COUNT(*) FROM policy_versions v JOIN managed_policies mp ON mp.id = v.policy_id WHERE mp.account_id = ?),
			(SELECT COUNT(*) FROM access_keys WHERE account_id = ? AND user_id IS NULL),
			(SELECT COUNT(*) FROM roles WHERE account_id = ?),
			(SELECT COUNT(*) FROM instance_profiles WHERE account_id = ?)`), id, id, id, id, id, id, id).
			Scan(&sum.Users, &sum.Groups, &sum.Policies, &sum.PolicyVersions, &sum.RootAccessKeys, &sum.Roles, &sum.InstanceProfiles)
	})
	return sum, err
}

// ---- users ----

func nameKey(name string) string { return strings.ToLower(name) }

func encodeTags(tags []store.Tag) (string, error) {
	if tags == nil {
		tags = []store.Tag{}
	}
	b, err := json.Marshal(tags)
	return string(b), err
}

func decodeTags(s string) ([]store.Tag, error) {
	var tags []store.Tag
	if err := json.Unmarshal([]byte(s), &tags); err != nil {
		return nil, fmt.Errorf("decode tags: %w", err)
	}
	if len(tags) == 0 {
		return nil, nil
	}
	return tags, nil
}

const userColumns = `id, account_id, name, path, created_at, tags, permissions_boundary, password_last_used`

type rowScanner interface{ Scan(...any) error }

// scanUser reads userColumns, then extra.
func scanUser(r rowScanner, extra ...any) (store.User, error) {
	var u store.User
	var ms int64
	var pwUsed sql.NullInt64
	var tags string
	if err := r.Scan(append([]any{&u.ID, &u.AccountID, &u.Name, &u.Path, &ms, &tags, &u.PermissionsBoundary, &pwUsed}, extra...)...); err != nil {
		return store.User{}, err
	}
	u.CreatedAt = fromMillis(ms)
	if pwUsed.Valid {
		t := fromMillis(pwUsed.Int64)
		u.PasswordLastUsed = &t
	}
	var err error
	u.Tags, err = decodeTags(tags)
	return u, err
}

// CreateUser implements store.Users.
func (s *Store) CreateUser(ctx context.Context, u store.User) error {
	tags, err := encodeTags(u.Tags)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeUserCreated, u.AccountID, u.Name)
		if err := s.policyExists(ctx, tx, u.AccountID, u.PermissionsBoundary); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO users (id, account_id, name, name_key, path, created_at, tags, permissions_boundary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			u.ID, u.AccountID, u.Name, nameKey(u.Name), u.Path, millis(u.CreatedAt), tags, u.PermissionsBoundary)
		if err != nil && s.d.isUniqueViolation(err) {
			return fmt.Errorf("user %s: %w", u.Name, store.ErrAlreadyExists)
		}
		return err
	})
}

func (s *Store) getUser(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, accountID, name string, lock bool) (store.User, error) {
	query := `SELECT ` + userColumns + ` FROM users WHERE account_id = ? AND name_key = ?`
	if lock {
		query += s.d.lockSuffix
	}
	u, err := scanUser(q.QueryRowContext(ctx, s.q(query), accountID, nameKey(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return store.User{}, &store.NotFoundError{Entity: store.EntityUser, Name: name}
	}
	return u, err
}

// GetUser implements store.Users.
func (s *Store) GetUser(ctx context.Context, accountID, name string) (store.User, error) {
	return s.getUser(ctx, s.read, accountID, name, false)
}

// ListUsers implements store.Users.
func (s *Store) ListUsers(ctx context.Context, accountID, pathPrefix string, p store.Page) ([]store.User, string, bool, error) {
	query, args := pageQuery(`SELECT `+userColumns+`, name_key FROM users`, "", accountID, pathPrefix, p)
	rows, err := s.read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, "", false, err
	}
	return scanPage(rows, p.Limit, func(r *sql.Rows) (u store.User, key string, err error) {
		u, err = scanUser(r, &key)
		return u, key, err
	})
}

// pageQuery completes a listing's query (selectFrom: its SELECT and FROM,
// col the table's alias and a dot, or ""): the account's rows after the
// page's sort key whose path starts with pathPrefix, ordered by name
// ignoring case, one more than the page holds, so scanPage can tell that
// more follow.
func pageQuery(selectFrom, col, accountID, pathPrefix string, p store.Page) (string, []any) {
	query := selectFrom + ` WHERE ` + col + `account_id = ? AND ` + col + `name_key > ?`
	args := []any{accountID, p.After}
	if pathPrefix != "" && pathPrefix != "/" {
		query += ` AND substr(` + col + `path, 1, ?) = ?`
		args = append(args, len(pathPrefix), pathPrefix)
	}
	return query + ` ORDER BY ` + col + `name_key LIMIT ?`, append(args, p.Limit+1)
}

// scanPage reads a page of at most limit rows, each with its sort key
// (the query asks for limit+1: more reports that a further row exists),
// and closes rows.
func scanPage[T any](rows *sql.Rows, limit int, scan func(*sql.Rows) (T, string, error)) (page []T, last string, more bool, err error) {
	defer rows.Close()
	for rows.Next() {
		if len(page) == limit {
			return page, last, true, rows.Err()
		}
		v, key, err := scan(rows)
		if err != nil {
			return nil, "", false, err
		}
		page, last = append(page, v), key
	}
	return page, last, false, rows.Err()
}

// UpdateUser implements store.Users.
func (s *Store) UpdateUser(ctx context.Context, accountID, name string, update func(store.User) (store.User, error)) (store.User, error) {
	var out store.User
	err := s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeUserUpdated, accountID, name)
		old, err := s.getUser(ctx, tx, accountID, name, true)
		if err != nil {
			return err
		}
		nu, err := update(old)
		if err != nil {
			return err
		}
		nu.ID, nu.AccountID, nu.CreatedAt, nu.PermissionsBoundary = old.ID, old.AccountID, old.CreatedAt, old.PermissionsBoundary
		tags, err := encodeTags(nu.Tags)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE users SET name = ?, name_key = ?, path = ?, tags = ? WHERE id = ?`),
			nu.Name, nameKey(nu.Name), nu.Path, tags, nu.ID)
		if err != nil && s.d.isUniqueViolation(err) {
			return fmt.Errorf("user %s: %w", nu.Name, store.ErrAlreadyExists)
		}
		out = nu
		return err
	})
	return out, err
}

// DeleteUser implements store.Users.
func (s *Store) DeleteUser(ctx context.Context, accountID, name string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeUserDeleted, accountID, name)
		u, err := s.getUser(ctx, tx, accountID, name, true)
		if err != nil {
			return err
		}
		// In the order AWS asks for them to be removed.
		dependents := []struct {
			what  store.Entity
			query string
		}{
			{store.EntityLoginProfile, `SELECT COUNT(*) FROM login_profiles WHERE user_id = ?`},
			{store.EntityAccessKey, `SELECT COUNT(*) FROM access_keys WHERE user_id = ?`},
			{store.EntityUserPolicy, `SELECT COUNT(*) FROM inline_policies WHERE owner_kind = 'user' AND owner_id = ?`},
			{store.EntityAttachment, `SELECT COUNT(*) FROM policy_attachments WHERE owner_kind = 'user' AND owner_id = ?`},
			{store.EntityGroupMember, `SELECT COUNT(*) FROM group_members WHERE user_id = ?`},
		}
		for _, d := range dependents {
			var n int
			if err := tx.QueryRowContext(ctx, s.q(d.query), u.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &store.ConflictError{Entity: store.EntityUser, Dependent: d.what}
			}
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM users WHERE id = ?`), u.ID)
		return err
	})
}

// ---- access keys ----

// owner resolves userName to a user id inside tx, locking the owner row so
// concurrent key creations for one owner serialize. "" is the root.
func (s *Store) owner(ctx context.Context, tx *txn, accountID, userName string) (string, error) {
	u, err := s.ownerUser(ctx, tx, accountID, userName)
	return u.ID, err
}

// ownerUser is owner returning the whole user (the zero User for the root).
func (s *Store) ownerUser(ctx context.Context, tx *txn, accountID, userName string) (store.User, error) {
	if userName == "" {
		_, err := s.lockAccount(ctx, tx, accountID)
		return store.User{}, err
	}
	return s.getUser(ctx, tx, accountID, userName, true)
}

func (s *Store) insertKey(ctx context.Context, tx *txn, accountID, userID string, k store.AccessKey) error {
	// The owner's keys and the master key now current, in one statement
	// (one round trip on PostgreSQL).
	var n int
	var current sql.NullString
	var err error
	const currentKey = `(SELECT value FROM meta WHERE name = ?)`
	if userID == "" {
		err = tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*), `+currentKey+` FROM access_keys WHERE account_id = ? AND user_id IS NULL`), store.MetaMasterKeyID, accountID).Scan(&n, &current)
	} else {
		err = tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*), `+currentKey+` FROM access_keys WHERE user_id = ?`), store.MetaMasterKeyID, userID).Scan(&n, &current)
	}
	if err != nil {
		return err
	}
	if n >= store.MaxAccessKeys {
		return store.ErrLimitExceeded
	}
	if current.Valid && current.String != k.MasterKeyID {
		return store.ErrStaleMasterKey
	}
	var uid any
	if userID != "" {
		uid = userID
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO access_keys (id, account_id, user_id, status, created_at, secret_ciphertext, master_key_id) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		k.ID, accountID, uid, k.Status, millis(k.CreatedAt), k.SecretCiphertext, k.MasterKeyID)
	if err != nil && s.d.isUniqueViolation(err) {
		return fmt.Errorf("access key %s: %w", k.ID, store.ErrAlreadyExists)
	}
	return err
}

// CreateAccessKey implements store.AccessKeys.
func (s *Store) CreateAccessKey(ctx context.Context, accountID, userName string, k store.AccessKey) (store.AccessKey, error) {
	err := s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeAccessKeyCreated, accountID, k.ID)
		u, err := s.ownerUser(ctx, tx, accountID, userName)
		if err != nil {
			return err
		}
		// The stored spelling of the name, read once inside the transaction.
		k.AccountID, k.UserID, k.UserName, k.UserPath, k.Root = accountID, u.ID, u.Name, u.Path, userName == ""
		return s.insertKey(ctx, tx, accountID, u.ID, k)
	})
	if err != nil {
		return store.AccessKey{}, err
	}
	return k, nil
}

const keyColumns = `k.id, k.account_id, COALESCE(k.user_id, ''), COALESCE(u.name, ''), COALESCE(u.path, ''), k.status, k.created_at, k.secret_ciphertext, k.master_key_id, k.last_used_at, COALESCE(k.last_used_service, ''), COALESCE(k.last_used_region, ''), k.user_id IS NULL, k.quarantined_at, k.quarantine_reason`

func scanKey(r rowScanner) (store.AccessKey, error) {
	var k store.AccessKey
	var created int64
	var lastUsed sql.NullInt64
	var quarantined sql.NullInt64
	var svc, region, reason string
	if err := r.Scan(&k.ID, &k.AccountID, &k.UserID, &k.UserName, &k.UserPath, &k.Status, &created, &k.SecretCiphertext, &k.MasterKeyID, &lastUsed, &svc, &region, &k.Root,
		&quarantined, &reason); err != nil {
		return store.AccessKey{}, err
	}
	k.CreatedAt = fromMillis(created)
	if lastUsed.Valid {
		k.LastUsed = &store.LastUsed{Time: fromMillis(lastUsed.Int64), Service: svc, Region: region}
	}
	if quarantined.Valid {
		k.Quarantine = &store.Quarantine{At: fromMillis(quarantined.Int64), Reason: reason}
	}
	return k, nil
}

// GetAccessKey implements store.AccessKeys.
func (s *Store) GetAccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	k, err := scanKey(s.read.QueryRowContext(ctx, s.q(`SELECT `+keyColumns+` FROM access_keys k LEFT JOIN users u ON u.id = k.user_id WHERE k.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.AccessKey{}, &store.NotFoundError{Entity: store.EntityAccessKey, Name: id}
	}
	return k, err
}

// ListAccessKeys implements store.AccessKeys, oldest key first.
func (s *Store) ListAccessKeys(ctx context.Context, accountID, userName string) ([]store.AccessKey, error) {
	if userName == "" {
		return s.queryKeys(ctx, `WHERE k.account_id = ? AND k.user_id IS NULL`, accountID)
	}
	u, err := s.GetUser(ctx, accountID, userName)
	if err != nil {
		return nil, err
	}
	return s.queryKeys(ctx, `WHERE k.user_id = ?`, u.ID)
}

// queryKeys reads the keys where says, oldest first.
func (s *Store) queryKeys(ctx context.Context, where string, args ...any) ([]store.AccessKey, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT `+keyColumns+` FROM access_keys k LEFT JOIN users u ON u.id = k.user_id `+where+` ORDER BY k.created_at, k.id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []store.AccessKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// changeKeyOfOwner runs stmt (an UPDATE or DELETE of access_keys whose
// last two parameters are the key's id and its owner) inside tx, after
// locking the owner: a key of another owner, or none, is not found.
func (s *Store) changeKeyOfOwner(ctx context.Context, tx *txn, accountID, userName, id, stmt string, args ...any) error {
	uid, err := s.owner(ctx, tx, accountID, userName)
	if err != nil {
		return err
	}
	var res sql.Result
	if uid == "" {
		res, err = tx.ExecContext(ctx, s.q(stmt+` WHERE id = ? AND account_id = ? AND user_id IS NULL`), append(args, id, accountID)...)
	} else {
		res, err = tx.ExecContext(ctx, s.q(stmt+` WHERE id = ? AND user_id = ?`), append(args, id, uid)...)
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return &store.NotFoundError{Entity: store.EntityAccessKey, Name: id}
	}
	return nil
}

// keyStatusChange is the change a key's new status makes.
func keyStatusChange(status string) store.ChangeKind {
	if status == store.StatusActive {
		return store.ChangeAccessKeyActivated
	}
	return store.ChangeAccessKeyDeactivated
}

// UpdateAccessKeyStatus implements store.AccessKeys: an Expired key
// changes no more (store.ErrKeyExpired).
func (s *Store) UpdateAccessKeyStatus(ctx context.Context, accountID, userName, id, status string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(keyStatusChange(status), accountID, id)
		err := s.changeKeyOfOwner(ctx, tx, accountID, userName, id, `UPDATE access_keys SET status = CASE WHEN status = '`+store.StatusExpired+`' THEN status ELSE ? END, quarantined_at = NULL, quarantine_reason = ''`, status)
		if err != nil {
			return err
		}
		var now string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM access_keys WHERE id = ?`), id).Scan(&now); err != nil {
			return err
		}
		if now == store.StatusExpired && status != store.StatusExpired {
			return store.ErrKeyExpired
		}
		return nil
	})
}

// QuarantineAccessKey implements store.AccessKeys. The first update
// finds (and locks) the owner's key; its status is then read under the
// lock.
func (s *Store) QuarantineAccessKey(ctx context.Context, accountID, userName, id string, q store.Quarantine) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeAccessKeyDeactivated, accountID, id)
		if err := s.changeKeyOfOwner(ctx, tx, accountID, userName, id, `UPDATE access_keys SET status = status`); err != nil {
			return err
		}
		var status string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM access_keys WHERE id = ?`), id).Scan(&status); err != nil {
			return err
		}
		if status != store.StatusActive {
			return store.ErrKeyNotActive
		}
		_, err := tx.ExecContext(ctx, s.q(`UPDATE access_keys SET status = ?, quarantined_at = ?, quarantine_reason = ? WHERE id = ?`),
			store.StatusInactive, millis(q.At), q.Reason, id)
		return err
	})
}

// ListQuarantinedKeys implements store.AccessKeys.
func (s *Store) ListQuarantinedKeys(ctx context.Context, accountID string) ([]store.AccessKey, error) {
	return s.queryKeys(ctx, `WHERE k.account_id = ? AND k.quarantined_at IS NOT NULL`, accountID)
}

// DeleteAccessKey implements store.AccessKeys.
func (s *Store) DeleteAccessKey(ctx context.Context, accountID, userName, id string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeAccessKeyDeleted, accountID, id)
		return s.changeKeyOfOwner(ctx, tx, accountID, userName, id, `DELETE FROM access_keys`)
	})
}

// SealedSecrets implements store.AccessKeys.
func (s *Store) SealedSecrets(ctx context.Context, except string, limit int) ([]store.AccessKey, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT id, secret_ciphertext, master_key_id FROM access_keys WHERE master_key_id <> ? ORDER BY id LIMIT ?`), except, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.AccessKey
	for rows.Next() {
		var k store.AccessKey
		if err := rows.Scan(&k.ID, &k.SecretCiphertext, &k.MasterKeyID); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// ReplaceSealedSecret implements store.AccessKeys.
func (s *Store) ReplaceSealedSecret(ctx context.Context, id, oldMasterKeyID string, ciphertext []byte, newMasterKeyID string) (bool, error) {
	var n int64
	err := s.txQuiet(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE access_keys SET secret_ciphertext = ?, master_key_id = ? WHERE id = ? AND master_key_id = ?`), ciphertext, newMasterKeyID, id, oldMasterKeyID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, err
}

// RecordLastUsed implements store.AccessKeys.
func (s *Store) RecordLastUsed(ctx context.Context, updates []store.LastUsedUpdate) error {
	if len(updates) == 0 {
		return nil
	}
	return s.txQuiet(ctx, func(tx *txn) error {
		keys, err := tx.PrepareContext(ctx, s.q(`UPDATE access_keys SET last_used_at = ?, last_used_service = ?, last_used_region = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`))
		if err != nil {
			return err
		}
		defer keys.Close()
		roles, err := tx.PrepareContext(ctx, s.q(`UPDATE roles SET last_used_at = ?, last_used_region = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`))
		if err != nil {
			return err
		}
		defer roles.Close()
		for _, u := range updates {
			ms := millis(u.Time)
			if u.RoleID != "" {
				_, err = roles.ExecContext(ctx, ms, u.Region, u.RoleID, ms)
			} else {
				_, err = keys.ExecContext(ctx, ms, u.Service, u.Region, u.AccessKeyID, ms)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ---- meta ----

// GetMeta implements store.Meta.
func (s *Store) GetMeta(ctx context.Context, name string) (string, error) {
	var v string
	err := s.read.QueryRowContext(ctx, s.q(`SELECT value FROM meta WHERE name = ?`), name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &store.NotFoundError{Entity: "meta", Name: name}
	}
	return v, err
}

// InitMeta implements store.Meta.
func (s *Store) InitMeta(ctx context.Context, name, value string) (string, error) {
	var stored string
	err := s.txQuiet(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`), name, value); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(`SELECT value FROM meta WHERE name = ?`), name).Scan(&stored)
	})
	return stored, err
}

// PutMeta implements store.Meta.
func (s *Store) PutMeta(ctx context.Context, name, value string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeStore, "", name)
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`), name, value)
		return err
	})
}

// Check implements store.Store: the database's own integrity check plus the
// cross-table invariants.
func (s *Store) Check(ctx context.Context) error {
	if s.d.name == "sqlite" {
		var res string
		if err := s.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
			return err
		}
		if res != "ok" {
			return fmt.Errorf("sqlite integrity check: %s", res)
		}
	}
	checks := []struct{ what, query string }{
		{"keys without their user", `SELECT COUNT(*) FROM access_keys k WHERE k.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = k.user_id)`},
		{"owners with more than 2 keys", `SELECT COUNT(*) FROM (SELECT account_id, user_id FROM access_keys GROUP BY account_id, user_id HAVING COUNT(*) > 2) t`},
		{"user policies without their user", `SELECT COUNT(*) FROM inline_policies p WHERE p.owner_kind = 'user' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p.owner_id)`},
		{"group policies without their group", `SELECT COUNT(*) FROM inline_policies p WHERE p.owner_kind = 'group' AND NOT EXISTS (SELECT 1 FROM iam_groups g WHERE g.id = p.owner_id)`},
		{"inline policies of another kind", `SELECT COUNT(*) FROM inline_policies WHERE owner_kind NOT IN ('user', 'group', 'role')`},
		{"users over their inline policy quota", `SELECT COUNT(*) FROM (SELECT owner_id FROM inline_policies WHERE owner_kind = 'user' GROUP BY owner_id HAVING SUM(size) > ` + strconv.Itoa(store.MaxUserInlinePolicySize) + `) t`},
		{"groups over their inline policy quota", `SELECT COUNT(*) FROM (SELECT owner_id FROM inline_policies WHERE owner_kind = 'group' GROUP BY owner_id HAVING SUM(size) > ` + strconv.Itoa(store.MaxGroupInlinePolicySize) + `) t`},
		{"memberships of missing users or groups", `SELECT COUNT(*) FROM group_members m WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = m.user_id) OR NOT EXISTS (SELECT 1 FROM iam_groups g WHERE g.id = m.group_id)`},
		{"users in more than 10 groups", `SELECT COUNT(*) FROM (SELECT user_id FROM group_members GROUP BY user_id HAVING COUNT(*) > ` + strconv.Itoa(store.MaxGroupsPerUser) + `) t`},
		{"accounts over their group quota", `SELECT COUNT(*) FROM (SELECT account_id FROM iam_groups GROUP BY account_id HAVING COUNT(*) > ` + strconv.Itoa(store.MaxGroupsPerAccount) + `) t`},
		{"attachments of missing users", `SELECT COUNT(*) FROM policy_attachments a WHERE a.owner_kind = 'user' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = a.owner_id)`},
		{"attachments of missing groups", `SELECT COUNT(*) FROM policy_attachments a WHERE a.owner_kind = 'group' AND NOT EXISTS (SELECT 1 FROM iam_groups g WHERE g.id = a.owner_id)`},
		{"attachments of missing customer managed policies", `SELECT COUNT(*) FROM policy_attachments a WHERE a.policy_arn NOT LIKE 'arn:aws:iam::aws:%' AND NOT EXISTS (SELECT 1 FROM managed_policies p WHERE p.arn = a.policy_arn)`},
		{"users over their attached policy quota", `SELECT COUNT(*) FROM (SELECT owner_id FROM policy_attachments WHERE owner_kind = 'user' GROUP BY owner_id HAVING COUNT(*) > ` + strconv.Itoa(store.MaxPoliciesPerUser) + `) t`},
		{"groups over their attached policy quota", `SELECT COUNT(*) FROM (SELECT owner_id FROM policy_attachments WHERE owner_kind = 'group' GROUP BY owner_id HAVING COUNT(*) > ` + strconv.Itoa(store.MaxPoliciesPerGroup) + `) t`},
		{"role policies without their role", `SELECT COUNT(*) FROM inline_policies p WHERE p.owner_kind = 'role' AND NOT EXISTS (SELECT 1 FROM roles r WHERE r.id = p.owner_id)`},
		{"roles over their inline policy quota", `SELECT COUNT(*) FROM (SELECT owner_id FROM inline_policies WHERE owner_kind = 'role' GROUP BY owner_id HAVING SUM(size) > ` + strconv.Itoa(store.MaxRoleInlinePolicySize) + `) t`},
		{"attachments of missing roles", `SELECT COUNT(*) FROM policy_attachments a WHERE a.owner_kind = 'role' AND NOT EXISTS (SELECT 1 FROM roles r WHERE r.id = a.owner_id)`},
		{"roles over their attached policy quota", `SELECT COUNT(*) FROM (SELECT owner_id FROM policy_attachments WHERE owner_kind = 'role' GROUP BY owner_id HAVING COUNT(*) > ` + strconv.Itoa(store.MaxPoliciesPerRole) + `) t`},
		{"role boundaries that are missing customer managed policies", `SELECT COUNT(*) FROM roles r WHERE r.permissions_boundary <> '' AND r.permissions_boundary NOT LIKE 'arn:aws:iam::aws:%' AND NOT EXISTS (SELECT 1 FROM managed_policies p WHERE p.arn = r.permissions_boundary)`},
		{"accounts over their role quota", `SELECT COUNT(*) FROM (SELECT account_id FROM roles GROUP BY account_id HAVING COUNT(*) > ` + strconv.Itoa(store.MaxRolesPerAccount) + `) t`},
		{"instance profile memberships of missing roles or profiles", `SELECT COUNT(*) FROM instance_profile_roles m WHERE NOT EXISTS (SELECT 1 FROM roles r WHERE r.id = m.role_id) OR NOT EXISTS (SELECT 1 FROM instance_profiles p WHERE p.id = m.profile_id)`},
		{"accounts over their instance profile quota", `SELECT COUNT(*) FROM (SELECT account_id FROM instance_profiles GROUP BY account_id HAVING COUNT(*) > ` + strconv.Itoa(store.MaxInstanceProfilesPerAccount) + `) t`},
		{"instance profiles with more than one role", `SELECT COUNT(*) FROM (SELECT profile_id FROM instance_profile_roles GROUP BY profile_id HAVING COUNT(*) > ` + strconv.Itoa(store.MaxRolesPerInstanceProfile) + `) t`},
		{"boundaries that are missing customer managed policies", `SELECT COUNT(*) FROM users u WHERE u.permissions_boundary <> '' AND u.permissions_boundary NOT LIKE 'arn:aws:iam::aws:%' AND NOT EXISTS (SELECT 1 FROM managed_policies p WHERE p.arn = u.permissions_boundary)`},
		{"policies without their default version", `SELECT COUNT(*) FROM managed_policies p WHERE NOT EXISTS (SELECT 1 FROM policy_versions v WHERE v.policy_id = p.id AND v.version = p.default_version)`},
		{"policies with more than 5 versions", `SELECT COUNT(*) FROM (SELECT policy_id FROM policy_versions GROUP BY policy_id HAVING COUNT(*) > ` + strconv.Itoa(store.MaxPolicyVersions) + `) t`},
		{"versions without their policy", `SELECT COUNT(*) FROM policy_versions v WHERE NOT EXISTS (SELECT 1 FROM managed_policies p WHERE p.id = v.policy_id)`},
		{"users without their account", `SELECT COUNT(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = u.account_id)`},
		{"credential reports without their account", `SELECT COUNT(*) FROM credential_reports r WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = r.account_id)`},
		{"account aliases without their account", `SELECT COUNT(*) FROM account_aliases l WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = l.account_id)`},
		{"login profiles without their user", `SELECT COUNT(*) FROM login_profiles p WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p.user_id AND u.account_id = p.account_id)`},
		{"password history without a login profile", `SELECT COUNT(*) FROM password_history h WHERE NOT EXISTS (SELECT 1 FROM login_profiles p WHERE p.user_id = h.user_id)`},
		{"accounts with more than one alias", `SELECT COUNT(*) FROM (SELECT account_id FROM account_aliases GROUP BY account_id HAVING COUNT(*) > 1) t`},
		{"OpenID Connect providers without their account", `SELECT COUNT(*) FROM oidc_providers p WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = p.account_id)`},
		{"accounts over their OpenID Connect provider quota", `SELECT COUNT(*) FROM (SELECT account_id FROM oidc_providers GROUP BY account_id HAVING COUNT(*) > ` + strconv.Itoa(store.MaxOpenIDConnectProvidersPerAccount) + `) t`},
	}
	for _, c := range checks {
		var n int
		if err := s.read.QueryRowContext(ctx, c.query).Scan(&n); err != nil {
			return fmt.Errorf("check %s: %w", c.what, err)
		}
		if n != 0 {
			return fmt.Errorf("integrity: %d %s", n, c.what)
		}
	}
	return s.checkOIDCProviders(ctx)
}
