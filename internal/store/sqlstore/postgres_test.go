package sqlstore_test

import (
	"os"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/pgtest"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
	"github.com/latchkey/latchkey/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// openPostgres opens a store on a fresh database of the shared test
// server.
func openPostgres(t *testing.T) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.OpenPostgres(t.Context(), pgtest.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgresConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openPostgres(t) })
}

// TestPostgresFeedAcrossServers: a write through one store is seen by
// another on the same database within the feed's bound, by notification
// or, without it, by polling; this server's own writes do not count as
// another's.
func TestPostgresFeedAcrossServers(t *testing.T) {
	for _, notify := range []bool{true, false} {
		t.Run(map[bool]string{true: "notify", false: "polling"}[notify], func(t *testing.T) {
			ctx := t.Context()
			dsn := pgtest.Database(t)
			opts := sqlstore.PostgresOptions{NoNotify: !notify}
			a, err := sqlstore.OpenPostgres(ctx, dsn, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			b, err := sqlstore.OpenPostgres(ctx, dsn, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			ownBefore := a.ExternalGeneration()
			genBefore, extBefore := b.Generation(), b.ExternalGeneration()
			start := time.Now()
			if err := a.PutMeta(ctx, "unrelated", "x"); err != nil { // quiet: no change
				t.Fatal(err)
			}
			if err := a.CreateAccount(ctx, store.Account{ID: "123456789012", CreatedAt: start}, store.AccessKey{ID: "AKIAROOT", Status: store.StatusActive, CreatedAt: start, SecretCiphertext: []byte("x"), MasterKeyID: "m"}); err != nil {
				t.Fatal(err)
			}
			for b.ExternalGeneration() == extBefore {
				if time.Since(start) > sqlstore.MaxStaleness {
					t.Fatalf("the other server learned nothing within %v", sqlstore.MaxStaleness)
				}
				time.Sleep(5 * time.Millisecond)
			}
			t.Logf("seen by the other server after %v", time.Since(start))
			if b.Generation() == genBefore {
				t.Fatal("Generation did not follow ExternalGeneration")
			}
			// A server's own write is not taken for another's. With
			// notifications its own may wake its sync between the commit
			// and the committer noting the value, an extra cache drop that
			// costs a refill and nothing else: checked by polling alone.
			time.Sleep(2 * sqlstore.SyncInterval)
			if !notify && a.ExternalGeneration() != ownBefore {
				t.Fatal("a server's own write counted as another's")
			}
		})
	}
}

// TestPostgresFeedFailsClosed: a server that cannot sync stops answering
// from caches: its generations advance on every call.
func TestPostgresFeedFailsClosed(t *testing.T) {
	ctx := t.Context()
	s, err := sqlstore.OpenPostgres(ctx, pgtest.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	if g := s.Generation(); g != s.Generation() {
		t.Fatal("a fresh store's generation moves without writes")
	}
	s.Close() // the sync loop ends; the feed goes stale
	time.Sleep(sqlstore.MaxStaleness + 100*time.Millisecond)
	if g := s.Generation(); g == s.Generation() {
		t.Fatal("a stale store's generation stands still: caches would answer")
	}
	if g := s.ExternalGeneration(); g == s.ExternalGeneration() {
		t.Fatal("a stale store's external generation stands still")
	}
}

// TestPostgresFeedDropsCachesAfterOutage: a server that could not sync
// (its database down) drops its caches once it syncs again, though the
// counter did not move.
func TestPostgresFeedDropsCachesAfterOutage(t *testing.T) {
	srv, dsn := pgtest.Own(t)
	s, err := sqlstore.OpenPostgres(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g := s.ExternalGeneration()
	if err := srv.Down(); err != nil {
		t.Fatal(err)
	}
	waitFresh(t, s, false)
	if err := srv.Up(); err != nil {
		t.Fatal(err)
	}
	waitFresh(t, s, true)
	if s.ExternalGeneration() == g {
		t.Fatal("the caches outlived an outage of the database")
	}
}

func waitFresh(t *testing.T, s *sqlstore.Store, want bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for s.Fresh() != want {
		if time.Now().After(deadline) {
			t.Fatalf("the store's freshness did not become %v", want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
