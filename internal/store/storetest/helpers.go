package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/store"
)

// Helpers shared by the tests of groups, managed policies, inline policies
// and authorization.

const otherAcct = "444455556666"

func mustGroup(t *testing.T, s store.Store, name string) store.Group {
	t.Helper()
	g := store.Group{AccountID: acct, ID: "AGPA" + name, Name: name, Path: "/", CreatedAt: epoch}
	if err := s.CreateGroup(t.Context(), g); err != nil {
		t.Fatalf("CreateGroup(%s): %v", name, err)
	}
	return g
}

// mustOwner creates a user or a group named name: an owner of inline
// policies and attachments.
func mustOwner(t *testing.T, s store.Store, kind store.EntityKind, name string) {
	t.Helper()
	switch kind {
	case store.KindUser:
		mustUser(t, s, name)
	case store.KindGroup:
		mustGroup(t, s, name)
	default:
		t.Fatalf("unknown kind %q", kind)
	}
}

// ownerEntity is the entity a NotFoundError names when an owner is missing.
func ownerEntity(kind store.EntityKind) store.Entity {
	if kind == store.KindGroup {
		return store.EntityGroup
	}
	return store.EntityUser
}

// inlineEntity is the entity a NotFoundError names when an owner's inline
// policy is missing.
func inlineEntity(kind store.EntityKind) store.Entity {
	if kind == store.KindGroup {
		return store.EntityGroupPolicy
	}
	return store.EntityUserPolicy
}

// mustPolicy creates a customer managed policy of acct at path "/" with
// document as its v1.
func mustPolicy(t *testing.T, s store.Store, name, document string) store.AttachedPolicy {
	t.Helper()
	return mustPolicyAt(t, s, acct, "/", name, document)
}

// mustPolicyAt creates a customer managed policy and returns the reference
// that attaches it.
func mustPolicyAt(t *testing.T, s store.Store, account, path, name, document string) store.AttachedPolicy {
	t.Helper()
	p := store.ManagedPolicy{AccountID: account, ID: "ANPA" + account + name, Name: name, Path: path, Description: "about " + name, CreatedAt: epoch}
	got, err := s.CreatePolicy(t.Context(), p, document)
	if err != nil {
		t.Fatalf("CreatePolicy(%s): %v", name, err)
	}
	if got.DefaultVersionID != "v1" {
		t.Fatalf("CreatePolicy(%s): default version %q, want v1", name, got.DefaultVersionID)
	}
	return store.AttachedPolicy{PolicyARN: arn.Policy(account, path, name), PolicyName: name, PolicyPath: path}
}

// awsPolicy is the reference of an AWS managed policy, which the store does
// not hold.
func awsPolicy(name string) store.AttachedPolicy {
	return store.AttachedPolicy{PolicyARN: "arn:aws:iam::aws:policy/" + name, PolicyName: name, PolicyPath: "/"}
}

func mustAttach(t *testing.T, s store.Store, kind store.EntityKind, owner string, p store.AttachedPolicy) {
	t.Helper()
	if err := s.AttachPolicy(t.Context(), acct, kind, owner, p); err != nil {
		t.Fatalf("AttachPolicy(%s %s, %s): %v", kind, owner, p.PolicyARN, err)
	}
}

func mustPut(t *testing.T, s store.Store, kind store.EntityKind, owner, name, document string, size int) {
	t.Helper()
	if err := s.PutInlinePolicy(t.Context(), acct, kind, store.InlinePolicy{Owner: owner, Name: name, Document: document, Size: size}); err != nil {
		t.Fatalf("PutInlinePolicy(%s %s, %s): %v", kind, owner, name, err)
	}
}

func mustOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantNotFound(t *testing.T, what string, err error, entity store.Entity) {
	t.Helper()
	var nf *store.NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, store.ErrNotFound) || nf.Entity != entity {
		t.Fatalf("%s: got error %v, want a NotFoundError for a %s", what, err, entity)
	}
}

// wantConflict checks a refused delete. The contract lets a user's
// ConflictError leave Entity empty.
func wantConflict(t *testing.T, what string, err error, entity, dependent store.Entity) {
	t.Helper()
	var ce *store.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, store.ErrDeleteConflict) {
		t.Fatalf("%s: got error %v, want a ConflictError", what, err)
	}
	if ce.Dependent != dependent || !(ce.Entity == entity || entity == store.EntityUser && ce.Entity == "") {
		t.Fatalf("%s: got ConflictError{Entity: %q, Dependent: %q}, want {%q, %q}", what, ce.Entity, ce.Dependent, entity, dependent)
	}
}

func wantLimit(t *testing.T, what string, err error, quota string, max int) {
	t.Helper()
	var le *store.LimitError
	if !errors.As(err, &le) || !errors.Is(err, store.ErrLimitExceeded) {
		t.Fatalf("%s: got error %v, want a LimitError", what, err)
	}
	if le.Quota != quota || le.Max != max {
		t.Fatalf("%s: got LimitError{Quota: %q, Max: %d}, want {%q, %d}", what, le.Quota, le.Max, quota, max)
	}
}

// namesOf maps a listing to the names it shows, for comparing orderings.
func namesOf[T any](xs []T, name func(T) string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, name(x))
	}
	return out
}

func groupName(g store.Group) string             { return g.Name }
func userName(u store.User) string               { return u.Name }
func inlineName(p store.InlinePolicy) string     { return p.Name }
func attachedName(p store.AttachedPolicy) string { return p.PolicyName }
func documentName(p store.PolicyDocument) string { return p.PolicyName }
func versionName(v store.PolicyVersion) string   { return v.VersionID }
func policyName(p store.ManagedPolicy) string    { return p.Name }
func entityName(e store.PolicyEntity) string     { return string(e.Kind) + ":" + e.Name }

func wantNames(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

// numbered is name0..name(n-1), zero-padded so their order is their number.
func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return out
}
