package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
)

// TestGroupCommit: writes that share a commit keep their own outcomes: of
// concurrent creates of the same names, one of each succeeds and the
// other fails alone; writers whose contexts end fail alone and leave
// nothing behind, and the others all commit.
func TestGroupCommit(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) *sqlstore.Store{
		"sqlite": func(t *testing.T) *sqlstore.Store {
			s, err := sqlstore.OpenSQLite(t.Context(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"postgres": openPostgres,
	} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := t.Context()
			now := time.Now().UTC()
			if err := s.CreateAccount(ctx, store.Account{ID: "123456789012", CreatedAt: now}, store.AccessKey{ID: "AKIAROOT", Status: store.StatusActive, CreatedAt: now, SecretCiphertext: []byte("x"), MasterKeyID: "m"}); err != nil {
				t.Fatal(err)
			}
			const names = 40
			var wg sync.WaitGroup
			errs := make([]error, 2*names)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n := i % names
					errs[i] = s.CreateUser(ctx, store.User{AccountID: "123456789012", ID: fmt.Sprintf("AIDA%d_%d", n, i), Name: fmt.Sprintf("user%d", n), Path: "/", CreatedAt: now})
				}()
			}
			wg.Wait()
			created, dup := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					created++
				case errors.Is(err, store.ErrAlreadyExists):
					dup++
				default:
					t.Fatalf("CreateUser: %v", err)
				}
			}
			if created != names || dup != names {
				t.Fatalf("%d created, %d duplicates; want %d each", created, dup, names)
			}

			// Writers that give up: they fail alone.
			errs = make([]error, 60)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					wctx := ctx
					if i%3 == 0 {
						c, cancel := context.WithCancel(ctx)
						cancel()
						wctx = c
					}
					errs[i] = s.CreateUser(wctx, store.User{AccountID: "123456789012", ID: fmt.Sprintf("AIDAC%d", i), Name: fmt.Sprintf("c%d", i), Path: "/", CreatedAt: now})
				}()
			}
			wg.Wait()
			for i, err := range errs {
				_, gerr := s.GetUser(ctx, "123456789012", fmt.Sprintf("c%d", i))
				if i%3 == 0 {
					if err == nil || !errors.Is(gerr, store.ErrNotFound) {
						t.Fatalf("a cancelled write: %v, stored: %v", err, gerr)
					}
				} else if err != nil || gerr != nil {
					t.Fatalf("write %d beside cancelled ones: %v, %v", i, err, gerr)
				}
			}
			if err := s.Check(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
