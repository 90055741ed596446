package keycache_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/pgtest"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/keycache"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
	"github.com/latchkey/latchkey/internal/store/storetest"
)

// TestConformance runs the store's conformance suite through the cache:
// wrapping a store must not change what any of its methods does.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		base, err := sqlstore.OpenSQLite(t.Context(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return keycache.New(base, 1000)
	})
}

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestConformancePostgres: the same through the cache on PostgreSQL.
func TestConformancePostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		base, err := sqlstore.OpenPostgres(t.Context(), pgtest.Database(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { base.Close() })
		return keycache.New(base, 1000)
	})
}

func TestWritesInvalidate(t *testing.T) {
	ctx := t.Context()
	base, err := sqlstore.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	c := keycache.New(base, 10)
	now := time.Now()
	root := store.AccessKey{ID: "AKIAROOT", Status: store.StatusActive, CreatedAt: now, SecretCiphertext: []byte("x"), MasterKeyID: "m"}
	if err := c.CreateAccount(ctx, store.Account{ID: "123456789012", CreatedAt: now}, root); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateUser(ctx, store.User{AccountID: "123456789012", ID: "AIDABOB", Name: "Bob", Path: "/", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	k := store.AccessKey{ID: "AKIABOB", Status: store.StatusActive, CreatedAt: now, SecretCiphertext: []byte("y"), MasterKeyID: "m"}
	if _, err := c.CreateAccessKey(ctx, "123456789012", "Bob", k); err != nil {
		t.Fatal(err)
	}
	lookup := func(want string) store.AccessKey {
		t.Helper()
		got, err := c.LookupAccessKey(ctx, "AKIABOB")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != want {
			t.Fatalf("status %s, want %s", got.Status, want)
		}
		return got
	}
	lookup(store.StatusActive) // fills the cache
	if err := c.UpdateAccessKeyStatus(ctx, "123456789012", "Bob", "AKIABOB", store.StatusInactive); err != nil {
		t.Fatal(err)
	}
	lookup(store.StatusInactive)
	if err := c.UpdateAccessKeyStatus(ctx, "123456789012", "Bob", "AKIABOB", store.StatusActive); err != nil {
		t.Fatal(err)
	}
	lookup(store.StatusActive)
	if err := c.QuarantineAccessKey(ctx, "123456789012", "Bob", "AKIABOB", store.Quarantine{At: now, Reason: "unused"}); err != nil {
		t.Fatal(err)
	}
	if got := lookup(store.StatusInactive); got.Quarantine == nil {
		t.Fatal("a quarantined key's lookup has no quarantine")
	}
	if _, err := c.UpdateUser(ctx, "123456789012", "Bob", func(u store.User) (store.User, error) { u.Name, u.Path = "Rob", "/r/"; return u, nil }); err != nil {
		t.Fatal(err)
	}
	if got := lookup(store.StatusInactive); got.UserName != "Rob" || got.UserPath != "/r/" {
		t.Fatalf("after rename the cache serves %s%s", got.UserPath, got.UserName)
	}
	if err := c.DeleteAccessKey(ctx, "123456789012", "Rob", "AKIABOB"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LookupAccessKey(ctx, "AKIABOB"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted key still found: %v", err)
	}
}
