package storetest

import (
	"testing"

	"github.com/latchkey/latchkey/internal/store"
)

func otherKind(kind store.EntityKind) store.EntityKind {
	if kind == store.KindGroup {
		return store.KindUser
	}
	return store.KindGroup
}

func inlineQuota(kind store.EntityKind) (string, int) {
	if kind == store.KindGroup {
		return "GroupPolicySize", store.MaxGroupInlinePolicySize
	}
	return "UserPolicySize", store.MaxUserInlinePolicySize
}

// testInlinePolicies covers every InlinePolicies method for one owner kind:
// put and replace by name ignoring case (the new spelling kept), the
// owner's name as stored, ordering, and which entity a NotFoundError names.
func testInlinePolicies(t *testing.T, s store.Store, kind store.EntityKind) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustOwner(t, s, kind, "Bob")
	doc := `{"Version": "2012-10-17",  "Statement": []}`
	for _, name := range []string{"zeta", "Alpha", "mid"} {
		mustPut(t, s, kind, "Bob", name, doc, 10)
	}
	// A replacement by name ignoring case keeps the new spelling.
	mustPut(t, s, kind, "bob", "ZETA", "{}", 2)

	list, err := s.ListInlinePolicies(ctx, acct, kind, "BOB")
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
	p, err := s.GetInlinePolicy(ctx, acct, kind, "BOB", "alpha")
	if err != nil || p.Name != "Alpha" || p.Owner != "Bob" || p.Document != doc || p.Size != 10 {
		t.Fatalf("GetInlinePolicy = %+v, %v", p, err)
	}
	_, err = s.GetInlinePolicy(ctx, acct, kind, "Bob", "nope")
	wantNotFound(t, "get missing policy", err, inlineEntity(kind))

	// A user and a group of the same name do not share policies.
	mustOwner(t, s, otherKind(kind), "Bob")
	if other, err := s.ListInlinePolicies(ctx, acct, otherKind(kind), "Bob"); err != nil || len(other) != 0 {
		t.Fatalf("the %s Bob lists the %s Bob's policies: %+v, %v", otherKind(kind), kind, other, err)
	}
	_, err = s.GetInlinePolicy(ctx, acct, otherKind(kind), "Bob", "Alpha")
	wantNotFound(t, "policy of the other kind", err, inlineEntity(otherKind(kind)))

	// A missing owner.
	missing := store.InlinePolicy{Owner: "nobody", Name: "p", Document: "{}", Size: 2}
	wantNotFound(t, "put for a missing owner", s.PutInlinePolicy(ctx, acct, kind, missing), ownerEntity(kind))
	_, err = s.GetInlinePolicy(ctx, acct, kind, "nobody", "p")
	wantNotFound(t, "get for a missing owner", err, ownerEntity(kind))
	_, err = s.ListInlinePolicies(ctx, acct, kind, "nobody")
	wantNotFound(t, "list for a missing owner", err, ownerEntity(kind))
	wantNotFound(t, "delete for a missing owner", s.DeleteInlinePolicy(ctx, acct, kind, "nobody", "p"), ownerEntity(kind))

	// Delete ignores case, once.
	mustOK(t, "DeleteInlinePolicy", s.DeleteInlinePolicy(ctx, acct, kind, "bob", "ALPHA"))
	_, err = s.GetInlinePolicy(ctx, acct, kind, "Bob", "Alpha")
	wantNotFound(t, "get deleted policy", err, inlineEntity(kind))
	wantNotFound(t, "delete twice", s.DeleteInlinePolicy(ctx, acct, kind, "Bob", "alpha"), inlineEntity(kind))
	list, _ = s.ListInlinePolicies(ctx, acct, kind, "Bob")
	wantNames(t, "after delete", namesOf(list, inlineName), []string{"mid", "ZETA"})

	// Another account's owner of the same name is another owner.
	mustAccount(t, s, otherAcct)
	var err2 error
	if kind == store.KindUser {
		err2 = s.CreateUser(ctx, store.User{AccountID: otherAcct, ID: "AIDAOTHERBOB", Name: "Bob", Path: "/", CreatedAt: epoch})
	} else {
		err2 = s.CreateGroup(ctx, store.Group{AccountID: otherAcct, ID: "AGPAOTHERBOB", Name: "Bob", Path: "/", CreatedAt: epoch})
	}
	mustOK(t, "create owner in another account", err2)
	if other, err := s.ListInlinePolicies(ctx, otherAcct, kind, "Bob"); err != nil || len(other) != 0 {
		t.Fatalf("another account's Bob lists %+v, %v", other, err)
	}
}

// testInlinePolicyQuota: an owner's policies never sum over its quota; a
// refused put writes nothing; a replacement's old size is not counted.
func testInlinePolicyQuota(t *testing.T, s store.Store, kind store.EntityKind) {
	ctx := t.Context()
	quota, max := inlineQuota(kind)
	mustAccount(t, s, acct)
	mustOwner(t, s, kind, "Bob")
	mustPut(t, s, kind, "Bob", "a", "a1", max-100)
	mustPut(t, s, kind, "Bob", "b", "b1", 100) // exactly at the quota
	put := func(name, doc string, size int) error {
		return s.PutInlinePolicy(ctx, acct, kind, store.InlinePolicy{Owner: "Bob", Name: name, Document: doc, Size: size})
	}

	wantLimit(t, "one byte over the quota", put("c", "c1", 1), quota, max)
	_, err := s.GetInlinePolicy(ctx, acct, kind, "Bob", "c")
	wantNotFound(t, "refused policy", err, inlineEntity(kind))

	// Replacing b: its old 100 bytes are not counted.
	mustOK(t, "replace at the quota", put("B", "b2", 100))
	wantLimit(t, "replacement one byte over", put("b", "b3", 101), quota, max)
	p, err := s.GetInlinePolicy(ctx, acct, kind, "Bob", "b")
	if err != nil || p.Name != "B" || p.Document != "b2" || p.Size != 100 {
		t.Fatalf("after a refused replacement: %+v, %v (want B, b2, 100 unchanged)", p, err)
	}
	// Shrinking a frees room for c.
	mustOK(t, "shrink a", put("a", "a2", 50))
	mustOK(t, "c in the freed room", put("c", "c1", max-150))
	list, err := s.ListInlinePolicies(ctx, acct, kind, "Bob")
	mustOK(t, "ListInlinePolicies", err)
	sum := 0
	for _, p := range list {
		sum += p.Size
	}
	if sum != max || len(list) != 3 {
		t.Fatalf("%d policies summing to %d, want 3 summing to %d", len(list), sum, max)
	}

	// The quota is per owner: a fresh owner has all of it, and no more.
	mustOwner(t, s, kind, "Carol")
	mustPut(t, s, kind, "Carol", "all", "x", max)
	mustOwner(t, s, kind, "Dave")
	wantLimit(t, "a single policy over the quota", s.PutInlinePolicy(ctx, acct, kind, store.InlinePolicy{Owner: "Dave", Name: "huge", Document: "x", Size: max + 1}), quota, max)
	if list, _ := s.ListInlinePolicies(ctx, acct, kind, "Dave"); len(list) != 0 {
		t.Fatalf("refused policy was written: %+v", list)
	}
}
