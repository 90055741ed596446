// Package storetest is the conformance suite every store.Store backend
// runs: the executable form of the contract in package store. Each subtest
// gets a fresh, empty store from the factory.
package storetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// Factory returns a fresh empty store; the suite closes it.
type Factory func(t *testing.T) store.Store

// Run runs the conformance suite against the backend.
func Run(t *testing.T, newStore Factory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Accounts", testAccounts},
		{"UserLifecycle", testUserLifecycle},
		{"UserNamesIgnoreCase", testUserNamesIgnoreCase},
		{"ListUsersPaging", testListUsersPaging},
		{"AccessKeys", testAccessKeys},
		{"Quarantine", testQuarantine},
		{"RootKeys", testRootKeys},
		{"DeleteConflict", testDeleteConflict},
		{"UserPolicies", testUserPolicies},
		{"LastUsed", testLastUsed},
		{"Meta", testMeta},
		{"MasterKeyRotation", testMasterKeyRotation},
		{"ConcurrentKeyLimit", testConcurrentKeyLimit},
		{"ConcurrentCreateUser", testConcurrentCreateUser},
		{"ConcurrentUpdates", testConcurrentUpdates},

		{"InlinePoliciesUser", forKind(testInlinePolicies, store.KindUser)},
		{"InlinePoliciesGroup", forKind(testInlinePolicies, store.KindGroup)},
		{"InlinePolicyQuotaUser", forKind(testInlinePolicyQuota, store.KindUser)},
		{"InlinePolicyQuotaGroup", forKind(testInlinePolicyQuota, store.KindGroup)},

		{"GroupLifecycle", testGroupLifecycle},
		{"ListGroupsPaging", testListGroupsPaging},
		{"GroupDeleteConflicts", testGroupDeleteConflicts},
		{"GroupMembership", testGroupMembership},
		{"GroupsPerUserQuota", testGroupsPerUserQuota},
		{"GroupsPerAccountQuota", testGroupsPerAccountQuota},
		{"UserDeleteConflicts", testUserDeleteConflicts},

		{"ManagedPolicyLifecycle", testManagedPolicyLifecycle},
		{"PolicyCounts", testPolicyCounts},
		{"ListPolicies", testListPolicies},
		{"PolicyVersions", testPolicyVersions},
		{"DeletePolicy", testDeletePolicy},
		{"AttachPoliciesUser", forKind(testAttachPolicies, store.KindUser)},
		{"AttachPoliciesGroup", forKind(testAttachPolicies, store.KindGroup)},
		{"AttachQuotaUser", forKind(testAttachQuota, store.KindUser)},
		{"AttachQuotaGroup", forKind(testAttachQuota, store.KindGroup)},
		{"ListEntitiesForPolicy", testListEntitiesForPolicy},
		{"AttachmentCounts", testAttachmentCounts},
		{"PermissionsBoundaries", testPermissionsBoundaries},

		{"UserPolicySet", testUserPolicySet},
		{"GroupPolicySet", testGroupPolicySet},
		{"SessionPolicies", testSessionPolicies},
		{"ChangeFeed", testChangeFeed},
		{"ChangeLog", testChangeLog},
		{"ConcurrentChangeLog", testConcurrentChangeLog},
		{"RelyingServices", testRelyingServices},
		{"ConcurrentRelyingServices", testConcurrentRelyingServices},

		{"ConcurrentAttachLimit", testConcurrentAttachLimit},
		{"ConcurrentPolicyVersions", testConcurrentPolicyVersions},
		{"ConcurrentAddUserDeleteGroup", testConcurrentAddUserDeleteGroup},
		{"ConcurrentGroupPolicyDeleteGroup", testConcurrentGroupPolicyDeleteGroup},
		{"ConcurrentUsePolicyDeletePolicy", testConcurrentUsePolicyDeletePolicy},
		{"ConcurrentInlineQuotaUser", forKind(testConcurrentInlineQuota, store.KindUser)},
		{"ConcurrentInlineQuotaGroup", forKind(testConcurrentInlineQuota, store.KindGroup)},
		{"ConcurrentPolicySetSnapshot", testConcurrentPolicySetSnapshot},

		{"RoleLifecycle", testRoleLifecycle},
		{"ListRoles", testListRoles},
		{"UpdateRole", testUpdateRole},
		{"RoleDeleteConflicts", testRoleDeleteConflicts},
		{"RolePermissionsBoundary", testRolePermissionsBoundary},
		{"RoleInlinePolicies", testRoleInlinePolicies},
		{"RoleInlinePolicyQuota", testRoleInlinePolicyQuota},
		{"RoleAttachments", testRoleAttachments},
		{"RoleAttachQuota", testRoleAttachQuota},
		{"RolesPerAccountQuota", testRolesPerAccountQuota},
		{"RoleChangeFeed", testRoleChangeFeed},
		{"InstanceProfileLifecycle", testInstanceProfileLifecycle},
		{"ListInstanceProfiles", testListInstanceProfiles},
		{"InstanceProfileRoles", testInstanceProfileRoles},
		{"UpdateInstanceProfile", testUpdateInstanceProfile},
		{"InstanceProfileDeleteConflicts", testInstanceProfileDeleteConflicts},
		{"InstanceProfilesPerAccountQuota", testInstanceProfilesPerAccountQuota},
		{"ConcurrentAddRolesToProfile", testConcurrentAddRolesToProfile},
		{"ConcurrentAddSameRoleToProfile", testConcurrentAddSameRoleToProfile},
		{"ConcurrentAddRoleDeleteRole", testConcurrentAddRoleDeleteRole},
		{"ConcurrentAddRoleDeleteProfile", testConcurrentAddRoleDeleteProfile},
		{"ConcurrentRoleDependentsDeleteRole", testConcurrentRoleDependentsDeleteRole},
		{"ConcurrentRoleUsePolicyDeletePolicy", testConcurrentRoleUsePolicyDeletePolicy},

		{"OIDCProviderLifecycle", testOIDCProviderLifecycle},
		{"OIDCProviderSets", testOIDCProviderSets},
		{"ListOIDCProviders", testListOIDCProviders},
		{"UpdateOIDCProvider", testUpdateOIDCProvider},
		{"OIDCProviderQuotas", testOIDCProviderQuotas},
		{"OIDCProvidersPerAccountQuota", testOIDCProvidersPerAccountQuota},
		{"OIDCProviderChangeFeed", testOIDCProviderChangeFeed},
		{"ConcurrentCreateOIDCProviders", testConcurrentCreateOIDCProviders},
		{"ConcurrentOIDCProviderUpdates", testConcurrentOIDCProviderUpdates},
		{"ConcurrentUpdateDeleteOIDCProvider", testConcurrentUpdateDeleteOIDCProvider},

		{"CredentialSnapshot", testCredentialSnapshot},
		{"CredentialReports", testCredentialReports},
		{"ConcurrentPutCredentialReport", testConcurrentPutCredentialReport},
		{"AccountAliases", testAccountAliases},
		{"ConcurrentAccountAliases", testConcurrentAccountAliases},
		{"LoginProfiles", testLoginProfiles},
		{"PasswordPolicies", testPasswordPolicies},
		{"ConcurrentLoginProfiles", testConcurrentLoginProfiles},
		{"Reset", testReset},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
			if err := s.Check(t.Context()); err != nil {
				t.Fatalf("integrity check after test: %v", err)
			}
		})
	}
}

// forKind runs a test written for both owner kinds against one.
func forKind(fn func(*testing.T, store.Store, store.EntityKind), kind store.EntityKind) func(*testing.T, store.Store) {
	return func(t *testing.T, s store.Store) { fn(t, s, kind) }
}

const acct = "111122223333"

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

var keySeq atomic.Int64

func newKey() store.AccessKey {
	n := keySeq.Add(1)
	return store.AccessKey{
		ID:               fmt.Sprintf("AKIATEST%012d", n),
		Status:           store.StatusActive,
		CreatedAt:        epoch.Add(time.Duration(n) * time.Second),
		SecretCiphertext: []byte(fmt.Sprintf("sealed-%d", n)),
		MasterKeyID:      "mk1",
	}
}

func mustAccount(t *testing.T, s store.Store, id string) store.AccessKey {
	t.Helper()
	k := newKey()
	if err := s.CreateAccount(t.Context(), store.Account{ID: id, CreatedAt: epoch}, k); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return k
}

func mustUser(t *testing.T, s store.Store, name string) store.User {
	t.Helper()
	u := store.User{AccountID: acct, ID: "AIDA" + name, Name: name, Path: "/", CreatedAt: epoch}
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return u
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func testAccounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	if n, err := s.CountAccounts(ctx); err != nil || n != 0 {
		t.Fatalf("CountAccounts on empty store = %d, %v", n, err)
	}
	root := mustAccount(t, s, acct)
	wantErr(t, "duplicate account", s.CreateAccount(ctx, store.Account{ID: acct, CreatedAt: epoch}, newKey()), store.ErrAlreadyExists)
	a, err := s.GetAccount(ctx, acct)
	if err != nil || a.ID != acct || !a.CreatedAt.Equal(epoch) {
		t.Fatalf("GetAccount = %+v, %v", a, err)
	}
	_, err = s.GetAccount(ctx, "999999999999")
	wantErr(t, "missing account", err, store.ErrNotFound)
	k, err := s.GetAccessKey(ctx, root.ID)
	if err != nil || k.AccountID != acct || k.UserID != "" || k.UserName != "" || string(k.SecretCiphertext) != string(root.SecretCiphertext) {
		t.Fatalf("root key = %+v, %v", k, err)
	}
	// A failed account creation leaves nothing behind.
	dupKey := store.AccessKey(root)
	if err := s.CreateAccount(ctx, store.Account{ID: "444455556666", CreatedAt: epoch}, dupKey); err == nil {
		t.Fatal("CreateAccount with a duplicate key id succeeded")
	}
	if _, err := s.GetAccount(ctx, "444455556666"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("half-created account is visible: %v", err)
	}
}

func testUserLifecycle(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	u := store.User{AccountID: acct, ID: "AIDABOB", Name: "Bob", Path: "/team/", CreatedAt: epoch, Tags: []store.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: "1"}}}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetUser(ctx, acct, "bob")
	if err != nil || got.Name != "Bob" || got.Path != "/team/" || got.ID != "AIDABOB" || len(got.Tags) != 2 || got.Tags[0].Key != "b" {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
	upd, err := s.UpdateUser(ctx, acct, "Bob", func(u store.User) (store.User, error) {
		u.Name, u.Path, u.ID = "Robert", "/x/", "AIDAEVIL"
		return u, nil
	})
	if err != nil || upd.Name != "Robert" || upd.ID != "AIDABOB" {
		t.Fatalf("UpdateUser = %+v, %v", upd, err)
	}
	if _, err := s.GetUser(ctx, acct, "Bob"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("old name still found: %v", err)
	}
	boom := errors.New("boom")
	_, err = s.UpdateUser(ctx, acct, "Robert", func(u store.User) (store.User, error) { u.Path = "/y/"; return u, boom })
	wantErr(t, "update func error", err, boom)
	if got, _ := s.GetUser(ctx, acct, "Robert"); got.Path != "/x/" {
		t.Fatalf("failed update changed the user: %+v", got)
	}
	_, err = s.UpdateUser(ctx, acct, "nobody", func(u store.User) (store.User, error) { return u, nil })
	wantErr(t, "update missing", err, store.ErrNotFound)
	if err := s.DeleteUser(ctx, acct, "ROBERT"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "delete twice", s.DeleteUser(ctx, acct, "Robert"), store.ErrNotFound)
	// Another account is isolated.
	mustAccount(t, s, "444455556666")
	mustUser(t, s, "Alice")
	if _, err := s.GetUser(ctx, "444455556666", "Alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("user visible from another account: %v", err)
	}
}

func testUserNamesIgnoreCase(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	mustUser(t, s, "Carol")
	err := s.CreateUser(ctx, store.User{AccountID: acct, ID: "AIDAX", Name: "BOB", Path: "/", CreatedAt: epoch})
	wantErr(t, "create BOB", err, store.ErrAlreadyExists)
	_, err = s.UpdateUser(ctx, acct, "Carol", func(u store.User) (store.User, error) { u.Name = "bob"; return u, nil })
	wantErr(t, "rename onto bob", err, store.ErrAlreadyExists)
	// Renaming to a different case of one's own name is allowed.
	if _, err := s.UpdateUser(ctx, acct, "Carol", func(u store.User) (store.User, error) { u.Name = "CAROL"; return u, nil }); err != nil {
		t.Fatal(err)
	}
}

func testListUsersPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	for i := 0; i < 25; i++ {
		path := "/a/"
		if i%2 == 1 {
			path = "/b/"
		}
		u := store.User{AccountID: acct, ID: fmt.Sprintf("AIDA%02d", i), Name: fmt.Sprintf("user%02d", i), Path: path, CreatedAt: epoch}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	var all []string
	after := ""
	for pages := 0; ; pages++ {
		users, last, more, err := s.ListUsers(ctx, acct, "", store.Page{After: after, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			all = append(all, u.Name)
		}
		if !more {
			if pages != 2 {
				t.Fatalf("got %d pages, want 3", pages+1)
			}
			break
		}
		after = last
	}
	if len(all) != 25 || all[0] != "user00" || all[24] != "user24" {
		t.Fatalf("listed %v", all)
	}
	users, _, more, err := s.ListUsers(ctx, acct, "/b/", store.Page{Limit: 100})
	if err != nil || len(users) != 12 || more {
		t.Fatalf("path prefix /b/: %d users, more=%v, %v", len(users), more, err)
	}
	users, _, _, _ = s.ListUsers(ctx, acct, "/c", store.Page{Limit: 100})
	if len(users) != 0 {
		t.Fatalf("path prefix /c: %d users", len(users))
	}
	// Exactly one full page: not truncated.
	users, _, more, _ = s.ListUsers(ctx, acct, "", store.Page{Limit: 25})
	if len(users) != 25 || more {
		t.Fatalf("limit 25: %d users, more=%v", len(users), more)
	}
}

func testAccessKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	k1, k2 := newKey(), newKey()
	got, err := s.CreateAccessKey(ctx, acct, "bob", k1)
	if err != nil || got.UserName != "Bob" || got.AccountID != acct || got.UserID != "AIDABob" {
		t.Fatalf("CreateAccessKey = %+v, %v", got, err)
	}
	if _, err := s.CreateAccessKey(ctx, acct, "Bob", k2); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateAccessKey(ctx, acct, "Bob", newKey())
	wantErr(t, "third key", err, store.ErrLimitExceeded)
	_, err = s.CreateAccessKey(ctx, acct, "nobody", newKey())
	wantErr(t, "key for missing user", err, store.ErrNotFound)

	keys, err := s.ListAccessKeys(ctx, acct, "Bob")
	if err != nil || len(keys) != 2 || keys[0].ID != k1.ID || keys[1].ID != k2.ID || keys[0].UserName != "Bob" {
		t.Fatalf("ListAccessKeys = %+v, %v", keys, err)
	}
	if err := s.UpdateAccessKeyStatus(ctx, acct, "Bob", k1.ID, store.StatusInactive); err != nil {
		t.Fatal(err)
	}
	if k, _ := s.GetAccessKey(ctx, k1.ID); k.Status != store.StatusInactive || k.UserName != "Bob" || k.UserPath != "/" {
		t.Fatalf("after deactivation: %+v", k)
	}
	mustUser(t, s, "Eve")
	wantErr(t, "update another user's key", s.UpdateAccessKeyStatus(ctx, acct, "Eve", k1.ID, store.StatusActive), store.ErrNotFound)
	wantErr(t, "delete another user's key", s.DeleteAccessKey(ctx, acct, "Eve", k1.ID), store.ErrNotFound)
	wantErr(t, "delete via root", s.DeleteAccessKey(ctx, acct, "", k1.ID), store.ErrNotFound)
	if err := s.DeleteAccessKey(ctx, acct, "Bob", k1.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetAccessKey(ctx, k1.ID)
	wantErr(t, "deleted key", err, store.ErrNotFound)
	// A slot is free again.
	if _, err := s.CreateAccessKey(ctx, acct, "Bob", newKey()); err != nil {
		t.Fatal(err)
	}
	// The key follows its user's rename.
	if _, err := s.UpdateUser(ctx, acct, "Bob", func(u store.User) (store.User, error) { u.Name, u.Path = "Rob", "/r/"; return u, nil }); err != nil {
		t.Fatal(err)
	}
	if k, _ := s.GetAccessKey(ctx, k2.ID); k.UserName != "Rob" || k.UserPath != "/r/" {
		t.Fatalf("key after rename: %+v", k)
	}
}

func testRootKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	root := mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	if _, err := s.CreateAccessKey(ctx, acct, "Bob", newKey()); err != nil {
		t.Fatal(err)
	}
	k2 := newKey()
	if _, err := s.CreateAccessKey(ctx, acct, "", k2); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateAccessKey(ctx, acct, "", newKey())
	wantErr(t, "third root key", err, store.ErrLimitExceeded)
	keys, err := s.ListAccessKeys(ctx, acct, "")
	if err != nil || len(keys) != 2 || keys[0].ID != root.ID || keys[1].ID != k2.ID {
		t.Fatalf("root keys = %+v, %v", keys, err)
	}
	_, err = s.CreateAccessKey(ctx, "999999999999", "", newKey())
	wantErr(t, "root key of missing account", err, store.ErrNotFound)
}

func testDeleteConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	k := newKey()
	if _, err := s.CreateAccessKey(ctx, acct, "Bob", k); err != nil {
		t.Fatal(err)
	}
	err := s.DeleteUser(ctx, acct, "Bob")
	var ce *store.ConflictError
	if !errors.As(err, &ce) || ce.Dependent != store.EntityAccessKey || !errors.Is(err, store.ErrDeleteConflict) {
		t.Fatalf("delete user with key: %v", err)
	}
	if err := s.DeleteAccessKey(ctx, acct, "Bob", k.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.PutInlinePolicy(ctx, acct, store.KindUser, store.InlinePolicy{Owner: "Bob", Name: "p", Document: "{}", Size: 2}); err != nil {
		t.Fatal(err)
	}
	err = s.DeleteUser(ctx, acct, "Bob")
	if !errors.As(err, &ce) || ce.Dependent != store.EntityUserPolicy {
		t.Fatalf("delete user with policy: %v", err)
	}
	if err := s.DeleteInlinePolicy(ctx, acct, store.KindUser, "Bob", "P"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(ctx, acct, "Bob"); err != nil {
		t.Fatal(err)
	}
}

func testUserPolicies(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	doc := `{"Version": "2012-10-17",  "Statement": []}`
	for _, name := range []string{"zeta", "Alpha"} {
		if err := s.PutInlinePolicy(ctx, acct, store.KindUser, store.InlinePolicy{Owner: "Bob", Name: name, Document: doc, Size: 10}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutInlinePolicy(ctx, acct, store.KindUser, store.InlinePolicy{Owner: "bob", Name: "ZETA", Document: "{}", Size: 2}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListInlinePolicies(ctx, acct, store.KindUser, "Bob")
	if err != nil || len(list) != 2 || list[0].Name != "Alpha" || list[1].Name != "ZETA" || list[0].Document != doc || list[1].Document != "{}" || list[0].Owner != "Bob" || list[1].Size != 2 {
		t.Fatalf("ListUserPolicies = %+v, %v", list, err)
	}
	p, err := s.GetInlinePolicy(ctx, acct, store.KindUser, "BOB", "alpha")
	if err != nil || p.Document != doc || p.Name != "Alpha" || p.Owner != "Bob" {
		t.Fatalf("GetUserPolicy = %+v, %v", p, err)
	}
	_, err = s.GetInlinePolicy(ctx, acct, store.KindUser, "Bob", "nope")
	wantErr(t, "missing policy", err, store.ErrNotFound)
	wantErr(t, "put for missing user", s.PutInlinePolicy(ctx, acct, store.KindUser, store.InlinePolicy{Owner: "x", Name: "p", Document: "{}", Size: 2}), store.ErrNotFound)
	wantErr(t, "delete missing policy", s.DeleteInlinePolicy(ctx, acct, store.KindUser, "Bob", "nope"), store.ErrNotFound)
}

func testLastUsed(t *testing.T, s store.Store) {
	ctx := t.Context()
	root := mustAccount(t, s, acct)
	later := epoch.Add(time.Hour)
	err := s.RecordLastUsed(ctx, []store.LastUsedUpdate{
		{AccessKeyID: root.ID, LastUsed: store.LastUsed{Time: later, Service: "sts", Region: "eu-west-1"}},
		{AccessKeyID: "AKIAUNKNOWN", LastUsed: store.LastUsed{Time: later, Service: "iam", Region: "us-east-1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// An older observation does not overwrite a newer one.
	if err := s.RecordLastUsed(ctx, []store.LastUsedUpdate{{AccessKeyID: root.ID, LastUsed: store.LastUsed{Time: epoch, Service: "iam", Region: "us-east-1"}}}); err != nil {
		t.Fatal(err)
	}
	k, err := s.GetAccessKey(ctx, root.ID)
	if err != nil || k.LastUsed == nil || !k.LastUsed.Time.Equal(later) || k.LastUsed.Service != "sts" || k.LastUsed.Region != "eu-west-1" {
		t.Fatalf("last used = %+v, %v", k.LastUsed, err)
	}

	// Roles, in the same batches.
	role := mustRole(t, s, "deploy")
	if role.LastUsed != nil {
		t.Fatalf("a new role was last used %+v", role.LastUsed)
	}
	err = s.RecordLastUsed(ctx, []store.LastUsedUpdate{
		{RoleID: role.ID, LastUsed: store.LastUsed{Time: later, Region: "eu-west-1"}},
		{RoleID: "AROAUNKNOWN", LastUsed: store.LastUsed{Time: later, Region: "us-east-1"}},
		{AccessKeyID: root.ID, LastUsed: store.LastUsed{Time: later.Add(time.Minute), Service: "iam", Region: "us-west-2"}},
	})
	mustOK(t, "RecordLastUsed", err)
	mustOK(t, "RecordLastUsed", s.RecordLastUsed(ctx, []store.LastUsedUpdate{{RoleID: role.ID, LastUsed: store.LastUsed{Time: epoch, Region: "us-east-1"}}}))
	got, err := s.GetRole(ctx, acct, "deploy")
	if err != nil || got.LastUsed == nil || !got.LastUsed.Time.Equal(later) || got.LastUsed.Region != "eu-west-1" {
		t.Fatalf("role last used = %+v, %v", got.LastUsed, err)
	}
	roles, _, _, err := s.ListRoles(ctx, acct, "", store.Page{Limit: 10})
	if err != nil || len(roles) != 1 || roles[0].LastUsed == nil || !roles[0].LastUsed.Time.Equal(later) {
		t.Fatalf("listed role = %+v, %v", roles, err)
	}
	if k, _ := s.GetAccessKey(ctx, root.ID); k.LastUsed == nil || k.LastUsed.Region != "us-west-2" {
		t.Fatalf("key last used in a mixed batch = %+v", k.LastUsed)
	}
}

func testMeta(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.GetMeta(ctx, "x")
	wantErr(t, "missing meta", err, store.ErrNotFound)
	for _, v := range []string{"1", "2"} {
		if err := s.PutMeta(ctx, "x", v); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := s.GetMeta(ctx, "x"); err != nil || v != "2" {
		t.Fatalf("GetMeta = %q, %v", v, err)
	}
	// InitMeta: the first value stays, whoever asks later.
	if v, err := s.InitMeta(ctx, "y", "first"); err != nil || v != "first" {
		t.Fatalf("InitMeta = %q, %v", v, err)
	}
	if v, err := s.InitMeta(ctx, "y", "second"); err != nil || v != "first" {
		t.Fatalf("InitMeta again = %q, %v", v, err)
	}
	if v, err := s.InitMeta(ctx, "x", "other"); err != nil || v != "2" {
		t.Fatalf("InitMeta over PutMeta = %q, %v", v, err)
	}
	// Racing: every caller gets the one stored value.
	var wg sync.WaitGroup
	got := make([]string, 16)
	errs := make([]error, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = s.InitMeta(ctx, "z", fmt.Sprintf("v%d", i))
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != got[0] {
			t.Fatalf("racing InitMeta: %q, %v; another got %q", got[i], errs[i], got[0])
		}
	}
}

// testConcurrentKeyLimit races many key creations for one user: exactly
// MaxAccessKeys succeed.
func testConcurrentKeyLimit(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	var ok, limited atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.CreateAccessKey(ctx, acct, "Bob", newKey())
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, store.ErrLimitExceeded):
				limited.Add(1)
			default:
				t.Errorf("CreateAccessKey: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != store.MaxAccessKeys || limited.Load() != 50-store.MaxAccessKeys {
		t.Fatalf("%d created, %d limited", ok.Load(), limited.Load())
	}
}

func testConcurrentCreateUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	names := []string{"dave", "Dave", "DAVE", "dAVE", "daVe", "DaVe"}
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.CreateUser(ctx, store.User{AccountID: acct, ID: fmt.Sprintf("AIDAD%d", i), Name: n, Path: "/", CreatedAt: epoch})
			if err == nil {
				ok.Add(1)
			} else if !errors.Is(err, store.ErrAlreadyExists) {
				t.Errorf("CreateUser(%s): %v", n, err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d creations succeeded, want 1", ok.Load())
	}
}

// testConcurrentUpdates proves UpdateUser is a compare-and-swap: racing
// read-modify-write updates lose none.
func testConcurrentUpdates(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	const n = 20
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UpdateUser(ctx, acct, "Bob", func(u store.User) (store.User, error) {
				u.Tags = append(u.Tags, store.Tag{Key: fmt.Sprintf("k%d", i), Value: "v"})
				return u, nil
			})
			if err != nil {
				t.Errorf("UpdateUser: %v", err)
			}
		}()
	}
	wg.Wait()
	u, err := s.GetUser(ctx, acct, "Bob")
	if err != nil || len(u.Tags) != n {
		t.Fatalf("after %d concurrent tag updates: %d tags, %v", n, len(u.Tags), err)
	}
}

func testMasterKeyRotation(t *testing.T, s store.Store) {
	ctx := t.Context()
	root := mustAccount(t, s, acct) // sealed with "mk1", before any current key is named
	if err := s.PutMeta(ctx, store.MetaMasterKeyID, "mk2"); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateAccessKey(ctx, acct, "", newKey())
	wantErr(t, "key sealed with a stale master key", err, store.ErrStaleMasterKey)
	fresh := newKey()
	fresh.MasterKeyID = "mk2"
	if _, err := s.CreateAccessKey(ctx, acct, "", fresh); err != nil {
		t.Fatal(err)
	}
	old, err := s.SealedSecrets(ctx, "mk2", 10)
	if err != nil || len(old) != 1 || old[0].ID != root.ID || string(old[0].SecretCiphertext) != string(root.SecretCiphertext) {
		t.Fatalf("SealedSecrets = %+v, %v", old, err)
	}
	if ok, err := s.ReplaceSealedSecret(ctx, root.ID, "mk1", []byte("resealed"), "mk2"); err != nil || !ok {
		t.Fatalf("ReplaceSealedSecret = %v, %v", ok, err)
	}
	if ok, err := s.ReplaceSealedSecret(ctx, root.ID, "mk1", []byte("again"), "mk2"); err != nil || ok {
		t.Fatalf("second ReplaceSealedSecret = %v, %v", ok, err)
	}
	if left, _ := s.SealedSecrets(ctx, "mk2", 10); len(left) != 0 {
		t.Fatalf("still sealed with the old key: %+v", left)
	}
	if k, _ := s.GetAccessKey(ctx, root.ID); string(k.SecretCiphertext) != "resealed" || k.MasterKeyID != "mk2" {
		t.Fatalf("after re-sealing: %+v", k)
	}
}
