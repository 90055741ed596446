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

func testManagedPolicyLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	doc := `{"Version": "2012-10-17",  "Statement": [ ]}`
	p := store.ManagedPolicy{AccountID: acct, ID: "ANPAREAD", Name: "Read", Path: "/team/", Description: "reads", CreatedAt: epoch,
		Tags: []store.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}}}
	created, err := s.CreatePolicy(ctx, p, doc)
	if err != nil || created.DefaultVersionID != "v1" || created.ID != "ANPAREAD" || created.Name != "Read" || created.AttachmentCount != 0 || created.BoundaryUsageCount != 0 {
		t.Fatalf("CreatePolicy = %+v, %v", created, err)
	}
	policyARN := arn.Policy(acct, "/team/", "Read")
	got, err := s.GetPolicy(ctx, acct, policyARN)
	if err != nil || got.ID != "ANPAREAD" || got.AccountID != acct || got.Name != "Read" || got.Path != "/team/" || got.Description != "reads" ||
		got.DefaultVersionID != "v1" || !got.CreatedAt.Equal(epoch) || !got.UpdatedAt.Equal(epoch) ||
		len(got.Tags) != 2 || got.Tags[0].Key != "b" || got.Tags[1].Key != "a" {
		t.Fatalf("GetPolicy = %+v, %v", got, err)
	}
	v, err := s.GetPolicyVersion(ctx, acct, policyARN, "v1")
	if err != nil || v.VersionID != "v1" || v.Document != doc || !v.IsDefault || !v.CreatedAt.Equal(epoch) {
		t.Fatalf("GetPolicyVersion(v1) = %+v, %v", v, err)
	}

	dup := store.ManagedPolicy{AccountID: acct, ID: "ANPADUP", Name: "READ", Path: "/other/", CreatedAt: epoch}
	_, err = s.CreatePolicy(ctx, dup, "{}")
	wantErr(t, "create READ on another path", err, store.ErrAlreadyExists)

	for _, bad := range []string{arn.Policy(acct, "/", "Read"), arn.Policy(otherAcct, "/team/", "Read"), arn.Policy(acct, "/team/", "Nope"), "arn:aws:iam::aws:policy/Read", "Read"} {
		_, err := s.GetPolicy(ctx, acct, bad)
		wantNotFound(t, "GetPolicy("+bad+")", err, store.EntityManagedPolicy)
	}
	mustAccount(t, s, otherAcct)
	_, err = s.GetPolicy(ctx, otherAcct, policyARN)
	wantNotFound(t, "policy seen from another account", err, store.EntityManagedPolicy)

	// UpdatePolicy changes the tags and nothing else.
	err = s.UpdatePolicy(ctx, acct, policyARN, func(p store.ManagedPolicy) (store.ManagedPolicy, error) {
		p.Tags = []store.Tag{{Key: "k", Value: "v"}}
		p.Name, p.Path, p.Description, p.DefaultVersionID, p.ID = "Evil", "/evil/", "changed", "v9", "ANPAEVIL"
		p.CreatedAt, p.UpdatedAt = epoch.Add(time.Hour), epoch.Add(time.Hour)
		return p, nil
	})
	mustOK(t, "UpdatePolicy", err)
	got, err = s.GetPolicy(ctx, acct, policyARN)
	if err != nil || got.ID != "ANPAREAD" || got.Name != "Read" || got.Path != "/team/" || got.Description != "reads" || got.DefaultVersionID != "v1" ||
		!got.CreatedAt.Equal(epoch) || !got.UpdatedAt.Equal(epoch) || len(got.Tags) != 1 || got.Tags[0] != (store.Tag{Key: "k", Value: "v"}) {
		t.Fatalf("after UpdatePolicy: %+v, %v", got, err)
	}
	boom := errors.New("boom")
	err = s.UpdatePolicy(ctx, acct, policyARN, func(p store.ManagedPolicy) (store.ManagedPolicy, error) { p.Tags = nil; return p, boom })
	wantErr(t, "update func error", err, boom)
	if got, _ := s.GetPolicy(ctx, acct, policyARN); len(got.Tags) != 1 {
		t.Fatalf("failed update changed the tags: %+v", got.Tags)
	}
	err = s.UpdatePolicy(ctx, acct, arn.Policy(acct, "/", "Nope"), func(p store.ManagedPolicy) (store.ManagedPolicy, error) { return p, nil })
	wantNotFound(t, "update missing policy", err, store.EntityManagedPolicy)
}

// testPolicyCounts: a policy's attachment and boundary counts follow its
// attachments to users and groups and its use as a boundary.
func testPolicyCounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	mustUser(t, s, "Carol")
	mustGroup(t, s, "G")
	p := mustPolicy(t, s, "P", "{}")
	counts := func(what string, attached, bounds int) {
		t.Helper()
		got, err := s.GetPolicy(ctx, acct, p.PolicyARN)
		if err != nil || got.AttachmentCount != attached || got.BoundaryUsageCount != bounds {
			t.Fatalf("%s: GetPolicy counts %d attached, %d bounded (%v), want %d, %d", what, got.AttachmentCount, got.BoundaryUsageCount, err, attached, bounds)
		}
		list, _, _, err := s.ListPolicies(ctx, acct, store.PolicyFilter{}, store.Page{Limit: 10})
		if err != nil || len(list) != 1 || list[0].AttachmentCount != attached || list[0].BoundaryUsageCount != bounds {
			t.Fatalf("%s: ListPolicies = %+v, %v, want counts %d, %d", what, list, err, attached, bounds)
		}
	}
	counts("fresh", 0, 0)
	mustAttach(t, s, store.KindUser, "Bob", p)
	mustAttach(t, s, store.KindUser, "bob", p) // again: no second attachment
	mustAttach(t, s, store.KindGroup, "G", p)
	counts("attached to a user and a group", 2, 0)
	mustOK(t, "SetUserPermissionsBoundary", s.SetUserPermissionsBoundary(ctx, acct, "Carol", p.PolicyARN))
	mustOK(t, "SetUserPermissionsBoundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", p.PolicyARN))
	counts("bounding two users", 2, 2)
	mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, store.KindGroup, "G", p.PolicyARN))
	mustOK(t, "remove boundary", s.SetUserPermissionsBoundary(ctx, acct, "Carol", ""))
	counts("after detaching and removing", 1, 1)
}

func testListPolicies(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	mustUser(t, s, "Carol")
	const n = 12
	var all, pathB []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("pol%02d", i)
		if i%2 == 1 {
			name = strings.ToUpper(name) // ordering ignores case
		}
		path := "/a/"
		if i%3 == 0 {
			path = "/b/"
			pathB = append(pathB, name)
		}
		p := mustPolicyAt(t, s, acct, path, name, "{}")
		all = append(all, name)
		// Attached, used as a boundary or neither: all are listed alike.
		switch {
		case i%4 == 0:
			mustAttach(t, s, store.KindUser, "Bob", p)
		case i == 1:
			mustOK(t, "SetUserPermissionsBoundary", s.SetUserPermissionsBoundary(ctx, acct, "Carol", p.PolicyARN))
		}
	}
	list := func(f store.PolicyFilter, limit int) []string {
		t.Helper()
		var names []string
		after := ""
		for pages := 0; ; pages++ {
			page, last, more, err := s.ListPolicies(ctx, acct, f, store.Page{After: after, Limit: limit})
			mustOK(t, "ListPolicies", err)
			if len(page) > limit {
				t.Fatalf("ListPolicies(%+v) returned %d policies for limit %d", f, len(page), limit)
			}
			names = append(names, namesOf(page, policyName)...)
			if !more {
				return names
			}
			if pages > n {
				t.Fatalf("ListPolicies(%+v) does not end", f)
			}
			after = last
		}
	}
	wantNames(t, "all policies by 5", list(store.PolicyFilter{}, 5), all)
	wantNames(t, "all policies at once", list(store.PolicyFilter{}, n), all)
	if _, _, more, _ := s.ListPolicies(ctx, acct, store.PolicyFilter{}, store.Page{Limit: n}); more {
		t.Fatal("exactly one full page is truncated")
	}
	wantNames(t, "path prefix /b/", list(store.PolicyFilter{PathPrefix: "/b/"}, 2), pathB)
	wantNames(t, "path prefix /", list(store.PolicyFilter{PathPrefix: "/"}, 100), all)
	wantNames(t, "path prefix /c", list(store.PolicyFilter{PathPrefix: "/c"}, 100), nil)
	mustAccount(t, s, otherAcct)
	if page, _, _, err := s.ListPolicies(ctx, otherAcct, store.PolicyFilter{}, store.Page{Limit: 100}); err != nil || len(page) != 0 {
		t.Fatalf("another account lists %+v, %v", page, err)
	}
}

// badVersionIDs are not version ids AWS would give: none names a version.
var badVersionIDs = []string{"v0", "x", "v01", "v99", "", "v", "V1", "1", "v-1", "v+1", " v1", "v1 "}

func testPolicyVersions(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	p := mustPolicy(t, s, "P", "d1")
	at := func(h int) time.Time { return epoch.Add(time.Duration(h) * time.Hour) }
	create := func(doc string, setDefault bool, when time.Time, want string) {
		t.Helper()
		v, err := s.CreatePolicyVersion(ctx, acct, p.PolicyARN, doc, setDefault, when)
		if err != nil || v.VersionID != want || v.Document != doc || v.IsDefault != setDefault || !v.CreatedAt.Equal(when) {
			t.Fatalf("CreatePolicyVersion(%s) = %+v, %v, want %s", doc, v, err, want)
		}
	}
	wantDefault := func(what, id string, updated time.Time) {
		t.Helper()
		got, err := s.GetPolicy(ctx, acct, p.PolicyARN)
		if err != nil || got.DefaultVersionID != id || !got.UpdatedAt.Equal(updated) {
			t.Fatalf("%s: default %s updated %v (%v), want %s updated %v", what, got.DefaultVersionID, got.UpdatedAt, err, id, updated)
		}
	}
	wantVersions := func(what string, want ...string) []store.PolicyVersion {
		t.Helper()
		vs, err := s.ListPolicyVersions(ctx, acct, p.PolicyARN)
		mustOK(t, what, err)
		wantNames(t, what, namesOf(vs, versionName), want)
		return vs
	}

	create("d2", false, at(1), "v2")
	wantDefault("a version not set as default", "v1", at(1))
	create("d3", true, at(2), "v3")
	wantDefault("a version set as default", "v3", at(2))
	mustOK(t, "DeletePolicyVersion(v2)", s.DeletePolicyVersion(ctx, acct, p.PolicyARN, "v2"))
	_, err := s.GetPolicyVersion(ctx, acct, p.PolicyARN, "v2")
	wantNotFound(t, "deleted version", err, store.EntityPolicyVersion)
	create("d4", false, at(3), "v4") // not v2 again
	mustOK(t, "DeletePolicyVersion(v4)", s.DeletePolicyVersion(ctx, acct, p.PolicyARN, "v4"))
	create("d5", false, at(4), "v5") // not v4 again: the highest deleted number is not reused either

	vs := wantVersions("newest first", "v5", "v3", "v1")
	for _, v := range vs {
		wantDoc := "d" + strings.TrimPrefix(v.VersionID, "v")
		if v.IsDefault != (v.VersionID == "v3") || v.Document != wantDoc {
			t.Fatalf("ListPolicyVersions entry %+v, want document %s and only v3 default", v, wantDoc)
		}
	}
	if v, err := s.GetPolicyVersion(ctx, acct, p.PolicyARN, "v3"); err != nil || !v.IsDefault || v.Document != "d3" || !v.CreatedAt.Equal(at(2)) {
		t.Fatalf("GetPolicyVersion(v3) = %+v, %v", v, err)
	}
	if v, err := s.GetPolicyVersion(ctx, acct, p.PolicyARN, "v1"); err != nil || v.IsDefault || v.Document != "d1" {
		t.Fatalf("GetPolicyVersion(v1) = %+v, %v", v, err)
	}

	// Ids that name no version, for every method taking one. v1 is not the
	// default, so a delete that took one of them for v1 would remove it.
	for _, id := range badVersionIDs {
		t.Run(fmt.Sprintf("BadVersionID%q", id), func(t *testing.T) {
			// Each method on its own: one accepting the id must not hide
			// what the others do with it.
			notFound := func(what string, err error) {
				t.Helper()
				var nf *store.NotFoundError
				if !errors.As(err, &nf) || nf.Entity != store.EntityPolicyVersion {
					t.Errorf("%s(%q): got error %v, want a NotFoundError for a policy version", what, id, err)
				}
			}
			v, err := s.GetPolicyVersion(ctx, acct, p.PolicyARN, id)
			if err == nil {
				t.Logf("GetPolicyVersion(%q) returned %s", id, v.VersionID)
			}
			notFound("GetPolicyVersion", err)
			notFound("SetDefaultPolicyVersion", s.SetDefaultPolicyVersion(ctx, acct, p.PolicyARN, id))
			notFound("DeletePolicyVersion", s.DeletePolicyVersion(ctx, acct, p.PolicyARN, id))
		})
	}
	wantVersions("after the bad ids", "v5", "v3", "v1")
	wantDefault("after the bad ids", "v3", at(4))

	wantConflict(t, "delete the default version", s.DeletePolicyVersion(ctx, acct, p.PolicyARN, "v3"), store.EntityPolicyVersion, store.EntityManagedPolicy)
	wantVersions("after a refused delete", "v5", "v3", "v1")

	mustOK(t, "SetDefaultPolicyVersion(v1)", s.SetDefaultPolicyVersion(ctx, acct, p.PolicyARN, "v1"))
	wantDefault("after SetDefaultPolicyVersion", "v1", at(4))
	if v, _ := s.GetPolicyVersion(ctx, acct, p.PolicyARN, "v3"); v.IsDefault {
		t.Fatal("v3 is still the default")
	}
	// The old default can now go.
	mustOK(t, "DeletePolicyVersion(v3)", s.DeletePolicyVersion(ctx, acct, p.PolicyARN, "v3"))

	// At most MaxPolicyVersions.
	next := 6
	for len(wantVersionsQuiet(t, s, p.PolicyARN)) < store.MaxPolicyVersions {
		create(fmt.Sprintf("d%d", next), false, at(next), fmt.Sprintf("v%d", next))
		next++
	}
	_, err = s.CreatePolicyVersion(ctx, acct, p.PolicyARN, "over", true, at(20))
	wantLimit(t, "one version too many", err, "VersionsPerPolicy", store.MaxPolicyVersions)
	if vs := wantVersionsQuiet(t, s, p.PolicyARN); len(vs) != store.MaxPolicyVersions || slices.ContainsFunc(vs, func(v store.PolicyVersion) bool { return v.Document == "over" }) {
		t.Fatalf("after a refused version: %+v", vs)
	}
	wantDefault("after a refused version", "v1", at(next-1)) // the newest version, not the refused one
	mustOK(t, "DeletePolicyVersion(v5)", s.DeletePolicyVersion(ctx, acct, p.PolicyARN, "v5"))
	create("again", true, at(21), fmt.Sprintf("v%d", next))

	// A missing policy.
	missing := arn.Policy(acct, "/", "Nope")
	_, err = s.CreatePolicyVersion(ctx, acct, missing, "{}", false, epoch)
	wantNotFound(t, "CreatePolicyVersion of a missing policy", err, store.EntityManagedPolicy)
	_, err = s.GetPolicyVersion(ctx, acct, missing, "v1")
	wantNotFound(t, "GetPolicyVersion of a missing policy", err, store.EntityManagedPolicy)
	_, err = s.ListPolicyVersions(ctx, acct, missing)
	wantNotFound(t, "ListPolicyVersions of a missing policy", err, store.EntityManagedPolicy)
	wantNotFound(t, "DeletePolicyVersion of a missing policy", s.DeletePolicyVersion(ctx, acct, missing, "v1"), store.EntityManagedPolicy)
	wantNotFound(t, "SetDefaultPolicyVersion of a missing policy", s.SetDefaultPolicyVersion(ctx, acct, missing, "v1"), store.EntityManagedPolicy)
}

func wantVersionsQuiet(t *testing.T, s store.Store, policyARN string) []store.PolicyVersion {
	t.Helper()
	vs, err := s.ListPolicyVersions(t.Context(), acct, policyARN)
	mustOK(t, "ListPolicyVersions", err)
	return vs
}

func testDeletePolicy(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	mustUser(t, s, "Carol")
	mustGroup(t, s, "G")
	p := mustPolicy(t, s, "P", "d1")
	stillThere := func() {
		t.Helper()
		if _, err := s.GetPolicy(ctx, acct, p.PolicyARN); err != nil {
			t.Fatalf("refused delete removed the policy: %v", err)
		}
	}
	for _, kind := range []store.EntityKind{store.KindUser, store.KindGroup} {
		owner := map[store.EntityKind]string{store.KindUser: "Bob", store.KindGroup: "G"}[kind]
		mustAttach(t, s, kind, owner, p)
		wantConflict(t, "delete a policy attached to a "+string(kind), s.DeletePolicy(ctx, acct, p.PolicyARN), store.EntityManagedPolicy, store.EntityAttachment)
		stillThere()
		mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, kind, owner, p.PolicyARN))
	}
	mustOK(t, "SetUserPermissionsBoundary", s.SetUserPermissionsBoundary(ctx, acct, "Carol", p.PolicyARN))
	wantConflict(t, "delete a boundary", s.DeletePolicy(ctx, acct, p.PolicyARN), store.EntityManagedPolicy, store.EntityAttachment)
	stillThere()
	mustOK(t, "remove boundary", s.SetUserPermissionsBoundary(ctx, acct, "Carol", ""))

	_, err := s.CreatePolicyVersion(ctx, acct, p.PolicyARN, "d2", false, epoch)
	mustOK(t, "CreatePolicyVersion", err)
	wantConflict(t, "delete a policy with another version", s.DeletePolicy(ctx, acct, p.PolicyARN), store.EntityManagedPolicy, store.EntityPolicyVersion)
	stillThere()
	mustOK(t, "SetDefaultPolicyVersion", s.SetDefaultPolicyVersion(ctx, acct, p.PolicyARN, "v2"))
	wantConflict(t, "delete a policy with a non-default v1", s.DeletePolicy(ctx, acct, p.PolicyARN), store.EntityManagedPolicy, store.EntityPolicyVersion)
	mustOK(t, "DeletePolicyVersion(v1)", s.DeletePolicyVersion(ctx, acct, p.PolicyARN, "v1"))

	mustOK(t, "DeletePolicy", s.DeletePolicy(ctx, acct, p.PolicyARN))
	_, err = s.GetPolicy(ctx, acct, p.PolicyARN)
	wantNotFound(t, "deleted policy", err, store.EntityManagedPolicy)
	_, err = s.GetPolicyVersion(ctx, acct, p.PolicyARN, "v2")
	wantErr(t, "version of a deleted policy", err, store.ErrNotFound)
	wantNotFound(t, "delete twice", s.DeletePolicy(ctx, acct, p.PolicyARN), store.EntityManagedPolicy)
	wantNotFound(t, "attach a deleted policy", s.AttachPolicy(ctx, acct, store.KindUser, "Bob", p), store.EntityManagedPolicy)

	// Its versions went with it: the same policy, id included, starts again
	// at v1 alone.
	again := store.ManagedPolicy{AccountID: acct, ID: "ANPA" + acct + "P", Name: "P", Path: "/", CreatedAt: epoch}
	_, err = s.CreatePolicy(ctx, again, "fresh")
	mustOK(t, "re-create the policy", err)
	vs, err := s.ListPolicyVersions(ctx, acct, p.PolicyARN)
	if err != nil || len(vs) != 1 || vs[0].VersionID != "v1" || vs[0].Document != "fresh" || !vs[0].IsDefault {
		t.Fatalf("versions of the re-created policy = %+v, %v", vs, err)
	}
}

func testAttachPolicies(t *testing.T, s store.Store, kind store.EntityKind) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	mustOwner(t, s, kind, "Bob")
	zeta := mustPolicy(t, s, "Zeta", "{}")
	alpha := mustPolicyAt(t, s, acct, "/team/", "alpha", "{}")
	mid := mustPolicy(t, s, "Mid", "{}")
	foreign := mustPolicyAt(t, s, otherAcct, "/", "Foreign", "{}")
	ro := awsPolicy("ReadOnlyAccess") // AWS managed: accepted without existing

	mustAttach(t, s, kind, "Bob", zeta)
	mustAttach(t, s, kind, "bob", alpha)
	mustAttach(t, s, kind, "BOB", ro)
	mustAttach(t, s, kind, "Bob", alpha) // again: changes nothing
	list := func(what string, want ...string) []store.AttachedPolicy {
		t.Helper()
		got, err := s.ListAttachedPolicies(ctx, acct, kind, "bob")
		mustOK(t, what, err)
		wantNames(t, what, namesOf(got, attachedName), want)
		return got
	}
	got := list("attached", "alpha", "ReadOnlyAccess", "Zeta")
	if got[0] != alpha || got[1] != ro || got[2] != zeta {
		t.Fatalf("ListAttachedPolicies = %+v", got)
	}

	wantNotFound(t, "attach a missing customer policy", s.AttachPolicy(ctx, acct, kind, "Bob", store.AttachedPolicy{PolicyARN: arn.Policy(acct, "/", "Nope"), PolicyName: "Nope", PolicyPath: "/"}), store.EntityManagedPolicy)
	wantNotFound(t, "attach another account's policy", s.AttachPolicy(ctx, acct, kind, "Bob", foreign), store.EntityManagedPolicy)
	list("after refused attachments", "alpha", "ReadOnlyAccess", "Zeta")

	wantNotFound(t, "detach a policy not attached", s.DetachPolicy(ctx, acct, kind, "Bob", mid.PolicyARN), store.EntityAttachment)
	mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, kind, "bob", ro.PolicyARN))
	wantNotFound(t, "detach twice", s.DetachPolicy(ctx, acct, kind, "Bob", ro.PolicyARN), store.EntityAttachment)
	list("after detaching", "alpha", "Zeta")

	wantNotFound(t, "attach to a missing owner", s.AttachPolicy(ctx, acct, kind, "nobody", zeta), ownerEntity(kind))
	wantNotFound(t, "detach from a missing owner", s.DetachPolicy(ctx, acct, kind, "nobody", zeta.PolicyARN), ownerEntity(kind))
	_, err := s.ListAttachedPolicies(ctx, acct, kind, "nobody")
	wantNotFound(t, "list for a missing owner", err, ownerEntity(kind))

	// A user and a group of the same name have their own attachments.
	mustOwner(t, s, otherKind(kind), "Bob")
	if other, err := s.ListAttachedPolicies(ctx, acct, otherKind(kind), "Bob"); err != nil || len(other) != 0 {
		t.Fatalf("the %s Bob lists %+v, %v", otherKind(kind), other, err)
	}
	wantNotFound(t, "detach from the other kind", s.DetachPolicy(ctx, acct, otherKind(kind), "Bob", zeta.PolicyARN), store.EntityAttachment)
}

// testAttachQuota: at most MaxPoliciesPerUser (Group) attached, customer and
// AWS managed alike; attaching again at the limit is still fine.
func testAttachQuota(t *testing.T, s store.Store, kind store.EntityKind) {
	ctx := t.Context()
	quota, max := "PoliciesPerUser", store.MaxPoliciesPerUser
	if kind == store.KindGroup {
		quota, max = "PoliciesPerGroup", store.MaxPoliciesPerGroup
	}
	mustAccount(t, s, acct)
	mustOwner(t, s, kind, "Bob")
	mustOwner(t, s, kind, "Carol")
	var ps []store.AttachedPolicy
	for i, name := range numbered("pol", max) {
		if i%2 == 0 {
			ps = append(ps, mustPolicy(t, s, name, "{}"))
		} else {
			ps = append(ps, awsPolicy(name))
		}
	}
	for _, p := range ps {
		mustAttach(t, s, kind, "Bob", p)
	}
	extra, extraAWS := mustPolicy(t, s, "Extra", "{}"), awsPolicy("ExtraAWS")
	wantLimit(t, "one customer policy too many", s.AttachPolicy(ctx, acct, kind, "Bob", extra), quota, max)
	wantLimit(t, "one AWS policy too many", s.AttachPolicy(ctx, acct, kind, "Bob", extraAWS), quota, max)
	if got, err := s.ListAttachedPolicies(ctx, acct, kind, "Bob"); err != nil || len(got) != max {
		t.Fatalf("after refused attachments: %d attached, %v", len(got), err)
	}
	if mp, _ := s.GetPolicy(ctx, acct, extra.PolicyARN); mp.AttachmentCount != 0 {
		t.Fatalf("refused attachment counted: %+v", mp)
	}
	mustAttach(t, s, kind, "Bob", ps[3])   // again, at the limit
	mustAttach(t, s, kind, "Carol", extra) // the quota is per owner
	mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, kind, "Bob", ps[0].PolicyARN))
	mustAttach(t, s, kind, "Bob", extra)
}

func testListEntitiesForPolicy(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	for _, u := range []string{"Bob", "carol", "Dave", "Eve"} {
		mustUser(t, s, u)
	}
	for _, g := range []string{"G", "admins"} {
		mustGroup(t, s, g)
	}
	p := mustPolicy(t, s, "P", "{}")
	ro := awsPolicy("ReadOnlyAccess")
	for _, a := range []store.AttachedPolicy{p, ro} {
		mustAttach(t, s, store.KindUser, "Dave", a)
		mustAttach(t, s, store.KindGroup, "G", a)
		mustAttach(t, s, store.KindUser, "Bob", a)
		mustAttach(t, s, store.KindGroup, "admins", a)
		mustAttach(t, s, store.KindUser, "carol", a)
	}
	mustOK(t, "boundary", s.SetUserPermissionsBoundary(ctx, acct, "Eve", p.PolicyARN))
	mustOK(t, "boundary", s.SetUserPermissionsBoundary(ctx, acct, "carol", p.PolicyARN))
	mustOK(t, "boundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", ro.PolicyARN))

	for _, a := range []store.AttachedPolicy{p, ro} {
		es, err := s.ListEntitiesForPolicy(ctx, acct, a.PolicyARN, false)
		mustOK(t, "ListEntitiesForPolicy", err)
		wantKindBlocks(t, "entities of "+a.PolicyName, es, map[store.EntityKind][]string{
			store.KindGroup: {"admins", "G"},
			store.KindUser:  {"Bob", "carol", "Dave"},
		})
		for _, e := range es {
			wantID := "AIDA" + e.Name
			if e.Kind == store.KindGroup {
				wantID = "AGPA" + e.Name
			}
			if e.ID != wantID || e.Path != "/" {
				t.Fatalf("entity %+v, want id %s and path /", e, wantID)
			}
		}
	}
	es, err := s.ListEntitiesForPolicy(ctx, acct, p.PolicyARN, true)
	mustOK(t, "ListEntitiesForPolicy boundary", err)
	wantNames(t, "users bounded by P", namesOf(es, entityName), []string{"user:carol", "user:Eve"})
	es, err = s.ListEntitiesForPolicy(ctx, acct, ro.PolicyARN, true)
	mustOK(t, "ListEntitiesForPolicy boundary", err)
	wantNames(t, "users bounded by ReadOnlyAccess", namesOf(es, entityName), []string{"user:Bob"})

	// The listing follows detachments and renames.
	mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, store.KindUser, "Bob", p.PolicyARN))
	_, err = s.UpdateGroup(ctx, acct, "G", func(g store.Group) (store.Group, error) { g.Name = "Zed"; return g, nil })
	mustOK(t, "rename G", err)
	es, err = s.ListEntitiesForPolicy(ctx, acct, p.PolicyARN, false)
	mustOK(t, "ListEntitiesForPolicy", err)
	wantKindBlocks(t, "entities after detach and rename", es, map[store.EntityKind][]string{
		store.KindGroup: {"admins", "Zed"},
		store.KindUser:  {"carol", "Dave"},
	})
}

// wantKindBlocks checks a listing ordered by kind then name: each kind's
// entities together, in the wanted order.
func wantKindBlocks(t *testing.T, what string, es []store.PolicyEntity, want map[store.EntityKind][]string) {
	t.Helper()
	got := map[store.EntityKind][]string{}
	var kinds []store.EntityKind
	for _, e := range es {
		if len(kinds) == 0 || kinds[len(kinds)-1] != e.Kind {
			if slices.Contains(kinds, e.Kind) {
				t.Fatalf("%s: kinds interleaved: %q", what, namesOf(es, entityName))
			}
			kinds = append(kinds, e.Kind)
		}
		got[e.Kind] = append(got[e.Kind], e.Name)
	}
	for k, names := range want {
		wantNames(t, fmt.Sprintf("%s (%s)", what, k), got[k], names)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: kinds %q, want %d kinds", what, kinds, len(want))
	}
}

// testAttachmentCounts: counts only for AWS managed policies, per account.
func testAttachmentCounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	attached, bounds, err := s.AttachmentCounts(ctx, acct)
	if err != nil || len(attached) != 0 || len(bounds) != 0 {
		t.Fatalf("AttachmentCounts of an empty account = %v, %v, %v", attached, bounds, err)
	}
	mustUser(t, s, "Bob")
	mustUser(t, s, "Carol")
	mustGroup(t, s, "G")
	ro, admin, power := awsPolicy("ReadOnlyAccess"), awsPolicy("AdministratorAccess"), awsPolicy("PowerUserAccess")
	p := mustPolicy(t, s, "P", "{}")
	mustAttach(t, s, store.KindUser, "Bob", ro)
	mustAttach(t, s, store.KindGroup, "G", ro)
	mustAttach(t, s, store.KindUser, "Carol", admin)
	mustAttach(t, s, store.KindUser, "Bob", p)
	mustAttach(t, s, store.KindGroup, "G", p)
	mustOK(t, "boundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", power.PolicyARN))
	mustOK(t, "boundary", s.SetUserPermissionsBoundary(ctx, acct, "Carol", p.PolicyARN))
	mustOK(t, "other account's user", s.CreateUser(ctx, store.User{AccountID: otherAcct, ID: "AIDAOTHER", Name: "Bob", Path: "/", CreatedAt: epoch, PermissionsBoundary: admin.PolicyARN}))
	if err := s.AttachPolicy(ctx, otherAcct, store.KindUser, "Bob", ro); err != nil {
		t.Fatal(err)
	}

	attached, bounds, err = s.AttachmentCounts(ctx, acct)
	mustOK(t, "AttachmentCounts", err)
	wantCounts(t, "attached", attached, map[string]int{ro.PolicyARN: 2, admin.PolicyARN: 1})
	wantCounts(t, "bounds", bounds, map[string]int{power.PolicyARN: 1})
	attached, bounds, err = s.AttachmentCounts(ctx, otherAcct)
	mustOK(t, "AttachmentCounts", err)
	wantCounts(t, "other account attached", attached, map[string]int{ro.PolicyARN: 1})
	wantCounts(t, "other account bounds", bounds, map[string]int{admin.PolicyARN: 1})
}

func wantCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}
}

func testPermissionsBoundaries(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	p := mustPolicy(t, s, "Bound", "{}")
	q := mustPolicy(t, s, "Other", "{}")
	foreign := mustPolicyAt(t, s, otherAcct, "/", "Foreign", "{}")
	missing := arn.Policy(acct, "/", "Missing")
	power := awsPolicy("PowerUserAccess").PolicyARN
	newUser := func(name, boundary string) error {
		return s.CreateUser(ctx, store.User{AccountID: acct, ID: "AIDA" + name, Name: name, Path: "/", CreatedAt: epoch, PermissionsBoundary: boundary})
	}
	boundary := func(what, name, want string) {
		t.Helper()
		u, err := s.GetUser(ctx, acct, name)
		if err != nil || u.PermissionsBoundary != want {
			t.Fatalf("%s: %s's boundary = %q, %v, want %q", what, name, u.PermissionsBoundary, err, want)
		}
	}

	for _, bad := range []string{missing, foreign.PolicyARN} {
		wantNotFound(t, "CreateUser bounded by "+bad, newUser("Ghost", bad), store.EntityManagedPolicy)
		_, err := s.GetUser(ctx, acct, "Ghost")
		wantNotFound(t, "user refused for its boundary", err, store.EntityUser)
	}
	mustOK(t, "CreateUser with a boundary", newUser("Bob", p.PolicyARN))
	boundary("created bounded", "Bob", p.PolicyARN)
	mustOK(t, "CreateUser with an AWS managed boundary", newUser("Carol", power))
	boundary("created with an AWS managed boundary", "Carol", power)
	users, _, _, err := s.ListUsers(ctx, acct, "", store.Page{Limit: 10})
	if err != nil || len(users) != 2 || users[0].PermissionsBoundary != p.PolicyARN || users[1].PermissionsBoundary != power {
		t.Fatalf("ListUsers = %+v, %v", users, err)
	}

	wantNotFound(t, "set a missing boundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", missing), store.EntityManagedPolicy)
	wantNotFound(t, "set another account's policy", s.SetUserPermissionsBoundary(ctx, acct, "Bob", foreign.PolicyARN), store.EntityManagedPolicy)
	boundary("after refused boundaries", "Bob", p.PolicyARN)
	wantNotFound(t, "boundary of a missing user", s.SetUserPermissionsBoundary(ctx, acct, "nobody", p.PolicyARN), store.EntityUser)
	mustOK(t, "replace boundary", s.SetUserPermissionsBoundary(ctx, acct, "bob", q.PolicyARN))
	boundary("replaced", "Bob", q.PolicyARN)
	mustOK(t, "AWS managed boundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", power))
	boundary("AWS managed", "Bob", power)
	mustOK(t, "remove boundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", ""))
	boundary("removed", "Bob", "")
	mustOK(t, "remove again", s.SetUserPermissionsBoundary(ctx, acct, "Bob", ""))

	// UpdateUser cannot change the boundary, neither set nor remove it.
	mustOK(t, "set boundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", p.PolicyARN))
	for _, b := range []string{q.PolicyARN, "", missing} {
		u, err := s.UpdateUser(ctx, acct, "Bob", func(u store.User) (store.User, error) { u.PermissionsBoundary, u.Path = b, "/moved/"; return u, nil })
		if err != nil || u.PermissionsBoundary != p.PolicyARN || u.Path != "/moved/" {
			t.Fatalf("UpdateUser setting boundary %q = %+v, %v", b, u, err)
		}
		boundary("after UpdateUser", "Bob", p.PolicyARN)
	}
}
