package sqlstore_test

import (
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
)

const bulkAccount = "123456789012"

// bulkStore opens a fresh SQLite store holding one account.
func bulkStore(t testing.TB) *sqlstore.Store {
	t.Helper()
	ctx := t.Context()
	s, err := sqlstore.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	root := store.AccessKey{ID: "AKIAROOTROOTROOTROOT", Status: store.StatusActive, CreatedAt: time.Now(), SecretCiphertext: []byte("x"), MasterKeyID: "m"}
	if err := s.CreateAccount(ctx, store.Account{ID: bulkAccount, CreatedAt: time.Now()}, root); err != nil {
		t.Fatal(err)
	}
	return s
}

func testMasterKey(t testing.TB) *secret.MasterKey {
	t.Helper()
	mk, err := secret.NewMasterKey(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	return mk
}

// bulkUsers yields n users named user-000000… with keysPer keys each, whose
// secrets are "secret-<key id>" sealed under mk. ids collects the key ids.
func bulkUsers(mk *secret.MasterKey, n, keysPer int, ids *[]string) iter.Seq[sqlstore.BulkUser] {
	return func(yield func(sqlstore.BulkUser) bool) {
		now := time.Now().UTC()
		for i := range n {
			u := store.User{AccountID: bulkAccount, ID: secret.NewUserID(), Name: fmt.Sprintf("user-%06d", i), Path: "/", CreatedAt: now}
			bu := sqlstore.BulkUser{User: u}
			for range keysPer {
				id := secret.NewAccessKeyID()
				bu.Keys = append(bu.Keys, store.AccessKey{ID: id, CreatedAt: now,
					SecretCiphertext: mk.Seal([]byte("secret-"+id), []byte(id)), MasterKeyID: mk.ID()})
				if ids != nil {
					*ids = append(*ids, id)
				}
			}
			if !yield(bu) {
				return
			}
		}
	}
}

func TestBulkLoad(t *testing.T) {
	ctx := t.Context()
	s := bulkStore(t)
	mk := testMasterKey(t)
	var ids []string
	// A batch smaller than the load, so several transactions commit.
	nu, nk, err := s.BulkLoad(ctx, bulkUsers(mk, 2500, 2, &ids), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if nu != 2500 || nk != 5000 {
		t.Fatalf("loaded %d users and %d keys, want 2500 and 5000", nu, nk)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	k, err := s.GetAccessKey(ctx, ids[4321])
	if err != nil {
		t.Fatal(err)
	}
	if k.UserName != "user-002160" || k.AccountID != bulkAccount || k.Status != store.StatusActive {
		t.Fatalf("key %s: user %q account %q status %q", k.ID, k.UserName, k.AccountID, k.Status)
	}
	plain, err := mk.Open(k.SecretCiphertext, []byte(k.ID))
	if err != nil || string(plain) != "secret-"+k.ID {
		t.Fatalf("sealed secret does not open: %q, %v", plain, err)
	}
	users, _, more, err := s.ListUsers(ctx, bulkAccount, "", store.Page{After: "user-002497", Limit: 10})
	if err != nil || more || len(users) != 2 || users[1].Name != "user-002499" {
		t.Fatalf("tail of the list: %d users, more=%v, %v", len(users), more, err)
	}
	// The API sees bulk-loaded users like any other: the key limit holds.
	_, err = s.CreateAccessKey(ctx, bulkAccount, "user-000007", store.AccessKey{ID: secret.NewAccessKeyID(), Status: store.StatusActive, CreatedAt: time.Now(), SecretCiphertext: []byte("x"), MasterKeyID: mk.ID()})
	if !errors.Is(err, store.ErrLimitExceeded) {
		t.Fatalf("third key on a bulk-loaded user: %v, want ErrLimitExceeded", err)
	}
}

func TestBulkLoadKeepsInvariants(t *testing.T) {
	mk := testMasterKey(t)
	one := func(bu sqlstore.BulkUser) iter.Seq[sqlstore.BulkUser] {
		return func(yield func(sqlstore.BulkUser) bool) { yield(bu) }
	}
	key := func() store.AccessKey {
		id := secret.NewAccessKeyID()
		return store.AccessKey{ID: id, CreatedAt: time.Now(), SecretCiphertext: mk.Seal([]byte("s"), []byte(id)), MasterKeyID: mk.ID()}
	}
	tests := []struct {
		name string
		load iter.Seq[sqlstore.BulkUser]
		want error
	}{
		{"three keys", one(sqlstore.BulkUser{User: store.User{AccountID: bulkAccount, ID: "AIDA1", Name: "a"}, Keys: []store.AccessKey{key(), key(), key()}}), store.ErrLimitExceeded},
		{"name taken ignoring case", one(sqlstore.BulkUser{User: store.User{AccountID: bulkAccount, ID: "AIDA2", Name: "USER-000001"}}), store.ErrAlreadyExists},
		{"unknown account", one(sqlstore.BulkUser{User: store.User{AccountID: "999999999999", ID: "AIDA3", Name: "b"}}), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			s := bulkStore(t)
			if _, _, err := s.BulkLoad(ctx, bulkUsers(mk, 3, 1, nil), 0); err != nil {
				t.Fatal(err)
			}
			nu, _, err := s.BulkLoad(ctx, tc.load, 0)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || nu != 0 {
				t.Fatalf("BulkLoad = %d users, %v; want nothing committed and %v", nu, err, tc.want)
			}
			if err := s.Check(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// BenchmarkKeyLookup is authentication's store read: GetAccessKey by id on
// SQLite holding 10,000 keys (5,000 users with 2 each), ids picked at random.
func BenchmarkKeyLookup(b *testing.B) {
	s := bulkStore(b)
	mk := testMasterKey(b)
	var ids []string
	if _, _, err := s.BulkLoad(b.Context(), bulkUsers(mk, 5000, 2, &ids), 0); err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		ctx := b.Context()
		r := rand.New(rand.NewPCG(1, 2))
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := s.GetAccessKey(ctx, ids[r.IntN(len(ids))]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		ctx := b.Context()
		defer reportCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			r := rand.New(rand.NewPCG(rand.Uint64(), 2))
			for pb.Next() {
				if _, err := s.GetAccessKey(ctx, ids[r.IntN(len(ids))]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// reportCPU starts counting the process's CPU time; the function it
// returns reports it per operation as cpu-ns/op, a figure that holds up on
// a machine shared with other work, unlike ns/op.
func reportCPU(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	t0 := cpu()
	return func() { b.ReportMetric(float64(cpu()-t0)/float64(b.N), "cpu-ns/op") }
}
