package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// Quarantine: an Active key is deactivated with a note of when and why,
// listed among the account's quarantined keys until its status changes
// again; a key that is not Active is refused and left as it was.

func testQuarantine(t *testing.T, s store.Store) {
	ctx := t.Context()
	rootKey := mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	mustUser(t, s, "Bob")
	k1, k2 := newKey(), newKey()
	for _, k := range []store.AccessKey{k1, k2} {
		if _, err := s.CreateAccessKey(ctx, acct, "Bob", k); err != nil {
			t.Fatal(err)
		}
	}
	mustOK(t, "deactivate k2", s.UpdateAccessKeyStatus(ctx, acct, "Bob", k2.ID, store.StatusInactive))
	q := store.Quarantine{At: epoch.Add(90 * 24 * time.Hour), Reason: "unused for 90 days"}

	_, _, before, err := s.Changes(ctx, 0, 1)
	mustOK(t, "Changes", err)
	mustOK(t, "QuarantineAccessKey", s.QuarantineAccessKey(ctx, acct, "Bob", k1.ID, q))
	if kinds := changedKinds(t, s, before); !slices.Equal(kinds, []store.ChangeKind{store.ChangeAccessKeyDeactivated}) {
		t.Errorf("change log after QuarantineAccessKey: %v", kinds)
	}
	wantQuarantined := func(what string, id string, want *store.Quarantine, status string) {
		t.Helper()
		k, err := s.GetAccessKey(ctx, id)
		mustOK(t, "GetAccessKey", err)
		if k.Status != status || (k.Quarantine == nil) != (want == nil) || want != nil && (!k.Quarantine.At.Equal(want.At) || k.Quarantine.Reason != want.Reason) {
			t.Fatalf("%s: key %s is %s, quarantine %+v; want %s, %+v", what, id, k.Status, k.Quarantine, status, want)
		}
	}
	wantQuarantined("quarantined", k1.ID, &q, store.StatusInactive)
	wantQuarantined("deactivated by hand", k2.ID, nil, store.StatusInactive)
	wantList := func(what string, account string, ids ...string) {
		t.Helper()
		keys, err := s.ListQuarantinedKeys(ctx, account)
		mustOK(t, "ListQuarantinedKeys", err)
		var got []string
		for _, k := range keys {
			got = append(got, k.ID)
		}
		if !slices.Equal(got, ids) {
			t.Fatalf("%s: quarantined keys of %s = %v, want %v", what, account, got, ids)
		}
	}
	wantList("after one", acct, k1.ID)
	wantList("the other account", otherAcct)

	// Only an Active key, of the owner named, is quarantined.
	wantErr(t, "quarantine twice", s.QuarantineAccessKey(ctx, acct, "Bob", k1.ID, store.Quarantine{At: q.At.Add(time.Hour), Reason: "again"}), store.ErrKeyNotActive)
	wantQuarantined("after a second quarantine", k1.ID, &q, store.StatusInactive)
	wantErr(t, "quarantine an Inactive key", s.QuarantineAccessKey(ctx, acct, "Bob", k2.ID, q), store.ErrKeyNotActive)
	wantQuarantined("an Inactive key after a quarantine", k2.ID, nil, store.StatusInactive)
	mustUser(t, s, "Eve")
	wantErr(t, "quarantine another user's key", s.QuarantineAccessKey(ctx, acct, "Eve", k1.ID, q), store.ErrNotFound)
	wantErr(t, "quarantine a missing key", s.QuarantineAccessKey(ctx, acct, "Bob", "AKIANOSUCHKEY0000000", q), store.ErrNotFound)

	// The root's keys too.
	mustOK(t, "quarantine the root's key", s.QuarantineAccessKey(ctx, acct, "", rootKey.ID, q))
	wantList("with the root's", acct, rootKey.ID, k1.ID)

	// A status change ends the quarantine.
	mustOK(t, "reactivate", s.UpdateAccessKeyStatus(ctx, acct, "Bob", k1.ID, store.StatusActive))
	wantQuarantined("reactivated", k1.ID, nil, store.StatusActive)
	mustOK(t, "deactivate by hand", s.UpdateAccessKeyStatus(ctx, acct, "", rootKey.ID, store.StatusInactive))
	wantQuarantined("deactivated by hand", rootKey.ID, nil, store.StatusInactive)
	wantList("after the changes", acct)
	mustOK(t, "quarantine again", s.QuarantineAccessKey(ctx, acct, "Bob", k1.ID, q))
	mustOK(t, "DeleteAccessKey", s.DeleteAccessKey(ctx, acct, "Bob", k1.ID))
	wantList("after the deletion", acct)

	// Expiry is a status change too.
	k3 := newKey()
	if _, err := s.CreateAccessKey(ctx, acct, "Bob", k3); err != nil {
		t.Fatal(err)
	}
	mustOK(t, "quarantine k3", s.QuarantineAccessKey(ctx, acct, "Bob", k3.ID, q))
	if _, err := s.ExpireKeys(ctx, acct, k3.CreatedAt.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	wantQuarantined("expired", k3.ID, nil, store.StatusExpired)
	wantList("after the expiry", acct)
}
