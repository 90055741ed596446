package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"iter"

	"github.com/latchkey/latchkey/internal/store"
)

// BulkUser is one user to bulk-load, with its access keys (at most
// store.MaxAccessKeys). Secrets must already be sealed by the caller, as
// for CreateAccessKey: the store never sees a plaintext secret.
type BulkUser struct {
	User store.User
	Keys []store.AccessKey
}

// DefaultBulkBatch is how many users BulkLoad commits per transaction.
const DefaultBulkBatch = 20_000

// BulkLoad inserts users and their keys directly through SQL, many per
// transaction (batch users each; <= 0 means DefaultBulkBatch). It exists to
// fill a data dir with millions of entities in minutes (benchmarks, imports),
// which the API, one durable transaction per call, cannot do.
//
// It bypasses HTTP, the API and its validation, authorization, audit and
// key cache: run it only on a data dir no server is using. It still keeps
// the store's invariants: the account must exist, user names are unique per
// account ignoring case (store.ErrAlreadyExists), a user holds at most
// store.MaxAccessKeys keys (store.ErrLimitExceeded), and each key belongs to
// its user's account. Each batch is atomic and durable; batches committed
// before an error stay. It returns how many users and keys were committed.
func (s *Store) BulkLoad(ctx context.Context, users iter.Seq[BulkUser], batch int) (nUsers, nKeys int, err error) {
	if batch <= 0 {
		batch = DefaultBulkBatch
	}
	next, stop := iter.Pull(users)
	defer stop()
	for {
		var u, k int
		done := false
		err := s.tx(ctx, func(tx *txn) error {
			tx.changed(store.ChangeStore, "", "bulk load")
			insUser, err := tx.PrepareContext(ctx, s.q(`INSERT INTO users (id, account_id, name, name_key, path, created_at, tags) VALUES (?, ?, ?, ?, ?, ?, ?)`))
			if err != nil {
				return err
			}
			defer insUser.Close()
			insKey, err := tx.PrepareContext(ctx, s.q(`INSERT INTO access_keys (id, account_id, user_id, status, created_at, secret_ciphertext, master_key_id) VALUES (?, ?, ?, ?, ?, ?, ?)`))
			if err != nil {
				return err
			}
			defer insKey.Close()
			for u < batch {
				bu, ok := next()
				if !ok {
					done = true
					return nil
				}
				if err := s.bulkInsert(ctx, insUser, insKey, bu); err != nil {
					return err
				}
				u++
				k += len(bu.Keys)
			}
			return ctx.Err()
		})
		if err != nil {
			return nUsers, nKeys, fmt.Errorf("bulk load after %d users: %w", nUsers, err)
		}
		nUsers += u
		nKeys += k
		if done {
			return nUsers, nKeys, nil
		}
	}
}

func (s *Store) bulkInsert(ctx context.Context, insUser, insKey *sql.Stmt, bu BulkUser) error {
	usr := bu.User
	if len(bu.Keys) > store.MaxAccessKeys {
		return fmt.Errorf("user %s with %d keys: %w", usr.Name, len(bu.Keys), store.ErrLimitExceeded)
	}
	tags, err := encodeTags(usr.Tags)
	if err != nil {
		return err
	}
	if _, err := insUser.ExecContext(ctx, usr.ID, usr.AccountID, usr.Name, nameKey(usr.Name), pathOrRoot(usr.Path), millis(usr.CreatedAt), tags); err != nil {
		if s.d.isUniqueViolation(err) {
			return fmt.Errorf("user %s: %w", usr.Name, store.ErrAlreadyExists)
		}
		return fmt.Errorf("user %s: %w", usr.Name, err)
	}
	for _, k := range bu.Keys {
		status := k.Status
		if status == "" {
			status = store.StatusActive
		}
		if _, err := insKey.ExecContext(ctx, k.ID, usr.AccountID, usr.ID, status, millis(k.CreatedAt), k.SecretCiphertext, k.MasterKeyID); err != nil {
			if s.d.isUniqueViolation(err) {
				return fmt.Errorf("access key %s: %w", k.ID, store.ErrAlreadyExists)
			}
			return fmt.Errorf("access key %s: %w", k.ID, err)
		}
	}
	return nil
}

func pathOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}
