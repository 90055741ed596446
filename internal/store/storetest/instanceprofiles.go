package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// newProfile is the instance profile named name in acct, at path "/".
func newProfile(name string) store.InstanceProfile {
	return store.InstanceProfile{AccountID: acct, ID: "AIPA" + name, Name: name, Path: "/", CreatedAt: epoch}
}

func mustProfile(t *testing.T, s store.Store, name string) store.InstanceProfile {
	t.Helper()
	p := newProfile(name)
	if err := s.CreateInstanceProfile(t.Context(), p); err != nil {
		t.Fatalf("CreateInstanceProfile(%s): %v", name, err)
	}
	return p
}

func profileName(p store.InstanceProfile) string { return p.Name }

// wantProfile compares every field of a profile, its roles' included.
func wantProfile(t *testing.T, what string, got, want store.InstanceProfile) {
	t.Helper()
	if got.AccountID != want.AccountID || got.ID != want.ID || got.Name != want.Name || got.Path != want.Path ||
		!got.CreatedAt.Equal(want.CreatedAt) || !slices.Equal(got.Tags, want.Tags) || len(got.Roles) != len(want.Roles) {
		t.Fatalf("%s =\n\t%+v\nwant\n\t%+v", what, got, want)
	}
	for i := range want.Roles {
		wantRole(t, fmt.Sprintf("%s: role %d", what, i), got.Roles[i], want.Roles[i])
	}
}

// getProfile reads a profile that must exist.
func getProfile(t *testing.T, s store.Store, name string) store.InstanceProfile {
	t.Helper()
	p, err := s.GetInstanceProfile(t.Context(), acct, name)
	mustOK(t, "GetInstanceProfile("+name+")", err)
	return p
}

// wantProfileRoles checks the roles a profile holds, by name.
func wantProfileRoles(t *testing.T, what string, s store.Store, profile string, want ...string) {
	t.Helper()
	wantNames(t, what, namesOf(getProfile(t, s, profile).Roles, roleName), want)
}

func testInstanceProfileLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	p := store.InstanceProfile{AccountID: acct, ID: "AIPAWEB", Name: "WebServer", Path: "/web/", CreatedAt: epoch,
		Tags: []store.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}}}
	mustOK(t, "CreateInstanceProfile", s.CreateInstanceProfile(ctx, p))
	for _, name := range []string{"WebServer", "webserver", "WEBSERVER"} {
		wantProfile(t, "GetInstanceProfile("+name+")", getProfile(t, s, name), p)
	}
	dup := newProfile("WEBSERVER")
	dup.ID, dup.Path = "AIPADUP", "/other/"
	wantErr(t, "create WEBSERVER on another path", s.CreateInstanceProfile(ctx, dup), store.ErrAlreadyExists)
	wantProfile(t, "after a refused duplicate", getProfile(t, s, "WebServer"), p)
	_, err := s.GetInstanceProfile(ctx, acct, "nope")
	wantNotFound(t, "get a missing profile", err, store.EntityInstanceProfile)

	// A profile and a role may share a name.
	mustRole(t, s, "WebServer")
	wantProfile(t, "after a role of the same name", getProfile(t, s, "WebServer"), p)

	// Another account is isolated.
	mustAccount(t, s, otherAcct)
	_, err = s.GetInstanceProfile(ctx, otherAcct, "WebServer")
	wantNotFound(t, "profile seen from another account", err, store.EntityInstanceProfile)
	other := newProfile("webserver")
	other.AccountID, other.ID = otherAcct, "AIPAOTHERWEB"
	mustOK(t, "same name in another account", s.CreateInstanceProfile(ctx, other))
	if got, err := s.GetInstanceProfile(ctx, otherAcct, "WebServer"); err != nil {
		t.Fatalf("other account's profile: %v", err)
	} else {
		wantProfile(t, "other account's profile", got, other)
	}

	mustOK(t, "DeleteInstanceProfile", s.DeleteInstanceProfile(ctx, acct, "webSERVER"))
	_, err = s.GetInstanceProfile(ctx, acct, "WebServer")
	wantNotFound(t, "deleted profile", err, store.EntityInstanceProfile)
	wantNotFound(t, "delete twice", s.DeleteInstanceProfile(ctx, acct, "WebServer"), store.EntityInstanceProfile)
	if got, err := s.GetInstanceProfile(ctx, otherAcct, "WebServer"); err != nil || got.ID != other.ID {
		t.Fatalf("deleting one account's profile touched another's: %+v, %v", got, err)
	}
	mustOK(t, "re-create the profile", s.CreateInstanceProfile(ctx, p))
	wantProfile(t, "re-created profile", getProfile(t, s, "WebServer"), p)
}

func testListInstanceProfiles(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	var want, wantB []string
	byName := map[string]store.InstanceProfile{}
	for i := 0; i < 25; i++ {
		name := fmt.Sprintf("profile%02d", i)
		if i%3 == 0 {
			name = strings.ToUpper(name) // ordering ignores case
		}
		p := newProfile(name)
		p.Path = "/a/"
		if i%2 == 1 {
			p.Path = "/b/"
			wantB = append(wantB, name)
		}
		p.Tags = []store.Tag{{Key: "n", Value: fmt.Sprint(i)}}
		mustOK(t, "CreateInstanceProfile", s.CreateInstanceProfile(ctx, p))
		if i%4 == 0 { // every fourth holds a role of its own
			r := mustRole(t, s, fmt.Sprintf("role%02d", i))
			mustOK(t, "AddRoleToInstanceProfile", s.AddRoleToInstanceProfile(ctx, acct, name, r.Name))
			p.Roles = []store.Role{r}
		}
		want = append(want, name)
		byName[name] = p
	}
	list := func(prefix string, limit int) []string {
		t.Helper()
		var names []string
		after := ""
		for pages := 0; ; pages++ {
			ps, last, more, err := s.ListInstanceProfiles(ctx, acct, prefix, store.Page{After: after, Limit: limit})
			mustOK(t, "ListInstanceProfiles", err)
			if len(ps) > limit {
				t.Fatalf("ListInstanceProfiles(%q) returned %d profiles for limit %d", prefix, len(ps), limit)
			}
			for _, p := range ps {
				// Listed with their roles filled.
				wantProfile(t, "listed profile "+p.Name, p, byName[p.Name])
				if !strings.HasPrefix(p.Path, prefix) {
					t.Fatalf("ListInstanceProfiles(%q) listed %s at %s", prefix, p.Name, p.Path)
				}
			}
			names = append(names, namesOf(ps, profileName)...)
			if !more {
				return names
			}
			if pages > 25 {
				t.Fatalf("ListInstanceProfiles(%q) does not end", prefix)
			}
			after = last
		}
	}
	wantNames(t, "all profiles by 10", list("", 10), want)
	wantNames(t, "all profiles by 1", list("", 1), want)
	wantNames(t, "path prefix /", list("/", 7), want)
	wantNames(t, "path prefix /b/", list("/b/", 5), wantB)
	wantNames(t, "path prefix /c", list("/c", 100), nil)
	if ps, _, more, err := s.ListInstanceProfiles(ctx, acct, "", store.Page{Limit: 25}); err != nil || len(ps) != 25 || more {
		t.Fatalf("limit 25: %d profiles, more=%v, %v", len(ps), more, err)
	}
	if ps, _, _, err := s.ListInstanceProfiles(ctx, otherAcct, "", store.Page{Limit: 100}); err != nil || len(ps) != 0 {
		t.Fatalf("another account lists %d profiles, %v", len(ps), err)
	}
}

// testInstanceProfileRoles: adding and removing roles, the one-role limit,
// and a role's profiles.
func testInstanceProfileRoles(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	web := newRole("Web")
	web.Path, web.Description, web.MaxSessionDuration = "/svc/", "serves", 7200
	web.Tags = []store.Tag{{Key: "tier", Value: "front"}}
	web.PermissionsBoundary = awsPolicy("PowerUserAccess").PolicyARN
	mustOK(t, "CreateRole", s.CreateRole(ctx, web))
	other := mustRole(t, s, "Other")
	ws := mustProfile(t, s, "WebServer")
	mustProfile(t, s, "alpha")
	mustProfile(t, s, "Zed")

	mustOK(t, "AddRoleToInstanceProfile", s.AddRoleToInstanceProfile(ctx, acct, "webserver", "WEB"))
	want := ws
	want.Roles = []store.Role{web}
	wantProfile(t, "profile with a role", getProfile(t, s, "WebServer"), want)

	wantErr(t, "add the same role again", s.AddRoleToInstanceProfile(ctx, acct, "WebServer", "web"), store.ErrAlreadyExists)
	wantLimit(t, "add a second role", s.AddRoleToInstanceProfile(ctx, acct, "WebServer", "Other"), "InstanceSessionsPerInstanceProfile", store.MaxRolesPerInstanceProfile)
	wantProfile(t, "after refused additions", getProfile(t, s, "WebServer"), want)
	if ps, err := s.ListInstanceProfilesForRole(ctx, acct, "Other"); err != nil || len(ps) != 0 {
		t.Fatalf("the refused role's profiles = %+v, %v", ps, err)
	}

	// A role may be in many profiles; its profiles are listed by name
	// ignoring case, with their roles filled.
	mustOK(t, "AddRoleToInstanceProfile", s.AddRoleToInstanceProfile(ctx, acct, "Zed", "Web"))
	mustOK(t, "AddRoleToInstanceProfile", s.AddRoleToInstanceProfile(ctx, acct, "ALPHA", "Web"))
	ps, err := s.ListInstanceProfilesForRole(ctx, acct, "web")
	mustOK(t, "ListInstanceProfilesForRole", err)
	wantNames(t, "Web's profiles", namesOf(ps, profileName), []string{"alpha", "WebServer", "Zed"})
	for _, p := range ps {
		w := newProfile(p.Name)
		w.Roles = []store.Role{web}
		wantProfile(t, "Web's profile "+p.Name, p, w)
	}
	_, err = s.ListInstanceProfilesForRole(ctx, acct, "nobody")
	wantNotFound(t, "profiles of a missing role", err, store.EntityRole)

	// Profiles show their roles as they are now.
	web, err = s.UpdateRole(ctx, acct, "Web", func(r store.Role) (store.Role, error) { r.Description = "serves more"; return r, nil })
	mustOK(t, "UpdateRole", err)
	want.Roles = []store.Role{web}
	wantProfile(t, "profile after its role's update", getProfile(t, s, "WebServer"), want)

	// Missing names, and a role not in the profile.
	wantNotFound(t, "remove a role not in the profile", s.RemoveRoleFromInstanceProfile(ctx, acct, "WebServer", "Other"), store.EntityInstanceProfileRole)
	wantNotFound(t, "remove from a missing profile", s.RemoveRoleFromInstanceProfile(ctx, acct, "nope", "Web"), store.EntityInstanceProfile)
	wantNotFound(t, "remove a missing role", s.RemoveRoleFromInstanceProfile(ctx, acct, "WebServer", "nobody"), store.EntityRole)
	wantNotFound(t, "add to a missing profile", s.AddRoleToInstanceProfile(ctx, acct, "nope", "Web"), store.EntityInstanceProfile)
	wantNotFound(t, "add a missing role", s.AddRoleToInstanceProfile(ctx, acct, "alpha", "nobody"), store.EntityRole)
	foreign := newRole("Foreign")
	foreign.AccountID, foreign.ID = otherAcct, "AROAFOREIGN"
	mustOK(t, "role in another account", s.CreateRole(ctx, foreign))
	mustOK(t, "RemoveRoleFromInstanceProfile", s.RemoveRoleFromInstanceProfile(ctx, acct, "Zed", "Web"))
	wantNotFound(t, "add another account's role", s.AddRoleToInstanceProfile(ctx, acct, "Zed", "Foreign"), store.EntityRole)
	wantProfile(t, "after the missing names", getProfile(t, s, "WebServer"), want)

	// Removal, once; the slot is free again.
	mustOK(t, "RemoveRoleFromInstanceProfile", s.RemoveRoleFromInstanceProfile(ctx, acct, "WEBSERVER", "web"))
	wantNotFound(t, "remove twice", s.RemoveRoleFromInstanceProfile(ctx, acct, "WebServer", "Web"), store.EntityInstanceProfileRole)
	wantProfile(t, "after removal", getProfile(t, s, "WebServer"), ws)
	ps, err = s.ListInstanceProfilesForRole(ctx, acct, "Web")
	mustOK(t, "ListInstanceProfilesForRole", err)
	wantNames(t, "Web's profiles after removals", namesOf(ps, profileName), []string{"alpha"})
	mustOK(t, "add after freeing the slot", s.AddRoleToInstanceProfile(ctx, acct, "WebServer", "Other"))
	want.Roles = []store.Role{other}
	wantProfile(t, "profile with its new role", getProfile(t, s, "WebServer"), want)
	wantProfileRoles(t, "Zed's roles", s, "Zed")
}

// testUpdateInstanceProfile: only the tags change, the roles held too.
func testUpdateInstanceProfile(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	r := mustRole(t, s, "R")
	mustRole(t, s, "Intruder")
	p := newProfile("IP")
	p.Path, p.Tags = "/ip/", []store.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}}
	mustOK(t, "CreateInstanceProfile", s.CreateInstanceProfile(ctx, p))
	mustOK(t, "AddRoleToInstanceProfile", s.AddRoleToInstanceProfile(ctx, acct, "IP", "R"))

	want := p
	want.Tags = []store.Tag{{Key: "z", Value: "26"}, {Key: "b", Value: "3"}}
	want.Roles = []store.Role{r}
	var given store.InstanceProfile
	err := s.UpdateInstanceProfile(ctx, acct, "ip", func(old store.InstanceProfile) (store.InstanceProfile, error) {
		given = old
		old.Tags = want.Tags
		old.ID, old.Name, old.Path, old.AccountID, old.CreatedAt = "AIPAEVIL", "Evil", "/evil/", otherAcct, epoch.Add(time.Hour)
		old.Roles = []store.Role{newRole("Intruder")}
		return old, nil
	})
	mustOK(t, "UpdateInstanceProfile", err)
	if given.ID != p.ID || given.Name != p.Name || given.Path != p.Path || !slices.Equal(given.Tags, p.Tags) {
		t.Fatalf("the profile the update func was given = %+v, want %+v", given, p)
	}
	wantProfile(t, "after UpdateInstanceProfile", getProfile(t, s, "IP"), want)
	_, err = s.GetInstanceProfile(ctx, acct, "Evil")
	wantNotFound(t, "the name the update func tried", err, store.EntityInstanceProfile)
	if ps, err := s.ListInstanceProfilesForRole(ctx, acct, "Intruder"); err != nil || len(ps) != 0 {
		t.Fatalf("UpdateInstanceProfile added a role: %+v, %v", ps, err)
	}

	want.Tags = nil
	mustOK(t, "remove the tags", s.UpdateInstanceProfile(ctx, acct, "IP", func(old store.InstanceProfile) (store.InstanceProfile, error) {
		old.Tags, old.Roles = nil, nil
		return old, nil
	}))
	wantProfile(t, "after removing the tags", getProfile(t, s, "IP"), want)

	boom := errors.New("boom")
	err = s.UpdateInstanceProfile(ctx, acct, "IP", func(old store.InstanceProfile) (store.InstanceProfile, error) {
		old.Tags = []store.Tag{{Key: "k", Value: "v"}}
		return old, boom
	})
	wantErr(t, "update func error", err, boom)
	wantProfile(t, "after a failed update", getProfile(t, s, "IP"), want)

	called := false
	err = s.UpdateInstanceProfile(ctx, acct, "nope", func(old store.InstanceProfile) (store.InstanceProfile, error) { called = true; return old, nil })
	wantNotFound(t, "update a missing profile", err, store.EntityInstanceProfile)
	if called {
		t.Fatal("UpdateInstanceProfile of a missing profile called the update func")
	}
}

// testInstanceProfileDeleteConflicts: a profile is not deleted while it
// holds a role; deleting it leaves the role.
func testInstanceProfileDeleteConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	r := mustRole(t, s, "R")
	p := mustProfile(t, s, "IP")
	mustOK(t, "AddRoleToInstanceProfile", s.AddRoleToInstanceProfile(ctx, acct, "IP", "R"))
	wantConflict(t, "delete a profile holding a role", s.DeleteInstanceProfile(ctx, acct, "ip"), store.EntityInstanceProfile, store.EntityRole)
	want := p
	want.Roles = []store.Role{r}
	wantProfile(t, "after a refused delete", getProfile(t, s, "IP"), want)
	mustOK(t, "RemoveRoleFromInstanceProfile", s.RemoveRoleFromInstanceProfile(ctx, acct, "IP", "R"))
	mustOK(t, "DeleteInstanceProfile", s.DeleteInstanceProfile(ctx, acct, "IP"))
	wantRole(t, "the role of a deleted profile", getRole(t, s, "R"), r)
	if ps, err := s.ListInstanceProfilesForRole(ctx, acct, "R"); err != nil || len(ps) != 0 {
		t.Fatalf("profiles of the role after its profile's deletion = %+v, %v", ps, err)
	}
	// Re-created, the profile is empty.
	mustProfile(t, s, "IP")
	wantProfileRoles(t, "re-created profile's roles", s, "IP")
	mustOK(t, "DeleteRole", s.DeleteRole(ctx, acct, "R"))
}

func testInstanceProfilesPerAccountQuota(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustAccount(t, s, otherAcct)
	names := numbered("ip", store.MaxInstanceProfilesPerAccount+1)
	for _, n := range names[:store.MaxInstanceProfilesPerAccount] {
		mustProfile(t, s, n)
	}
	extra := newProfile(names[store.MaxInstanceProfilesPerAccount])
	wantLimit(t, "one profile too many", s.CreateInstanceProfile(ctx, extra), "InstanceProfilesPerAccount", store.MaxInstanceProfilesPerAccount)
	_, err := s.GetInstanceProfile(ctx, acct, extra.Name)
	wantNotFound(t, "refused profile", err, store.EntityInstanceProfile)
	if ps, _, more, err := s.ListInstanceProfiles(ctx, acct, "", store.Page{Limit: 2 * store.MaxInstanceProfilesPerAccount}); err != nil || len(ps) != store.MaxInstanceProfilesPerAccount || more {
		t.Fatalf("%d profiles, more=%v, %v", len(ps), more, err)
	}
	other := extra
	other.AccountID, other.ID = otherAcct, "AIPAOTHER"
	mustOK(t, "profile in another account", s.CreateInstanceProfile(ctx, other))
	mustOK(t, "DeleteInstanceProfile", s.DeleteInstanceProfile(ctx, acct, names[0]))
	mustOK(t, "create after freeing a slot", s.CreateInstanceProfile(ctx, extra))
}

// testConcurrentAddRolesToProfile races 20 distinct roles into one
// profile: exactly one is added, every other is refused with the quota's
// LimitError, and the profile holds the winner.
func testConcurrentAddRolesToProfile(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustProfile(t, s, "IP")
	const n = 20
	names := numbered("role", n)
	for _, name := range names {
		mustRole(t, s, name)
	}
	var ok, limited atomic.Int32
	var winner atomic.Value
	race(n, func(i int) {
		err := s.AddRoleToInstanceProfile(ctx, acct, "IP", names[i])
		var le *store.LimitError
		switch {
		case err == nil:
			ok.Add(1)
			winner.Store(names[i])
		case errors.As(err, &le) && le.Quota == "InstanceSessionsPerInstanceProfile" && le.Max == store.MaxRolesPerInstanceProfile:
			limited.Add(1)
		default:
			t.Errorf("AddRoleToInstanceProfile(%s): %v", names[i], err)
		}
	})
	if ok.Load() != 1 || limited.Load() != n-1 {
		t.Fatalf("%d added, %d limited, want 1 and %d", ok.Load(), limited.Load(), n-1)
	}
	won := winner.Load().(string)
	wantProfileRoles(t, "the profile's roles", s, "IP", won)
	for _, name := range names {
		ps, err := s.ListInstanceProfilesForRole(ctx, acct, name)
		mustOK(t, "ListInstanceProfilesForRole", err)
		want := []string{}
		if name == won {
			want = []string{"IP"}
		}
		wantNames(t, name+"'s profiles", namesOf(ps, profileName), want)
	}
}

// testConcurrentAddSameRoleToProfile races one role into one profile 20
// times: one addition, every other ErrAlreadyExists (not the limit).
func testConcurrentAddSameRoleToProfile(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustProfile(t, s, "IP")
	mustRole(t, s, "R")
	const n = 20
	var ok, exists atomic.Int32
	race(n, func(i int) {
		err := s.AddRoleToInstanceProfile(ctx, acct, "IP", "R")
		switch {
		case err == nil:
			ok.Add(1)
		case errors.Is(err, store.ErrAlreadyExists) && !errors.Is(err, store.ErrLimitExceeded):
			exists.Add(1)
		default:
			t.Errorf("AddRoleToInstanceProfile: %v", err)
		}
	})
	if ok.Load() != 1 || exists.Load() != n-1 {
		t.Fatalf("%d added, %d already there, want 1 and %d", ok.Load(), exists.Load(), n-1)
	}
	wantProfileRoles(t, "the profile's roles", s, "IP", "R")
}

// testConcurrentAddRoleDeleteRole races AddRoleToInstanceProfile against
// DeleteRole: a profile never holds a deleted role. One profile serves
// every round: it is empty again after each.
func testConcurrentAddRoleDeleteRole(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustProfile(t, s, "IP")
	raceDependent(t, s, dependentRace{
		create: func(t *testing.T, name string) { mustRole(t, s, name) },
		depend: func(name string) error { return s.AddRoleToInstanceProfile(ctx, acct, "IP", name) },
		undo: func(t *testing.T, name string) {
			mustOK(t, "RemoveRoleFromInstanceProfile", s.RemoveRoleFromInstanceProfile(ctx, acct, "IP", name))
		},
		delete:  func(name string) error { return s.DeleteRole(ctx, acct, name) },
		entity:  store.EntityRole,
		dep:     store.EntityInstanceProfile,
		missing: store.EntityRole,
		after: func(t *testing.T, name string, added bool) {
			want := []string{}
			if added {
				want = []string{name}
			}
			wantProfileRoles(t, "the profile's roles", s, "IP", want...)
		},
	})
	wantProfileRoles(t, "the profile's roles at the end", s, "IP")
}

// testConcurrentAddRoleDeleteProfile races AddRoleToInstanceProfile
// against DeleteInstanceProfile: a role is never left in a deleted
// profile.
func testConcurrentAddRoleDeleteProfile(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustRole(t, s, "R")
	raceDependent(t, s, dependentRace{
		create: func(t *testing.T, name string) { mustProfile(t, s, name) },
		depend: func(name string) error { return s.AddRoleToInstanceProfile(ctx, acct, name, "R") },
		undo: func(t *testing.T, name string) {
			mustOK(t, "RemoveRoleFromInstanceProfile", s.RemoveRoleFromInstanceProfile(ctx, acct, name, "R"))
		},
		delete:  func(name string) error { return s.DeleteInstanceProfile(ctx, acct, name) },
		entity:  store.EntityInstanceProfile,
		dep:     store.EntityRole,
		missing: store.EntityInstanceProfile,
		after: func(t *testing.T, name string, added bool) {
			ps, err := s.ListInstanceProfilesForRole(ctx, acct, "R")
			mustOK(t, "ListInstanceProfilesForRole", err)
			want := []string{}
			if added {
				want = []string{name}
			}
			wantNames(t, "R's profiles", namesOf(ps, profileName), want)
		},
	})
	mustOK(t, "DeleteRole", s.DeleteRole(ctx, acct, "R"))
}
