package sts

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/secret"
)

// TestSessionRoundTrip: every kind of temporary credentials opens as the
// principal it was issued for, with all its limits.
func TestSessionRoundTrip(t *testing.T) {
	keys, err := secret.CreateKeyring(filepath.Join(t.TempDir(), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{SessionKey: keys.Primary()}
	issued := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	session := func(o principal.Origin) *principal.Session {
		return &principal.Session{Origin: o, IssuedAt: issued, Expiration: issued.Add(time.Hour)}
	}
	limited := session(principal.AssumeRole)
	limited.Policy, limited.PolicyARNs = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
	limited.Tags, limited.TransitiveTagKeys, limited.SourceIdentity = map[string]string{"team": "blue"}, []string{"team"}, "alice"
	byRoot := session(principal.GetFederationToken)
	byRoot.CreatedByRoot = true
	console := session(principal.ConsoleSignIn)
	console.SignedInAt, console.PasswordResetRequired = issued.Add(-time.Minute), true
	rootConsole := session(principal.ConsoleSignIn)
	rootConsole.SignedInAt, rootConsole.SignedInWith = issued, "AKIAROOTEXAMPLE"
	for _, p := range []*principal.Principal{
		{Kind: principal.AssumedRole, AccountID: "123456789012", ID: "AROAEXAMPLE", Name: "deploy", Path: "/ci/", SessionName: "job", Session: limited},
		{Kind: principal.AssumedRole, AccountID: "123456789012", ID: "AROAEXAMPLE", Name: "deploy", Path: "/", SessionName: "web", Session: session(principal.AssumeRoleWithWebIdentity)},
		{Kind: principal.User, AccountID: "123456789012", ID: "AIDAEXAMPLE", Name: "bob", Path: "/", Session: session(principal.GetSessionToken)},
		{Kind: principal.Root, AccountID: "123456789012", ID: "123456789012", Session: session(principal.GetSessionToken)},
		{Kind: principal.FederatedUser, AccountID: "123456789012", ID: "AIDAEXAMPLE", Name: "bob", Path: "/", SessionName: "carol", Session: session(principal.GetFederationToken)},
		{Kind: principal.FederatedUser, AccountID: "123456789012", ID: "123456789012", SessionName: "ops", Session: byRoot},
		{Kind: principal.User, AccountID: "123456789012", ID: "AIDAEXAMPLE", Name: "bob", Path: "/", Session: console},
		{Kind: principal.Root, AccountID: "123456789012", ID: "123456789012", Session: rootConsole},
	} {
		creds, err := s.sealSession(p)
		if err != nil {
			t.Fatalf("%s: %v", p.ARN(), err)
		}
		opened, err := secret.OpenSession(keys.Primary(), creds.SessionToken, creds.AccessKeyID)
		if err != nil {
			t.Fatalf("%s: %v", p.ARN(), err)
		}
		got, err := SessionPrincipal(opened)
		if err != nil {
			t.Fatalf("%s: %v", p.ARN(), err)
		}
		want := *p
		want.AccessKeyID = creds.AccessKeyID
		if !reflect.DeepEqual(got, &want) {
			t.Fatalf("opened %+v %+v,\nwant %+v %+v", got, got.Session, &want, want.Session)
		}
	}
}

// TestSessionPrincipalRefusesPartialPayloads: a payload that does not name
// a whole principal of a known kind is refused, never completed by guess.
func TestSessionPrincipalRefusesPartialPayloads(t *testing.T) {
	for name, s := range map[string]secret.Session{
		"no kind":                    {AccountID: "123456789012", ID: "AROAX", Name: "r", SessionName: "s"},
		"unknown kind":               {Kind: "admin", AccountID: "123456789012", ID: "AROAX", Name: "r", SessionName: "s"},
		"role without session name":  {Kind: "role", AccountID: "123456789012", ID: "AROAX", Name: "r"},
		"user without name":          {Kind: "user", AccountID: "123456789012", ID: "AIDAX"},
		"root with a name":           {Kind: "root", AccountID: "123456789012", ID: "123456789012", Name: "bob"},
		"root of another account":    {Kind: "root", AccountID: "123456789012", ID: "210987654321"},
		"federated without creator":  {Kind: "federated", AccountID: "123456789012", ID: "AIDAX", SessionName: "f"},
		"federated by root, a name":  {Kind: "federated", AccountID: "123456789012", ID: "123456789012", Name: "bob", SessionName: "f", ByRoot: true},
		"no account":                 {Kind: "user", ID: "AIDAX", Name: "bob"},
		"console without sign-in":    {Kind: "console-user", AccountID: "123456789012", ID: "AIDAX", Name: "bob"},
		"root console without key":   {Kind: "console-root", AccountID: "123456789012", ID: "123456789012", SignedInAt: 1},
		"user console with root key": {Kind: "console-user", AccountID: "123456789012", ID: "AIDAX", Name: "bob", SignedInAt: 1, SignedInWith: "AKIAX"},
		"reset outside the console":  {Kind: "user", AccountID: "123456789012", ID: "AIDAX", Name: "bob", ResetRequired: true},
	} {
		if p, err := SessionPrincipal(s); err == nil {
			t.Errorf("%s: opened as %+v", name, p)
		}
	}
}
