package storetest

import (
	"bytes"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// Credential reports: the snapshot a report is made of (the root, then the
// users by name ignoring case, each with its keys oldest first and their
// last use as stored), and the one report each account keeps, replaced
// only once it is old enough.

func mustKey(t *testing.T, s store.Store, account, owner string) store.AccessKey {
	t.Helper()
	k, err := s.CreateAccessKey(t.Context(), account, owner, newKey())
	mustOK(t, "CreateAccessKey("+owner+")", err)
	return k
}

func testCredentialSnapshot(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.CredentialSnapshot(ctx, acct)
	wantNotFound(t, "snapshot of a missing account", err, store.EntityAccount)

	root := mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	bob := mustUser(t, s, "Bob")
	alice := mustUser(t, s, "alice")
	carl := mustUser(t, s, "Carl")
	a1 := mustKey(t, s, acct, "alice")
	a2 := mustKey(t, s, acct, "alice")
	c1 := mustKey(t, s, acct, "Carl")
	mustOK(t, "deactivate alice's second key", s.UpdateAccessKeyStatus(ctx, acct, "alice", a2.ID, store.StatusInactive))
	used := store.LastUsed{Time: epoch.Add(time.Hour), Service: "iam", Region: "eu-west-1"}
	mustOK(t, "RecordLastUsed", s.RecordLastUsed(ctx, []store.LastUsedUpdate{{AccessKeyID: a1.ID, LastUsed: used}}))
	// Another account's user and keys stay out.
	if err := s.CreateUser(ctx, store.User{AccountID: otherAcct, ID: "AIDAOTHER", Name: "Alan", Path: "/", CreatedAt: epoch}); err != nil {
		t.Fatal(err)
	}
	mustKey(t, s, otherAcct, "Alan")

	snap, err := s.CredentialSnapshot(ctx, acct)
	mustOK(t, "CredentialSnapshot", err)
	if snap.Account.ID != acct || !snap.Account.CreatedAt.Equal(epoch) {
		t.Fatalf("snapshot account %+v", snap.Account)
	}
	type want struct {
		root bool
		user store.User
		keys []store.AccessKey
	}
	wants := []want{{root: true, keys: []store.AccessKey{root}}, {user: alice, keys: []store.AccessKey{a1, a2}}, {user: bob}, {user: carl, keys: []store.AccessKey{c1}}}
	if len(snap.Holders) != len(wants) {
		t.Fatalf("%d holders, want %d: %+v", len(snap.Holders), len(wants), snap.Holders)
	}
	for i, w := range wants {
		h := snap.Holders[i]
		if h.Root != w.root || h.User.ID != w.user.ID || h.User.Name != w.user.Name || h.User.Path != w.user.Path || !h.User.CreatedAt.Equal(w.user.CreatedAt) {
			t.Fatalf("holder %d = %+v, want root %v user %+v", i, h, w.root, w.user)
		}
		if len(h.Keys) != len(w.keys) {
			t.Fatalf("holder %d (%s) has %d keys, want %d", i, h.User.Name, len(h.Keys), len(w.keys))
		}
		for j, k := range h.Keys {
			if k.ID != w.keys[j].ID || !k.CreatedAt.Equal(w.keys[j].CreatedAt) || k.Root != w.root || k.AccountID != acct {
				t.Fatalf("holder %d key %d = %+v, want %s", i, j, k, w.keys[j].ID)
			}
			if len(k.SecretCiphertext) != 0 || k.MasterKeyID != "" {
				t.Fatalf("the snapshot carries key %s's sealed secret", k.ID)
			}
		}
	}
	alices := snap.Holders[1].Keys
	if alices[0].Status != store.StatusActive || alices[1].Status != store.StatusInactive {
		t.Fatalf("alice's key statuses %s, %s", alices[0].Status, alices[1].Status)
	}
	if l := alices[0].LastUsed; l == nil || !l.Time.Equal(used.Time) || l.Service != used.Service || l.Region != used.Region {
		t.Fatalf("alice's first key last used %+v, want %+v", l, used)
	}
	if alices[1].LastUsed != nil || snap.Holders[0].Keys[0].LastUsed != nil {
		t.Fatal("a key never used has a last use")
	}

	// An account without users: its root alone.
	snap, err = s.CredentialSnapshot(ctx, otherAcct)
	mustOK(t, "CredentialSnapshot of the other account", err)
	if len(snap.Holders) != 2 || !snap.Holders[0].Root || snap.Holders[1].User.Name != "Alan" || len(snap.Holders[1].Keys) != 1 {
		t.Fatalf("the other account's snapshot %+v", snap.Holders)
	}
}

func wantReport(t *testing.T, what string, got, want store.CredentialReport) {
	t.Helper()
	if got.AccountID != want.AccountID || !got.GeneratedAt.Equal(want.GeneratedAt) || !bytes.Equal(got.Content, want.Content) {
		t.Fatalf("%s = {%s %v %q}, want {%s %v %q}", what, got.AccountID, got.GeneratedAt, got.Content, want.AccountID, want.GeneratedAt, want.Content)
	}
}

func testCredentialReports(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	_, err := s.GetCredentialReport(ctx, acct)
	wantNotFound(t, "report before any", err, store.EntityCredentialReport)

	first := store.CredentialReport{AccountID: acct, GeneratedAt: epoch, Content: []byte("user,arn\n\"a,b\",\"x\"\"y\"\n<root_account>,é")}
	held, stored, err := s.PutCredentialReport(ctx, first, epoch.Add(-4*time.Hour))
	mustOK(t, "PutCredentialReport", err)
	if !stored {
		t.Fatal("the first report was not stored")
	}
	wantReport(t, "PutCredentialReport's answer", held, first)
	got, err := s.GetCredentialReport(ctx, acct)
	mustOK(t, "GetCredentialReport", err)
	wantReport(t, "the stored report", got, first)
	_, err = s.GetCredentialReport(ctx, otherAcct)
	wantNotFound(t, "the other account's report", err, store.EntityCredentialReport)

	// A report generated after notBefore is kept.
	second := store.CredentialReport{AccountID: acct, GeneratedAt: epoch.Add(time.Hour), Content: []byte("second")}
	held, stored, err = s.PutCredentialReport(ctx, second, epoch.Add(-time.Second))
	mustOK(t, "PutCredentialReport over a recent one", err)
	if stored {
		t.Fatal("a recent report was replaced")
	}
	wantReport(t, "the report kept", held, first)
	got, _ = s.GetCredentialReport(ctx, acct)
	wantReport(t, "after a refused replacement", got, first)

	// One generated at notBefore or before is replaced.
	held, stored, err = s.PutCredentialReport(ctx, second, epoch)
	mustOK(t, "PutCredentialReport over an old one", err)
	if !stored {
		t.Fatal("an old report was kept")
	}
	wantReport(t, "the replacing report", held, second)
	got, _ = s.GetCredentialReport(ctx, acct)
	wantReport(t, "after the replacement", got, second)

	// Another account's report is its own.
	theirs := store.CredentialReport{AccountID: otherAcct, GeneratedAt: epoch, Content: []byte("theirs")}
	if _, stored, err := s.PutCredentialReport(ctx, theirs, epoch.Add(-time.Hour)); err != nil || !stored {
		t.Fatalf("the other account's report: stored %v, %v", stored, err)
	}
	got, _ = s.GetCredentialReport(ctx, acct)
	wantReport(t, "after the other account's", got, second)

	_, _, err = s.PutCredentialReport(ctx, store.CredentialReport{AccountID: "999999999999", GeneratedAt: epoch, Content: []byte("x")}, epoch.Add(-time.Hour))
	wantNotFound(t, "report of a missing account", err, store.EntityAccount)

}

// testConcurrentPutCredentialReport races 20 reports into an account
// without one: exactly one is stored, and every writer is given it.
func testConcurrentPutCredentialReport(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	const n = 20
	var stored atomic.Int32
	held := make([]store.CredentialReport, n)
	race(n, func(i int) {
		r := store.CredentialReport{AccountID: acct, GeneratedAt: epoch, Content: []byte(fmt.Sprint("report ", i))}
		h, ok, err := s.PutCredentialReport(ctx, r, epoch.Add(-4*time.Hour))
		if err != nil {
			t.Errorf("PutCredentialReport %d: %v", i, err)
			return
		}
		if ok {
			stored.Add(1)
		}
		held[i] = h
	})
	if stored.Load() != 1 {
		t.Fatalf("%d reports stored, want 1", stored.Load())
	}
	got, err := s.GetCredentialReport(ctx, acct)
	mustOK(t, "GetCredentialReport", err)
	for i, h := range held {
		wantReport(t, fmt.Sprint("writer ", i, "'s answer"), h, got)
	}
}
