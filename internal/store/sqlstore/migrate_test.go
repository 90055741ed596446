package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/store"
)

// TestMigration3RecountsInlinePolicySizes: inline policies stored before
// migration 3 get the size their callers would have given them, non-ASCII
// white space (U+00A0, U+0085) left out too.
func TestMigration3RecountsInlinePolicySizes(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "latchkey.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"0001_init.sql", "0002_access_keys_by_user.sql"} {
		body, err := migrationsFS.ReadFile("migrations/sqlite/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range splitStatements(string(body)) {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	doc := "{\"Version\":\u00a0\"2012-10-17\",\n\t\"Statement\":\u0085[]}"
	for _, q := range []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, 0), (2, 0)`,
		`INSERT INTO accounts VALUES ('111122223333', 0)`,
		`INSERT INTO users (id, account_id, name, name_key, path, created_at) VALUES ('AIDAX', '111122223333', 'Bob', 'bob', '/', 0)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO user_policies VALUES ('AIDAX', 'p', 'p', ?)`, doc); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := OpenSQLite(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, err := s.ListInlinePolicies(ctx, "111122223333", "user", "Bob")
	if err != nil || len(list) != 1 {
		t.Fatalf("ListInlinePolicies = %+v, %v", list, err)
	}
	if want := policy.SizeWithoutWhitespace(doc); list[0].Size != want || list[0].Document != doc {
		t.Fatalf("migrated size %d, want %d (document %q)", list[0].Size, want, list[0].Document)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestSizeCountsAsPolicy holds the store's count to the policy package's.
func TestSizeCountsAsPolicy(t *testing.T) {
	for _, doc := range []string{"", "{ }", "a\u00a0b\u0085c\u2028d\u3000e\r\n\t\v\f", "ünïcödé"} {
		if got, want := sizeWithoutWhitespace(doc), policy.SizeWithoutWhitespace(doc); got != want {
			t.Errorf("%q: %d, policy counts %d", doc, got, want)
		}
	}
}

// TestMigration5AddsOIDCProviders: a data dir at migration 4 gains the
// OpenID Connect provider table, its data intact, and the store's check
// covers the providers' invariants.
func TestMigration5AddsOIDCProviders(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "latchkey.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"0001_init.sql", "0002_access_keys_by_user.sql", "0003_groups_managed_policies.sql", "0004_roles_instance_profiles.sql"} {
		body, err := migrationsFS.ReadFile("migrations/sqlite/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range splitStatements(string(body)) {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	for _, q := range []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
		`INSERT INTO schema_migrations VALUES (1, 0), (2, 0), (3, 0), (4, 0)`,
		`INSERT INTO accounts VALUES ('111122223333', 0)`,
		`INSERT INTO roles (id, account_id, name, name_key, path, description, assume_role_policy, max_session_duration, created_at) VALUES ('AROAX', '111122223333', 'R', 'r', '/', '', '{}', 3600, 0)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s, err := OpenSQLite(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.GetRole(ctx, "111122223333", "R"); err != nil {
		t.Fatalf("the role from before the migration: %v", err)
	}
	p := store.OpenIDConnectProvider{AccountID: "111122223333", URL: "idp.example.com", ClientIDs: []string{"a"}, CreatedAt: time.UnixMilli(0).UTC()}
	if err := s.CreateOpenIDConnectProvider(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}

	// What no write of the store leaves behind, Check finds.
	for _, tc := range []struct{ name, query, want string }{
		{"duplicate client ids", `UPDATE oidc_providers SET client_ids = '["a","a"]'`, "duplicate"},
		{"too many thumbprints", `UPDATE oidc_providers SET client_ids = '[]', thumbprints = '["1","2","3","4","5","6"]'`, "ThumbprintsPerOpenIdConnectProvider"},
		{"not a list", `UPDATE oidc_providers SET thumbprints = '{}'`, "decode"},
		{"without its account", `UPDATE oidc_providers SET thumbprints = '[]', account_id = '999999999999'`, "without their account"},
	} {
		if _, err := s.write.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.write.ExecContext(ctx, tc.query); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s: Check = %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}
