package keycache_test

import (
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/keycache"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
)

// TestResetInvalidates: a user's key cached before a reset no longer
// authenticates after it; the kept root key still does.
func TestResetInvalidates(t *testing.T) {
	ctx := t.Context()
	base, err := sqlstore.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	c := keycache.New(base, 10)
	now := time.Now()
	const account = "123456789012"
	root := store.AccessKey{ID: "AKIAROOT", Status: store.StatusActive, CreatedAt: now, SecretCiphertext: []byte("x"), MasterKeyID: "m"}
	if err := c.CreateAccount(ctx, store.Account{ID: account, CreatedAt: now}, root); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateUser(ctx, store.User{AccountID: account, ID: "AIDABOB", Name: "Bob", Path: "/", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	k := store.AccessKey{ID: "AKIABOB", Status: store.StatusActive, CreatedAt: now, SecretCiphertext: []byte("y"), MasterKeyID: "m"}
	if _, err := c.CreateAccessKey(ctx, account, "Bob", k); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"AKIAROOT", "AKIABOB"} { // both cached
		if _, err := c.LookupAccessKey(ctx, id); err != nil {
			t.Fatalf("LookupAccessKey(%s): %v", id, err)
		}
	}
	if err := c.Reset(ctx, account); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LookupAccessKey(ctx, "AKIABOB"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a user's key cached before the reset: %v, want not found", err)
	}
	if got, err := c.LookupAccessKey(ctx, "AKIAROOT"); err != nil || !got.Root {
		t.Fatalf("the kept root key: %+v, %v", got, err)
	}
}
