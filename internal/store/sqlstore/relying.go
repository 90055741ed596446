package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/latchkey/latchkey/internal/store"
)

const relyingColumns = `account_id, name, principal_arn, scopes, hosts, created_at`

func scanRelyingService(r rowScanner) (store.RelyingService, error) {
	var rs store.RelyingService
	var scopes, hosts string
	var created int64
	if err := r.Scan(&rs.AccountID, &rs.Name, &rs.Principal, &scopes, &hosts, &created); err != nil {
		return store.RelyingService{}, err
	}
	if err := json.Unmarshal([]byte(scopes), &rs.Scopes); err != nil {
		return store.RelyingService{}, fmt.Errorf("relying service %s: scopes: %w", rs.Name, err)
	}
	if err := json.Unmarshal([]byte(hosts), &rs.Hosts); err != nil {
		return store.RelyingService{}, fmt.Errorf("relying service %s: hosts: %w", rs.Name, err)
	}
	rs.CreatedAt = fromMillis(created)
	return rs, nil
}

func (s *Store) oneRelyingService(ctx context.Context, where string, args ...any) (store.RelyingService, error) {
	return scanRelyingService(s.read.QueryRowContext(ctx, s.q(`SELECT `+relyingColumns+` FROM relying_services WHERE `+where), args...))
}

// CreateRelyingService implements store.RelyingServices.
func (s *Store) CreateRelyingService(ctx context.Context, r store.RelyingService) error {
	if r.Scopes == nil {
		r.Scopes = []store.Scope{}
	}
	if r.Hosts == nil {
		r.Hosts = []string{}
	}
	scopes, err := json.Marshal(r.Scopes)
	if err != nil {
		return err
	}
	hosts, err := json.Marshal(r.Hosts)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeRelyingServiceChanged, r.AccountID, r.Name)
		if err := s.accountQuota(ctx, tx, r.AccountID, "relying_services", "RelyingServicesPerAccount", store.MaxRelyingServicesPerAccount); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO relying_services (account_id, name_key, name, principal_arn, scopes, hosts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			r.AccountID, nameKey(r.Name), r.Name, r.Principal, string(scopes), string(hosts), millis(r.CreatedAt))
		if err != nil && s.d.isUniqueViolation(err) {
			return fmt.Errorf("relying service %s (or one calling as %s): %w", r.Name, r.Principal, store.ErrAlreadyExists)
		}
		return err
	})
}

// GetRelyingService implements store.RelyingServices.
func (s *Store) GetRelyingService(ctx context.Context, accountID, name string) (store.RelyingService, error) {
	rs, err := s.oneRelyingService(ctx, `account_id = ? AND name_key = ?`, accountID, nameKey(name))
	if errors.Is(err, sql.ErrNoRows) {
		return rs, &store.NotFoundError{Entity: store.EntityRelyingService, Name: name}
	}
	return rs, err
}

// RelyingServiceFor implements store.RelyingServices.
func (s *Store) RelyingServiceFor(ctx context.Context, accountID, principalARN string) (store.RelyingService, error) {
	rs, err := s.oneRelyingService(ctx, `account_id = ? AND principal_arn = ?`, accountID, principalARN)
	if errors.Is(err, sql.ErrNoRows) {
		return rs, &store.NotFoundError{Entity: store.EntityRelyingService, Name: principalARN}
	}
	return rs, err
}

// ListRelyingServices implements store.RelyingServices, by name.
func (s *Store) ListRelyingServices(ctx context.Context, accountID string) ([]store.RelyingService, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT `+relyingColumns+` FROM relying_services WHERE account_id = ? ORDER BY name_key`), accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.RelyingService
	for rows.Next() {
		rs, err := scanRelyingService(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rs)
	}
	return out, rows.Err()
}

// DeleteRelyingService implements store.RelyingServices.
func (s *Store) DeleteRelyingService(ctx context.Context, accountID, name string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeRelyingServiceChanged, accountID, name)
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM relying_services WHERE account_id = ? AND name_key = ?`), accountID, nameKey(name))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return &store.NotFoundError{Entity: store.EntityRelyingService, Name: name}
		}
		return nil
	})
}
