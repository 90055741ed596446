package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// Login profiles: one per user, its hash history kept newest first and
// trimmed, dropped with the profile; a user with one cannot be deleted.
// Password policies: one per account, replaced whole.

func newLoginProfile(user, hash string) store.LoginProfile {
	return store.LoginProfile{AccountID: acct, UserName: user, PasswordHash: hash, PasswordResetRequired: true, CreatedAt: epoch, PasswordChangedAt: epoch}
}

// setHash is an UpdateLoginProfile function setting the hash.
func setHash(hash string, at time.Time) func(store.LoginProfile) (store.LoginProfile, error) {
	return func(p store.LoginProfile) (store.LoginProfile, error) {
		p.PasswordHash, p.PasswordChangedAt = hash, at
		return p, nil
	}
}

func changedKinds(t *testing.T, s store.Store, after int64) []store.ChangeKind {
	t.Helper()
	changes, _, _, err := s.Changes(t.Context(), after, 1000)
	mustOK(t, "Changes", err)
	var kinds []store.ChangeKind
	for _, c := range changes {
		kinds = append(kinds, c.Kind)
	}
	return kinds
}

func testLoginProfiles(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	mustUser(t, s, "Alice")

	_, err := s.GetLoginProfile(ctx, acct, "Bob")
	wantNotFound(t, "a user without a profile", err, store.EntityLoginProfile)
	_, err = s.GetLoginProfile(ctx, acct, "Nobody")
	wantNotFound(t, "a missing user's profile", err, store.EntityUser)
	wantNotFound(t, "create for a missing user", s.CreateLoginProfile(ctx, newLoginProfile("Nobody", "h0")), store.EntityUser)

	_, _, before, err := s.Changes(ctx, 0, 1)
	mustOK(t, "Changes", err)
	mustOK(t, "CreateLoginProfile", s.CreateLoginProfile(ctx, newLoginProfile("Bob", "h0")))
	if kinds := changedKinds(t, s, before); !slices.Equal(kinds, []store.ChangeKind{store.ChangeLoginProfileChanged}) {
		t.Errorf("change log after CreateLoginProfile: %v", kinds)
	}
	wantErr(t, "a second profile", s.CreateLoginProfile(ctx, newLoginProfile("Bob", "other")), store.ErrAlreadyExists)
	wantErr(t, "a second profile, the name in another case", s.CreateLoginProfile(ctx, newLoginProfile("BOB", "other")), store.ErrAlreadyExists)
	p, err := s.GetLoginProfile(ctx, acct, "bob")
	mustOK(t, "GetLoginProfile", err)
	if p.UserName != "Bob" || p.PasswordHash != "h0" || !p.PasswordResetRequired || !p.CreatedAt.Equal(epoch) || !p.PasswordChangedAt.Equal(epoch) || len(p.History) != 0 {
		t.Fatalf("GetLoginProfile = %+v", p)
	}
	if _, err := s.GetLoginProfile(ctx, acct, "Alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Alice's profile: %v, want not found", err)
	}

	// The reset flag alone keeps the hash and the history.
	p, err = s.UpdateLoginProfile(ctx, acct, "Bob", func(p store.LoginProfile) (store.LoginProfile, error) {
		p.PasswordResetRequired = false
		return p, nil
	})
	mustOK(t, "UpdateLoginProfile (reset flag)", err)
	if p.PasswordHash != "h0" || p.PasswordResetRequired || len(p.History) != 0 {
		t.Fatalf("after clearing the reset flag: %+v", p)
	}
	// An update function's error changes nothing.
	refused := errors.New("refused")
	_, err = s.UpdateLoginProfile(ctx, acct, "Bob", func(p store.LoginProfile) (store.LoginProfile, error) { return setHash("hx", epoch)(p) })
	mustOK(t, "UpdateLoginProfile", err)
	_, err = s.UpdateLoginProfile(ctx, acct, "Bob", func(store.LoginProfile) (store.LoginProfile, error) { return store.LoginProfile{}, refused })
	wantErr(t, "an update refused", err, refused)
	p, err = s.GetLoginProfile(ctx, acct, "Bob")
	mustOK(t, "GetLoginProfile", err)
	if p.PasswordHash != "hx" || !slices.Equal(p.History, []string{"h0"}) {
		t.Fatalf("after one change and a refused one: %+v", p)
	}

	// The history keeps the newest MaxPasswordHistory hashes, newest first.
	at := epoch
	for i := 1; i <= store.MaxPasswordHistory+3; i++ {
		at = at.Add(time.Hour)
		_, err := s.UpdateLoginProfile(ctx, acct, "Bob", setHash(fmt.Sprintf("h%d", i), at))
		mustOK(t, "UpdateLoginProfile", err)
	}
	p, err = s.GetLoginProfile(ctx, acct, "Bob")
	mustOK(t, "GetLoginProfile", err)
	last := store.MaxPasswordHistory + 3
	if p.PasswordHash != fmt.Sprintf("h%d", last) || !p.PasswordChangedAt.Equal(at) || !p.CreatedAt.Equal(epoch) {
		t.Fatalf("after the changes: %+v", p)
	}
	if len(p.History) != store.MaxPasswordHistory || p.History[0] != fmt.Sprintf("h%d", last-1) || p.History[len(p.History)-1] != fmt.Sprintf("h%d", last-store.MaxPasswordHistory) {
		t.Fatalf("history = %q", p.History)
	}

	// The credential snapshot tells who has a password, and the policy.
	mustOK(t, "PutPasswordPolicy", s.PutPasswordPolicy(ctx, store.PasswordPolicy{AccountID: acct, MinimumPasswordLength: 8, MaxPasswordAge: 30}))
	snap, err := s.CredentialSnapshot(ctx, acct)
	mustOK(t, "CredentialSnapshot", err)
	if snap.PasswordPolicy == nil || snap.PasswordPolicy.MaxPasswordAge != 30 {
		t.Errorf("snapshot's password policy = %+v", snap.PasswordPolicy)
	}
	for _, h := range snap.Holders {
		switch {
		case h.Root || h.User.Name == "Alice":
			if h.LoginProfile != nil {
				t.Errorf("%+v has a login profile in the snapshot", h.User)
			}
		case h.User.Name == "Bob":
			if h.LoginProfile == nil || !h.LoginProfile.PasswordChangedAt.Equal(at) || h.LoginProfile.PasswordHash != "" {
				t.Errorf("Bob's login profile in the snapshot: %+v", h.LoginProfile)
			}
		}
	}

	// The password's last use: noted on the user, never moved back, kept
	// without the profile; it records no change.
	bob, err := s.GetUser(ctx, acct, "Bob")
	mustOK(t, "GetUser", err)
	if bob.PasswordLastUsed != nil {
		t.Fatalf("a new user's PasswordLastUsed = %v", bob.PasswordLastUsed)
	}
	_, _, before, err = s.Changes(ctx, 0, 1)
	mustOK(t, "Changes", err)
	used := epoch.Add(3 * time.Hour)
	mustOK(t, "RecordPasswordUse", s.RecordPasswordUse(ctx, acct, bob.ID, used))
	mustOK(t, "RecordPasswordUse earlier", s.RecordPasswordUse(ctx, acct, bob.ID, used.Add(-time.Hour)))
	if kinds := changedKinds(t, s, before); len(kinds) != 0 {
		t.Errorf("change log after RecordPasswordUse: %v", kinds)
	}
	wantNotFound(t, "RecordPasswordUse of a missing user", s.RecordPasswordUse(ctx, acct, "AIDANOSUCHUSER", used), store.EntityUser)
	wantNotFound(t, "RecordPasswordUse in another account", s.RecordPasswordUse(ctx, otherAcct, bob.ID, used), store.EntityUser)
	wantPasswordUsed := func(what string) {
		t.Helper()
		u, err := s.GetUser(ctx, acct, "Bob")
		mustOK(t, "GetUser", err)
		if u.PasswordLastUsed == nil || !u.PasswordLastUsed.Equal(used) {
			t.Fatalf("%s: PasswordLastUsed = %v, want %v", what, u.PasswordLastUsed, used)
		}
		users, _, _, err := s.ListUsers(ctx, acct, "", store.Page{Limit: 10})
		mustOK(t, "ListUsers", err)
		for _, u := range users {
			if u.Name == "Bob" && (u.PasswordLastUsed == nil || !u.PasswordLastUsed.Equal(used)) {
				t.Fatalf("%s: listed PasswordLastUsed = %v, want %v", what, u.PasswordLastUsed, used)
			}
		}
	}
	wantPasswordUsed("after two uses")

	// A user with a profile cannot be deleted; its profile can.
	wantConflict(t, "delete a user with a login profile", s.DeleteUser(ctx, acct, "Bob"), store.EntityUser, store.EntityLoginProfile)
	mustOK(t, "DeleteLoginProfile", s.DeleteLoginProfile(ctx, acct, "Bob"))
	wantNotFound(t, "delete twice", s.DeleteLoginProfile(ctx, acct, "Bob"), store.EntityLoginProfile)
	wantPasswordUsed("after the profile's deletion")
	wantNotFound(t, "delete a missing user's", s.DeleteLoginProfile(ctx, acct, "Nobody"), store.EntityUser)
	_, err = s.UpdateLoginProfile(ctx, acct, "Bob", setHash("h", epoch))
	wantNotFound(t, "update a deleted profile", err, store.EntityLoginProfile)

	// A new profile starts without history.
	mustOK(t, "re-create", s.CreateLoginProfile(ctx, newLoginProfile("Bob", "new")))
	p, err = s.GetLoginProfile(ctx, acct, "Bob")
	mustOK(t, "GetLoginProfile", err)
	if p.PasswordHash != "new" || len(p.History) != 0 {
		t.Fatalf("re-created profile: %+v", p)
	}
	mustOK(t, "DeleteLoginProfile", s.DeleteLoginProfile(ctx, acct, "Bob"))
	mustOK(t, "DeleteUser without a profile", s.DeleteUser(ctx, acct, "Bob"))
}

func testPasswordPolicies(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	_, err := s.GetPasswordPolicy(ctx, acct)
	wantNotFound(t, "no policy", err, store.EntityPasswordPolicy)
	wantNotFound(t, "delete no policy", s.DeletePasswordPolicy(ctx, acct), store.EntityPasswordPolicy)

	bob := mustUser(t, s, "Bob")
	wantChangesPasswords := func(what string, want bool) {
		t.Helper()
		set, err := s.UserPolicySet(ctx, acct, bob.ID)
		mustOK(t, "UserPolicySet", err)
		if set.UsersChangePasswords != want {
			t.Fatalf("%s: the user's policy set's UsersChangePasswords = %v, want %v", what, set.UsersChangePasswords, want)
		}
	}
	wantChangesPasswords("without a policy", false)
	full := store.PasswordPolicy{AccountID: acct, MinimumPasswordLength: 14, RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, AllowUsersToChangePassword: true,
		MaxPasswordAge: 90, PasswordReusePrevention: 24, HardExpiry: true}
	_, _, before, err := s.Changes(ctx, 0, 1)
	mustOK(t, "Changes", err)
	mustOK(t, "PutPasswordPolicy", s.PutPasswordPolicy(ctx, full))
	if kinds := changedKinds(t, s, before); !slices.Equal(kinds, []store.ChangeKind{store.ChangePasswordPolicyChanged}) {
		t.Errorf("change log after PutPasswordPolicy: %v", kinds)
	}
	if got, err := s.GetPasswordPolicy(ctx, acct); err != nil || got != full {
		t.Fatalf("GetPasswordPolicy = %+v, %v; want %+v", got, err, full)
	}
	_, err = s.GetPasswordPolicy(ctx, otherAcct)
	wantNotFound(t, "the other account's", err, store.EntityPasswordPolicy)
	wantChangesPasswords("with AllowUsersToChangePassword", true)

	// A put replaces the whole policy.
	small := store.PasswordPolicy{AccountID: acct, MinimumPasswordLength: 6}
	mustOK(t, "replace", s.PutPasswordPolicy(ctx, small))
	if got, err := s.GetPasswordPolicy(ctx, acct); err != nil || got != small {
		t.Fatalf("GetPasswordPolicy = %+v, %v; want %+v", got, err, small)
	}
	wantChangesPasswords("without AllowUsersToChangePassword", false)
	mustOK(t, "DeletePasswordPolicy", s.DeletePasswordPolicy(ctx, acct))
	_, err = s.GetPasswordPolicy(ctx, acct)
	wantNotFound(t, "after delete", err, store.EntityPasswordPolicy)
	wantNotFound(t, "a missing account's", s.PutPasswordPolicy(ctx, store.PasswordPolicy{AccountID: "999999999999", MinimumPasswordLength: 8}), store.EntityAccount)
}

// testConcurrentLoginProfiles races creations of one user's profile
// (exactly one wins) and updates of it (none lost: every replaced hash is
// in the history).
func testConcurrentLoginProfiles(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.CreateLoginProfile(ctx, newLoginProfile("Bob", fmt.Sprintf("c%d", i)))
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrAlreadyExists):
			t.Fatalf("racing CreateLoginProfile: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d racing creations succeeded, want 1", won)
	}

	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.UpdateLoginProfile(context.WithoutCancel(ctx), acct, "Bob", setHash(fmt.Sprintf("u%d", i), epoch))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		mustOK(t, "racing UpdateLoginProfile", err)
	}
	p, err := s.GetLoginProfile(ctx, acct, "Bob")
	mustOK(t, "GetLoginProfile", err)
	if len(p.History) != n {
		t.Fatalf("history after %d racing updates: %q, want %d hashes", n, p.History, n)
	}
	seen := map[string]bool{p.PasswordHash: true}
	for _, h := range p.History {
		seen[h] = true
	}
	if len(seen) != n+1 {
		t.Fatalf("an update was lost: current %q, history %q", p.PasswordHash, p.History)
	}
}
