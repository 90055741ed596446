package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/store"
)

// trustPolicy is a trust policy document with what a careless backend
// would lose: tabs, CRLF and LF line ends, runs of spaces, trailing white
// space, non-ASCII text and percent signs. The store keeps it byte for
// byte (Role.AssumeRolePolicy: "exactly as given").
const trustPolicy = "{\"Version\": \"2012-10-17\",\r\n\t\"Statement\": [{\"Sid\": \"café ☕ %7B\",  \"Effect\": \"Allow\",\n" +
	"\t\t\"Principal\": {\"Service\": \"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}  \n"

// newRole is the role named name in acct, at path "/", with a trust
// policy and AWS's default maximum session duration.
func newRole(name string) store.Role {
	return store.Role{AccountID: acct, ID: "AROA" + name, Name: name, Path: "/", AssumeRolePolicy: trustPolicy, MaxSessionDuration: 3600, CreatedAt: epoch}
}

func mustRole(t *testing.T, s store.Store, name string) store.Role {
	t.Helper()
	r := newRole(name)
	if err := s.CreateRole(t.Context(), r); err != nil {
		t.Fatalf("CreateRole(%s): %v", name, err)
	}
	return r
}

func roleName(r store.Role) string { return r.Name }

// wantRole compares every field of a role.
func wantRole(t *testing.T, what string, got, want store.Role) {
	t.Helper()
	if got.AccountID != want.AccountID || got.ID != want.ID || got.Name != want.Name || got.Path != want.Path ||
		got.Description != want.Description || got.AssumeRolePolicy != want.AssumeRolePolicy ||
		got.MaxSessionDuration != want.MaxSessionDuration || !got.CreatedAt.Equal(want.CreatedAt) ||
		!slices.Equal(got.Tags, want.Tags) || got.PermissionsBoundary != want.PermissionsBoundary {
		t.Fatalf("%s =\n\t%+v\nwant\n\t%+v", what, got, want)
	}
}

// getRole reads a role that must exist.
func getRole(t *testing.T, s store.Store, name string) store.Role {
	t.Helper()
	r, err := s.GetRole(t.Context(), acct, name)
	mustOK(t, "GetRole("+name+")", err)
	return r
}

func testRoleLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	r := store.Role{AccountID: acct, ID: "AROADEPLOYER", Name: "Deployer", Path: "/svc/ci/", Description: "deploys the site",
		AssumeRolePolicy: trustPolicy, MaxSessionDuration: 43200, CreatedAt: epoch,
		Tags: []store.Tag{{Key: "team", Value: "web"}, {Key: "env", Value: "prod"}, {Key: "a", Value: ""}}}
	mustOK(t, "CreateRole", s.CreateRole(ctx, r))
	for _, name := range []string{"Deployer", "deployer", "DEPLOYER"} {
		wantRole(t, "GetRole("+name+")", getRole(t, s, name), r)
	}

	dup := newRole("DEPLOYER")
	dup.ID, dup.Path, dup.Description = "AROADUP", "/other/", "duplicate"
	wantErr(t, "create DEPLOYER on another path", s.CreateRole(ctx, dup), store.ErrAlreadyExists)
	wantRole(t, "after a refused duplicate", getRole(t, s, "Deployer"), r)
	_, err := s.GetRole(ctx, acct, "nope")
	wantNotFound(t, "get a missing role", err, store.EntityRole)

	// A customer managed boundary must exist in the account, at its path.
	mustAccount(t, s, otherAcct)
	p := mustPolicyAt(t, s, acct, "/b/", "Bound", "{}")
	foreign := mustPolicyAt(t, s, otherAcct, "/b/", "Bound", "{}")
	for _, bad := range []string{arn.Policy(acct, "/", "Missing"), foreign.PolicyARN, arn.Policy(acct, "/", "Bound")} {
		ghost := newRole("Ghost")
		ghost.PermissionsBoundary = bad
		wantNotFound(t, "CreateRole bounded by "+bad, s.CreateRole(ctx, ghost), store.EntityManagedPolicy)
		_, err := s.GetRole(ctx, acct, "Ghost")
		wantNotFound(t, "role refused for its boundary", err, store.EntityRole)
	}
	bounded := newRole("Bounded")
	bounded.PermissionsBoundary = p.PolicyARN
	mustOK(t, "CreateRole with a customer managed boundary", s.CreateRole(ctx, bounded))
	wantRole(t, "role created bounded", getRole(t, s, "bounded"), bounded)
	aws := newRole("AWSBounded")
	aws.PermissionsBoundary = awsPolicy("PowerUserAccess").PolicyARN // not held by the store: accepted
	mustOK(t, "CreateRole with an AWS managed boundary", s.CreateRole(ctx, aws))
	wantRole(t, "role created with an AWS managed boundary", getRole(t, s, "AWSBounded"), aws)
	roles, _, more, err := s.ListRoles(ctx, acct, "", store.Page{Limit: 100})
	mustOK(t, "ListRoles", err)
	if more {
		t.Fatal("ListRoles of 3 roles by 100 is truncated")
	}
	wantNames(t, "roles after refused creations", namesOf(roles, roleName), []string{"AWSBounded", "Bounded", "Deployer"})

	// Another account is isolated: the name is free there, and the first
	// account's role is not visible from it.
	_, err = s.GetRole(ctx, otherAcct, "Deployer")
	wantNotFound(t, "role seen from another account", err, store.EntityRole)
	other := newRole("deployer")
	other.AccountID, other.ID = otherAcct, "AROAOTHERDEPLOYER"
	mustOK(t, "same name in another account", s.CreateRole(ctx, other))
	if got, err := s.GetRole(ctx, otherAcct, "Deployer"); err != nil {
		t.Fatalf("other account's role: %v", err)
	} else {
		wantRole(t, "other account's role", got, other)
	}
	wantRole(t, "first account's role", getRole(t, s, "Deployer"), r)
}

func testListRoles(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	var want, wantB []string
	byName := map[string]store.Role{}
	for i := 0; i < 25; i++ {
		name := fmt.Sprintf("role%02d", i)
		if i%3 == 0 {
			name = strings.ToUpper(name) // ordering ignores case
		}
		r := newRole(name)
		r.Path = "/a/"
		if i%2 == 1 {
			r.Path = "/b/"
			wantB = append(wantB, name)
		}
		r.Description = "role number " + fmt.Sprint(i)
		r.MaxSessionDuration = 3600 + i
		r.Tags = []store.Tag{{Key: "n", Value: fmt.Sprint(i)}, {Key: "first", Value: "no"}}
		mustOK(t, "CreateRole", s.CreateRole(ctx, r))
		want = append(want, name)
		byName[name] = r
	}
	list := func(prefix string, limit int) []string {
		t.Helper()
		var names []string
		after := ""
		for pages := 0; ; pages++ {
			roles, last, more, err := s.ListRoles(ctx, acct, prefix, store.Page{After: after, Limit: limit})
			mustOK(t, "ListRoles", err)
			if len(roles) > limit {
				t.Fatalf("ListRoles(%q) returned %d roles for limit %d", prefix, len(roles), limit)
			}
			for _, r := range roles {
				// A listing fills every field, as GetRole does.
				wantRole(t, "listed role "+r.Name, r, byName[r.Name])
				if !strings.HasPrefix(r.Path, prefix) {
					t.Fatalf("ListRoles(%q) listed %s at %s", prefix, r.Name, r.Path)
				}
			}
			names = append(names, namesOf(roles, roleName)...)
			if !more {
				return names
			}
			if pages > 25 {
				t.Fatalf("ListRoles(%q) does not end", prefix)
			}
			after = last
		}
	}
	wantNames(t, "all roles by 10", list("", 10), want)
	wantNames(t, "all roles by 1", list("", 1), want)
	wantNames(t, "path prefix /", list("/", 7), want)
	wantNames(t, "path prefix /b/", list("/b/", 5), wantB)
	wantNames(t, "path prefix /b", list("/b", 100), wantB)
	wantNames(t, "path prefix /c", list("/c", 100), nil)
	if roles, _, more, err := s.ListRoles(ctx, acct, "", store.Page{Limit: 25}); err != nil || len(roles) != 25 || more {
		t.Fatalf("limit 25: %d roles, more=%v, %v", len(roles), more, err)
	}
	if roles, _, more, err := s.ListRoles(ctx, acct, "", store.Page{Limit: 24}); err != nil || len(roles) != 24 || !more {
		t.Fatalf("limit 24: %d roles, more=%v, %v", len(roles), more, err)
	}
	if roles, _, _, err := s.ListRoles(ctx, otherAcct, "", store.Page{Limit: 100}); err != nil || len(roles) != 0 {
		t.Fatalf("another account lists %d roles, %v", len(roles), err)
	}
}

// testUpdateRole: the description, trust policy, maximum session duration
// and tags change; the id, name, path, creation date and boundary do not.
func testUpdateRole(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	p := mustPolicy(t, s, "Bound", "{}")
	q := mustPolicy(t, s, "Other", "{}")
	r := newRole("Worker")
	r.Path, r.Description, r.PermissionsBoundary = "/w/", "works", p.PolicyARN
	r.Tags = []store.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}}
	mustOK(t, "CreateRole", s.CreateRole(ctx, r))

	newTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`
	want := r
	want.Description, want.AssumeRolePolicy, want.MaxSessionDuration = "works harder", newTrust, 7200
	want.Tags = []store.Tag{{Key: "z", Value: "26"}, {Key: "b", Value: "3"}}
	var given store.Role
	got, err := s.UpdateRole(ctx, acct, "WORKER", func(old store.Role) (store.Role, error) {
		given = old
		old.Description, old.AssumeRolePolicy, old.MaxSessionDuration = want.Description, want.AssumeRolePolicy, want.MaxSessionDuration
		old.Tags = want.Tags
		old.ID, old.Name, old.Path, old.AccountID = "AROAEVIL", "Evil", "/evil/", otherAcct
		old.CreatedAt, old.PermissionsBoundary = epoch.Add(time.Hour), q.PolicyARN
		return old, nil
	})
	mustOK(t, "UpdateRole", err)
	wantRole(t, "the role the update func was given", given, r)
	wantRole(t, "UpdateRole's result", got, want)
	wantRole(t, "after UpdateRole", getRole(t, s, "worker"), want)
	_, err = s.GetRole(ctx, acct, "Evil")
	wantNotFound(t, "the name the update func tried", err, store.EntityRole)

	// The boundary is SetRolePermissionsBoundary's alone: UpdateRole can
	// neither replace it, remove it nor set a missing one.
	for _, b := range []string{q.PolicyARN, "", arn.Policy(acct, "/", "Missing")} {
		got, err := s.UpdateRole(ctx, acct, "Worker", func(old store.Role) (store.Role, error) { old.PermissionsBoundary = b; return old, nil })
		mustOK(t, "UpdateRole setting boundary "+b, err)
		wantRole(t, "UpdateRole setting boundary "+b, got, want)
	}
	if mp, err := s.GetPolicy(ctx, acct, q.PolicyARN); err != nil || mp.BoundaryUsageCount != 0 {
		t.Fatalf("policy UpdateRole tried to set as boundary: %+v, %v", mp, err)
	}

	// Tags can be removed.
	want.Tags = nil
	got, err = s.UpdateRole(ctx, acct, "Worker", func(old store.Role) (store.Role, error) { old.Tags = nil; return old, nil })
	mustOK(t, "UpdateRole removing tags", err)
	wantRole(t, "after removing tags", got, want)
	wantRole(t, "after removing tags", getRole(t, s, "Worker"), want)

	// A failing update func changes nothing.
	boom := errors.New("boom")
	_, err = s.UpdateRole(ctx, acct, "Worker", func(old store.Role) (store.Role, error) {
		old.Description, old.AssumeRolePolicy, old.MaxSessionDuration = "changed", "{}", 1
		old.Tags = []store.Tag{{Key: "k", Value: "v"}}
		return old, boom
	})
	wantErr(t, "update func error", err, boom)
	wantRole(t, "after a failed update", getRole(t, s, "Worker"), want)

	called := false
	_, err = s.UpdateRole(ctx, acct, "nobody", func(old store.Role) (store.Role, error) { called = true; return old, nil })
	wantNotFound(t, "update a missing role", err, store.EntityRole)
	if called {
		t.Fatal("UpdateRole of a missing role called the update func")
	}
}

// testRoleDeleteConflicts: a role is not deleted while it has inline
// policies, attached policies or a place in an instance profile; a
// permissions boundary does not hold it; once deleted, nothing of it is
// left.
func testRoleDeleteConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	r := mustRole(t, s, "R")
	stillThere := func() {
		t.Helper()
		wantRole(t, "after a refused delete", getRole(t, s, "R"), r)
	}
	mustPut(t, s, store.KindRole, "R", "p", "{}", 2)
	wantConflict(t, "delete a role with an inline policy", s.DeleteRole(ctx, acct, "r"), store.EntityRole, store.EntityRolePolicy)
	stillThere()
	mustOK(t, "DeleteInlinePolicy", s.DeleteInlinePolicy(ctx, acct, store.KindRole, "R", "P"))

	p := mustPolicy(t, s, "P", "{}")
	for _, a := range []store.AttachedPolicy{awsPolicy("ReadOnlyAccess"), p} {
		mustAttach(t, s, store.KindRole, "R", a)
		wantConflict(t, "delete a role with "+a.PolicyARN+" attached", s.DeleteRole(ctx, acct, "R"), store.EntityRole, store.EntityAttachment)
		stillThere()
		mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, store.KindRole, "R", a.PolicyARN))
	}

	mustProfile(t, s, "IP")
	mustOK(t, "AddRoleToInstanceProfile", s.AddRoleToInstanceProfile(ctx, acct, "IP", "R"))
	wantConflict(t, "delete a role in an instance profile", s.DeleteRole(ctx, acct, "R"), store.EntityRole, store.EntityInstanceProfile)
	stillThere()
	mustOK(t, "RemoveRoleFromInstanceProfile", s.RemoveRoleFromInstanceProfile(ctx, acct, "IP", "R"))

	mustOK(t, "SetRolePermissionsBoundary", s.SetRolePermissionsBoundary(ctx, acct, "R", p.PolicyARN))
	mustOK(t, "DeleteRole with a boundary", s.DeleteRole(ctx, acct, "R"))
	_, err := s.GetRole(ctx, acct, "R")
	wantNotFound(t, "deleted role", err, store.EntityRole)
	wantNotFound(t, "delete twice", s.DeleteRole(ctx, acct, "R"), store.EntityRole)
	if mp, err := s.GetPolicy(ctx, acct, p.PolicyARN); err != nil || mp.BoundaryUsageCount != 0 || mp.AttachmentCount != 0 {
		t.Fatalf("policy after its role's deletion: %+v, %v", mp, err)
	}
	mustOK(t, "DeletePolicy", s.DeletePolicy(ctx, acct, p.PolicyARN))

	// The same role, id included, starts again with nothing.
	mustRole(t, s, "R")
	if ps, err := s.ListInlinePolicies(ctx, acct, store.KindRole, "R"); err != nil || len(ps) != 0 {
		t.Fatalf("re-created role's inline policies = %+v, %v", ps, err)
	}
	if ps, err := s.ListAttachedPolicies(ctx, acct, store.KindRole, "R"); err != nil || len(ps) != 0 {
		t.Fatalf("re-created role's attached policies = %+v, %v", ps, err)
	}
	if ps, err := s.ListInstanceProfilesForRole(ctx, acct, "R"); err != nil || len(ps) != 0 {
		t.Fatalf("re-created role's instance profiles = %+v, %v", ps, err)
	}
	mustOK(t, "DeleteRole", s.DeleteRole(ctx, acct, "R"))
}

// testRolePermissionsBoundary: SetRolePermissionsBoundary sets, replaces
// and removes; a customer managed boundary must exist and is counted,
// listed and held as one.
func testRolePermissionsBoundary(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	p := mustPolicy(t, s, "Bound", "{}")
	q := mustPolicy(t, s, "Other", "{}")
	foreign := mustPolicyAt(t, s, otherAcct, "/", "Bound", "{}")
	missing := arn.Policy(acct, "/", "Missing")
	power := awsPolicy("PowerUserAccess").PolicyARN
	mustRole(t, s, "R")
	boundary := func(what, want string) {
		t.Helper()
		if got := getRole(t, s, "R"); got.PermissionsBoundary != want {
			t.Fatalf("%s: boundary %q, want %q", what, got.PermissionsBoundary, want)
		}
	}
	counts := func(what string, policy store.AttachedPolicy, bounds int) {
		t.Helper()
		mp, err := s.GetPolicy(ctx, acct, policy.PolicyARN)
		if err != nil || mp.BoundaryUsageCount != bounds || mp.AttachmentCount != 0 {
			t.Fatalf("%s: %s counts %d attached, %d bounded (%v), want 0, %d", what, policy.PolicyName, mp.AttachmentCount, mp.BoundaryUsageCount, err, bounds)
		}
		list, _, _, err := s.ListPolicies(ctx, acct, store.PolicyFilter{}, store.Page{Limit: 10})
		mustOK(t, "ListPolicies", err)
		for _, l := range list {
			if l.Name == policy.PolicyName && l.BoundaryUsageCount != bounds {
				t.Fatalf("%s: ListPolicies counts %s bounding %d, want %d", what, l.Name, l.BoundaryUsageCount, bounds)
			}
		}
	}
	bounded := func(what string, policyARN string, want ...string) {
		t.Helper()
		es, err := s.ListEntitiesForPolicy(ctx, acct, policyARN, true)
		mustOK(t, "ListEntitiesForPolicy boundary", err)
		wantNames(t, what, namesOf(es, entityName), want)
		for _, e := range es {
			if e.Kind == store.KindRole && (e.ID != "AROA"+e.Name || e.Path != "/") {
				t.Fatalf("%s: entity %+v, want id AROA%s and path /", what, e, e.Name)
			}
		}
	}

	for _, bad := range []string{missing, foreign.PolicyARN} {
		wantNotFound(t, "set boundary "+bad, s.SetRolePermissionsBoundary(ctx, acct, "R", bad), store.EntityManagedPolicy)
		boundary("after a refused boundary", "")
	}
	wantNotFound(t, "boundary of a missing role", s.SetRolePermissionsBoundary(ctx, acct, "nobody", p.PolicyARN), store.EntityRole)

	mustOK(t, "SetRolePermissionsBoundary", s.SetRolePermissionsBoundary(ctx, acct, "r", p.PolicyARN))
	boundary("set", p.PolicyARN)
	counts("bounding a role", p, 1)
	wantNotFound(t, "replace with a missing boundary", s.SetRolePermissionsBoundary(ctx, acct, "R", missing), store.EntityManagedPolicy)
	boundary("after a refused replacement", p.PolicyARN)

	// Roles and users bounded alike: counted together, listed by kind
	// (role before user) then name ignoring case.
	mustUser(t, s, "Bob")
	mustOK(t, "SetUserPermissionsBoundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", p.PolicyARN))
	alpha := newRole("alpha")
	alpha.PermissionsBoundary = p.PolicyARN
	mustOK(t, "CreateRole bounded", s.CreateRole(ctx, alpha))
	counts("bounding two roles and a user", p, 3)
	bounded("entities bounded by Bound", p.PolicyARN, "role:alpha", "role:R", "user:Bob")
	if es, err := s.ListEntitiesForPolicy(ctx, acct, p.PolicyARN, false); err != nil || len(es) != 0 {
		t.Fatalf("a boundary listed as an attachment: %+v, %v", es, err)
	}

	// DeletePolicy is refused while the policy bounds a role, a role alone.
	mustOK(t, "remove the user's boundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", ""))
	mustOK(t, "remove alpha's boundary", s.SetRolePermissionsBoundary(ctx, acct, "alpha", ""))
	counts("bounding R alone", p, 1)
	wantConflict(t, "delete a policy bounding a role", s.DeletePolicy(ctx, acct, p.PolicyARN), store.EntityManagedPolicy, store.EntityAttachment)
	if _, err := s.GetPolicy(ctx, acct, p.PolicyARN); err != nil {
		t.Fatalf("refused delete removed the policy: %v", err)
	}

	mustOK(t, "replace the boundary", s.SetRolePermissionsBoundary(ctx, acct, "R", q.PolicyARN))
	boundary("replaced", q.PolicyARN)
	counts("after the replacement", p, 0)
	counts("after the replacement", q, 1)
	bounded("entities bounded by Other", q.PolicyARN, "role:R")

	mustOK(t, "AWS managed boundary", s.SetRolePermissionsBoundary(ctx, acct, "R", power))
	boundary("AWS managed", power)
	counts("after moving to an AWS managed boundary", q, 0)
	bounded("entities bounded by PowerUserAccess", power, "role:R")
	_, bounds, err := s.AttachmentCounts(ctx, acct)
	mustOK(t, "AttachmentCounts", err)
	wantCounts(t, "AWS managed boundaries", bounds, map[string]int{power: 1})

	mustOK(t, "remove the boundary", s.SetRolePermissionsBoundary(ctx, acct, "R", ""))
	boundary("removed", "")
	mustOK(t, "remove again", s.SetRolePermissionsBoundary(ctx, acct, "R", ""))
	bounded("entities bounded by PowerUserAccess after removal", power)
	_, bounds, err = s.AttachmentCounts(ctx, acct)
	mustOK(t, "AttachmentCounts", err)
	wantCounts(t, "AWS managed boundaries after removal", bounds, map[string]int{})
	mustOK(t, "DeletePolicy once it bounds nothing", s.DeletePolicy(ctx, acct, p.PolicyARN))
}

// testRoleInlinePolicies covers InlinePolicies with owner kind KindRole.
func testRoleInlinePolicies(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustRole(t, s, "Bob")
	doc := `{"Version": "2012-10-17",  "Statement": []}`
	for _, name := range []string{"zeta", "Alpha", "mid"} {
		mustPut(t, s, store.KindRole, "Bob", name, doc, 10)
	}
	mustPut(t, s, store.KindRole, "bob", "ZETA", "{}", 2) // a replacement keeps the new spelling

	list, err := s.ListInlinePolicies(ctx, acct, store.KindRole, "BOB")
	mustOK(t, "ListInlinePolicies", err)
	wantNames(t, "ListInlinePolicies", namesOf(list, inlineName), []string{"Alpha", "mid", "ZETA"})
	for _, p := range list {
		if p.Owner != "Bob" {
			t.Fatalf("listed policy %s has owner %q, want the stored spelling Bob", p.Name, p.Owner)
		}
	}
	if list[0].Document != doc || list[0].Size != 10 || list[2].Document != "{}" || list[2].Size != 2 {
		t.Fatalf("ListInlinePolicies documents and sizes = %+v", list)
	}
	p, err := s.GetInlinePolicy(ctx, acct, store.KindRole, "BOB", "alpha")
	if err != nil || p.Name != "Alpha" || p.Owner != "Bob" || p.Document != doc || p.Size != 10 {
		t.Fatalf("GetInlinePolicy = %+v, %v", p, err)
	}
	_, err = s.GetInlinePolicy(ctx, acct, store.KindRole, "Bob", "nope")
	wantNotFound(t, "get a missing policy", err, store.EntityRolePolicy)

	// A user and a group of the same name do not share the role's policies.
	mustUser(t, s, "Bob")
	mustGroup(t, s, "Bob")
	for _, kind := range []store.EntityKind{store.KindUser, store.KindGroup} {
		if other, err := s.ListInlinePolicies(ctx, acct, kind, "Bob"); err != nil || len(other) != 0 {
			t.Fatalf("the %s Bob lists the role Bob's policies: %+v, %v", kind, other, err)
		}
	}
	mustPut(t, s, store.KindUser, "Bob", "Alpha", "user's", 6)
	if p, err := s.GetInlinePolicy(ctx, acct, store.KindRole, "Bob", "Alpha"); err != nil || p.Document != doc {
		t.Fatalf("the user's policy of the same name replaced the role's: %+v, %v", p, err)
	}

	missing := store.InlinePolicy{Owner: "nobody", Name: "p", Document: "{}", Size: 2}
	wantNotFound(t, "put for a missing role", s.PutInlinePolicy(ctx, acct, store.KindRole, missing), store.EntityRole)
	_, err = s.GetInlinePolicy(ctx, acct, store.KindRole, "nobody", "p")
	wantNotFound(t, "get for a missing role", err, store.EntityRole)
	_, err = s.ListInlinePolicies(ctx, acct, store.KindRole, "nobody")
	wantNotFound(t, "list for a missing role", err, store.EntityRole)
	wantNotFound(t, "delete for a missing role", s.DeleteInlinePolicy(ctx, acct, store.KindRole, "nobody", "p"), store.EntityRole)

	mustOK(t, "DeleteInlinePolicy", s.DeleteInlinePolicy(ctx, acct, store.KindRole, "bob", "ALPHA"))
	_, err = s.GetInlinePolicy(ctx, acct, store.KindRole, "Bob", "Alpha")
	wantNotFound(t, "get a deleted policy", err, store.EntityRolePolicy)
	wantNotFound(t, "delete twice", s.DeleteInlinePolicy(ctx, acct, store.KindRole, "Bob", "alpha"), store.EntityRolePolicy)
	list, _ = s.ListInlinePolicies(ctx, acct, store.KindRole, "Bob")
	wantNames(t, "after delete", namesOf(list, inlineName), []string{"mid", "ZETA"})
	if p, err := s.GetInlinePolicy(ctx, acct, store.KindUser, "Bob", "alpha"); err != nil || p.Document != "user's" {
		t.Fatalf("deleting the role's policy touched the user's: %+v, %v", p, err)
	}
}

// testRoleInlinePolicyQuota: a role's inline policies never sum over
// MaxRoleInlinePolicySize; a refused put writes nothing; a replacement's
// old size is not counted.
func testRoleInlinePolicyQuota(t *testing.T, s store.Store) {
	ctx := t.Context()
	const quota, max = "RolePolicySize", store.MaxRoleInlinePolicySize
	mustAccount(t, s, acct)
	mustRole(t, s, "Bob")
	put := func(owner, name, doc string, size int) error {
		return s.PutInlinePolicy(ctx, acct, store.KindRole, store.InlinePolicy{Owner: owner, Name: name, Document: doc, Size: size})
	}
	// More than a user's or a group's quota fits in a role's.
	mustOK(t, "over a group's quota", put("Bob", "a", "a1", store.MaxGroupInlinePolicySize+1))
	mustOK(t, "up to the quota", put("Bob", "a", "a1", max-100))
	mustOK(t, "exactly at the quota", put("Bob", "b", "b1", 100))

	wantLimit(t, "one byte over the quota", put("Bob", "c", "c1", 1), quota, max)
	_, err := s.GetInlinePolicy(ctx, acct, store.KindRole, "Bob", "c")
	wantNotFound(t, "refused policy", err, store.EntityRolePolicy)

	mustOK(t, "replace at the quota", put("Bob", "B", "b2", 100))
	wantLimit(t, "replacement one byte over", put("Bob", "b", "b3", 101), quota, max)
	p, err := s.GetInlinePolicy(ctx, acct, store.KindRole, "Bob", "b")
	if err != nil || p.Name != "B" || p.Document != "b2" || p.Size != 100 {
		t.Fatalf("after a refused replacement: %+v, %v (want B, b2, 100 unchanged)", p, err)
	}
	mustOK(t, "shrink a", put("Bob", "a", "a2", 50))
	mustOK(t, "c in the freed room", put("Bob", "c", "c1", max-150))
	list, err := s.ListInlinePolicies(ctx, acct, store.KindRole, "Bob")
	mustOK(t, "ListInlinePolicies", err)
	sum := 0
	for _, p := range list {
		sum += p.Size
	}
	if sum != max || len(list) != 3 {
		t.Fatalf("%d policies summing to %d, want 3 summing to %d", len(list), sum, max)
	}

	// The quota is per role.
	mustRole(t, s, "Carol")
	mustOK(t, "a fresh role's whole quota", put("Carol", "all", "x", max))
	mustRole(t, s, "Dave")
	wantLimit(t, "a single policy over the quota", put("Dave", "huge", "x", max+1), quota, max)
	if list, _ := s.ListInlinePolicies(ctx, acct, store.KindRole, "Dave"); len(list) != 0 {
		t.Fatalf("refused policy was written: %+v", list)
	}
}

// testRoleAttachments covers AttachPolicy and its kin with owner kind
// KindRole, and roles in the policy's listings and counts.
func testRoleAttachments(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	mustRole(t, s, "R")
	zeta := mustPolicy(t, s, "Zeta", "{}")
	alpha := mustPolicyAt(t, s, acct, "/team/", "alpha", "{}")
	mid := mustPolicy(t, s, "Mid", "{}")
	foreign := mustPolicyAt(t, s, otherAcct, "/", "Foreign", "{}")
	ro := awsPolicy("ReadOnlyAccess")

	mustAttach(t, s, store.KindRole, "R", zeta)
	mustAttach(t, s, store.KindRole, "r", alpha)
	mustAttach(t, s, store.KindRole, "R", ro)
	mustAttach(t, s, store.KindRole, "R", alpha) // again: changes nothing
	list := func(what string, want ...string) []store.AttachedPolicy {
		t.Helper()
		got, err := s.ListAttachedPolicies(ctx, acct, store.KindRole, "r")
		mustOK(t, what, err)
		wantNames(t, what, namesOf(got, attachedName), want)
		return got
	}
	got := list("attached", "alpha", "ReadOnlyAccess", "Zeta")
	if got[0] != alpha || got[1] != ro || got[2] != zeta {
		t.Fatalf("ListAttachedPolicies = %+v", got)
	}
	if mp, err := s.GetPolicy(ctx, acct, alpha.PolicyARN); err != nil || mp.AttachmentCount != 1 || mp.BoundaryUsageCount != 0 {
		t.Fatalf("alpha attached to a role (twice): %+v, %v, want 1 attachment", mp, err)
	}

	wantNotFound(t, "attach a missing customer policy", s.AttachPolicy(ctx, acct, store.KindRole, "R", store.AttachedPolicy{PolicyARN: arn.Policy(acct, "/", "Nope"), PolicyName: "Nope", PolicyPath: "/"}), store.EntityManagedPolicy)
	wantNotFound(t, "attach another account's policy", s.AttachPolicy(ctx, acct, store.KindRole, "R", foreign), store.EntityManagedPolicy)
	list("after refused attachments", "alpha", "ReadOnlyAccess", "Zeta")
	wantNotFound(t, "detach a policy not attached", s.DetachPolicy(ctx, acct, store.KindRole, "R", mid.PolicyARN), store.EntityAttachment)
	wantNotFound(t, "attach to a missing role", s.AttachPolicy(ctx, acct, store.KindRole, "nobody", zeta), store.EntityRole)
	wantNotFound(t, "detach from a missing role", s.DetachPolicy(ctx, acct, store.KindRole, "nobody", zeta.PolicyARN), store.EntityRole)
	_, err := s.ListAttachedPolicies(ctx, acct, store.KindRole, "nobody")
	wantNotFound(t, "list for a missing role", err, store.EntityRole)

	// A user and a group named like the role have their own attachments.
	mustUser(t, s, "R")
	mustGroup(t, s, "R")
	for _, kind := range []store.EntityKind{store.KindUser, store.KindGroup} {
		if other, err := s.ListAttachedPolicies(ctx, acct, kind, "R"); err != nil || len(other) != 0 {
			t.Fatalf("the %s R lists %+v, %v", kind, other, err)
		}
		wantNotFound(t, "detach the role's policy from the "+string(kind), s.DetachPolicy(ctx, acct, kind, "R", zeta.PolicyARN), store.EntityAttachment)
	}

	// ListEntitiesForPolicy lists roles between groups and users, each
	// kind by name ignoring case.
	mustUser(t, s, "bob")
	mustGroup(t, s, "Zed")
	mustRole(t, s, "admin")
	mustRole(t, s, "Zulu")
	for _, a := range []store.AttachedPolicy{zeta, ro} {
		for _, o := range []struct {
			kind store.EntityKind
			name string
		}{{store.KindUser, "bob"}, {store.KindRole, "Zulu"}, {store.KindGroup, "Zed"}, {store.KindRole, "admin"}, {store.KindGroup, "R"}} {
			mustAttach(t, s, o.kind, o.name, a)
		}
		es, err := s.ListEntitiesForPolicy(ctx, acct, a.PolicyARN, false)
		mustOK(t, "ListEntitiesForPolicy", err)
		wantNames(t, "entities of "+a.PolicyName, namesOf(es, entityName), []string{"group:R", "group:Zed", "role:admin", "role:R", "role:Zulu", "user:bob"})
		for _, e := range es {
			prefix := map[store.EntityKind]string{store.KindUser: "AIDA", store.KindGroup: "AGPA", store.KindRole: "AROA"}[e.Kind]
			if e.ID != prefix+e.Name || e.Path != "/" {
				t.Fatalf("entity %+v, want id %s%s and path /", e, prefix, e.Name)
			}
		}
		if es, err := s.ListEntitiesForPolicy(ctx, acct, a.PolicyARN, true); err != nil || len(es) != 0 {
			t.Fatalf("attachments listed as boundaries: %+v, %v", es, err)
		}
	}
	if mp, err := s.GetPolicy(ctx, acct, zeta.PolicyARN); err != nil || mp.AttachmentCount != 6 {
		t.Fatalf("Zeta's attachment count = %d, %v, want 6 (3 roles)", mp.AttachmentCount, err)
	}
	attached, _, err := s.AttachmentCounts(ctx, acct)
	mustOK(t, "AttachmentCounts", err)
	wantCounts(t, "AWS managed attachments", attached, map[string]int{ro.PolicyARN: 6})

	// Detaching from a role drops it from the listing and the counts, and
	// a policy attached to a role cannot be deleted.
	wantConflict(t, "delete a policy attached to roles", s.DeletePolicy(ctx, acct, zeta.PolicyARN), store.EntityManagedPolicy, store.EntityAttachment)
	for _, o := range []struct {
		kind store.EntityKind
		name string
	}{{store.KindUser, "bob"}, {store.KindGroup, "Zed"}, {store.KindGroup, "R"}, {store.KindRole, "admin"}, {store.KindRole, "R"}} {
		mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, o.kind, o.name, zeta.PolicyARN))
	}
	es, err := s.ListEntitiesForPolicy(ctx, acct, zeta.PolicyARN, false)
	mustOK(t, "ListEntitiesForPolicy", err)
	wantNames(t, "entities of Zeta attached to Zulu alone", namesOf(es, entityName), []string{"role:Zulu"})
	wantConflict(t, "delete a policy attached to one role", s.DeletePolicy(ctx, acct, zeta.PolicyARN), store.EntityManagedPolicy, store.EntityAttachment)
	mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, store.KindRole, "zulu", zeta.PolicyARN))
	wantNotFound(t, "detach twice", s.DetachPolicy(ctx, acct, store.KindRole, "Zulu", zeta.PolicyARN), store.EntityAttachment)
	mustOK(t, "DeletePolicy once detached", s.DeletePolicy(ctx, acct, zeta.PolicyARN))
	list("after Zeta's deletion", "alpha", "ReadOnlyAccess")
}

// testRoleAttachQuota: at most MaxPoliciesPerRole attached, customer and
// AWS managed alike; attaching again at the limit is still fine.
func testRoleAttachQuota(t *testing.T, s store.Store) {
	ctx := t.Context()
	const quota, max = "PoliciesPerRole", store.MaxPoliciesPerRole
	mustAccount(t, s, acct)
	mustRole(t, s, "Bob")
	mustRole(t, s, "Carol")
	var ps []store.AttachedPolicy
	for i, name := range numbered("pol", max) {
		if i%2 == 0 {
			ps = append(ps, mustPolicy(t, s, name, "{}"))
		} else {
			ps = append(ps, awsPolicy(name))
		}
	}
	for _, p := range ps {
		mustAttach(t, s, store.KindRole, "Bob", p)
	}
	extra, extraAWS := mustPolicy(t, s, "Extra", "{}"), awsPolicy("ExtraAWS")
	wantLimit(t, "one customer policy too many", s.AttachPolicy(ctx, acct, store.KindRole, "Bob", extra), quota, max)
	wantLimit(t, "one AWS policy too many", s.AttachPolicy(ctx, acct, store.KindRole, "Bob", extraAWS), quota, max)
	if got, err := s.ListAttachedPolicies(ctx, acct, store.KindRole, "Bob"); err != nil || len(got) != max {
		t.Fatalf("after refused attachments: %d attached, %v", len(got), err)
	}
	if mp, _ := s.GetPolicy(ctx, acct, extra.PolicyARN); mp.AttachmentCount != 0 {
		t.Fatalf("refused attachment counted: %+v", mp)
	}
	mustAttach(t, s, store.KindRole, "Bob", ps[3])   // again, at the limit
	mustAttach(t, s, store.KindRole, "Carol", extra) // the quota is per role
	mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, store.KindRole, "Bob", ps[0].PolicyARN))
	mustAttach(t, s, store.KindRole, "Bob", extraAWS)
	if got, err := s.ListAttachedPolicies(ctx, acct, store.KindRole, "Bob"); err != nil || len(got) != max {
		t.Fatalf("after freeing a slot: %d attached, %v", len(got), err)
	}
}

func testRolesPerAccountQuota(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	names := numbered("role", store.MaxRolesPerAccount+1)
	for _, n := range names[:store.MaxRolesPerAccount] {
		mustRole(t, s, n)
	}
	extra := newRole(names[store.MaxRolesPerAccount])
	wantLimit(t, "one role too many", s.CreateRole(ctx, extra), "RolesPerAccount", store.MaxRolesPerAccount)
	_, err := s.GetRole(ctx, acct, extra.Name)
	wantNotFound(t, "refused role", err, store.EntityRole)
	if roles, _, more, err := s.ListRoles(ctx, acct, "", store.Page{Limit: 2 * store.MaxRolesPerAccount}); err != nil || len(roles) != store.MaxRolesPerAccount || more {
		t.Fatalf("%d roles, more=%v, %v", len(roles), more, err)
	}
	// The quota is per account.
	other := extra
	other.AccountID, other.ID = otherAcct, "AROAOTHER"
	mustOK(t, "role in another account", s.CreateRole(ctx, other))
	mustOK(t, "DeleteRole", s.DeleteRole(ctx, acct, names[0]))
	mustOK(t, "create after freeing a slot", s.CreateRole(ctx, extra))
	wantLimit(t, "full again", s.CreateRole(ctx, newRole("another")), "RolesPerAccount", store.MaxRolesPerAccount)
}

// testRoleChangeFeed: each role write that can change what a principal may
// do advances Generation by the time its method returns.
func testRoleChangeFeed(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	p := mustPolicy(t, s, "P", "{}")
	ro := awsPolicy("ReadOnlyAccess")
	mustProfile(t, s, "IP")
	update := func(change func(*store.Role)) func() error {
		return func() error {
			_, err := s.UpdateRole(ctx, acct, "R", func(r store.Role) (store.Role, error) { change(&r); return r, nil })
			return err
		}
	}
	put := func(name, doc string) func() error {
		return func() error {
			return s.PutInlinePolicy(ctx, acct, store.KindRole, store.InlinePolicy{Owner: "R", Name: name, Document: doc, Size: len(doc)})
		}
	}
	writes := []struct {
		name  string
		write func() error
	}{
		{"CreateRole", func() error { return s.CreateRole(ctx, newRole("R")) }},
		{"CreateRole with a boundary", func() error {
			r := newRole("Bounded")
			r.PermissionsBoundary = p.PolicyARN
			return s.CreateRole(ctx, r)
		}},
		{"UpdateRole trust policy", update(func(r *store.Role) { r.AssumeRolePolicy = `{"Statement":[]}` })},
		{"UpdateRole max session duration", update(func(r *store.Role) { r.MaxSessionDuration = 7200 })},
		{"UpdateRole tags", update(func(r *store.Role) { r.Tags = []store.Tag{{Key: "k", Value: "v"}} })},
		{"UpdateRole description", update(func(r *store.Role) { r.Description = "d" })},
		{"PutInlinePolicy role", put("p", "{}")},
		{"PutInlinePolicy role, replacing", put("P", "{ }")},
		{"DeleteInlinePolicy role", func() error { return s.DeleteInlinePolicy(ctx, acct, store.KindRole, "R", "p") }},
		{"AttachPolicy role", func() error { return s.AttachPolicy(ctx, acct, store.KindRole, "R", p) }},
		{"AttachPolicy role, AWS managed", func() error { return s.AttachPolicy(ctx, acct, store.KindRole, "R", ro) }},
		{"DetachPolicy role", func() error { return s.DetachPolicy(ctx, acct, store.KindRole, "R", p.PolicyARN) }},
		{"DetachPolicy role, AWS managed", func() error { return s.DetachPolicy(ctx, acct, store.KindRole, "R", ro.PolicyARN) }},
		{"SetRolePermissionsBoundary", func() error { return s.SetRolePermissionsBoundary(ctx, acct, "R", p.PolicyARN) }},
		{"SetRolePermissionsBoundary AWS managed", func() error { return s.SetRolePermissionsBoundary(ctx, acct, "R", ro.PolicyARN) }},
		{"SetRolePermissionsBoundary removing", func() error { return s.SetRolePermissionsBoundary(ctx, acct, "R", "") }},
		{"AddRoleToInstanceProfile", func() error { return s.AddRoleToInstanceProfile(ctx, acct, "IP", "R") }},
		{"RemoveRoleFromInstanceProfile", func() error { return s.RemoveRoleFromInstanceProfile(ctx, acct, "IP", "R") }},
		{"DeleteRole", func() error { return s.DeleteRole(ctx, acct, "R") }},
		{"DeleteRole with a boundary", func() error { return s.DeleteRole(ctx, acct, "Bounded") }},
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

// testConcurrentRoleDependentsDeleteRole races a role's inline policy and
// attachment against its deletion.
func testConcurrentRoleDependentsDeleteRole(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	p := mustPolicy(t, s, "P", "{}")
	del := func(name string) error { return s.DeleteRole(ctx, acct, name) }
	t.Run("PutInlinePolicy", func(t *testing.T) {
		raceDependent(t, s, dependentRace{
			create: func(t *testing.T, name string) { mustRole(t, s, name) },
			depend: func(name string) error {
				return s.PutInlinePolicy(ctx, acct, store.KindRole, store.InlinePolicy{Owner: name, Name: "p", Document: "{}", Size: 2})
			},
			undo: func(t *testing.T, name string) {
				mustOK(t, "DeleteInlinePolicy", s.DeleteInlinePolicy(ctx, acct, store.KindRole, name, "p"))
			},
			delete: del, entity: store.EntityRole, dep: store.EntityRolePolicy, missing: store.EntityRole,
		})
	})
	t.Run("AttachPolicy", func(t *testing.T) {
		raceDependent(t, s, dependentRace{
			create: func(t *testing.T, name string) { mustRole(t, s, "A"+name) },
			depend: func(name string) error { return s.AttachPolicy(ctx, acct, store.KindRole, "A"+name, p) },
			undo: func(t *testing.T, name string) {
				mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, store.KindRole, "A"+name, p.PolicyARN))
			},
			delete: func(name string) error { return del("A" + name) }, entity: store.EntityRole, dep: store.EntityAttachment, missing: store.EntityRole,
		})
	})
}

// testConcurrentRoleUsePolicyDeletePolicy races a role's uses of a
// customer managed policy (attachment, boundary, a role created bounded by
// it) against the policy's deletion: no role is left referring to a
// deleted policy.
func testConcurrentRoleUsePolicyDeletePolicy(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustRole(t, s, "R")
	ref := func(name string) store.AttachedPolicy {
		return store.AttachedPolicy{PolicyARN: arn.Policy(acct, "/", name), PolicyName: name, PolicyPath: "/"}
	}
	uses := func(prefix string, depend func(p store.AttachedPolicy) error, undo func(t *testing.T, p store.AttachedPolicy)) dependentRace {
		return dependentRace{
			create: func(t *testing.T, name string) { mustPolicy(t, s, prefix+name, "{}") },
			depend: func(name string) error { return depend(ref(prefix + name)) },
			undo:   func(t *testing.T, name string) { undo(t, ref(prefix+name)) },
			delete: func(name string) error { return s.DeletePolicy(ctx, acct, ref(prefix+name).PolicyARN) },
			entity: store.EntityManagedPolicy, dep: store.EntityAttachment, missing: store.EntityManagedPolicy,
		}
	}
	t.Run("AttachPolicyRole", func(t *testing.T) {
		raceDependent(t, s, uses("A", func(p store.AttachedPolicy) error { return s.AttachPolicy(ctx, acct, store.KindRole, "R", p) },
			func(t *testing.T, p store.AttachedPolicy) {
				mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, store.KindRole, "R", p.PolicyARN))
			}))
	})
	t.Run("SetRolePermissionsBoundary", func(t *testing.T) {
		raceDependent(t, s, uses("B", func(p store.AttachedPolicy) error { return s.SetRolePermissionsBoundary(ctx, acct, "R", p.PolicyARN) },
			func(t *testing.T, p store.AttachedPolicy) {
				mustOK(t, "remove boundary", s.SetRolePermissionsBoundary(ctx, acct, "R", ""))
			}))
	})
	t.Run("CreateRoleBounded", func(t *testing.T) {
		raceDependent(t, s, uses("C", func(p store.AttachedPolicy) error {
			r := newRole(p.PolicyName)
			r.PermissionsBoundary = p.PolicyARN
			return s.CreateRole(ctx, r)
		}, func(t *testing.T, p store.AttachedPolicy) {
			mustOK(t, "DeleteRole", s.DeleteRole(ctx, acct, p.PolicyName))
		}))
	})
}
