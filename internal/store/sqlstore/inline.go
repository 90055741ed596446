package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/latchkey/latchkey/internal/store"
)

// querier is what *sql.DB and *txn have in common.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// entity resolves the user or group named name to its id and stored name
// (locking it inside a write transaction).
func (s *Store) entity(ctx context.Context, q querier, accountID string, kind store.EntityKind, name string, lock bool) (id, stored string, err error) {
	switch kind {
	case store.KindUser:
		u, err := s.getUser(ctx, q, accountID, name, lock)
		return u.ID, u.Name, err
	case store.KindGroup:
		g, err := s.getGroup(ctx, q, accountID, name, lock)
		return g.ID, g.Name, err
	case store.KindRole:
		r, err := s.getRole(ctx, q, accountID, name, lock)
		return r.ID, r.Name, err
	}
	return "", "", fmt.Errorf("unknown entity kind %q", kind)
}

func inlineEntity(kind store.EntityKind) store.Entity {
	switch kind {
	case store.KindGroup:
		return store.EntityGroupPolicy
	case store.KindRole:
		return store.EntityRolePolicy
	}
	return store.EntityUserPolicy
}

// inlineQuota is the aggregate size quota of an entity kind's inline policies.
func inlineQuota(kind store.EntityKind) (name string, max int) {
	switch kind {
	case store.KindGroup:
		return "GroupPolicySize", store.MaxGroupInlinePolicySize
	case store.KindRole:
		return "RolePolicySize", store.MaxRoleInlinePolicySize
	}
	return "UserPolicySize", store.MaxUserInlinePolicySize
}

// PutInlinePolicy implements store.InlinePolicies. The quota is checked on
// the sizes stored in the same transaction that writes.
func (s *Store) PutInlinePolicy(ctx context.Context, accountID string, kind store.EntityKind, p store.InlinePolicy) error {
	quota, max := inlineQuota(kind)
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePolicyChanged, accountID, string(kind)+"/"+p.Owner)
		id, owner, err := s.entity(ctx, tx, accountID, kind, p.Owner, true)
		if err != nil {
			return err
		}
		var others int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(size), 0) FROM inline_policies WHERE owner_kind = ? AND owner_id = ? AND name_key <> ?`),
			string(kind), id, nameKey(p.Name)).Scan(&others); err != nil {
			return err
		}
		if others+p.Size > max {
			return &store.LimitError{Quota: quota, Max: max, Owner: owner}
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM inline_policies WHERE owner_kind = ? AND owner_id = ? AND name_key = ?`), string(kind), id, nameKey(p.Name)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO inline_policies (owner_kind, owner_id, name, name_key, document, size) VALUES (?, ?, ?, ?, ?, ?)`),
			string(kind), id, p.Name, nameKey(p.Name), p.Document, p.Size)
		return err
	})
}

// GetInlinePolicy implements store.InlinePolicies.
func (s *Store) GetInlinePolicy(ctx context.Context, accountID string, kind store.EntityKind, owner, name string) (store.InlinePolicy, error) {
	id, stored, err := s.entity(ctx, s.read, accountID, kind, owner, false)
	if err != nil {
		return store.InlinePolicy{}, err
	}
	p := store.InlinePolicy{Owner: stored}
	err = s.read.QueryRowContext(ctx, s.q(`SELECT name, document, size FROM inline_policies WHERE owner_kind = ? AND owner_id = ? AND name_key = ?`),
		string(kind), id, nameKey(name)).Scan(&p.Name, &p.Document, &p.Size)
	if errors.Is(err, sql.ErrNoRows) {
		return store.InlinePolicy{}, &store.NotFoundError{Entity: inlineEntity(kind), Name: name}
	}
	return p, err
}

// ListInlinePolicies implements store.InlinePolicies.
func (s *Store) ListInlinePolicies(ctx context.Context, accountID string, kind store.EntityKind, owner string) ([]store.InlinePolicy, error) {
	id, stored, err := s.entity(ctx, s.read, accountID, kind, owner, false)
	if err != nil {
		return nil, err
	}
	return s.inlinePolicies(ctx, s.read, kind, id, stored)
}

func (s *Store) inlinePolicies(ctx context.Context, q querier, kind store.EntityKind, id, owner string) ([]store.InlinePolicy, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT name, document, size FROM inline_policies WHERE owner_kind = ? AND owner_id = ? ORDER BY name_key`), string(kind), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.InlinePolicy
	for rows.Next() {
		p := store.InlinePolicy{Owner: owner}
		if err := rows.Scan(&p.Name, &p.Document, &p.Size); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// DeleteInlinePolicy implements store.InlinePolicies.
func (s *Store) DeleteInlinePolicy(ctx context.Context, accountID string, kind store.EntityKind, owner, name string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePolicyChanged, accountID, string(kind)+"/"+owner)
		id, _, err := s.entity(ctx, tx, accountID, kind, owner, true)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM inline_policies WHERE owner_kind = ? AND owner_id = ? AND name_key = ?`), string(kind), id, nameKey(name))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return &store.NotFoundError{Entity: inlineEntity(kind), Name: name}
		}
		return nil
	})
}
