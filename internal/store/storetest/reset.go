package storetest

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// testReset: Reset leaves the kept account with its root keys (both of
// them, unchanged) and nothing else, in that account or any other; meta
// values stay; Generation advances and the change log records the reset;
// every name is free again afterwards. Resetting to a missing account
// changes nothing.
func testReset(t *testing.T, s store.Store) {
	ctx := t.Context()
	root := mustAccount(t, s, acct)
	root2 := mustKey(t, s, acct, "")
	mustAccount(t, s, otherAcct)
	mustOK(t, "PutMeta", s.PutMeta(ctx, "kept", "yes"))

	// One of everything, in both accounts.
	bob := mustUser(t, s, "Bob")
	bobKey := mustKey(t, s, acct, "Bob")
	mustPut(t, s, store.KindUser, "Bob", "inline", `{"Version":"2012-10-17"}`, 23)
	mustGroup(t, s, "Admins")
	mustOK(t, "AddUserToGroup", s.AddUserToGroup(ctx, acct, "Admins", "Bob"))
	mustPut(t, s, store.KindGroup, "Admins", "inline", `{"Version":"2012-10-17"}`, 23)
	p := mustPolicy(t, s, "P", `{"Version":"2012-10-17"}`)
	_, err := s.CreatePolicyVersion(ctx, acct, p.PolicyARN, `{"Version":"2012-10-17","Statement":[]}`, true, epoch)
	mustOK(t, "CreatePolicyVersion", err)
	mustAttach(t, s, store.KindUser, "Bob", p)
	mustAttach(t, s, store.KindUser, "Bob", awsPolicy("ReadOnlyAccess"))
	mustOK(t, "SetUserPermissionsBoundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", p.PolicyARN))
	mustRole(t, s, "R")
	mustAttach(t, s, store.KindRole, "R", p)
	mustPut(t, s, store.KindRole, "R", "inline", `{"Version":"2012-10-17"}`, 23)
	mustProfile(t, s, "IP")
	mustOK(t, "AddRoleToInstanceProfile", s.AddRoleToInstanceProfile(ctx, acct, "IP", "R"))
	mustOIDCProvider(t, s, newOIDCProvider("issuer.example"))
	mustOK(t, "CreateRelyingService", s.CreateRelyingService(ctx, store.RelyingService{AccountID: acct, Name: "Objects",
		Principal: "arn:aws:iam::" + acct + ":user/" + bob.Name, Scopes: []store.Scope{{Region: "r", Service: "s3"}}, CreatedAt: epoch}))
	mustOK(t, "CreateAccountAlias", s.CreateAccountAlias(ctx, acct, "example-corp"))
	mustOK(t, "CreateLoginProfile", s.CreateLoginProfile(ctx, newLoginProfile("Bob", "h0")))
	_, err = s.UpdateLoginProfile(ctx, acct, "Bob", setHash("h1", epoch))
	mustOK(t, "UpdateLoginProfile", err)
	mustOK(t, "PutPasswordPolicy", s.PutPasswordPolicy(ctx, store.PasswordPolicy{AccountID: acct, MinimumPasswordLength: 8}))
	mustOK(t, "PutKeyPolicy", s.PutKeyPolicy(ctx, store.KeyPolicy{AccountID: acct, MaxAge: 90 * 24 * time.Hour}))
	_, _, err = s.PutCredentialReport(ctx, store.CredentialReport{AccountID: acct, GeneratedAt: epoch, Content: []byte("csv")}, epoch)
	mustOK(t, "PutCredentialReport", err)
	other := store.User{AccountID: otherAcct, ID: "AIDAOTHER", Name: "Bob", Path: "/", CreatedAt: epoch}
	mustOK(t, "CreateUser in another account", s.CreateUser(ctx, other))
	otherKey := mustKey(t, s, otherAcct, "Bob")

	wantNotFound(t, "Reset to a missing account", s.Reset(ctx, "999999999999"), store.EntityAccount)
	if n, err := s.CountAccounts(ctx); err != nil || n != 2 {
		t.Fatalf("after a refused reset: %d accounts, %v; want 2", n, err)
	}
	if _, err := s.GetUser(ctx, acct, "Bob"); err != nil {
		t.Fatalf("after a refused reset: %v", err)
	}

	gen := s.Generation()
	_, _, before, err := s.Changes(ctx, 0, 1)
	mustOK(t, "Changes", err)
	mustOK(t, "Reset", s.Reset(ctx, acct))
	if s.Generation() == gen {
		t.Error("Generation did not advance on Reset")
	}
	changes, _, _, err := s.Changes(ctx, before, 10)
	mustOK(t, "Changes after Reset", err)
	if len(changes) != 1 || changes[0].Kind != store.ChangeStore {
		t.Errorf("change log after Reset: %+v, want one %s change", changes, store.ChangeStore)
	}

	if n, err := s.CountAccounts(ctx); err != nil || n != 1 {
		t.Errorf("after Reset: %d accounts, %v; want 1", n, err)
	}
	_, err = s.GetAccount(ctx, otherAcct)
	wantNotFound(t, "the other account", err, store.EntityAccount)
	sum, err := s.AccountSummary(ctx, acct)
	mustOK(t, "AccountSummary", err)
	if want := (store.AccountSummary{RootAccessKeys: 2}); sum != want {
		t.Errorf("AccountSummary after Reset = %+v, want %+v", sum, want)
	}
	for _, k := range []store.AccessKey{root, root2} {
		got, err := s.GetAccessKey(ctx, k.ID)
		mustOK(t, "the kept root key "+k.ID, err)
		if !got.Root || got.AccountID != acct || got.Status != store.StatusActive || string(got.SecretCiphertext) != string(k.SecretCiphertext) {
			t.Errorf("root key after Reset = %+v", got)
		}
	}
	for _, id := range []string{bobKey.ID, otherKey.ID} {
		_, err := s.GetAccessKey(ctx, id)
		wantNotFound(t, "a user's key after Reset", err, store.EntityAccessKey)
	}
	users, _, _, err := s.ListUsers(ctx, acct, "/", store.Page{})
	mustOK(t, "ListUsers", err)
	if len(users) != 0 {
		t.Errorf("users after Reset: %v", users)
	}
	providers, err := s.ListOpenIDConnectProviders(ctx, acct)
	mustOK(t, "ListOpenIDConnectProviders", err)
	services, err := s.ListRelyingServices(ctx, acct)
	mustOK(t, "ListRelyingServices", err)
	aliases, err := s.ListAccountAliases(ctx, acct)
	mustOK(t, "ListAccountAliases", err)
	kp, err := s.GetKeyPolicy(ctx, acct)
	mustOK(t, "GetKeyPolicy", err)
	if len(providers) != 0 || len(services) != 0 || len(aliases) != 0 || kp.MaxAge != 0 {
		t.Errorf("after Reset: providers %v, relying services %v, aliases %v, key policy %+v", providers, services, aliases, kp)
	}
	_, err = s.GetCredentialReport(ctx, acct)
	wantNotFound(t, "the credential report", err, store.EntityCredentialReport)
	_, err = s.GetPasswordPolicy(ctx, acct)
	wantNotFound(t, "the password policy", err, store.EntityPasswordPolicy)
	if v, err := s.GetMeta(ctx, "kept"); err != nil || v != "yes" {
		t.Errorf("meta after Reset: %q, %v", v, err)
	}

	// Everything can be made again under the same names.
	mustUser(t, s, "Bob")
	mustKey(t, s, acct, "Bob")
	mustGroup(t, s, "Admins")
	mustPolicy(t, s, "P", `{"Version":"2012-10-17"}`)
	mustRole(t, s, "R")
	mustProfile(t, s, "IP")
	mustOIDCProvider(t, s, newOIDCProvider("issuer.example"))
	mustOK(t, "CreateAccountAlias again", s.CreateAccountAlias(ctx, acct, "example-corp"))
	mustAccount(t, s, otherAcct)
	mustOK(t, "Reset once more", s.Reset(ctx, acct))
}
