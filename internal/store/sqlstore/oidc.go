package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/latchkey/latchkey/internal/store"
)

// OpenID Connect providers: one row each, keyed by account and URL, with
// their client ids, thumbprints and tags as JSON arrays.

const oidcColumns = `account_id, url, client_ids, thumbprints, created_at, tags`

func scanOIDCProvider(row rowScanner) (store.OpenIDConnectProvider, error) {
	var p store.OpenIDConnectProvider
	var clients, thumbs, tags string
	var ms int64
	if err := row.Scan(&p.AccountID, &p.URL, &clients, &thumbs, &ms, &tags); err != nil {
		return store.OpenIDConnectProvider{}, err
	}
	p.CreatedAt = fromMillis(ms)
	var err error
	if p.ClientIDs, err = decodeStrings(clients); err != nil {
		return store.OpenIDConnectProvider{}, fmt.Errorf("provider %s client ids: %w", p.URL, err)
	}
	if p.Thumbprints, err = decodeStrings(thumbs); err != nil {
		return store.OpenIDConnectProvider{}, fmt.Errorf("provider %s thumbprints: %w", p.URL, err)
	}
	if p.Tags, err = decodeTags(tags); err != nil {
		return store.OpenIDConnectProvider{}, fmt.Errorf("provider %s: %w", p.URL, err)
	}
	return p, nil
}

func encodeStrings(list []string) (string, error) {
	if list == nil {
		list = []string{}
	}
	b, err := json.Marshal(list)
	return string(b), err
}

// decodeStrings reads a JSON array of strings; an empty one is nil.
func decodeStrings(s string) ([]string, error) {
	var list []string
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, fmt.Errorf("decode list: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// distinct keeps the first of each value in list, in order; fold compares
// ignoring case.
func distinct(list []string, fold bool) []string {
	if len(list) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(list))
	out := make([]string, 0, len(list))
	for _, v := range list {
		k := v
		if fold {
			k = strings.ToLower(v)
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}

// normalizeOIDCProvider drops duplicate client ids and thumbprints and
// checks the per-provider quotas, as every write stores it.
func normalizeOIDCProvider(p *store.OpenIDConnectProvider) error {
	if p.URL == "" {
		return errors.New("OpenID Connect provider without a URL")
	}
	p.ClientIDs = distinct(p.ClientIDs, false)
	p.Thumbprints = distinct(p.Thumbprints, true)
	if len(p.Tags) == 0 {
		p.Tags = nil
	}
	for _, q := range []struct {
		quota string
		n     int
		max   int
	}{
		{"ClientIdsPerOpenIdConnectProvider", len(p.ClientIDs), store.MaxClientIDsPerOpenIDConnectProvider},
		{"ThumbprintsPerOpenIdConnectProvider", len(p.Thumbprints), store.MaxThumbprintsPerOpenIDConnectProvider},
		{"TagsPerOpenIdConnectProvider", len(p.Tags), store.MaxTagsPerOpenIDConnectProvider},
	} {
		if q.n > q.max {
			return &store.LimitError{Quota: q.quota, Max: q.max, Owner: p.URL}
		}
	}
	return nil
}

func (s *Store) getOIDCProvider(ctx context.Context, q querier, accountID, url string, lock bool) (store.OpenIDConnectProvider, error) {
	query := `SELECT ` + oidcColumns + ` FROM oidc_providers WHERE account_id = ? AND url = ?`
	if lock {
		query += s.d.lockSuffix
	}
	p, err := scanOIDCProvider(q.QueryRowContext(ctx, s.q(query), accountID, url))
	if errors.Is(err, sql.ErrNoRows) {
		return store.OpenIDConnectProvider{}, &store.NotFoundError{Entity: store.EntityOpenIDConnectProvider, Name: url}
	}
	return p, err
}

// CreateOpenIDConnectProvider implements store.OpenIDConnectProviders.
func (s *Store) CreateOpenIDConnectProvider(ctx context.Context, p store.OpenIDConnectProvider) error {
	if err := normalizeOIDCProvider(&p); err != nil {
		return err
	}
	clients, err := encodeStrings(p.ClientIDs)
	if err != nil {
		return err
	}
	thumbs, err := encodeStrings(p.Thumbprints)
	if err != nil {
		return err
	}
	tags, err := encodeTags(p.Tags)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeProviderChanged, p.AccountID, p.URL)
		if err := s.accountQuota(ctx, tx, p.AccountID, "oidc_providers", "OpenIdConnectProvidersPerAccount", store.MaxOpenIDConnectProvidersPerAccount); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO oidc_providers (`+oidcColumns+`) VALUES (?, ?, ?, ?, ?, ?)`),
			p.AccountID, p.URL, clients, thumbs, millis(p.CreatedAt), tags)
		if err != nil && s.d.isUniqueViolation(err) {
			return fmt.Errorf("OpenID Connect provider %s: %w", p.URL, store.ErrAlreadyExists)
		}
		return err
	})
}

// GetOpenIDConnectProvider implements store.OpenIDConnectProviders.
func (s *Store) GetOpenIDConnectProvider(ctx context.Context, accountID, url string) (store.OpenIDConnectProvider, error) {
	return s.getOIDCProvider(ctx, s.read, accountID, url, false)
}

// ListOpenIDConnectProviders implements store.OpenIDConnectProviders.
func (s *Store) ListOpenIDConnectProviders(ctx context.Context, accountID string) ([]store.OpenIDConnectProvider, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT `+oidcColumns+` FROM oidc_providers WHERE account_id = ? ORDER BY url`), accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []store.OpenIDConnectProvider
	for rows.Next() {
		p, err := scanOIDCProvider(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	return list, rows.Err()
}

// UpdateOpenIDConnectProvider implements store.OpenIDConnectProviders.
func (s *Store) UpdateOpenIDConnectProvider(ctx context.Context, accountID, url string, update func(store.OpenIDConnectProvider) (store.OpenIDConnectProvider, error)) (store.OpenIDConnectProvider, error) {
	var out store.OpenIDConnectProvider
	err := s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeProviderChanged, accountID, url)
		old, err := s.getOIDCProvider(ctx, tx, accountID, url, true)
		if err != nil {
			return err
		}
		np, err := update(old)
		if err != nil {
			return err
		}
		np.AccountID, np.URL, np.CreatedAt = old.AccountID, old.URL, old.CreatedAt
		if err := normalizeOIDCProvider(&np); err != nil {
			return err
		}
		clients, err := encodeStrings(np.ClientIDs)
		if err != nil {
			return err
		}
		thumbs, err := encodeStrings(np.Thumbprints)
		if err != nil {
			return err
		}
		tags, err := encodeTags(np.Tags)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE oidc_providers SET client_ids = ?, thumbprints = ?, tags = ? WHERE account_id = ? AND url = ?`),
			clients, thumbs, tags, old.AccountID, old.URL)
		out = np
		return err
	})
	if err != nil {
		return store.OpenIDConnectProvider{}, err
	}
	return out, nil
}

// DeleteOpenIDConnectProvider implements store.OpenIDConnectProviders.
func (s *Store) DeleteOpenIDConnectProvider(ctx context.Context, accountID, url string) error {
	return s.tx(ctx, func(tx *txn) error {
		tx.changed(store.ChangeProviderChanged, accountID, url)
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM oidc_providers WHERE account_id = ? AND url = ?`), accountID, url)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return &store.NotFoundError{Entity: store.EntityOpenIDConnectProvider, Name: url}
		}
		return nil
	})
}

// checkOIDCProviders is Check's part for providers: each row decodes, has
// a URL, and holds distinct client ids and thumbprints within the quotas.
func (s *Store) checkOIDCProviders(ctx context.Context) error {
	rows, err := s.read.QueryContext(ctx, `SELECT `+oidcColumns+` FROM oidc_providers ORDER BY account_id, url`)
	if err != nil {
		return fmt.Errorf("check OpenID Connect providers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanOIDCProvider(rows)
		if err != nil {
			return fmt.Errorf("integrity: OpenID Connect provider: %w", err)
		}
		stored := p
		if err := normalizeOIDCProvider(&p); err != nil {
			return fmt.Errorf("integrity: OpenID Connect provider %s of %s: %w", stored.URL, stored.AccountID, err)
		}
		if len(p.ClientIDs) != len(stored.ClientIDs) || len(p.Thumbprints) != len(stored.Thumbprints) {
			return fmt.Errorf("integrity: OpenID Connect provider %s of %s holds duplicate client ids or thumbprints", stored.URL, stored.AccountID)
		}
	}
	return rows.Err()
}
