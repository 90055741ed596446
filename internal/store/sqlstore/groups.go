package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/latchkey/latchkey/internal/store"
)

const groupColumns = `id, account_id, name, path, created_at`

func scanGroup(r rowScanner, extra ...any) (store.Group, error) {
	var g store.Group
	var ms int64
	if err := r.Scan(append([]any{&g.ID, &g.AccountID, &g.Name, &g.Path, &ms}, extra...)...); err != nil {
		return store.Group{}, err
	}
	g.CreatedAt = fromMillis(ms)
	return g, nil
}

func (s *Store) getGroup(ctx context.Context, q querier, accountID, name string, lock bool) (store.Group, error) {
	query := `SELECT ` + groupColumns + ` FROM iam_groups WHERE account_id = ? AND name_key = ?`
	if lock {
		query += s.d.lockSuffix
	}
	g, err := scanGroup(q.QueryRowContext(ctx, s.q(query), accountID, nameKey(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Group{}, &store.NotFoundError{Entity: store.EntityGroup, Name: name}
	}
	return g, err
}

// CreateGroup implements store.Groups.
func (s *Store) CreateGroup(ctx context.Context, g store.Group) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeGroupCreated, g.AccountID, g.Name)
		if err := s.accountQuota(ctx, tx, g.AccountID, "iam_groups", "GroupsPerAccount", store.MaxGroupsPerAccount); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO iam_groups (id, account_id, name, name_key, path, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
			g.ID, g.AccountID, g.Name, nameKey(g.Name), g.Path, millis(g.CreatedAt))
		if err != nil && s.d.isUniqueViolation(err) {
			return fmt.Errorf("group %s: %w", g.Name, store.ErrAlreadyExists)
		}
		return err
	})
}

// accountQuota locks the account (lockAccount) and refuses, with a
// *store.LimitError naming quota, one more row of table once the account
// holds max of them.
func (s *Store) accountQuota(ctx context.Context, tx *txn, accountID, table, quota string, max int) error {
	if _, err := s.lockAccount(ctx, tx, accountID); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM `+table+` WHERE account_id = ?`), accountID).Scan(&n); err != nil {
		return err
	}
	if n >= max {
		return &store.LimitError{Quota: quota, Max: max, Owner: accountID}
	}
	return nil
}

// lockAccount checks that the account exists and, inside a write
// transaction, locks its row so account-wide quotas serialize.
func (s *Store) lockAccount(ctx context.Context, tx *txn, accountID string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM accounts WHERE id = ?`+s.d.lockSuffix), accountID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &store.NotFoundError{Entity: store.EntityAccount, Name: accountID}
	}
	return id, err
}

// GetGroup implements store.Groups.
func (s *Store) GetGroup(ctx context.Context, accountID, name string) (store.Group, error) {
	return s.getGroup(ctx, s.read, accountID, name, false)
}

// ListGroups implements store.Groups.
func (s *Store) ListGroups(ctx context.Context, accountID, pathPrefix string, p store.Page) ([]store.Group, string, bool, error) {
	query, args := pageQuery(`SELECT `+groupColumns+`, name_key FROM iam_groups`, "", accountID, pathPrefix, p)
	rows, err := s.read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, "", false, err
	}
	return scanPage(rows, p.Limit, func(r *sql.Rows) (g store.Group, key string, err error) {
		g, err = scanGroup(r, &key)
		return g, key, err
	})
}

// UpdateGroup implements store.Groups.
func (s *Store) UpdateGroup(ctx context.Context, accountID, name string, update func(store.Group) (store.Group, error)) (store.Group, error) {
	var out store.Group
	err := s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeGroupUpdated, accountID, name)
		old, err := s.getGroup(ctx, tx, accountID, name, true)
		if err != nil {
			return err
		}
		ng, err := update(old)
		if err != nil {
			return err
		}
		ng.ID, ng.AccountID, ng.CreatedAt = old.ID, old.AccountID, old.CreatedAt
		_, err = tx.ExecContext(ctx, s.q(`UPDATE iam_groups SET name = ?, name_key = ?, path = ? WHERE id = ?`), ng.Name, nameKey(ng.Name), ng.Path, ng.ID)
		if err != nil && s.d.isUniqueViolation(err) {
			return fmt.Errorf("group %s: %w", ng.Name, store.ErrAlreadyExists)
		}
		out = ng
		return err
	})
	return out, err
}

// DeleteGroup implements store.Groups.
func (s *Store) DeleteGroup(ctx context.Context, accountID, name string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeGroupDeleted, accountID, name)
		g, err := s.getGroup(ctx, tx, accountID, name, true)
		if err != nil {
			return err
		}
		dependents := []struct {
			what  store.Entity
			query string
		}{
			{store.EntityGroupMember, `SELECT COUNT(*) FROM group_members WHERE group_id = ?`},
			{store.EntityGroupPolicy, `SELECT COUNT(*) FROM inline_policies WHERE owner_kind = 'group' AND owner_id = ?`},
			{store.EntityAttachment, `SELECT COUNT(*) FROM policy_attachments WHERE owner_kind = 'group' AND owner_id = ?`},
		}
		for _, d := range dependents {
			var n int
			if err := tx.QueryRowContext(ctx, s.q(d.query), g.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &store.ConflictError{Entity: store.EntityGroup, Dependent: d.what}
			}
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM iam_groups WHERE id = ?`), g.ID)
		return err
	})
}

// AddUserToGroup implements store.Groups.
func (s *Store) AddUserToGroup(ctx context.Context, accountID, groupName, userName string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeGroupMembershipChanged, accountID, userName)
		g, err := s.getGroup(ctx, tx, accountID, groupName, true)
		if err != nil {
			return err
		}
		u, err := s.getUser(ctx, tx, accountID, userName, true)
		if err != nil {
			return err
		}
		var member, n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM group_members WHERE group_id = ? AND user_id = ?`), g.ID, u.ID).Scan(&member); err != nil {
			return err
		}
		if member > 0 {
			return nil
		}
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM group_members WHERE user_id = ?`), u.ID).Scan(&n); err != nil {
			return err
		}
		if n >= store.MaxGroupsPerUser {
			return &store.LimitError{Quota: "GroupsPerUser", Max: store.MaxGroupsPerUser, Owner: u.Name}
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO group_members (group_id, user_id) VALUES (?, ?)`), g.ID, u.ID)
		return err
	})
}

// RemoveUserFromGroup implements store.Groups.
func (s *Store) RemoveUserFromGroup(ctx context.Context, accountID, groupName, userName string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeGroupMembershipChanged, accountID, userName)
		g, err := s.getGroup(ctx, tx, accountID, groupName, true)
		if err != nil {
			return err
		}
		u, err := s.getUser(ctx, tx, accountID, userName, true)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM group_members WHERE group_id = ? AND user_id = ?`), g.ID, u.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return &store.NotFoundError{Entity: store.EntityGroupMember, Name: u.Name}
		}
		return nil
	})
}

// ListGroupMembers implements store.Groups: the group and its page of
// users are read in one snapshot.
func (s *Store) ListGroupMembers(ctx context.Context, accountID, groupName string, p store.Page) (g store.Group, users []store.User, last string, more bool, err error) {
	err = s.readTx(ctx, func(tx *txn) error {
		if g, err = s.getGroup(ctx, tx, accountID, groupName, false); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT u.id, u.account_id, u.name, u.path, u.created_at, u.tags, u.permissions_boundary, u.password_last_used, u.name_key FROM users u JOIN group_members m ON m.user_id = u.id WHERE m.group_id = ? AND u.name_key > ? ORDER BY u.name_key LIMIT ?`),
			g.ID, p.After, p.Limit+1)
		if err != nil {
			return err
		}
		users, last, more, err = scanPage(rows, p.Limit, func(r *sql.Rows) (u store.User, key string, err error) {
			u, err = scanUser(r, &key)
			return u, key, err
		})
		return err
	})
	return g, users, last, more, err
}

// ListGroupsForUser implements store.Groups.
func (s *Store) ListGroupsForUser(ctx context.Context, accountID, userName string) ([]store.Group, error) {
	var groups []store.Group
	err := s.readTx(ctx, func(tx *txn) error {
		u, err := s.getUser(ctx, tx, accountID, userName, false)
		if err != nil {
			return err
		}
		groups, err = s.groupsOf(ctx, tx, u.ID)
		return err
	})
	return groups, err
}

func (s *Store) groupsOf(ctx context.Context, q querier, userID string) ([]store.Group, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT g.id, g.account_id, g.name, g.path, g.created_at FROM iam_groups g JOIN group_members m ON m.group_id = g.id WHERE m.user_id = ? ORDER BY g.name_key`), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// readTx runs fn in a read transaction, so its reads see one snapshot.
func (s *Store) readTx(ctx context.Context, fn func(*txn) error) error {
	tx, err := s.read.BeginTx(ctx, s.d.readTx)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(&txn{Tx: tx})
}
