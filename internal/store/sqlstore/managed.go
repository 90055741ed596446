package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/store"
)

// Version ids are "v" and the version number.
func versionID(n int) string { return "v" + strconv.Itoa(n) }

// policyAndVersion reads a policy and the number of its version id (which
// need not exist); an id not written as AWS writes them names no version.
func (s *Store) policyAndVersion(ctx context.Context, q querier, accountID, policyARN, id string, lock bool) (store.ManagedPolicy, int, error) {
	p, err := s.getPolicy(ctx, q, accountID, policyARN, lock)
	if err != nil {
		return p, 0, err
	}
	n, ok := parseVersionID(id)
	if !ok {
		return p, 0, &store.NotFoundError{Entity: store.EntityPolicyVersion, Name: id}
	}
	return p, n, nil
}

// versionNumber is the number of a version id the store wrote.
func versionNumber(id string) int {
	n, _ := parseVersionID(id)
	return n
}

// parseVersionID reads an id written as AWS writes them, v[1-9][0-9]*;
// anything else ("v01", "v+1", "V1") names no version.
func parseVersionID(id string) (int, bool) {
	digits, ok := strings.CutPrefix(id, "v")
	if !ok || digits == "" || digits[0] == '0' || len(digits) > 9 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

// policyColumns reads a managed policy with its attachment and boundary
// counts (mp is the table's alias).
const policyColumns = `mp.id, mp.account_id, mp.name, mp.path, mp.description, mp.default_version, mp.created_at, mp.updated_at, mp.tags,
	(SELECT COUNT(*) FROM policy_attachments a WHERE a.account_id = mp.account_id AND a.policy_arn = mp.arn),
	(SELECT COUNT(*) FROM users u WHERE u.account_id = mp.account_id AND u.permissions_boundary = mp.arn) +
	(SELECT COUNT(*) FROM roles r WHERE r.account_id = mp.account_id AND r.permissions_boundary = mp.arn)`

func scanPolicy(r rowScanner, extra ...any) (store.ManagedPolicy, error) {
	var p store.ManagedPolicy
	var def int
	var created, updated int64
	var tags string
	if err := r.Scan(append([]any{&p.ID, &p.AccountID, &p.Name, &p.Path, &p.Description, &def, &created, &updated, &tags, &p.AttachmentCount, &p.BoundaryUsageCount}, extra...)...); err != nil {
		return store.ManagedPolicy{}, err
	}
	p.DefaultVersionID = versionID(def)
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	var err error
	p.Tags, err = decodeTags(tags)
	return p, err
}

func (s *Store) getPolicy(ctx context.Context, q querier, accountID, policyARN string, lock bool) (store.ManagedPolicy, error) {
	query := `SELECT ` + policyColumns + ` FROM managed_policies mp WHERE mp.account_id = ? AND mp.arn = ?`
	if lock {
		query += s.d.lockSuffix
	}
	p, err := scanPolicy(q.QueryRowContext(ctx, s.q(query), accountID, policyARN))
	if errors.Is(err, sql.ErrNoRows) {
		return store.ManagedPolicy{}, &store.NotFoundError{Entity: store.EntityManagedPolicy, Name: policyARN}
	}
	return p, err
}

// CreatePolicy implements store.ManagedPolicies.
func (s *Store) CreatePolicy(ctx context.Context, p store.ManagedPolicy, document string) (store.ManagedPolicy, error) {
	tags, err := encodeTags(p.Tags)
	if err != nil {
		return store.ManagedPolicy{}, err
	}
	p.DefaultVersionID, p.UpdatedAt = versionID(1), p.CreatedAt
	p.AttachmentCount, p.BoundaryUsageCount = 0, 0
	err = s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePolicyChanged, p.AccountID, arn.Policy(p.AccountID, p.Path, p.Name))
		if err := s.accountQuota(ctx, tx, p.AccountID, "managed_policies", "PoliciesPerAccount", store.MaxPoliciesPerAccount); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO managed_policies (id, account_id, arn, name, name_key, path, description, default_version, next_version, created_at, updated_at, tags) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 2, ?, ?, ?)`),
			p.ID, p.AccountID, arn.Policy(p.AccountID, p.Path, p.Name), p.Name, nameKey(p.Name), p.Path, p.Description, millis(p.CreatedAt), millis(p.CreatedAt), tags)
		if err != nil {
			if s.d.isUniqueViolation(err) {
				return fmt.Errorf("policy %s: %w", p.Name, store.ErrAlreadyExists)
			}
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO policy_versions (policy_id, version, document, created_at) VALUES (?, 1, ?, ?)`), p.ID, document, millis(p.CreatedAt))
		return err
	})
	if err != nil {
		return store.ManagedPolicy{}, err
	}
	return p, nil
}

// GetPolicy implements store.ManagedPolicies.
func (s *Store) GetPolicy(ctx context.Context, accountID, policyARN string) (store.ManagedPolicy, error) {
	return s.getPolicy(ctx, s.read, accountID, policyARN, false)
}

// ListPolicies implements store.ManagedPolicies.
func (s *Store) ListPolicies(ctx context.Context, accountID string, f store.PolicyFilter, p store.Page) ([]store.ManagedPolicy, string, bool, error) {
	query, args := pageQuery(`SELECT `+policyColumns+`, mp.name_key FROM managed_policies mp`, "mp.", accountID, f.PathPrefix, p)
	rows, err := s.read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, "", false, err
	}
	return scanPage(rows, p.Limit, func(r *sql.Rows) (mp store.ManagedPolicy, key string, err error) {
		mp, err = scanPolicy(r, &key)
		return mp, key, err
	})
}

// UpdatePolicy implements store.ManagedPolicies.
func (s *Store) UpdatePolicy(ctx context.Context, accountID, policyARN string, update func(store.ManagedPolicy) (store.ManagedPolicy, error)) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePolicyChanged, accountID, policyARN)
		old, err := s.getPolicy(ctx, tx, accountID, policyARN, true)
		if err != nil {
			return err
		}
		np, err := update(old)
		if err != nil {
			return err
		}
		tags, err := encodeTags(np.Tags)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE managed_policies SET tags = ? WHERE id = ?`), tags, old.ID)
		return err
	})
}

// DeletePolicy implements store.ManagedPolicies.
func (s *Store) DeletePolicy(ctx context.Context, accountID, policyARN string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePolicyChanged, accountID, policyARN)
		if _, err := s.getPolicy(ctx, tx, accountID, policyARN, true); err != nil {
			return err
		}
		// Counted again once the row is locked: a statement that waited for
		// the lock (PostgreSQL, READ COMMITTED) counted from its own older
		// snapshot, which may miss an attachment just committed.
		p, err := s.getPolicy(ctx, tx, accountID, policyARN, false)
		if err != nil {
			return err
		}
		if p.AttachmentCount > 0 || p.BoundaryUsageCount > 0 {
			return &store.ConflictError{Entity: store.EntityManagedPolicy, Dependent: store.EntityAttachment}
		}
		var versions int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM policy_versions WHERE policy_id = ?`), p.ID).Scan(&versions); err != nil {
			return err
		}
		if versions > 1 {
			return &store.ConflictError{Entity: store.EntityManagedPolicy, Dependent: store.EntityPolicyVersion}
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM policy_versions WHERE policy_id = ?`), p.ID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM managed_policies WHERE id = ?`), p.ID)
		return err
	})
}

// CreatePolicyVersion implements store.ManagedPolicies.
func (s *Store) CreatePolicyVersion(ctx context.Context, accountID, policyARN, document string, setDefault bool, at time.Time) (store.PolicyVersion, error) {
	var v store.PolicyVersion
	err := s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePolicyChanged, accountID, policyARN)
		p, err := s.getPolicy(ctx, tx, accountID, policyARN, true)
		if err != nil {
			return err
		}
		var n, next int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*), (SELECT next_version FROM managed_policies WHERE id = ?) FROM policy_versions WHERE policy_id = ?`), p.ID, p.ID).Scan(&n, &next); err != nil {
			return err
		}
		if n >= store.MaxPolicyVersions {
			return &store.LimitError{Quota: "VersionsPerPolicy", Max: store.MaxPolicyVersions, Owner: policyARN}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO policy_versions (policy_id, version, document, created_at) VALUES (?, ?, ?, ?)`), p.ID, next, document, millis(at)); err != nil {
			return err
		}
		def := versionNumber(p.DefaultVersionID)
		if setDefault {
			def = next
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE managed_policies SET next_version = ?, default_version = ?, updated_at = ? WHERE id = ?`), next+1, def, millis(at), p.ID)
		v = store.PolicyVersion{VersionID: versionID(next), Document: document, IsDefault: setDefault, CreatedAt: at}
		return err
	})
	return v, err
}

// GetPolicyVersion implements store.ManagedPolicies.
func (s *Store) GetPolicyVersion(ctx context.Context, accountID, policyARN, id string) (store.PolicyVersion, error) {
	var v store.PolicyVersion
	err := s.readTx(ctx, func(tx *txn) error {
		p, n, err := s.policyAndVersion(ctx, tx, accountID, policyARN, id, false)
		if err != nil {
			return err
		}
		var ms int64
		err = tx.QueryRowContext(ctx, s.q(`SELECT document, created_at FROM policy_versions WHERE policy_id = ? AND version = ?`), p.ID, n).Scan(&v.Document, &ms)
		if errors.Is(err, sql.ErrNoRows) {
			return &store.NotFoundError{Entity: store.EntityPolicyVersion, Name: id}
		}
		v.VersionID, v.IsDefault, v.CreatedAt = versionID(n), p.DefaultVersionID == versionID(n), fromMillis(ms)
		return err
	})
	return v, err
}

// ListPolicyVersions implements store.ManagedPolicies.
func (s *Store) ListPolicyVersions(ctx context.Context, accountID, policyARN string) ([]store.PolicyVersion, error) {
	var out []store.PolicyVersion
	err := s.readTx(ctx, func(tx *txn) error {
		p, err := s.getPolicy(ctx, tx, accountID, policyARN, false)
		if err != nil {
			return err
		}
		out, err = s.policyVersions(ctx, tx, p)
		return err
	})
	return out, err
}

func (s *Store) policyVersions(ctx context.Context, q querier, p store.ManagedPolicy) ([]store.PolicyVersion, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT version, document, created_at FROM policy_versions WHERE policy_id = ? ORDER BY version DESC`), p.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PolicyVersion
	for rows.Next() {
		var n int
		var ms int64
		var v store.PolicyVersion
		if err := rows.Scan(&n, &v.Document, &ms); err != nil {
			return nil, err
		}
		v.VersionID, v.CreatedAt = versionID(n), fromMillis(ms)
		v.IsDefault = v.VersionID == p.DefaultVersionID
		out = append(out, v)
	}
	return out, rows.Err()
}

// DeletePolicyVersion implements store.ManagedPolicies.
func (s *Store) DeletePolicyVersion(ctx context.Context, accountID, policyARN, id string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePolicyChanged, accountID, policyARN)
		p, n, err := s.policyAndVersion(ctx, tx, accountID, policyARN, id, true)
		if err != nil {
			return err
		}
		if p.DefaultVersionID == versionID(n) {
			return &store.ConflictError{Entity: store.EntityPolicyVersion, Dependent: store.EntityManagedPolicy}
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM policy_versions WHERE policy_id = ? AND version = ?`), p.ID, n)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if k == 0 {
			return &store.NotFoundError{Entity: store.EntityPolicyVersion, Name: id}
		}
		return nil
	})
}

// SetDefaultPolicyVersion implements store.ManagedPolicies.
func (s *Store) SetDefaultPolicyVersion(ctx context.Context, accountID, policyARN, id string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePolicyChanged, accountID, policyARN)
		p, n, err := s.policyAndVersion(ctx, tx, accountID, policyARN, id, true)
		if err != nil {
			return err
		}
		var exists int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM policy_versions WHERE policy_id = ? AND version = ?`), p.ID, n).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return &store.NotFoundError{Entity: store.EntityPolicyVersion, Name: id}
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE managed_policies SET default_version = ? WHERE id = ?`), n, p.ID)
		return err
	})
}

// policyExists checks inside tx that a customer managed policy exists in
// the account; AWS managed policies are the caller's to check.
func (s *Store) policyExists(ctx context.Context, tx *txn, accountID, policyARN string) error {
	if policyARN == "" || arn.IsAWSManagedPolicy(policyARN) {
		return nil
	}
	// The policy's row is locked, as DeletePolicy locks it, so a policy
	// cannot be deleted while it is being attached or set as a boundary.
	var id string
	err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM managed_policies WHERE account_id = ? AND arn = ?`+s.d.lockSuffix), accountID, policyARN).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return &store.NotFoundError{Entity: store.EntityManagedPolicy, Name: policyARN}
	}
	return err
}

func attachQuota(kind store.EntityKind) (string, int) {
	switch kind {
	case store.KindGroup:
		return "PoliciesPerGroup", store.MaxPoliciesPerGroup
	case store.KindRole:
		return "PoliciesPerRole", store.MaxPoliciesPerRole
	}
	return "PoliciesPerUser", store.MaxPoliciesPerUser
}

// AttachPolicy implements store.ManagedPolicies.
func (s *Store) AttachPolicy(ctx context.Context, accountID string, kind store.EntityKind, owner string, p store.AttachedPolicy) error {
	quota, max := attachQuota(kind)
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePolicyChanged, accountID, string(kind)+"/"+owner)
		id, stored, err := s.entity(ctx, tx, accountID, kind, owner, true)
		if err != nil {
			return err
		}
		if err := s.policyExists(ctx, tx, accountID, p.PolicyARN); err != nil {
			return err
		}
		var already, n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM policy_attachments WHERE owner_kind = ? AND owner_id = ? AND policy_arn = ?`), string(kind), id, p.PolicyARN).Scan(&already); err != nil {
			return err
		}
		if already > 0 {
			return nil
		}
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM policy_attachments WHERE owner_kind = ? AND owner_id = ?`), string(kind), id).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return &store.LimitError{Quota: quota, Max: max, Owner: stored}
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO policy_attachments (account_id, owner_kind, owner_id, policy_arn, policy_name, policy_path) VALUES (?, ?, ?, ?, ?, ?)`),
			accountID, string(kind), id, p.PolicyARN, p.PolicyName, p.PolicyPath)
		return err
	})
}

// DetachPolicy implements store.ManagedPolicies.
func (s *Store) DetachPolicy(ctx context.Context, accountID string, kind store.EntityKind, owner, policyARN string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePolicyChanged, accountID, string(kind)+"/"+owner)
		id, _, err := s.entity(ctx, tx, accountID, kind, owner, true)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM policy_attachments WHERE owner_kind = ? AND owner_id = ? AND policy_arn = ?`), string(kind), id, policyARN)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return &store.NotFoundError{Entity: store.EntityAttachment, Name: policyARN}
		}
		return nil
	})
}

// ListAttachedPolicies implements store.ManagedPolicies.
func (s *Store) ListAttachedPolicies(ctx context.Context, accountID string, kind store.EntityKind, owner string) ([]store.AttachedPolicy, error) {
	var out []store.AttachedPolicy
	err := s.readTx(ctx, func(tx *txn) error {
		id, _, err := s.entity(ctx, tx, accountID, kind, owner, false)
		if err != nil {
			return err
		}
		docs, err := s.attachedDocuments(ctx, tx, kind, id)
		for _, d := range docs {
			out = append(out, d.AttachedPolicy)
		}
		return err
	})
	return out, err
}

// ListEntitiesForPolicy implements store.ManagedPolicies.
func (s *Store) ListEntitiesForPolicy(ctx context.Context, accountID, policyARN string, boundary bool) ([]store.PolicyEntity, error) {
	query := `SELECT 'group', g.id, g.name, g.path, g.name_key FROM policy_attachments a JOIN iam_groups g ON g.id = a.owner_id WHERE a.owner_kind = 'group' AND a.account_id = ? AND a.policy_arn = ?
		UNION ALL SELECT 'role', r.id, r.name, r.path, r.name_key FROM policy_attachments a JOIN roles r ON r.id = a.owner_id WHERE a.owner_kind = 'role' AND a.account_id = ? AND a.policy_arn = ?
		UNION ALL SELECT 'user', u.id, u.name, u.path, u.name_key FROM policy_attachments a JOIN users u ON u.id = a.owner_id WHERE a.owner_kind = 'user' AND a.account_id = ? AND a.policy_arn = ?
		ORDER BY 1, 5`
	args := []any{accountID, policyARN, accountID, policyARN, accountID, policyARN}
	if boundary {
		query = `SELECT 'role', id, name, path, name_key FROM roles WHERE account_id = ? AND permissions_boundary = ?
			UNION ALL SELECT 'user', id, name, path, name_key FROM users WHERE account_id = ? AND permissions_boundary = ? ORDER BY 1, 5`
		args = []any{accountID, policyARN, accountID, policyARN}
	}
	rows, err := s.read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PolicyEntity
	for rows.Next() {
		var e store.PolicyEntity
		var kind, key string
		if err := rows.Scan(&kind, &e.ID, &e.Name, &e.Path, &key); err != nil {
			return nil, err
		}
		e.Kind = store.EntityKind(kind)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AttachmentCounts implements store.ManagedPolicies.
func (s *Store) AttachmentCounts(ctx context.Context, accountID string) (attached, bounds map[string]int, err error) {
	attached, bounds = map[string]int{}, map[string]int{}
	err = s.readTx(ctx, func(tx *txn) error {
		for _, c := range []struct {
			into  map[string]int
			query string
		}{
			{attached, `SELECT policy_arn, COUNT(*) FROM policy_attachments WHERE account_id = ? AND policy_arn LIKE 'arn:aws:iam::aws:%' GROUP BY policy_arn`},
			{bounds, `SELECT b, COUNT(*) FROM (SELECT permissions_boundary AS b FROM users WHERE account_id = ? AND permissions_boundary LIKE 'arn:aws:iam::aws:%' UNION ALL SELECT permissions_boundary FROM roles WHERE account_id = ? AND permissions_boundary LIKE 'arn:aws:iam::aws:%') t GROUP BY b`},
		} {
			args := make([]any, strings.Count(c.query, "?"))
			for i := range args {
				args[i] = accountID
			}
			rows, err := tx.QueryContext(ctx, s.q(c.query), args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var a string
				var n int
				if err := rows.Scan(&a, &n); err != nil {
					rows.Close()
					return err
				}
				c.into[a] = n
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return attached, bounds, err
}

// SetUserPermissionsBoundary implements store.ManagedPolicies.
func (s *Store) SetUserPermissionsBoundary(ctx context.Context, accountID, userName, policyARN string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePolicyChanged, accountID, "user/"+userName)
		u, err := s.getUser(ctx, tx, accountID, userName, true)
		if err != nil {
			return err
		}
		if err := s.policyExists(ctx, tx, accountID, policyARN); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE users SET permissions_boundary = ? WHERE id = ?`), policyARN, u.ID)
		return err
	})
}
