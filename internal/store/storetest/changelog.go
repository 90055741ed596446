package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/store"
)

// changesAfter reads the whole log above after.
func changesAfter(t *testing.T, s store.Store, after int64) (changes []store.Change, first, last int64) {
	t.Helper()
	changes, first, last, err := s.Changes(t.Context(), after, 10000)
	if err != nil {
		t.Fatalf("Changes: %v", err)
	}
	return changes, first, last
}

// testChangeLog: committed writes that can change what authenticates or
// what is allowed are in the log, in order, numbered without gaps, each
// saying what it changed; failed writes and last-used dates are not; the
// limit holds.
func testChangeLog(t *testing.T, s store.Store) {
	ctx := t.Context()
	changes, first, last := changesAfter(t, s, 0)
	if len(changes) != 0 || first != last+1 {
		t.Fatalf("a new store's log: %d changes, first %d, last %d", len(changes), first, last)
	}
	start := last
	root := mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	k := newKey()
	if _, err := s.CreateAccessKey(ctx, acct, "Bob", k); err != nil {
		t.Fatal(err)
	}
	// Failed writes: none of them is logged.
	wantErr(t, "duplicate user", s.CreateUser(ctx, store.User{AccountID: acct, ID: "AIDAX", Name: "bob", Path: "/", CreatedAt: epoch}), store.ErrAlreadyExists)
	wantErr(t, "delete a missing key", s.DeleteAccessKey(ctx, acct, "Bob", "AKIANOSUCHKEY"), store.ErrNotFound)
	// Last-used dates are not a change.
	if err := s.RecordLastUsed(ctx, []store.LastUsedUpdate{{AccessKeyID: k.ID, LastUsed: store.LastUsed{Time: epoch, Service: "sts", Region: "us-east-1"}}}); err != nil {
		t.Fatal(err)
	}
	steps := []error{
		s.UpdateAccessKeyStatus(ctx, acct, "Bob", k.ID, store.StatusInactive),
		s.UpdateAccessKeyStatus(ctx, acct, "Bob", k.ID, store.StatusActive),
		s.PutInlinePolicy(ctx, acct, store.KindUser, store.InlinePolicy{Owner: "Bob", Name: "p", Document: "{}", Size: 2}),
		s.DeleteInlinePolicy(ctx, acct, store.KindUser, "Bob", "p"),
		s.DeleteAccessKey(ctx, acct, "Bob", k.ID),
		s.DeleteAccessKey(ctx, acct, "", root.ID),
		s.DeleteUser(ctx, acct, "Bob"),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := []struct {
		kind    store.ChangeKind
		subject string
	}{
		{store.ChangeAccountCreated, acct},
		{store.ChangeUserCreated, "Bob"},
		{store.ChangeAccessKeyCreated, k.ID},
		{store.ChangeAccessKeyDeactivated, k.ID},
		{store.ChangeAccessKeyActivated, k.ID},
		{store.ChangePolicyChanged, "user/Bob"},
		{store.ChangePolicyChanged, "user/Bob"},
		{store.ChangeAccessKeyDeleted, k.ID},
		{store.ChangeAccessKeyDeleted, root.ID},
		{store.ChangeUserDeleted, "Bob"},
	}
	changes, _, last = changesAfter(t, s, start)
	if len(changes) != len(want) || last != start+int64(len(want)) {
		t.Fatalf("%d changes, last %d after %d; want %d: %+v", len(changes), last, start, len(want), changes)
	}
	for i, c := range changes {
		if c.Seq != start+int64(i)+1 || c.Kind != want[i].kind || c.Subject != want[i].subject || c.AccountID != acct || c.At.IsZero() {
			t.Errorf("change %d: %+v, want seq %d %s %s", i, c, start+int64(i)+1, want[i].kind, want[i].subject)
		}
	}
	if got, _, _, err := s.Changes(ctx, start+2, 3); err != nil || len(got) != 3 || got[0].Seq != start+3 {
		t.Fatalf("Changes(after %d, limit 3): %+v, %v", start+2, got, err)
	}
	if got, _, l, err := s.Changes(ctx, last, 10); err != nil || len(got) != 0 || l != last {
		t.Fatalf("Changes after the last: %+v, last %d, %v", got, l, err)
	}
}

// testConcurrentChangeLog: writes racing each other are logged once each,
// numbered without gaps or repeats.
func testConcurrentChangeLog(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	_, _, start := changesAfter(t, s, 0)
	const n = 60
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("u%d", i)
			if err := s.CreateUser(ctx, store.User{AccountID: acct, ID: "AIDA" + name, Name: name, Path: "/", CreatedAt: epoch}); err != nil {
				t.Errorf("CreateUser: %v", err)
			}
		}()
	}
	wg.Wait()
	changes, _, last := changesAfter(t, s, start)
	if len(changes) != n || last != start+n {
		t.Fatalf("%d changes, last %d after %d; want %d", len(changes), last, start, n)
	}
	seen := map[string]bool{}
	for i, c := range changes {
		if c.Seq != start+int64(i)+1 || c.Kind != store.ChangeUserCreated || seen[c.Subject] {
			t.Fatalf("change %d: %+v", i, c)
		}
		seen[c.Subject] = true
	}
}
