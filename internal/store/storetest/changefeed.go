package storetest

import (
	"testing"

	"github.com/latchkey/latchkey/internal/store"
)

// testChangeFeed: each kind of write that can change what a principal may
// do advances Generation by the time its method returns.
func testChangeFeed(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	p := mustPolicy(t, s, "P", "v1") // unattached, it changes nobody's permissions
	ro := awsPolicy("ReadOnlyAccess")
	user := func(name, boundary string) func() error {
		return func() error {
			return s.CreateUser(ctx, store.User{AccountID: acct, ID: "AIDA" + name, Name: name, Path: "/", CreatedAt: epoch, PermissionsBoundary: boundary})
		}
	}
	put := func(kind store.EntityKind, owner, name, doc string) func() error {
		return func() error {
			return s.PutInlinePolicy(ctx, acct, kind, store.InlinePolicy{Owner: owner, Name: name, Document: doc, Size: len(doc)})
		}
	}
	writes := []struct {
		name  string
		write func() error
	}{
		{"CreateUser", user("Bob", "")},
		{"CreateGroup", func() error {
			return s.CreateGroup(ctx, store.Group{AccountID: acct, ID: "AGPAG", Name: "G", Path: "/", CreatedAt: epoch})
		}},
		{"UpdateUser tags", func() error {
			_, err := s.UpdateUser(ctx, acct, "Bob", func(u store.User) (store.User, error) { u.Tags = []store.Tag{{Key: "k", Value: "v"}}; return u, nil })
			return err
		}},
		{"UpdateUser rename", func() error {
			_, err := s.UpdateUser(ctx, acct, "Bob", func(u store.User) (store.User, error) { u.Name = "Robert"; return u, nil })
			return err
		}},
		{"PutInlinePolicy user", put(store.KindUser, "Robert", "p", "{}")},
		{"PutInlinePolicy user, replacing", put(store.KindUser, "Robert", "P", "{ }")},
		{"DeleteInlinePolicy user", func() error { return s.DeleteInlinePolicy(ctx, acct, store.KindUser, "Robert", "p") }},
		{"PutInlinePolicy group", put(store.KindGroup, "G", "p", "{}")},
		{"DeleteInlinePolicy group", func() error { return s.DeleteInlinePolicy(ctx, acct, store.KindGroup, "G", "p") }},
		{"AddUserToGroup", func() error { return s.AddUserToGroup(ctx, acct, "G", "Robert") }},
		{"RemoveUserFromGroup", func() error { return s.RemoveUserFromGroup(ctx, acct, "G", "Robert") }},
		{"AttachPolicy user", func() error { return s.AttachPolicy(ctx, acct, store.KindUser, "Robert", p) }},
		{"AttachPolicy user, AWS managed", func() error { return s.AttachPolicy(ctx, acct, store.KindUser, "Robert", ro) }},
		{"AttachPolicy group", func() error { return s.AttachPolicy(ctx, acct, store.KindGroup, "G", p) }},
		{"CreatePolicyVersion as default", func() error {
			_, err := s.CreatePolicyVersion(ctx, acct, p.PolicyARN, "v2", true, epoch)
			return err
		}},
		{"SetDefaultPolicyVersion", func() error { return s.SetDefaultPolicyVersion(ctx, acct, p.PolicyARN, "v1") }},
		{"DetachPolicy user", func() error { return s.DetachPolicy(ctx, acct, store.KindUser, "Robert", p.PolicyARN) }},
		{"DetachPolicy user, AWS managed", func() error { return s.DetachPolicy(ctx, acct, store.KindUser, "Robert", ro.PolicyARN) }},
		{"DetachPolicy group", func() error { return s.DetachPolicy(ctx, acct, store.KindGroup, "G", p.PolicyARN) }},
		{"SetUserPermissionsBoundary", func() error { return s.SetUserPermissionsBoundary(ctx, acct, "Robert", p.PolicyARN) }},
		{"SetUserPermissionsBoundary AWS managed", func() error { return s.SetUserPermissionsBoundary(ctx, acct, "Robert", ro.PolicyARN) }},
		{"SetUserPermissionsBoundary removing", func() error { return s.SetUserPermissionsBoundary(ctx, acct, "Robert", "") }},
		{"CreateUser with a boundary", user("Carol", ro.PolicyARN)},
		{"UpdateGroup rename", func() error {
			_, err := s.UpdateGroup(ctx, acct, "G", func(g store.Group) (store.Group, error) { g.Name = "H"; return g, nil })
			return err
		}},
		{"UpdateGroup path", func() error {
			_, err := s.UpdateGroup(ctx, acct, "H", func(g store.Group) (store.Group, error) { g.Path = "/x/"; return g, nil })
			return err
		}},
		{"DeleteGroup", func() error { return s.DeleteGroup(ctx, acct, "H") }},
		{"DeleteUser", func() error { return s.DeleteUser(ctx, acct, "Robert") }},
	}
	for _, w := range writes {
		before := s.Generation()
		if err := w.write(); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if after := s.Generation(); after <= before {
			t.Fatalf("%s returned with the generation at %d, where it was before: not advanced", w.name, after)
		}
	}
}
