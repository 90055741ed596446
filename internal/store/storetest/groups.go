package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/store"
)

func testGroupLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	g := store.Group{AccountID: acct, ID: "AGPADEV", Name: "Dev", Path: "/eng/", CreatedAt: epoch}
	mustOK(t, "CreateGroup", s.CreateGroup(ctx, g))
	wantErr(t, "create DEV", s.CreateGroup(ctx, store.Group{AccountID: acct, ID: "AGPAX", Name: "DEV", Path: "/", CreatedAt: epoch}), store.ErrAlreadyExists)
	got, err := s.GetGroup(ctx, acct, "dev")
	if err != nil || got.ID != g.ID || got.Name != "Dev" || got.Path != "/eng/" || got.AccountID != acct || !got.CreatedAt.Equal(epoch) {
		t.Fatalf("GetGroup = %+v, %v", got, err)
	}
	_, err = s.GetGroup(ctx, acct, "nope")
	wantNotFound(t, "get missing group", err, store.EntityGroup)

	upd, err := s.UpdateGroup(ctx, acct, "DEV", func(g store.Group) (store.Group, error) {
		g.Name, g.Path, g.ID = "Developers", "/x/", "AGPAEVIL"
		return g, nil
	})
	if err != nil || upd.Name != "Developers" || upd.Path != "/x/" || upd.ID != "AGPADEV" {
		t.Fatalf("UpdateGroup = %+v, %v", upd, err)
	}
	_, err = s.GetGroup(ctx, acct, "Dev")
	wantNotFound(t, "old name after rename", err, store.EntityGroup)
	if got, err := s.GetGroup(ctx, acct, "developers"); err != nil || got.ID != "AGPADEV" || got.Path != "/x/" || !got.CreatedAt.Equal(epoch) {
		t.Fatalf("after rename: %+v, %v", got, err)
	}

	mustGroup(t, s, "Ops")
	_, err = s.UpdateGroup(ctx, acct, "Ops", func(g store.Group) (store.Group, error) { g.Name, g.Path = "DEVELOPERS", "/y/"; return g, nil })
	wantErr(t, "rename onto a taken name", err, store.ErrAlreadyExists)
	if got, err := s.GetGroup(ctx, acct, "Ops"); err != nil || got.Name != "Ops" || got.Path != "/" {
		t.Fatalf("refused rename changed the group: %+v, %v", got, err)
	}
	// A different case of one's own name is allowed.
	if got, err := s.UpdateGroup(ctx, acct, "Ops", func(g store.Group) (store.Group, error) { g.Name = "OPS"; return g, nil }); err != nil || got.Name != "OPS" {
		t.Fatalf("rename to OPS = %+v, %v", got, err)
	}

	boom := errors.New("boom")
	_, err = s.UpdateGroup(ctx, acct, "Developers", func(g store.Group) (store.Group, error) { g.Name, g.Path = "Other", "/y/"; return g, boom })
	wantErr(t, "update func error", err, boom)
	if got, err := s.GetGroup(ctx, acct, "Developers"); err != nil || got.Path != "/x/" {
		t.Fatalf("failed update changed the group: %+v, %v", got, err)
	}
	_, err = s.UpdateGroup(ctx, acct, "nobody", func(g store.Group) (store.Group, error) { return g, nil })
	wantNotFound(t, "update missing group", err, store.EntityGroup)

	mustOK(t, "DeleteGroup", s.DeleteGroup(ctx, acct, "developers"))
	_, err = s.GetGroup(ctx, acct, "Developers")
	wantNotFound(t, "deleted group", err, store.EntityGroup)
	wantNotFound(t, "delete twice", s.DeleteGroup(ctx, acct, "Developers"), store.EntityGroup)

	// Another account is isolated: the same name is free there.
	mustAccount(t, s, otherAcct)
	mustOK(t, "same name in another account", s.CreateGroup(ctx, store.Group{AccountID: otherAcct, ID: "AGPAOTHEROPS", Name: "ops", Path: "/", CreatedAt: epoch}))
	if got, err := s.GetGroup(ctx, otherAcct, "OPS"); err != nil || got.ID != "AGPAOTHEROPS" {
		t.Fatalf("other account's group = %+v, %v", got, err)
	}
	if got, err := s.GetGroup(ctx, acct, "ops"); err != nil || got.ID != "AGPAOps" {
		t.Fatalf("first account's group = %+v, %v", got, err)
	}
}

func testListGroupsPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	var want []string
	for i := 0; i < 25; i++ {
		path := "/a/"
		if i%2 == 1 {
			path = "/b/"
		}
		name := fmt.Sprintf("group%02d", i)
		if i%3 == 0 {
			name = strings.ToUpper(name) // ordering ignores case
		}
		want = append(want, name)
		mustOK(t, "CreateGroup", s.CreateGroup(ctx, store.Group{AccountID: acct, ID: fmt.Sprintf("AGPA%02d", i), Name: name, Path: path, CreatedAt: epoch}))
	}
	var all []string
	after := ""
	for pages := 0; ; pages++ {
		groups, last, more, err := s.ListGroups(ctx, acct, "", store.Page{After: after, Limit: 10})
		mustOK(t, "ListGroups", err)
		all = append(all, namesOf(groups, groupName)...)
		if !more {
			if pages != 2 {
				t.Fatalf("got %d pages, want 3", pages+1)
			}
			break
		}
		after = last
	}
	wantNames(t, "paged ListGroups", all, want)
	groups, _, more, err := s.ListGroups(ctx, acct, "/b/", store.Page{Limit: 100})
	if err != nil || len(groups) != 12 || more {
		t.Fatalf("path prefix /b/: %d groups, more=%v, %v", len(groups), more, err)
	}
	for _, g := range groups {
		if g.Path != "/b/" {
			t.Fatalf("path prefix /b/ listed %+v", g)
		}
	}
	if groups, _, _, _ := s.ListGroups(ctx, acct, "/c", store.Page{Limit: 100}); len(groups) != 0 {
		t.Fatalf("path prefix /c: %d groups", len(groups))
	}
	if groups, _, more, _ := s.ListGroups(ctx, acct, "", store.Page{Limit: 25}); len(groups) != 25 || more {
		t.Fatalf("limit 25: %d groups, more=%v", len(groups), more)
	}
	mustAccount(t, s, otherAcct)
	if groups, _, _, _ := s.ListGroups(ctx, otherAcct, "", store.Page{Limit: 100}); len(groups) != 0 {
		t.Fatalf("another account lists %d groups", len(groups))
	}
}

// testGroupDeleteConflicts: a group is not deleted while it has members,
// inline policies or attached policies.
func testGroupDeleteConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	mustGroup(t, s, "G")
	stillThere := func() {
		t.Helper()
		if _, err := s.GetGroup(ctx, acct, "G"); err != nil {
			t.Fatalf("refused delete removed the group: %v", err)
		}
	}
	mustOK(t, "AddUserToGroup", s.AddUserToGroup(ctx, acct, "G", "Bob"))
	wantConflict(t, "delete group with a member", s.DeleteGroup(ctx, acct, "G"), store.EntityGroup, store.EntityGroupMember)
	stillThere()
	mustOK(t, "RemoveUserFromGroup", s.RemoveUserFromGroup(ctx, acct, "G", "Bob"))

	mustPut(t, s, store.KindGroup, "G", "p", "{}", 2)
	wantConflict(t, "delete group with an inline policy", s.DeleteGroup(ctx, acct, "G"), store.EntityGroup, store.EntityGroupPolicy)
	stillThere()
	mustOK(t, "DeleteInlinePolicy", s.DeleteInlinePolicy(ctx, acct, store.KindGroup, "G", "p"))

	for _, p := range []store.AttachedPolicy{awsPolicy("ReadOnlyAccess"), mustPolicy(t, s, "P", "{}")} {
		mustAttach(t, s, store.KindGroup, "G", p)
		wantConflict(t, "delete group with "+p.PolicyARN+" attached", s.DeleteGroup(ctx, acct, "G"), store.EntityGroup, store.EntityAttachment)
		stillThere()
		mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, store.KindGroup, "G", p.PolicyARN))
	}
	mustOK(t, "DeleteGroup", s.DeleteGroup(ctx, acct, "G"))
}

func testGroupMembership(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	for _, u := range []string{"Bob", "alice", "Carol", "dave", "Loner"} {
		mustUser(t, s, u)
	}
	for _, g := range []string{"beta", "Alpha", "gamma"} {
		mustGroup(t, s, g)
	}
	// Idempotent, names ignoring case.
	mustOK(t, "AddUserToGroup", s.AddUserToGroup(ctx, acct, "beta", "Bob"))
	mustOK(t, "AddUserToGroup again", s.AddUserToGroup(ctx, acct, "BETA", "bob"))
	g, users, _, more, err := s.ListGroupMembers(ctx, acct, "Beta", store.Page{Limit: 100})
	if err != nil || g.Name != "beta" || g.ID != "AGPAbeta" || more {
		t.Fatalf("ListGroupMembers = %+v, more=%v, %v", g, more, err)
	}
	wantNames(t, "members after adding twice", namesOf(users, userName), []string{"Bob"})
	for _, u := range []string{"alice", "Carol", "dave"} {
		mustOK(t, "AddUserToGroup", s.AddUserToGroup(ctx, acct, "beta", u))
	}

	// Paging through the members, ordered by name ignoring case.
	_, users, last, more, err := s.ListGroupMembers(ctx, acct, "beta", store.Page{Limit: 2})
	mustOK(t, "ListGroupMembers page 1", err)
	if !more {
		t.Fatal("page 1 of 4 members by 2 is not truncated")
	}
	wantNames(t, "members page 1", namesOf(users, userName), []string{"alice", "Bob"})
	if users[1].ID != "AIDABob" || users[1].Path != "/" {
		t.Fatalf("member = %+v", users[1])
	}
	_, users, _, more, err = s.ListGroupMembers(ctx, acct, "beta", store.Page{After: last, Limit: 2})
	mustOK(t, "ListGroupMembers page 2", err)
	if more {
		t.Fatal("last page of members is truncated")
	}
	wantNames(t, "members page 2", namesOf(users, userName), []string{"Carol", "dave"})
	if _, users, _, more, _ = s.ListGroupMembers(ctx, acct, "beta", store.Page{Limit: 4}); len(users) != 4 || more {
		t.Fatalf("limit 4: %d members, more=%v", len(users), more)
	}
	if _, users, _, _, err = s.ListGroupMembers(ctx, acct, "gamma", store.Page{Limit: 10}); err != nil || len(users) != 0 {
		t.Fatalf("empty group lists %+v, %v", users, err)
	}
	_, _, _, _, err = s.ListGroupMembers(ctx, acct, "nope", store.Page{Limit: 10})
	wantNotFound(t, "members of a missing group", err, store.EntityGroup)

	// A user's groups, ordered by name ignoring case.
	mustOK(t, "AddUserToGroup", s.AddUserToGroup(ctx, acct, "gamma", "Bob"))
	mustOK(t, "AddUserToGroup", s.AddUserToGroup(ctx, acct, "Alpha", "Bob"))
	groups, err := s.ListGroupsForUser(ctx, acct, "BOB")
	mustOK(t, "ListGroupsForUser", err)
	wantNames(t, "Bob's groups", namesOf(groups, groupName), []string{"Alpha", "beta", "gamma"})
	if groups[0].ID != "AGPAAlpha" || groups[0].Path != "/" {
		t.Fatalf("group = %+v", groups[0])
	}
	if groups, err := s.ListGroupsForUser(ctx, acct, "Carol"); err != nil {
		t.Fatal(err)
	} else {
		wantNames(t, "Carol's groups", namesOf(groups, groupName), []string{"beta"})
	}
	if groups, err := s.ListGroupsForUser(ctx, acct, "Loner"); err != nil || len(groups) != 0 {
		t.Fatalf("Loner's groups = %+v, %v", groups, err)
	}
	_, err = s.ListGroupsForUser(ctx, acct, "nobody")
	wantNotFound(t, "groups of a missing user", err, store.EntityUser)

	// Removal, once.
	mustOK(t, "RemoveUserFromGroup", s.RemoveUserFromGroup(ctx, acct, "GAMMA", "bob"))
	wantNotFound(t, "remove twice", s.RemoveUserFromGroup(ctx, acct, "gamma", "Bob"), store.EntityGroupMember)
	wantNotFound(t, "remove a non-member", s.RemoveUserFromGroup(ctx, acct, "gamma", "Loner"), store.EntityGroupMember)
	wantNotFound(t, "remove from a missing group", s.RemoveUserFromGroup(ctx, acct, "nope", "Bob"), store.EntityGroup)
	wantNotFound(t, "remove a missing user", s.RemoveUserFromGroup(ctx, acct, "beta", "nobody"), store.EntityUser)
	wantNotFound(t, "add to a missing group", s.AddUserToGroup(ctx, acct, "nope", "Bob"), store.EntityGroup)
	wantNotFound(t, "add a missing user", s.AddUserToGroup(ctx, acct, "beta", "nobody"), store.EntityUser)
	groups, _ = s.ListGroupsForUser(ctx, acct, "Bob")
	wantNames(t, "Bob's groups after removal", namesOf(groups, groupName), []string{"Alpha", "beta"})

	// Memberships follow renames of both sides.
	_, err = s.UpdateUser(ctx, acct, "Bob", func(u store.User) (store.User, error) { u.Name = "Robert"; return u, nil })
	mustOK(t, "rename Bob", err)
	_, err = s.UpdateGroup(ctx, acct, "beta", func(g store.Group) (store.Group, error) { g.Name = "Zeta"; return g, nil })
	mustOK(t, "rename beta", err)
	groups, _ = s.ListGroupsForUser(ctx, acct, "Robert")
	wantNames(t, "Robert's groups", namesOf(groups, groupName), []string{"Alpha", "Zeta"})
	_, users, _, _, _ = s.ListGroupMembers(ctx, acct, "zeta", store.Page{Limit: 10})
	wantNames(t, "Zeta's members", namesOf(users, userName), []string{"alice", "Carol", "dave", "Robert"})
}

func testGroupsPerUserQuota(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	mustUser(t, s, "Carol")
	names := numbered("g", store.MaxGroupsPerUser+1)
	for _, n := range names {
		mustGroup(t, s, n)
	}
	for _, n := range names[:store.MaxGroupsPerUser] {
		mustOK(t, "AddUserToGroup "+n, s.AddUserToGroup(ctx, acct, n, "Bob"))
	}
	extra := names[store.MaxGroupsPerUser]
	wantLimit(t, "one group too many", s.AddUserToGroup(ctx, acct, extra, "Bob"), "GroupsPerUser", store.MaxGroupsPerUser)
	if _, users, _, _, _ := s.ListGroupMembers(ctx, acct, extra, store.Page{Limit: 10}); len(users) != 0 {
		t.Fatalf("refused membership was written: %+v", users)
	}
	// At the limit, adding again to a group the user is in is still fine.
	mustOK(t, "idempotent add at the limit", s.AddUserToGroup(ctx, acct, names[3], "Bob"))
	// The quota is per user.
	mustOK(t, "another user", s.AddUserToGroup(ctx, acct, extra, "Carol"))
	mustOK(t, "RemoveUserFromGroup", s.RemoveUserFromGroup(ctx, acct, names[0], "Bob"))
	mustOK(t, "add after freeing a slot", s.AddUserToGroup(ctx, acct, extra, "Bob"))
	if groups, err := s.ListGroupsForUser(ctx, acct, "Bob"); err != nil || len(groups) != store.MaxGroupsPerUser {
		t.Fatalf("Bob is in %d groups, %v", len(groups), err)
	}
}

func testGroupsPerAccountQuota(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	names := numbered("group", store.MaxGroupsPerAccount+1)
	for _, n := range names[:store.MaxGroupsPerAccount] {
		mustGroup(t, s, n)
	}
	extra := names[store.MaxGroupsPerAccount]
	err := s.CreateGroup(ctx, store.Group{AccountID: acct, ID: "AGPAEXTRA", Name: extra, Path: "/", CreatedAt: epoch})
	wantLimit(t, "one group too many", err, "GroupsPerAccount", store.MaxGroupsPerAccount)
	_, err = s.GetGroup(ctx, acct, extra)
	wantNotFound(t, "refused group", err, store.EntityGroup)
	if groups, _, more, err := s.ListGroups(ctx, acct, "", store.Page{Limit: 1000}); err != nil || len(groups) != store.MaxGroupsPerAccount || more {
		t.Fatalf("%d groups, more=%v, %v", len(groups), more, err)
	}
	// The quota is per account.
	mustOK(t, "group in another account", s.CreateGroup(ctx, store.Group{AccountID: otherAcct, ID: "AGPAOTHER", Name: extra, Path: "/", CreatedAt: epoch}))
	mustOK(t, "DeleteGroup", s.DeleteGroup(ctx, acct, names[0]))
	mustOK(t, "create after freeing a slot", s.CreateGroup(ctx, store.Group{AccountID: acct, ID: "AGPAEXTRA", Name: extra, Path: "/", CreatedAt: epoch}))
}

// testUserDeleteConflicts: a user is not deleted while in a group or with
// policies attached; a permissions boundary does not hold it.
func testUserDeleteConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	mustGroup(t, s, "G")
	stillThere := func() {
		t.Helper()
		if _, err := s.GetUser(ctx, acct, "Bob"); err != nil {
			t.Fatalf("refused delete removed the user: %v", err)
		}
	}
	mustOK(t, "AddUserToGroup", s.AddUserToGroup(ctx, acct, "G", "Bob"))
	wantConflict(t, "delete a group member", s.DeleteUser(ctx, acct, "Bob"), store.EntityUser, store.EntityGroupMember)
	stillThere()
	mustOK(t, "RemoveUserFromGroup", s.RemoveUserFromGroup(ctx, acct, "G", "Bob"))

	p := mustPolicy(t, s, "P", "{}")
	for _, a := range []store.AttachedPolicy{awsPolicy("ReadOnlyAccess"), p} {
		mustAttach(t, s, store.KindUser, "Bob", a)
		wantConflict(t, "delete a user with "+a.PolicyARN+" attached", s.DeleteUser(ctx, acct, "Bob"), store.EntityUser, store.EntityAttachment)
		stillThere()
		mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, store.KindUser, "Bob", a.PolicyARN))
	}

	mustOK(t, "SetUserPermissionsBoundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", p.PolicyARN))
	mustOK(t, "DeleteUser with a boundary", s.DeleteUser(ctx, acct, "Bob"))
	if mp, err := s.GetPolicy(ctx, acct, p.PolicyARN); err != nil || mp.BoundaryUsageCount != 0 || mp.AttachmentCount != 0 {
		t.Fatalf("policy after its user's deletion: %+v, %v", mp, err)
	}
	mustOK(t, "DeletePolicy", s.DeletePolicy(ctx, acct, p.PolicyARN))
}
