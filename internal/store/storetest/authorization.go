package storetest

import (
	"errors"
	"testing"

	"github.com/latchkey/latchkey/internal/store"
)

// document finds the policy named name in a policy set's documents.
func document(t *testing.T, what string, docs []store.PolicyDocument, name string) store.PolicyDocument {
	t.Helper()
	for _, d := range docs {
		if d.PolicyName == name {
			return d
		}
	}
	t.Fatalf("%s: no policy %s among %q", what, name, namesOf(docs, documentName))
	return store.PolicyDocument{}
}

// wantCustomer checks a customer managed policy's part of a policy set: its
// default version's id and document.
func wantCustomer(t *testing.T, what string, d store.PolicyDocument, p store.AttachedPolicy, versionID, doc string) {
	t.Helper()
	if d.AttachedPolicy != p || d.PolicyID != "ANPA"+acct+p.PolicyName || d.VersionID != versionID || d.Document != doc {
		t.Fatalf("%s: %+v, want %+v at %s with document %q", what, d, p, versionID, doc)
	}
}

// wantAWS checks an AWS managed policy's part of a policy set: the
// reference alone, for the caller to resolve.
func wantAWS(t *testing.T, what string, d store.PolicyDocument, p store.AttachedPolicy) {
	t.Helper()
	if d.PolicyARN != p.PolicyARN || d.PolicyID != "" || d.VersionID != "" || d.Document != "" {
		t.Fatalf("%s: %+v, want the reference %s alone", what, d, p.PolicyARN)
	}
}

func testUserPolicySet(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	bound := mustPolicy(t, s, "Bound", "bound-v1")
	zed := mustPolicy(t, s, "Zed", "zed-v1")
	shared := mustPolicyAt(t, s, acct, "/shared/", "Shared", "shared-v1")
	ro, power := awsPolicy("ReadOnlyAccess"), awsPolicy("PowerUserAccess")
	u := store.User{AccountID: acct, ID: "AIDABOB", Name: "Bob", Path: "/team/", CreatedAt: epoch,
		Tags: []store.Tag{{Key: "team", Value: "x"}, {Key: "a", Value: "b"}}, PermissionsBoundary: bound.PolicyARN}
	mustOK(t, "CreateUser", s.CreateUser(ctx, u))
	mustPut(t, s, store.KindUser, "Bob", "b2", "ub2", 3)
	mustPut(t, s, store.KindUser, "Bob", "A1", "ua1", 3)
	mustAttach(t, s, store.KindUser, "Bob", zed)
	mustAttach(t, s, store.KindUser, "Bob", ro)
	for _, g := range []string{"beta", "Alpha", "Unrelated"} {
		mustGroup(t, s, g)
	}
	mustOK(t, "AddUserToGroup", s.AddUserToGroup(ctx, acct, "beta", "Bob"))
	mustOK(t, "AddUserToGroup", s.AddUserToGroup(ctx, acct, "Alpha", "Bob"))
	mustPut(t, s, store.KindGroup, "Alpha", "gp", "gdoc", 4)
	mustAttach(t, s, store.KindGroup, "Alpha", shared)
	mustAttach(t, s, store.KindGroup, "Alpha", ro)
	// Policies of others are not Bob's.
	mustPut(t, s, store.KindGroup, "Unrelated", "not-bobs", "x", 1)
	mustAttach(t, s, store.KindGroup, "Unrelated", zed)
	mustUser(t, s, "Carol")
	mustPut(t, s, store.KindUser, "Carol", "carols", "x", 1)
	mustAttach(t, s, store.KindUser, "Carol", shared)

	read := func() store.PolicySet {
		t.Helper()
		set, err := s.UserPolicySet(ctx, acct, "AIDABOB")
		mustOK(t, "UserPolicySet", err)
		return set
	}
	set := read()
	if set.Kind != store.KindUser || set.Group.ID != "" {
		t.Fatalf("UserPolicySet kind %q, group %+v", set.Kind, set.Group)
	}
	if got := set.User; got.ID != "AIDABOB" || got.Name != "Bob" || got.Path != "/team/" || got.AccountID != acct || !got.CreatedAt.Equal(epoch) ||
		len(got.Tags) != 2 || got.Tags[0] != u.Tags[0] || got.Tags[1] != u.Tags[1] || got.PermissionsBoundary != bound.PolicyARN {
		t.Fatalf("UserPolicySet user = %+v", got)
	}
	wantNames(t, "inline", namesOf(set.Inline, inlineName), []string{"A1", "b2"})
	if p := set.Inline[0]; p.Owner != "Bob" || p.Document != "ua1" || p.Size != 3 {
		t.Fatalf("inline policy = %+v", p)
	}
	wantNames(t, "attached", namesOf(set.Attached, documentName), []string{"ReadOnlyAccess", "Zed"})
	wantAWS(t, "attached AWS managed", set.Attached[0], ro)
	wantCustomer(t, "attached customer managed", set.Attached[1], zed, "v1", "zed-v1")
	wantNames(t, "groups", namesOf(set.Groups, func(g store.GroupPolicySet) string { return g.Group.Name }), []string{"Alpha", "beta"})
	alpha, beta := set.Groups[0], set.Groups[1]
	if alpha.Group.ID != "AGPAAlpha" || alpha.Group.Path != "/" || beta.Group.ID != "AGPAbeta" {
		t.Fatalf("groups = %+v, %+v", alpha.Group, beta.Group)
	}
	wantNames(t, "Alpha's inline", namesOf(alpha.Inline, inlineName), []string{"gp"})
	if p := alpha.Inline[0]; p.Owner != "Alpha" || p.Document != "gdoc" || p.Size != 4 {
		t.Fatalf("group inline policy = %+v", p)
	}
	wantNames(t, "Alpha's attached", namesOf(alpha.Attached, documentName), []string{"ReadOnlyAccess", "Shared"})
	wantAWS(t, "group's AWS managed", alpha.Attached[0], ro)
	wantCustomer(t, "group's customer managed", alpha.Attached[1], shared, "v1", "shared-v1")
	if len(beta.Inline) != 0 || len(beta.Attached) != 0 {
		t.Fatalf("empty group's part = %+v", beta)
	}
	if set.Boundary == nil {
		t.Fatal("no boundary")
	}
	wantCustomer(t, "boundary", *set.Boundary, bound, "v1", "bound-v1")

	// The set follows the default versions.
	_, err := s.CreatePolicyVersion(ctx, acct, zed.PolicyARN, "zed-v2", false, epoch)
	mustOK(t, "CreatePolicyVersion", err)
	wantCustomer(t, "a version not made default", read().Attached[1], zed, "v1", "zed-v1")
	mustOK(t, "SetDefaultPolicyVersion", s.SetDefaultPolicyVersion(ctx, acct, zed.PolicyARN, "v2"))
	wantCustomer(t, "after SetDefaultPolicyVersion", read().Attached[1], zed, "v2", "zed-v2")
	for _, p := range []store.AttachedPolicy{bound, shared} {
		_, err := s.CreatePolicyVersion(ctx, acct, p.PolicyARN, p.PolicyName+"-v2", true, epoch)
		mustOK(t, "CreatePolicyVersion", err)
	}
	set = read()
	wantCustomer(t, "boundary's new default", *set.Boundary, bound, "v2", "Bound-v2")
	wantCustomer(t, "group policy's new default", document(t, "Alpha's attached", set.Groups[0].Attached, "Shared"), shared, "v2", "Shared-v2")
	mustOK(t, "SetDefaultPolicyVersion", s.SetDefaultPolicyVersion(ctx, acct, zed.PolicyARN, "v1"))
	wantCustomer(t, "back to v1", read().Attached[1], zed, "v1", "zed-v1")

	// An AWS managed boundary is a reference; none is nil.
	mustOK(t, "SetUserPermissionsBoundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", power.PolicyARN))
	set = read()
	if set.Boundary == nil || set.User.PermissionsBoundary != power.PolicyARN {
		t.Fatalf("AWS managed boundary: %+v, user's %q", set.Boundary, set.User.PermissionsBoundary)
	}
	wantAWS(t, "AWS managed boundary", *set.Boundary, power)
	mustOK(t, "remove boundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", ""))
	if b := read().Boundary; b != nil {
		t.Fatalf("removed boundary still in the set: %+v", b)
	}

	// It follows memberships, detachments, deletions and renames.
	mustOK(t, "RemoveUserFromGroup", s.RemoveUserFromGroup(ctx, acct, "Alpha", "Bob"))
	mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, store.KindUser, "Bob", ro.PolicyARN))
	mustOK(t, "DeleteInlinePolicy", s.DeleteInlinePolicy(ctx, acct, store.KindUser, "Bob", "b2"))
	_, err = s.UpdateUser(ctx, acct, "Bob", func(u store.User) (store.User, error) { u.Name, u.Tags = "Robert", nil; return u, nil })
	mustOK(t, "rename Bob", err)
	set = read()
	wantNames(t, "groups after removal", namesOf(set.Groups, func(g store.GroupPolicySet) string { return g.Group.Name }), []string{"beta"})
	wantNames(t, "attached after detaching", namesOf(set.Attached, documentName), []string{"Zed"})
	wantNames(t, "inline after deleting", namesOf(set.Inline, inlineName), []string{"A1"})
	if set.User.Name != "Robert" || len(set.User.Tags) != 0 || set.Inline[0].Owner != "Robert" {
		t.Fatalf("after rename: user %+v, inline %+v", set.User, set.Inline)
	}

	for _, bad := range []struct{ account, id string }{{acct, "AIDANOBODY"}, {acct, "Robert"}, {otherAcct, "AIDABOB"}, {acct, ""}} {
		_, err := s.UserPolicySet(ctx, bad.account, bad.id)
		wantErr(t, "UserPolicySet("+bad.account+", "+bad.id+")", err, store.ErrNotFound)
	}
}

func testGroupPolicySet(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	shared := mustPolicyAt(t, s, acct, "/shared/", "Shared", "shared-v1")
	ro := awsPolicy("ReadOnlyAccess")
	mustGroup(t, s, "Alpha")
	mustGroup(t, s, "Other")
	mustPut(t, s, store.KindGroup, "Alpha", "z", "zdoc", 4)
	mustPut(t, s, store.KindGroup, "alpha", "A", "adoc", 4)
	mustAttach(t, s, store.KindGroup, "Alpha", shared)
	mustAttach(t, s, store.KindGroup, "Alpha", ro)
	// A member's own policies are not the group's.
	mustUser(t, s, "Bob")
	mustOK(t, "AddUserToGroup", s.AddUserToGroup(ctx, acct, "Alpha", "Bob"))
	mustPut(t, s, store.KindUser, "Bob", "bobs", "x", 1)
	mustOK(t, "SetUserPermissionsBoundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", shared.PolicyARN))
	mustPut(t, s, store.KindGroup, "Other", "others", "x", 1)

	read := func() store.PolicySet {
		t.Helper()
		set, err := s.GroupPolicySet(ctx, acct, "ALPHA")
		mustOK(t, "GroupPolicySet", err)
		return set
	}
	set := read()
	if set.Kind != store.KindGroup || set.Group.ID != "AGPAAlpha" || set.Group.Name != "Alpha" || set.Group.Path != "/" || set.User.ID != "" || set.Boundary != nil || len(set.Groups) != 0 {
		t.Fatalf("GroupPolicySet = %+v", set)
	}
	wantNames(t, "inline", namesOf(set.Inline, inlineName), []string{"A", "z"})
	if p := set.Inline[1]; p.Owner != "Alpha" || p.Document != "zdoc" || p.Size != 4 {
		t.Fatalf("inline policy = %+v", p)
	}
	wantNames(t, "attached", namesOf(set.Attached, documentName), []string{"ReadOnlyAccess", "Shared"})
	wantAWS(t, "AWS managed", set.Attached[0], ro)
	wantCustomer(t, "customer managed", set.Attached[1], shared, "v1", "shared-v1")

	_, err := s.CreatePolicyVersion(ctx, acct, shared.PolicyARN, "shared-v2", false, epoch)
	mustOK(t, "CreatePolicyVersion", err)
	mustOK(t, "SetDefaultPolicyVersion", s.SetDefaultPolicyVersion(ctx, acct, shared.PolicyARN, "v2"))
	wantCustomer(t, "after SetDefaultPolicyVersion", read().Attached[1], shared, "v2", "shared-v2")

	_, err = s.GroupPolicySet(ctx, acct, "nope")
	wantNotFound(t, "GroupPolicySet of a missing group", err, store.EntityGroup)
	_, err = s.GroupPolicySet(ctx, otherAcct, "Alpha")
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("group seen from another account: %v", err)
	}
}

func testSessionPolicies(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	shared := mustPolicyAt(t, s, acct, "/shared/", "Shared", "shared-v1")
	zed := mustPolicy(t, s, "Zed", "zed-v1")
	foreign := mustPolicyAt(t, s, otherAcct, "/", "Foreign", "foreign-v1")
	ro := awsPolicy("ReadOnlyAccess")
	gone := "arn:aws:iam::" + acct + ":policy/Gone"

	docs, err := s.SessionPolicies(ctx, acct, []string{zed.PolicyARN, gone, ro.PolicyARN, shared.PolicyARN, foreign.PolicyARN})
	mustOK(t, "SessionPolicies", err)
	// Order as given; the missing and the other account's left out.
	wantNames(t, "session policies", namesOf(docs, documentName), []string{"Zed", "ReadOnlyAccess", "Shared"})
	wantCustomer(t, "customer managed", docs[0], zed, "v1", "zed-v1")
	wantAWS(t, "AWS managed", docs[1], ro)
	wantCustomer(t, "customer managed with a path", docs[2], shared, "v1", "shared-v1")

	_, err = s.CreatePolicyVersion(ctx, acct, zed.PolicyARN, "zed-v2", true, epoch)
	mustOK(t, "CreatePolicyVersion", err)
	docs, err = s.SessionPolicies(ctx, acct, []string{zed.PolicyARN})
	mustOK(t, "SessionPolicies", err)
	if len(docs) != 1 {
		t.Fatalf("SessionPolicies = %+v", docs)
	}
	wantCustomer(t, "after a new default version", docs[0], zed, "v2", "zed-v2")

	docs, err = s.SessionPolicies(ctx, acct, nil)
	if err != nil || len(docs) != 0 {
		t.Fatalf("SessionPolicies of none = %+v, %v", docs, err)
	}
}
