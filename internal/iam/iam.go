// Package iam implements the IAM actions Latchkey serves: users, their access
// keys and inline policies. Each action is a row of the operation table
// (Operations); handlers call the store and return typed results shaped as
// AWS's XML, or *awserr.Error values worded as AWS words them.
package iam

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/authz"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/store"
)

// LastUsedSource reports uses of keys and roles not yet written to the
// store.
type LastUsedSource interface {
	Pending(accessKeyID string) (store.LastUsed, bool)
	PendingRole(roleID string) (store.LastUsed, bool)
}

// Service holds what the IAM handlers need.
type Service struct {
	Store store.Store
	// Authz is the authorization core's policy source, shared with the
	// request pipeline so simulation decides exactly as real calls do.
	Authz    *authz.Source
	Keys     *secret.Keyring
	LastUsed LastUsedSource
	Now      func() time.Time
}

const defaultMaxItems = 100

// Operations returns the IAM rows of the operation table.
func (s *Service) Operations() []op.Operation {
	mut := func(action string, res func(context.Context, *op.Request) (op.Target, error), h op.Handler) op.Operation {
		return op.Operation{Service: "iam", Action: action, Permission: "iam:" + action, Resource: res, Mutating: true, Handler: h}
	}
	read := func(action string, res func(context.Context, *op.Request) (op.Target, error), h op.Handler) op.Operation {
		o := mut(action, res, h)
		o.Mutating = false
		return o
	}
	user := s.userTarget
	group := s.groupTarget
	pol := s.policyTarget
	role := s.roleTarget
	profile := s.profileTarget
	oidc := s.oidcProviderTarget
	all := anyTarget
	return append([]op.Operation{
		mut("CreateUser", withRequestedBoundary(s.newUserTarget), s.createUser),
		read("GetUser", user, s.getUser),
		read("ListUsers", accountTarget("user/"), s.listUsers),
		mut("UpdateUser", user, s.updateUser),
		mut("DeleteUser", user, s.deleteUser),
		mut("TagUser", user, s.tagUser),
		mut("UntagUser", user, s.untagUser),
		read("ListUserTags", user, s.listUserTags),
		mut("PutUserPermissionsBoundary", withRequestedBoundary(user), s.putUserPermissionsBoundary),
		mut("DeleteUserPermissionsBoundary", user, s.deleteUserPermissionsBoundary),

		mut("CreateAccessKey", user, s.createAccessKey),
		read("ListAccessKeys", user, s.listAccessKeys),
		mut("UpdateAccessKey", user, s.updateAccessKey),
		mut("DeleteAccessKey", user, s.deleteAccessKey),
		read("GetAccessKeyLastUsed", s.keyOwnerTarget, s.getAccessKeyLastUsed),

		mut("PutUserPolicy", user, s.putInlinePolicy(store.KindUser)),
		read("GetUserPolicy", user, s.getInlinePolicy(store.KindUser)),
		read("ListUserPolicies", user, s.listInlinePolicies(store.KindUser)),
		mut("DeleteUserPolicy", user, s.deleteInlinePolicy(store.KindUser)),
		mut("AttachUserPolicy", withPolicyARN(user), s.attachPolicy(store.KindUser)),
		mut("DetachUserPolicy", withPolicyARN(user), s.detachPolicy(store.KindUser)),
		read("ListAttachedUserPolicies", user, s.listAttachedPolicies(store.KindUser)),
		read("ListGroupsForUser", user, s.listGroupsForUser),

		mut("CreateGroup", s.newGroupTarget, s.createGroup),
		read("GetGroup", group, s.getGroup),
		read("ListGroups", accountTarget("group/"), s.listGroups),
		mut("UpdateGroup", group, s.updateGroup),
		mut("DeleteGroup", group, s.deleteGroup),
		mut("AddUserToGroup", group, s.addUserToGroup),
		mut("RemoveUserFromGroup", group, s.removeUserFromGroup),
		mut("PutGroupPolicy", group, s.putInlinePolicy(store.KindGroup)),
		read("GetGroupPolicy", group, s.getInlinePolicy(store.KindGroup)),
		read("ListGroupPolicies", group, s.listInlinePolicies(store.KindGroup)),
		mut("DeleteGroupPolicy", group, s.deleteInlinePolicy(store.KindGroup)),
		mut("AttachGroupPolicy", withPolicyARN(group), s.attachPolicy(store.KindGroup)),
		mut("DetachGroupPolicy", withPolicyARN(group), s.detachPolicy(store.KindGroup)),
		read("ListAttachedGroupPolicies", group, s.listAttachedPolicies(store.KindGroup)),

		mut("CreatePolicy", s.newPolicyTarget, s.createPolicy),
		read("GetPolicy", pol, s.getPolicy),
		read("ListPolicies", all, s.listPolicies),
		mut("DeletePolicy", pol, s.deletePolicy),
		mut("CreatePolicyVersion", pol, s.createPolicyVersion),
		read("GetPolicyVersion", pol, s.getPolicyVersion),
		read("ListPolicyVersions", pol, s.listPolicyVersions),
		mut("DeletePolicyVersion", pol, s.deletePolicyVersion),
		mut("SetDefaultPolicyVersion", pol, s.setDefaultPolicyVersion),
		read("ListEntitiesForPolicy", pol, s.listEntitiesForPolicy),
		mut("TagPolicy", pol, s.tagPolicy),
		mut("UntagPolicy", pol, s.untagPolicy),
		read("ListPolicyTags", pol, s.listPolicyTags),

		mut("CreateRole", withRequestedBoundary(s.newRoleTarget), s.createRole),
		read("GetRole", role, s.getRole),
		read("ListRoles", accountTarget("role/"), s.listRoles),
		mut("UpdateRole", role, s.updateRole),
		mut("UpdateRoleDescription", role, s.updateRoleDescription),
		mut("UpdateAssumeRolePolicy", role, s.updateAssumeRolePolicy),
		mut("DeleteRole", role, s.deleteRole),
		mut("TagRole", role, s.tagRole),
		mut("UntagRole", role, s.untagRole),
		read("ListRoleTags", role, s.listRoleTags),
		mut("PutRolePermissionsBoundary", withRequestedBoundary(role), s.putRolePermissionsBoundary),
		mut("DeleteRolePermissionsBoundary", role, s.deleteRolePermissionsBoundary),
		mut("PutRolePolicy", role, s.putInlinePolicy(store.KindRole)),
		read("GetRolePolicy", role, s.getInlinePolicy(store.KindRole)),
		read("ListRolePolicies", role, s.listInlinePolicies(store.KindRole)),
		mut("DeleteRolePolicy", role, s.deleteInlinePolicy(store.KindRole)),
		mut("AttachRolePolicy", withPolicyARN(role), s.attachPolicy(store.KindRole)),
		mut("DetachRolePolicy", withPolicyARN(role), s.detachPolicy(store.KindRole)),
		read("ListAttachedRolePolicies", role, s.listAttachedPolicies(store.KindRole)),

		mut("CreateInstanceProfile", s.newProfileTarget, s.createInstanceProfile),
		read("GetInstanceProfile", profile, s.getInstanceProfile),
		read("ListInstanceProfiles", accountTarget("instance-profile/"), s.listInstanceProfiles),
		read("ListInstanceProfilesForRole", role, s.listInstanceProfilesForRole),
		mut("DeleteInstanceProfile", profile, s.deleteInstanceProfile),
		mut("AddRoleToInstanceProfile", profile, s.addRoleToInstanceProfile),
		mut("RemoveRoleFromInstanceProfile", profile, s.removeRoleFromInstanceProfile),
		mut("TagInstanceProfile", profile, s.tagInstanceProfile),
		mut("UntagInstanceProfile", profile, s.untagInstanceProfile),
		read("ListInstanceProfileTags", profile, s.listInstanceProfileTags),

		mut("CreateOpenIDConnectProvider", s.newOIDCProviderTarget, s.createOpenIDConnectProvider),
		read("GetOpenIDConnectProvider", oidc, s.getOpenIDConnectProvider),
		read("ListOpenIDConnectProviders", all, s.listOpenIDConnectProviders),
		mut("DeleteOpenIDConnectProvider", oidc, s.deleteOpenIDConnectProvider),
		mut("UpdateOpenIDConnectProviderThumbprint", oidc, s.updateOpenIDConnectProviderThumbprint),
		mut("AddClientIDToOpenIDConnectProvider", oidc, s.addClientIDToOpenIDConnectProvider),
		mut("RemoveClientIDFromOpenIDConnectProvider", oidc, s.removeClientIDFromOpenIDConnectProvider),
		mut("TagOpenIDConnectProvider", oidc, s.tagOpenIDConnectProvider),
		mut("UntagOpenIDConnectProvider", oidc, s.untagOpenIDConnectProvider),
		read("ListOpenIDConnectProviderTags", oidc, s.listOpenIDConnectProviderTags),

		read("GetAccountSummary", all, s.getAccountSummary),
		read("GetAccountAuthorizationDetails", all, s.getAccountAuthorizationDetails),

		mut("GenerateCredentialReport", all, s.generateCredentialReport),
		read("GetCredentialReport", all, s.getCredentialReport),
		mut("CreateAccountAlias", all, s.createAccountAlias),
		mut("DeleteAccountAlias", all, s.deleteAccountAlias),
		read("ListAccountAliases", all, s.listAccountAliases),

		mut("CreateLoginProfile", user, s.createLoginProfile),
		read("GetLoginProfile", user, s.getLoginProfile),
		mut("UpdateLoginProfile", user, s.updateLoginProfile),
		mut("DeleteLoginProfile", user, s.deleteLoginProfile),
		mut("ChangePassword", user, s.changePassword),
		read("GetAccountPasswordPolicy", all, s.getAccountPasswordPolicy),
		mut("UpdateAccountPasswordPolicy", all, s.updateAccountPasswordPolicy),
		mut("DeleteAccountPasswordPolicy", all, s.deleteAccountPasswordPolicy),

		read("SimulatePrincipalPolicy", sourceTarget, s.simulatePrincipalPolicy),
		read("SimulateCustomPolicy", all, s.simulateCustomPolicy),
		read("GetContextKeysForPrincipalPolicy", sourceTarget, s.getContextKeysForPrincipalPolicy),
		read("GetContextKeysForCustomPolicy", all, s.getContextKeysForCustomPolicy),
	}, s.noneOperations()...)
}

// ---- targets ----

// A target is named from the request alone only when it does not exist
// (the handler then answers NoSuchEntity); any other store error fails the
// request, so a guessed path or a missing tag can never decide a policy.

// userTarget is the user named by UserName, or the caller when it is
// absent (the root's own ARN for the root), with its tags and boundary.
func (s *Service) userTarget(ctx context.Context, r *op.Request) (op.Target, error) {
	name := r.Input.String("UserName")
	if name == "" {
		if !r.Caller.IsUser() {
			return op.Target{ARN: r.Caller.ARN()}, nil
		}
		name = r.Caller.Name
	}
	u, err := s.Store.GetUser(ctx, r.Caller.AccountID, name)
	if errors.Is(err, store.ErrNotFound) {
		return op.Target{ARN: arn.User(r.Caller.AccountID, "/", name)}, nil
	}
	if err != nil {
		return op.Target{}, err
	}
	return op.Target{ARN: arn.User(u.AccountID, u.Path, u.Name), Context: entityContext(u.Tags, u.PermissionsBoundary)}, nil
}

// tagContext is aws:ResourceTag/… and iam:ResourceTag/… of a resource.
func tagContext(tags []store.Tag) map[string][]string {
	if len(tags) == 0 {
		return nil
	}
	ctx := make(map[string][]string, 2*len(tags))
	for _, t := range tags {
		ctx["aws:ResourceTag/"+t.Key] = []string{t.Value}
		ctx["iam:ResourceTag/"+t.Key] = []string{t.Value}
	}
	return ctx
}

// newUserTarget is the user CreateUser would create.
func (s *Service) newUserTarget(_ context.Context, r *op.Request) (op.Target, error) {
	return op.Target{ARN: arn.User(r.Caller.AccountID, pathOr(r.Input.String("Path")), r.Input.String("UserName"))}, nil
}

type targetFunc = func(context.Context, *op.Request) (op.Target, error)

// withRequestKey sets a condition key of target from the request's param,
// when given: the boundary a request asks for (iam:PermissionsBoundary) or
// the policy it attaches (iam:PolicyARN) decide, rather than the entity's
// current one.
func withRequestKey(target targetFunc, key, param string) targetFunc {
	return func(ctx context.Context, r *op.Request) (op.Target, error) {
		t, err := target(ctx, r)
		v := r.Input.String(param)
		if err != nil || v == "" {
			return t, err
		}
		c := make(map[string][]string, len(t.Context)+1)
		for k, vs := range t.Context {
			c[k] = vs
		}
		c[key] = []string{v}
		t.Context = c
		return t, nil
	}
}

// withPolicyARN adds iam:PolicyARN (the policy being attached or
// detached) to a target.
func withPolicyARN(target targetFunc) targetFunc {
	return withRequestKey(target, "iam:PolicyARN", "PolicyArn")
}

// withRequestedBoundary makes iam:PermissionsBoundary the boundary the
// request sets (CreateUser, CreateRole, Put…PermissionsBoundary).
func withRequestedBoundary(target targetFunc) targetFunc {
	return withRequestKey(target, "iam:PermissionsBoundary", "PermissionsBoundary")
}

// entityContext is a user's or role's condition keys as a target: its
// tags, and its current permissions boundary.
func entityContext(tags []store.Tag, boundary string) map[string][]string {
	c := tagContext(tags)
	if boundary != "" {
		if c == nil {
			c = map[string][]string{}
		}
		c["iam:PermissionsBoundary"] = []string{boundary}
	}
	return c
}

func (s *Service) groupTarget(ctx context.Context, r *op.Request) (op.Target, error) {
	name := r.Input.String("GroupName")
	g, err := s.Store.GetGroup(ctx, r.Caller.AccountID, name)
	if errors.Is(err, store.ErrNotFound) {
		return op.Target{ARN: arn.Group(r.Caller.AccountID, "/", name)}, nil
	}
	if err != nil {
		return op.Target{}, err
	}
	return op.Target{ARN: arn.Group(g.AccountID, g.Path, g.Name)}, nil
}

func (s *Service) newGroupTarget(_ context.Context, r *op.Request) (op.Target, error) {
	return op.Target{ARN: arn.Group(r.Caller.AccountID, pathOr(r.Input.String("Path")), r.Input.String("GroupName"))}, nil
}

// policyTarget is the managed policy named by PolicyArn, with its tags.
func (s *Service) policyTarget(ctx context.Context, r *op.Request) (op.Target, error) {
	a := r.Input.String("PolicyArn")
	if arn.IsAWSManagedPolicy(a) {
		return op.Target{ARN: a}, nil
	}
	p, err := s.Store.GetPolicy(ctx, r.Caller.AccountID, a)
	if errors.Is(err, store.ErrNotFound) {
		return op.Target{ARN: a}, nil
	}
	if err != nil {
		return op.Target{}, err
	}
	return op.Target{ARN: a, Context: tagContext(p.Tags)}, nil
}

func (s *Service) newPolicyTarget(_ context.Context, r *op.Request) (op.Target, error) {
	return op.Target{ARN: arn.Policy(r.Caller.AccountID, pathOr(r.Input.String("Path")), r.Input.String("PolicyName"))}, nil
}

// accountTarget is an account-wide list's resource; AWS names ListUsers'
// "arn:aws:iam::ACCOUNT:user/".
func accountTarget(suffix string) func(context.Context, *op.Request) (op.Target, error) {
	return func(_ context.Context, r *op.Request) (op.Target, error) {
		return op.Target{ARN: "arn:aws:iam::" + r.Caller.AccountID + ":" + suffix}, nil
	}
}

// anyTarget is "*", for actions that act on no one resource.
func anyTarget(context.Context, *op.Request) (op.Target, error) { return op.Target{ARN: "*"}, nil }

// keyOwnerTarget is the user owning AccessKeyId (the root's for a root
// key), so "manage your own keys" policies on user/${aws:username} cover
// GetAccessKeyLastUsed, as in AWS. An unknown key, or one of another
// account, is named as the caller's own; the handler answers NoSuchEntity.
func (s *Service) keyOwnerTarget(ctx context.Context, r *op.Request) (op.Target, error) {
	k, err := s.Store.GetAccessKey(ctx, r.Input.String("AccessKeyId"))
	if errors.Is(err, store.ErrNotFound) || err == nil && k.AccountID != r.Caller.AccountID {
		return op.Target{ARN: r.Caller.ARN()}, nil
	}
	if err != nil {
		return op.Target{}, err
	}
	if k.Root {
		return op.Target{ARN: arn.Root(k.AccountID)}, nil
	}
	return op.Target{ARN: arn.User(k.AccountID, k.UserPath, k.UserName)}, nil
}

// ---- helpers ----

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func noSuchUser(name string) *awserr.Error {
	return awserr.NoSuchEntity("The user with name %s cannot be found.", name)
}

func noSuchKey(id string) *awserr.Error {
	return awserr.NoSuchEntity("The Access Key with id %s cannot be found.", id)
}

// storeErr maps the store's sentinel errors to AWS's answers.
func storeErr(err error) error {
	var nf *store.NotFoundError
	var dc *store.ConflictError
	var le *store.LimitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &nf):
		switch nf.Entity {
		case store.EntityUser, store.EntityGroupMember:
			return noSuchUser(nf.Name)
		case store.EntityAccessKey:
			return noSuchKey(nf.Name)
		case store.EntityUserPolicy:
			return awserr.NoSuchEntity("The user policy with name %s cannot be found.", nf.Name)
		case store.EntityGroup:
			return awserr.NoSuchEntity("The group with name %s cannot be found.", nf.Name)
		case store.EntityGroupPolicy:
			return awserr.NoSuchEntity("The group policy with name %s cannot be found.", nf.Name)
		case store.EntityRole:
			return noSuchRole(nf.Name)
		case store.EntityRolePolicy:
			return awserr.NoSuchEntity("The role policy with name %s cannot be found.", nf.Name)
		case store.EntityInstanceProfile:
			return awserr.NoSuchEntity("Instance Profile %s cannot be found.", nf.Name)
		case store.EntityManagedPolicy, store.EntityAttachment:
			return noSuchPolicy(nf.Name)
		}
		return awserr.NoSuchEntity("The %s with name %s cannot be found.", nf.Entity, nf.Name)
	case errors.As(err, &dc):
		switch {
		case dc.Entity == store.EntityManagedPolicy && dc.Dependent == store.EntityAttachment:
			return awserr.DeleteConflict("Cannot delete a policy attached to entities.")
		case dc.Entity == store.EntityManagedPolicy && dc.Dependent == store.EntityPolicyVersion:
			return awserr.DeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		case dc.Entity == store.EntityPolicyVersion:
			return awserr.DeleteConflict("Cannot delete the default version of a policy.")
		case dc.Entity == store.EntityInstanceProfile, dc.Dependent == store.EntityInstanceProfile:
			return awserr.DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		switch dc.Dependent {
		case store.EntityAccessKey:
			return awserr.DeleteConflict("Cannot delete entity, must delete access keys first.")
		case store.EntityUserPolicy, store.EntityGroupPolicy, store.EntityRolePolicy:
			return awserr.DeleteConflict("Cannot delete entity, must delete policies first.")
		case store.EntityAttachment:
			return awserr.DeleteConflict("Cannot delete entity, must detach all policies first.")
		case store.EntityGroupMember:
			return awserr.DeleteConflict("Cannot delete entity, must remove users from group first.")
		case store.EntityLoginProfile:
			return awserr.DeleteConflict("Cannot delete entity, must delete login profile first.")
		}
		return awserr.DeleteConflict("Cannot delete entity, must remove %s first.", dc.Dependent)
	case errors.As(err, &le):
		switch le.Quota {
		case "UserPolicySize":
			return awserr.LimitExceeded("Maximum policy size of %d bytes exceeded for user %s", le.Max, le.Owner)
		case "GroupPolicySize":
			return awserr.LimitExceeded("Maximum policy size of %d bytes exceeded for group %s", le.Max, le.Owner)
		case "RolePolicySize":
			return awserr.LimitExceeded("Maximum policy size of %d bytes exceeded for role %s", le.Max, le.Owner)
		case "VersionsPerPolicy":
			return awserr.LimitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", le.Max)
		}
		return awserr.LimitExceeded("Cannot exceed quota for %s: %d", le.Quota, le.Max)
	}
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return awserr.ServiceFailure(err)
}

func noSuchPolicy(policyARN string) *awserr.Error {
	return awserr.NoSuchEntity("Policy %s was not found.", policyARN)
}

// ownerName is the user a key action applies to: UserName when given, else
// the caller ("" = the root).
func ownerName(r *op.Request) (string, error) {
	if n := r.Input.String("UserName"); n != "" {
		return n, nil
	}
	switch r.Caller.Kind {
	case principal.User:
		return r.Caller.Name, nil
	case principal.Root:
		return "", nil // the account's root
	}
	// A role session has no keys of its own: it must name the user, as in
	// AWS (never taken for the root).
	return "", awserr.ValidationError("Must specify userName when calling with non-User credentials")
}

// Markers are opaque to clients; they name the list they belong to so a
// marker from another list is refused rather than misread.
func encodeMarker(list, position string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(list + ":" + position))
}

func decodeMarker(list, marker string) (string, error) {
	if marker == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(marker)
	if err != nil || !strings.HasPrefix(string(b), list+":") {
		return "", awserr.ValidationError("Invalid Marker.")
	}
	return string(b[len(list)+1:]), nil
}

func maxItems(r *op.Request) int {
	if n, ok := r.Input.Int("MaxItems"); ok {
		return n
	}
	return defaultMaxItems
}

// pageSlice pages an in-memory list with offset markers.
func pageSlice[T any](r *op.Request, list string, items []T) (page []T, truncated bool, next string, err error) {
	start, end, next, err := pageBounds(r, list, len(items))
	if err != nil {
		return nil, false, "", err
	}
	return items[start:end], next != "", next, nil
}

// pageBounds is the page [start, end) of a list of n items that the
// request's Marker and MaxItems ask for, and the marker of the next page
// ("" on the last).
func pageBounds(r *op.Request, list string, n int) (start, end int, next string, err error) {
	pos, err := decodeMarker(list, r.Input.String("Marker"))
	if err != nil {
		return 0, 0, "", err
	}
	if pos != "" {
		start, err = strconv.Atoi(pos)
		if err != nil || start < 0 || start > n {
			return 0, 0, "", awserr.ValidationError("Invalid Marker.")
		}
	}
	end = min(start+maxItems(r), n)
	if end < n {
		next = encodeMarker(list, strconv.Itoa(end))
	}
	return start, end, next, nil
}

func xmlUser(u store.User, withTags bool) XMLUser {
	x := XMLUser{Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: arn.User(u.AccountID, u.Path, u.Name), CreateDate: TimestampPtr(u.CreatedAt)}
	if u.PasswordLastUsed != nil {
		x.PasswordLastUsed = TimestampPtr(*u.PasswordLastUsed)
	}
	if withTags && len(u.Tags) > 0 {
		tags := Members[XMLTag](xmlTags(u.Tags))
		x.Tags = &tags
	}
	return x
}

func xmlUserWithBoundary(u store.User) XMLUser {
	x := xmlUser(u, true)
	if u.PermissionsBoundary != "" {
		x.PermissionsBoundary = &XMLAttachedPermissionsBoundary{Type: "PermissionsBoundaryPolicy", Arn: u.PermissionsBoundary}
	}
	return x
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
