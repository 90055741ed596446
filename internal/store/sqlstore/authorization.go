package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/store"
)

// UserPolicySet implements store.Authorization, reading in one snapshot.
func (s *Store) UserPolicySet(ctx context.Context, accountID, userID string) (store.PolicySet, error) {
	set := store.PolicySet{Kind: store.KindUser}
	err := s.readTx(ctx, func(tx *txn) error {
		u, err := scanUser(tx.QueryRowContext(ctx, s.q(`SELECT `+userColumns+` FROM users WHERE account_id = ? AND id = ?`), accountID, userID))
		if errors.Is(err, sql.ErrNoRows) {
			return &store.NotFoundError{Entity: store.EntityUser, Name: userID}
		}
		if err != nil {
			return err
		}
		set.User = u
		if set.Inline, err = s.inlinePolicies(ctx, tx, store.KindUser, u.ID, u.Name); err != nil {
			return err
		}
		if set.Attached, err = s.attachedDocuments(ctx, tx, store.KindUser, u.ID); err != nil {
			return err
		}
		groups, err := s.groupsOf(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		for _, g := range groups {
			gs := store.GroupPolicySet{Group: g}
			if gs.Inline, err = s.inlinePolicies(ctx, tx, store.KindGroup, g.ID, g.Name); err != nil {
				return err
			}
			if gs.Attached, err = s.attachedDocuments(ctx, tx, store.KindGroup, g.ID); err != nil {
				return err
			}
			set.Groups = append(set.Groups, gs)
		}
		if u.PermissionsBoundary != "" {
			b, err := s.policyDocument(ctx, tx, accountID, u.PermissionsBoundary)
			if err != nil {
				return err
			}
			set.Boundary = &b
		}
		var allow int
		err = tx.QueryRowContext(ctx, s.q(`SELECT allow_users_to_change FROM password_policies WHERE account_id = ?`), accountID).Scan(&allow)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		set.UsersChangePasswords = allow != 0
		return nil
	})
	return set, err
}

// GroupPolicySet implements store.Authorization.
func (s *Store) GroupPolicySet(ctx context.Context, accountID, name string) (store.PolicySet, error) {
	set := store.PolicySet{Kind: store.KindGroup}
	err := s.readTx(ctx, func(tx *txn) error {
		g, err := s.getGroup(ctx, tx, accountID, name, false)
		if err != nil {
			return err
		}
		set.Group = g
		if set.Inline, err = s.inlinePolicies(ctx, tx, store.KindGroup, g.ID, g.Name); err != nil {
			return err
		}
		set.Attached, err = s.attachedDocuments(ctx, tx, store.KindGroup, g.ID)
		return err
	})
	return set, err
}

// RolePolicySet implements store.Authorization.
func (s *Store) RolePolicySet(ctx context.Context, accountID, name string) (store.PolicySet, error) {
	set := store.PolicySet{Kind: store.KindRole}
	err := s.readTx(ctx, func(tx *txn) error {
		r, err := s.getRole(ctx, tx, accountID, name, false)
		if err != nil {
			return err
		}
		set.Role = r
		if set.Inline, err = s.inlinePolicies(ctx, tx, store.KindRole, r.ID, r.Name); err != nil {
			return err
		}
		if set.Attached, err = s.attachedDocuments(ctx, tx, store.KindRole, r.ID); err != nil {
			return err
		}
		if r.PermissionsBoundary != "" {
			b, err := s.policyDocument(ctx, tx, accountID, r.PermissionsBoundary)
			if err != nil {
				return err
			}
			set.Boundary = &b
		}
		return nil
	})
	return set, err
}

// SessionPolicies implements store.Authorization.
func (s *Store) SessionPolicies(ctx context.Context, accountID string, policyARNs []string) ([]store.PolicyDocument, error) {
	var out []store.PolicyDocument
	err := s.readTx(ctx, func(tx *txn) error {
		out = out[:0]
		for _, a := range policyARNs {
			if a2, _, _, ok := arn.ParsePolicy(a); !ok || a2 != accountID && !arn.IsAWSManagedPolicy(a) {
				continue
			}
			var exists bool
			if !arn.IsAWSManagedPolicy(a) {
				if err := tx.QueryRowContext(ctx, s.q(`SELECT EXISTS (SELECT 1 FROM managed_policies WHERE account_id = ? AND arn = ?)`), accountID, a).Scan(&exists); err != nil {
					return err
				}
				if !exists {
					continue
				}
			}
			d, err := s.policyDocument(ctx, tx, accountID, a)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// attachedDocuments reads an entity's attached policies with their default
// versions, ordered by name ignoring case. A customer managed policy whose
// row or default version is missing is an integrity failure, never a
// policy silently left out.
func (s *Store) attachedDocuments(ctx context.Context, q querier, kind store.EntityKind, ownerID string) ([]store.PolicyDocument, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT a.policy_arn, a.policy_name, a.policy_path, COALESCE(mp.id, ''), COALESCE(mp.default_version, 0), COALESCE(v.document, ''), v.policy_id IS NOT NULL
		FROM policy_attachments a
		LEFT JOIN managed_policies mp ON mp.account_id = a.account_id AND mp.arn = a.policy_arn
		LEFT JOIN policy_versions v ON v.policy_id = mp.id AND v.version = mp.default_version
		WHERE a.owner_kind = ? AND a.owner_id = ? ORDER BY lower(a.policy_name), a.policy_arn`), string(kind), ownerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PolicyDocument
	for rows.Next() {
		var d store.PolicyDocument
		var version int
		var found bool
		if err := rows.Scan(&d.PolicyARN, &d.PolicyName, &d.PolicyPath, &d.PolicyID, &version, &d.Document, &found); err != nil {
			return nil, err
		}
		if !arn.IsAWSManagedPolicy(d.PolicyARN) {
			if !found {
				return nil, fmt.Errorf("integrity: %s %s has %s attached, which has no default version", kind, ownerID, d.PolicyARN)
			}
			d.VersionID = versionID(version)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// policyDocument reads one managed policy's default version (AWS managed:
// the reference alone).
func (s *Store) policyDocument(ctx context.Context, q querier, accountID, policyARN string) (store.PolicyDocument, error) {
	d := store.PolicyDocument{AttachedPolicy: store.AttachedPolicy{PolicyARN: policyARN}}
	_, path, name, ok := arn.ParsePolicy(policyARN)
	if !ok {
		return d, fmt.Errorf("integrity: %q is not a policy ARN", policyARN)
	}
	d.PolicyName, d.PolicyPath = name, path
	if arn.IsAWSManagedPolicy(policyARN) {
		return d, nil
	}
	var version int
	err := q.QueryRowContext(ctx, s.q(`SELECT mp.id, mp.default_version, v.document FROM managed_policies mp JOIN policy_versions v ON v.policy_id = mp.id AND v.version = mp.default_version WHERE mp.account_id = ? AND mp.arn = ?`),
		accountID, policyARN).Scan(&d.PolicyID, &version, &d.Document)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("integrity: policy %s is referenced but has no default version", policyARN)
	}
	d.VersionID = versionID(version)
	return d, err
}
