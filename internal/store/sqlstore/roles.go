package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/latchkey/latchkey/internal/store"
)

const roleColumns = `r.id, r.account_id, r.name, r.path, r.description, r.assume_role_policy, r.max_session_duration, r.created_at, r.tags, r.permissions_boundary, r.last_used_at, r.last_used_region`

func scanRole(row rowScanner, extra ...any) (store.Role, error) {
	var r store.Role
	var ms int64
	var tags, usedRegion string
	var usedAt sql.NullInt64
	if err := row.Scan(append([]any{&r.ID, &r.AccountID, &r.Name, &r.Path, &r.Description, &r.AssumeRolePolicy, &r.MaxSessionDuration, &ms, &tags, &r.PermissionsBoundary, &usedAt, &usedRegion}, extra...)...); err != nil {
		return store.Role{}, err
	}
	r.CreatedAt = fromMillis(ms)
	if usedAt.Valid {
		r.LastUsed = &store.LastUsed{Time: fromMillis(usedAt.Int64), Region: usedRegion}
	}
	var err error
	r.Tags, err = decodeTags(tags)
	return r, err
}

func (s *Store) getRole(ctx context.Context, q querier, accountID, name string, lock bool) (store.Role, error) {
	query := `SELECT ` + roleColumns + ` FROM roles r WHERE r.account_id = ? AND r.name_key = ?`
	if lock {
		query += s.d.lockSuffix
	}
	r, err := scanRole(q.QueryRowContext(ctx, s.q(query), accountID, nameKey(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Role{}, &store.NotFoundError{Entity: store.EntityRole, Name: name}
	}
	return r, err
}

// CreateRole implements store.Roles.
func (s *Store) CreateRole(ctx context.Context, r store.Role) error {
	tags, err := encodeTags(r.Tags)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeRoleCreated, r.AccountID, r.Name)
		if err := s.accountQuota(ctx, tx, r.AccountID, "roles", "RolesPerAccount", store.MaxRolesPerAccount); err != nil {
			return err
		}
		if err := s.policyExists(ctx, tx, r.AccountID, r.PermissionsBoundary); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO roles (id, account_id, name, name_key, path, description, assume_role_policy, max_session_duration, created_at, tags, permissions_boundary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			r.ID, r.AccountID, r.Name, nameKey(r.Name), r.Path, r.Description, r.AssumeRolePolicy, r.MaxSessionDuration, millis(r.CreatedAt), tags, r.PermissionsBoundary)
		if err != nil && s.d.isUniqueViolation(err) {
			return fmt.Errorf("role %s: %w", r.Name, store.ErrAlreadyExists)
		}
		return err
	})
}

// GetRole implements store.Roles.
func (s *Store) GetRole(ctx context.Context, accountID, name string) (store.Role, error) {
	return s.getRole(ctx, s.read, accountID, name, false)
}

// ListRoles implements store.Roles.
func (s *Store) ListRoles(ctx context.Context, accountID, pathPrefix string, p store.Page) ([]store.Role, string, bool, error) {
	query, args := pageQuery(`SELECT `+roleColumns+`, r.name_key FROM roles r`, "r.", accountID, pathPrefix, p)
	rows, err := s.read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, "", false, err
	}
	return scanPage(rows, p.Limit, func(row *sql.Rows) (r store.Role, key string, err error) {
		r, err = scanRole(row, &key)
		return r, key, err
	})
}

// UpdateRole implements store.Roles.
func (s *Store) UpdateRole(ctx context.Context, accountID, name string, update func(store.Role) (store.Role, error)) (store.Role, error) {
	var out store.Role
	err := s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeRoleUpdated, accountID, name)
		old, err := s.getRole(ctx, tx, accountID, name, true)
		if err != nil {
			return err
		}
		nr, err := update(old)
		if err != nil {
			return err
		}
		nr.ID, nr.AccountID, nr.Name, nr.Path, nr.CreatedAt, nr.PermissionsBoundary = old.ID, old.AccountID, old.Name, old.Path, old.CreatedAt, old.PermissionsBoundary
		tags, err := encodeTags(nr.Tags)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE roles SET description = ?, assume_role_policy = ?, max_session_duration = ?, tags = ? WHERE id = ?`),
			nr.Description, nr.AssumeRolePolicy, nr.MaxSessionDuration, tags, nr.ID)
		out = nr
		return err
	})
	return out, err
}

// DeleteRole implements store.Roles.
func (s *Store) DeleteRole(ctx context.Context, accountID, name string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeRoleDeleted, accountID, name)
		r, err := s.getRole(ctx, tx, accountID, name, true)
		if err != nil {
			return err
		}
		dependents := []struct {
			what  store.Entity
			query string
		}{
			{store.EntityInstanceProfile, `SELECT COUNT(*) FROM instance_profile_roles WHERE role_id = ?`},
			{store.EntityRolePolicy, `SELECT COUNT(*) FROM inline_policies WHERE owner_kind = 'role' AND owner_id = ?`},
			{store.EntityAttachment, `SELECT COUNT(*) FROM policy_attachments WHERE owner_kind = 'role' AND owner_id = ?`},
		}
		for _, d := range dependents {
			var n int
			if err := tx.QueryRowContext(ctx, s.q(d.query), r.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &store.ConflictError{Entity: store.EntityRole, Dependent: d.what}
			}
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM roles WHERE id = ?`), r.ID)
		return err
	})
}

// SetRolePermissionsBoundary implements store.Roles.
func (s *Store) SetRolePermissionsBoundary(ctx context.Context, accountID, roleName, policyARN string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangePolicyChanged, accountID, "role/"+roleName)
		r, err := s.getRole(ctx, tx, accountID, roleName, true)
		if err != nil {
			return err
		}
		if err := s.policyExists(ctx, tx, accountID, policyARN); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE roles SET permissions_boundary = ? WHERE id = ?`), policyARN, r.ID)
		return err
	})
}

// ---- instance profiles ----

const profileColumns = `p.id, p.account_id, p.name, p.path, p.created_at, p.tags`

func scanProfile(row rowScanner, extra ...any) (store.InstanceProfile, error) {
	var p store.InstanceProfile
	var ms int64
	var tags string
	if err := row.Scan(append([]any{&p.ID, &p.AccountID, &p.Name, &p.Path, &ms, &tags}, extra...)...); err != nil {
		return store.InstanceProfile{}, err
	}
	p.CreatedAt = fromMillis(ms)
	var err error
	p.Tags, err = decodeTags(tags)
	return p, err
}

func (s *Store) getProfile(ctx context.Context, q querier, accountID, name string, lock bool) (store.InstanceProfile, error) {
	query := `SELECT ` + profileColumns + ` FROM instance_profiles p WHERE p.account_id = ? AND p.name_key = ?`
	if lock {
		query += s.d.lockSuffix
	}
	p, err := scanProfile(q.QueryRowContext(ctx, s.q(query), accountID, nameKey(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return store.InstanceProfile{}, &store.NotFoundError{Entity: store.EntityInstanceProfile, Name: name}
	}
	return p, err
}

// profileRoles fills the roles of each profile.
func (s *Store) profileRoles(ctx context.Context, q querier, profiles []store.InstanceProfile) error {
	for i := range profiles {
		rows, err := q.QueryContext(ctx, s.q(`SELECT `+roleColumns+` FROM roles r JOIN instance_profile_roles ipr ON ipr.role_id = r.id WHERE ipr.profile_id = ? ORDER BY r.name_key`), profiles[i].ID)
		if err != nil {
			return err
		}
		roles, _, _, err := scanPage(rows, store.MaxRolesPerInstanceProfile+1, func(row *sql.Rows) (store.Role, string, error) {
			r, err := scanRole(row)
			return r, "", err
		})
		if err != nil {
			return err
		}
		profiles[i].Roles = roles
	}
	return nil
}

// CreateInstanceProfile implements store.InstanceProfiles.
func (s *Store) CreateInstanceProfile(ctx context.Context, p store.InstanceProfile) error {
	tags, err := encodeTags(p.Tags)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeInstanceProfileChanged, p.AccountID, p.Name)
		if err := s.accountQuota(ctx, tx, p.AccountID, "instance_profiles", "InstanceProfilesPerAccount", store.MaxInstanceProfilesPerAccount); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO instance_profiles (id, account_id, name, name_key, path, created_at, tags) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			p.ID, p.AccountID, p.Name, nameKey(p.Name), p.Path, millis(p.CreatedAt), tags)
		if err != nil && s.d.isUniqueViolation(err) {
			return fmt.Errorf("instance profile %s: %w", p.Name, store.ErrAlreadyExists)
		}
		return err
	})
}

// GetInstanceProfile implements store.InstanceProfiles.
func (s *Store) GetInstanceProfile(ctx context.Context, accountID, name string) (store.InstanceProfile, error) {
	var p store.InstanceProfile
	err := s.readTx(ctx, func(tx *txn) error {
		var err error
		if p, err = s.getProfile(ctx, tx, accountID, name, false); err != nil {
			return err
		}
		list := []store.InstanceProfile{p}
		err = s.profileRoles(ctx, tx, list)
		p = list[0]
		return err
	})
	return p, err
}

// ListInstanceProfiles implements store.InstanceProfiles.
func (s *Store) ListInstanceProfiles(ctx context.Context, accountID, pathPrefix string, pg store.Page) (profiles []store.InstanceProfile, last string, more bool, err error) {
	err = s.readTx(ctx, func(tx *txn) error {
		query, args := pageQuery(`SELECT `+profileColumns+`, p.name_key FROM instance_profiles p`, "p.", accountID, pathPrefix, pg)
		rows, err := tx.QueryContext(ctx, s.q(query), args...)
		if err != nil {
			return err
		}
		profiles, last, more, err = scanPage(rows, pg.Limit, func(row *sql.Rows) (p store.InstanceProfile, key string, err error) {
			p, err = scanProfile(row, &key)
			return p, key, err
		})
		if err != nil {
			return err
		}
		return s.profileRoles(ctx, tx, profiles)
	})
	return profiles, last, more, err
}

// ListInstanceProfilesForRole implements store.InstanceProfiles.
func (s *Store) ListInstanceProfilesForRole(ctx context.Context, accountID, roleName string) ([]store.InstanceProfile, error) {
	var profiles []store.InstanceProfile
	err := s.readTx(ctx, func(tx *txn) error {
		r, err := s.getRole(ctx, tx, accountID, roleName, false)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+profileColumns+` FROM instance_profiles p JOIN instance_profile_roles ipr ON ipr.profile_id = p.id WHERE ipr.role_id = ? ORDER BY p.name_key`), r.ID)
		if err != nil {
			return err
		}
		if profiles, _, _, err = scanPage(rows, store.MaxInstanceProfilesPerAccount+1, func(row *sql.Rows) (store.InstanceProfile, string, error) {
			p, err := scanProfile(row)
			return p, "", err
		}); err != nil {
			return err
		}
		return s.profileRoles(ctx, tx, profiles)
	})
	return profiles, err
}

// UpdateInstanceProfile implements store.InstanceProfiles.
func (s *Store) UpdateInstanceProfile(ctx context.Context, accountID, name string, update func(store.InstanceProfile) (store.InstanceProfile, error)) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeInstanceProfileChanged, accountID, name)
		old, err := s.getProfile(ctx, tx, accountID, name, true)
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
		_, err = tx.ExecContext(ctx, s.q(`UPDATE instance_profiles SET tags = ? WHERE id = ?`), tags, old.ID)
		return err
	})
}

// DeleteInstanceProfile implements store.InstanceProfiles.
func (s *Store) DeleteInstanceProfile(ctx context.Context, accountID, name string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeInstanceProfileChanged, accountID, name)
		p, err := s.getProfile(ctx, tx, accountID, name, true)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM instance_profile_roles WHERE profile_id = ?`), p.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &store.ConflictError{Entity: store.EntityInstanceProfile, Dependent: store.EntityRole}
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM instance_profiles WHERE id = ?`), p.ID)
		return err
	})
}

// AddRoleToInstanceProfile implements store.InstanceProfiles.
func (s *Store) AddRoleToInstanceProfile(ctx context.Context, accountID, profileName, roleName string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeInstanceProfileChanged, accountID, profileName)
		p, err := s.getProfile(ctx, tx, accountID, profileName, true)
		if err != nil {
			return err
		}
		r, err := s.getRole(ctx, tx, accountID, roleName, true)
		if err != nil {
			return err
		}
		var in, n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN role_id = ? THEN 1 ELSE 0 END), 0) FROM instance_profile_roles WHERE profile_id = ?`), r.ID, p.ID).Scan(&n, &in); err != nil {
			return err
		}
		if in > 0 {
			return fmt.Errorf("role %s in instance profile %s: %w", r.Name, p.Name, store.ErrAlreadyExists)
		}
		if n >= store.MaxRolesPerInstanceProfile {
			return &store.LimitError{Quota: "InstanceSessionsPerInstanceProfile", Max: store.MaxRolesPerInstanceProfile, Owner: p.Name}
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO instance_profile_roles (profile_id, role_id) VALUES (?, ?)`), p.ID, r.ID)
		return err
	})
}

// RemoveRoleFromInstanceProfile implements store.InstanceProfiles.
func (s *Store) RemoveRoleFromInstanceProfile(ctx context.Context, accountID, profileName, roleName string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeInstanceProfileChanged, accountID, profileName)
		p, err := s.getProfile(ctx, tx, accountID, profileName, true)
		if err != nil {
			return err
		}
		r, err := s.getRole(ctx, tx, accountID, roleName, true)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM instance_profile_roles WHERE profile_id = ? AND role_id = ?`), p.ID, r.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return &store.NotFoundError{Entity: store.EntityInstanceProfileRole, Name: r.Name}
		}
		return nil
	})
}
