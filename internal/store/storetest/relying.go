package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/store"
)

// testRelyingServices: a record round-trips; names are unique ignoring
// case and principals unique in an account; lookups by name and by
// principal; deletion; another account sees none of it.
func testRelyingServices(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, "210987654321")
	rs := store.RelyingService{AccountID: acct, Name: "Objects", Principal: "arn:aws:iam::" + acct + ":user/objects",
		Scopes: []store.Scope{{Region: "objects-1", Service: "s3"}}, Hosts: []string{"objects.example"}, CreatedAt: epoch}
	if err := s.CreateRelyingService(ctx, rs); err != nil {
		t.Fatal(err)
	}
	dupName := rs
	dupName.Name, dupName.Principal = "objects", "arn:aws:iam::"+acct+":user/other"
	wantErr(t, "a name taken ignoring case", s.CreateRelyingService(ctx, dupName), store.ErrAlreadyExists)
	dupPrincipal := rs
	dupPrincipal.Name = "Other"
	wantErr(t, "a principal taken", s.CreateRelyingService(ctx, dupPrincipal), store.ErrAlreadyExists)
	wantErr(t, "no account", s.CreateRelyingService(ctx, store.RelyingService{AccountID: "999999999999", Name: "x", Principal: "p", CreatedAt: epoch}), store.ErrNotFound)

	got, err := s.GetRelyingService(ctx, acct, "OBJECTS")
	if err != nil || got.Name != "Objects" || got.Principal != rs.Principal || len(got.Scopes) != 1 || got.Scopes[0] != rs.Scopes[0] ||
		len(got.Hosts) != 1 || got.Hosts[0] != "objects.example" || !got.CreatedAt.Equal(epoch) {
		t.Fatalf("GetRelyingService: %+v, %v", got, err)
	}
	if got, err := s.RelyingServiceFor(ctx, acct, rs.Principal); err != nil || got.Name != "Objects" {
		t.Fatalf("RelyingServiceFor: %+v, %v", got, err)
	}
	if _, err := s.RelyingServiceFor(ctx, "210987654321", rs.Principal); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another account's lookup: %v", err)
	}
	bare := store.RelyingService{AccountID: acct, Name: "Bare", Principal: "arn:aws:iam::" + acct + ":root", CreatedAt: epoch}
	if err := s.CreateRelyingService(ctx, bare); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListRelyingServices(ctx, acct)
	if err != nil || len(list) != 2 || list[0].Name != "Bare" || list[1].Name != "Objects" {
		t.Fatalf("ListRelyingServices: %+v, %v", list, err)
	}
	if other, err := s.ListRelyingServices(ctx, "210987654321"); err != nil || len(other) != 0 {
		t.Fatalf("another account's list: %+v, %v", other, err)
	}
	if err := s.DeleteRelyingService(ctx, acct, "objects"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "deleted", s.DeleteRelyingService(ctx, acct, "Objects"), store.ErrNotFound)
	if _, err := s.GetRelyingService(ctx, acct, "Objects"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetRelyingService after delete: %v", err)
	}
}

// testConcurrentRelyingServices: racing creates of one principal under
// different names, and of many names past the quota: one each, and never
// more than the quota.
func testConcurrentRelyingServices(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.CreateRelyingService(ctx, store.RelyingService{AccountID: acct, Name: fmt.Sprintf("s%d", i), Principal: "arn:aws:iam::" + acct + ":user/one", CreatedAt: epoch})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				created++
			case !errors.Is(err, store.ErrAlreadyExists):
				t.Errorf("CreateRelyingService: %v", err)
			}
		}()
	}
	wg.Wait()
	if created != 1 {
		t.Fatalf("%d services created for one principal", created)
	}
	for i := range store.MaxRelyingServicesPerAccount + 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.CreateRelyingService(ctx, store.RelyingService{AccountID: acct, Name: fmt.Sprintf("q%d", i), Principal: fmt.Sprintf("arn:aws:iam::%s:user/q%d", acct, i), CreatedAt: epoch})
			var le *store.LimitError
			if err != nil && !errors.As(err, &le) {
				t.Errorf("CreateRelyingService: %v", err)
			}
		}()
	}
	wg.Wait()
	list, err := s.ListRelyingServices(ctx, acct)
	if err != nil || len(list) != store.MaxRelyingServicesPerAccount {
		t.Fatalf("%d services after racing past the quota of %d: %v", len(list), store.MaxRelyingServicesPerAccount, err)
	}
}
