package authz

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/store"
)

func parsed(t *testing.T, id string, typ SourceType, doc string) *Policy {
	t.Helper()
	p, err := policy.Parse(doc)
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return &Policy{ID: id, Type: typ, Parsed: p}
}

const (
	allowAll     = `{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}]}`
	allowIAMRead = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}`
	denyGetUser  = `{"Version":"2012-10-17","Statement":[{"Sid":"NoGetUser","Effect":"Deny","Action":"iam:GetUser","Resource":"*"}]}`
)

// TestDecide covers AWS's rules for identity policies and a boundary.
func TestDecide(t *testing.T) {
	cases := []struct {
		name     string
		identity []string
		boundary string
		action   string
		want     Decision
		reason   Reason
		matched  []string // SourcePolicyIds of the matched statements
	}{
		{"no policies", nil, "", "iam:GetUser", ImplicitDeny, NoIdentityAllow, nil},
		{"allowed", []string{allowIAMRead}, "", "iam:GetUser", Allowed, ReasonNone, []string{"p0"}},
		{"not allowed", []string{allowIAMRead}, "", "iam:CreateUser", ImplicitDeny, NoIdentityAllow, nil},
		{"deny wins across policies", []string{allowAll, denyGetUser}, "", "iam:GetUser", ExplicitDeny, IdentityDeny, []string{"p1"}},
		{"boundary allows", []string{allowAll}, allowIAMRead, "iam:ListUsers", Allowed, ReasonNone, []string{"p0", "boundary"}},
		{"boundary does not allow", []string{allowAll}, allowIAMRead, "iam:CreateUser", ImplicitDeny, NoBoundaryAllow, nil},
		{"boundary alone grants nothing", nil, allowAll, "iam:GetUser", ImplicitDeny, NoIdentityAllow, nil},
		{"boundary denies", []string{allowAll}, denyGetUser, "iam:GetUser", ExplicitDeny, BoundaryDeny, []string{"boundary"}},
		{"identity deny named before boundary deny", []string{denyGetUser}, denyGetUser, "iam:GetUser", ExplicitDeny, IdentityDeny, []string{"p0", "boundary"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var identity []*Policy
			for i, doc := range tc.identity {
				identity = append(identity, parsed(t, "p"+string(rune('0'+i)), TypeUser, doc))
			}
			var boundary *Policy
			if tc.boundary != "" {
				boundary = parsed(t, "boundary", TypeUserManaged, tc.boundary)
			}
			set := NewSet(identity, boundary, nil)
			req := policy.Request{Action: tc.action, Resource: "arn:aws:iam::123456789012:user/Bob"}
			quick := Decide(set, req, false)
			res := Decide(set, req, true)
			if res.Decision != tc.want || res.Reason != tc.reason || quick.Decision != res.Decision || quick.Reason != res.Reason {
				t.Fatalf("Decide = %s/%d (quick %s/%d), want %s/%d", res.Decision, res.Reason, quick.Decision, quick.Reason, tc.want, tc.reason)
			}
			if quick.Matched != nil {
				t.Fatalf("Matched filled without explain: %+v", quick.Matched)
			}
			var got []string
			for _, m := range res.Matched {
				got = append(got, m.Policy.ID)
				if m.Start.Line == 0 || m.End.Line == 0 {
					t.Fatalf("match without a position: %+v", m)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.matched, ",") {
				t.Fatalf("matched %v, want %v", got, tc.matched)
			}
			if res.HasBoundary != (boundary != nil) {
				t.Fatalf("HasBoundary = %v", res.HasBoundary)
			}
		})
	}
}

// backend is a store.Authorization whose answers a test sets, to make the
// store fail or return what a healthy store never would.
type backend struct {
	set   store.PolicySet
	err   error
	gen   uint64
	reads int
}

func (b *backend) UserPolicySet(context.Context, string, string) (store.PolicySet, error) {
	b.reads++
	return b.set, b.err
}

func (b *backend) GroupPolicySet(context.Context, string, string) (store.PolicySet, error) {
	b.reads++
	return b.set, b.err
}

func (b *backend) RolePolicySet(context.Context, string, string) (store.PolicySet, error) {
	b.reads++
	return b.set, b.err
}

func (b *backend) SessionPolicies(context.Context, string, []string) ([]store.PolicyDocument, error) {
	b.reads++
	return b.set.Attached, b.err
}

func (b *backend) Generation() uint64         { return b.gen }
func (b *backend) ExternalGeneration() uint64 { return 0 }

// TestSourceFailsClosed: whatever cannot be read or parsed is an error,
// never a set with a policy left out.
func TestSourceFailsClosed(t *testing.T) {
	user := store.User{AccountID: "123456789012", ID: "AIDAX", Name: "Bob", Path: "/"}
	cases := []struct {
		name string
		b    backend
		want string
	}{
		{"store error", backend{err: errors.New("disk on fire")}, "disk on fire"},
		{"inline document no longer parses", backend{set: store.PolicySet{Kind: store.KindUser, User: user,
			Inline: []store.InlinePolicy{{Owner: "Bob", Name: "ok", Document: allowAll}, {Owner: "Bob", Name: "broken", Document: `{"Statement":`}}}}, "inline policy broken"},
		{"group document no longer parses", backend{set: store.PolicySet{Kind: store.KindUser, User: user,
			Groups: []store.GroupPolicySet{{Group: store.Group{Name: "g"}, Inline: []store.InlinePolicy{{Owner: "g", Name: "deny", Document: `{"Version":"2012-10-17","Statement":{"Effect":"Deny"}}`}}}}}}, "inline policy deny of group g"},
		{"managed version no longer parses", backend{set: store.PolicySet{Kind: store.KindUser, User: user,
			Attached: []store.PolicyDocument{{AttachedPolicy: store.AttachedPolicy{PolicyARN: "arn:aws:iam::123456789012:policy/p", PolicyName: "p"}, PolicyID: "ANPAX", VersionID: "v2", Document: "[]"}}}}, "policy/p (v2)"},
		{"unknown AWS managed policy", backend{set: store.PolicySet{Kind: store.KindUser, User: user,
			Attached: []store.PolicyDocument{{AttachedPolicy: store.AttachedPolicy{PolicyARN: "arn:aws:iam::aws:policy/NoSuchPolicy", PolicyName: "NoSuchPolicy"}}}}}, "NoSuchPolicy"},
		{"boundary no longer parses", backend{set: store.PolicySet{Kind: store.KindUser, User: user, Inline: []store.InlinePolicy{{Owner: "Bob", Name: "ok", Document: allowAll}},
			Boundary: &store.PolicyDocument{AttachedPolicy: store.AttachedPolicy{PolicyARN: "arn:aws:iam::123456789012:policy/b", PolicyName: "b"}, PolicyID: "ANPAB", VersionID: "v1", Document: "{"}}}, "policy/b"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.b
			src := &Source{Store: &b, MaxSets: 10}
			set, err := src.User(t.Context(), "123456789012", "AIDAX")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("User() = %+v, %v; want an error naming %q", set, err, tc.want)
			}
			// Nothing half-read is cached: the next call reads again.
			if _, err := src.User(t.Context(), "123456789012", "AIDAX"); err == nil || b.reads != 2 {
				t.Fatalf("second call: %v after %d reads", err, b.reads)
			}
		})
	}
}

// TestSourceCacheFollowsGeneration: a cached set is reused only while the
// store's generation is the one it was read under.
func TestSourceCacheFollowsGeneration(t *testing.T) {
	b := &backend{set: store.PolicySet{Kind: store.KindUser, User: store.User{Name: "Bob", Tags: []store.Tag{{Key: "team", Value: "core"}}},
		Inline: []store.InlinePolicy{{Owner: "Bob", Name: "read", Document: allowIAMRead}}}, gen: 7}
	src := &Source{Store: b, MaxSets: 10}
	first, err := src.User(t.Context(), "123456789012", "AIDAX")
	if err != nil {
		t.Fatal(err)
	}
	if first.Tags["team"] != "core" || len(first.Identity) != 1 || first.Identity[0].Type != TypeUser || first.Identity[0].Owner != "Bob" {
		t.Fatalf("set = %+v", first)
	}
	again, _ := src.User(t.Context(), "123456789012", "AIDAX")
	if again != first || b.reads != 1 {
		t.Fatalf("same generation: reads %d, same set %v", b.reads, again == first)
	}
	b.gen++
	b.set.Inline = append(b.set.Inline, store.InlinePolicy{Owner: "Bob", Name: "deny", Document: denyGetUser})
	after, _ := src.User(t.Context(), "123456789012", "AIDAX")
	if b.reads != 2 || len(after.Identity) != 2 {
		t.Fatalf("after a write: reads %d, %d policies", b.reads, len(after.Identity))
	}
	if d := Decide(after, policy.Request{Action: "iam:GetUser", Resource: "*"}, false); d.Decision != ExplicitDeny {
		t.Fatalf("decision after the write: %s", d.Decision)
	}
}

// TestSourceResolvesAWSManaged: an attached AWS managed policy decides with
// the document Latchkey ships for it.
func TestSourceResolvesAWSManaged(t *testing.T) {
	b := &backend{set: store.PolicySet{Kind: store.KindGroup, Group: store.Group{Name: "readers"},
		Attached: []store.PolicyDocument{{AttachedPolicy: store.AttachedPolicy{PolicyARN: "arn:aws:iam::aws:policy/IAMReadOnlyAccess", PolicyName: "IAMReadOnlyAccess"}}}}}
	set, err := (&Source{Store: b}).Group(t.Context(), "123456789012", "readers")
	if err != nil {
		t.Fatal(err)
	}
	if set.Identity[0].Type != TypeAWSManaged || set.Identity[0].ARN != "arn:aws:iam::aws:policy/IAMReadOnlyAccess" {
		t.Fatalf("policy = %+v", set.Identity[0])
	}
	for action, want := range map[string]Decision{"iam:ListUsers": Allowed, "iam:GetPolicy": Allowed, "iam:CreateUser": ImplicitDeny} {
		if got := Decide(set, policy.Request{Action: action, Resource: "*"}, false).Decision; got != want {
			t.Errorf("%s: %s, want %s", action, got, want)
		}
	}
}

// TestDecideWithResourcePolicy: a resource-based policy, as the simulator
// takes one, combines with identity policies and the boundary as AWS
// documents: within an account either side may allow, and a grant to the
// principal's own ARN is not limited by the boundary; across accounts both
// sides must allow; a Deny anywhere wins.
func TestDecideWithResourcePolicy(t *testing.T) {
	const bob = "arn:aws:iam::111111111111:user/Bob"
	grant := func(principal string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"Grant","Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"s3:GetObject","Resource":"*"}]}`
	}
	denyAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`
	allowS3 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	cases := []struct {
		name     string
		identity string
		boundary string
		resource string
		cross    bool
		want     Decision
		reason   Reason
		required bool // the resource policy must allow, as a trust policy
	}{
		{"resource grant to the user alone", "", "", grant(bob), false, Allowed, ReasonNone, false},
		{"resource grant to the account delegates to identity policies", "", "", grant("111111111111"), false, ImplicitDeny, NoIdentityAllow, false},
		{"resource grant to the account with an identity allow", allowS3, "", grant("111111111111"), false, Allowed, ReasonNone, false},
		{"resource grant to anyone alone", "", "", grant("*"), false, Allowed, ReasonNone, false},
		{"resource grant to anyone is bounded", "", allowIAMRead, grant("*"), false, ImplicitDeny, NoBoundaryAllow, false},
		{"resource grant to someone else", "", "", grant("arn:aws:iam::111111111111:user/Eve"), false, ImplicitDeny, NoIdentityAllow, false},
		{"user grant passes the boundary", "", allowIAMRead, grant(bob), false, Allowed, ReasonNone, false},
		{"account grant is bounded", allowS3, allowIAMRead, grant("111111111111"), false, ImplicitDeny, NoBoundaryAllow, false},
		{"resource deny wins", allowS3, "", denyAll, false, ExplicitDeny, ResourceDeny, false},
		{"cross-account: identity alone", allowS3, "", grant("arn:aws:iam::111111111111:user/Eve"), true, ImplicitDeny, NoResourceAllow, false},
		{"cross-account: resource alone", "", "", grant(bob), true, ImplicitDeny, NoIdentityAllow, false},
		{"cross-account: both", allowS3, "", grant(bob), true, Allowed, ReasonNone, false},
		// A trust policy must allow: an identity allow alone is not enough.
		{"required: identity alone", allowS3, "", grant("arn:aws:iam::111111111111:user/Eve"), false, ImplicitDeny, NoTrustAllow, true},
		{"required: user grant alone", "", "", grant(bob), false, Allowed, ReasonNone, true},
		{"required: account grant delegates", "", "", grant("111111111111"), false, ImplicitDeny, NoIdentityAllow, true},
		{"required: account grant and identity", allowS3, "", grant("111111111111"), false, Allowed, ReasonNone, true},
		{"required: identity deny wins", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, "", grant(bob), false, ExplicitDeny, IdentityDeny, true},
		{"required across accounts: both", allowS3, "", grant(bob), true, Allowed, ReasonNone, true},
		{"required across accounts: identity alone", allowS3, "", grant("222222222222"), true, ImplicitDeny, NoTrustAllow, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var identity []*Policy
			if tc.identity != "" {
				identity = append(identity, parsed(t, "id", TypeUser, tc.identity))
			}
			var boundary *Policy
			if tc.boundary != "" {
				boundary = parsed(t, "b", TypeUserManaged, tc.boundary)
			}
			rp, err := policy.ParseResourcePolicy(tc.resource)
			if err != nil {
				t.Fatal(err)
			}
			set := NewSet(identity, boundary, nil)
			set.Resource, set.CrossAccount = &Policy{ID: "ResourcePolicy", Type: TypeResource, Parsed: rp}, tc.cross
			set.ResourceRequired = tc.required
			req := policy.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key", Principal: &policy.PrincipalRef{ARN: bob, Account: "111111111111"}}
			res := Decide(set, req, true)
			if res.Decision != tc.want || res.Reason != tc.reason {
				t.Fatalf("Decide = %s/%d, want %s/%d", res.Decision, res.Reason, tc.want, tc.reason)
			}
			if tc.want == Allowed && !slicesContainsType(res.Matched, TypeResource) && tc.resource != "" && tc.identity == "" {
				t.Fatalf("the resource policy's grant is not among the matched statements: %+v", res.Matched)
			}
		})
	}
}

func slicesContainsType(ms []Match, typ SourceType) bool {
	for _, m := range ms {
		if m.Policy.Type == typ {
			return true
		}
	}
	return false
}

// TestSourceSessions: a session's set is its identity's, limited by its
// session policies and carrying its session tags; a federated user
// without session policies may do nothing, and one made by the root may
// do what its session policies allow.
func TestSourceSessions(t *testing.T) {
	b := &backend{set: store.PolicySet{Kind: store.KindUser, User: store.User{ID: "AIDAX", Name: "Bob", Tags: []store.Tag{{Key: "Team", Value: "core"}}},
		Inline: []store.InlinePolicy{{Owner: "Bob", Name: "all", Document: allowAll}}}}
	src := &Source{Store: b, MaxSets: 10}
	decide := func(p *principal.Principal, action string) Decision {
		t.Helper()
		set, err := src.Principal(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		return Decide(set, policy.Request{Action: action, Resource: "*"}, false).Decision
	}
	session := func(o principal.Origin, inline string) *principal.Session {
		return &principal.Session{Origin: o, Policy: inline}
	}
	fed := func(s *principal.Session) *principal.Principal {
		return &principal.Principal{Kind: principal.FederatedUser, AccountID: "123456789012", ID: "AIDAX", Name: "Bob", SessionName: "f", Session: s}
	}
	if d := decide(fed(session(principal.GetFederationToken, "")), "iam:GetUser"); d != ImplicitDeny {
		t.Fatalf("federated user without session policies: %s", d)
	}
	if d := decide(fed(session(principal.GetFederationToken, allowIAMRead)), "iam:GetUser"); d != Allowed {
		t.Fatalf("federated user, allowed by both: %s", d)
	}
	if d := decide(fed(session(principal.GetFederationToken, allowIAMRead)), "iam:CreateUser"); d != ImplicitDeny {
		t.Fatalf("federated user, beyond the session policy: %s", d)
	}
	byRoot := session(principal.GetFederationToken, allowIAMRead)
	byRoot.CreatedByRoot = true
	rootFed := &principal.Principal{Kind: principal.FederatedUser, AccountID: "123456789012", ID: "123456789012", SessionName: "ops", Session: byRoot}
	if d := decide(rootFed, "iam:ListUsers"); d != Allowed {
		t.Fatalf("root's federated user within its session policy: %s", d)
	}
	if d := decide(rootFed, "iam:DeleteUser"); d != ImplicitDeny {
		t.Fatalf("root's federated user beyond its session policy: %s", d)
	}
	// A user session made by GetSessionToken has the user's permissions.
	user := &principal.Principal{Kind: principal.User, AccountID: "123456789012", ID: "AIDAX", Name: "Bob", Session: session(principal.GetSessionToken, "")}
	if d := decide(user, "iam:DeleteUser"); d != Allowed {
		t.Fatalf("user session: %s", d)
	}
	// Session tags override the identity's, whatever the key's case.
	tagged := session(principal.GetFederationToken, allowAll)
	tagged.Tags = map[string]string{"team": "blue"}
	set, err := src.Principal(t.Context(), fed(tagged))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Tags) != 1 || set.Tags["team"] != "blue" {
		t.Fatalf("tags = %v, want the session's team=blue alone", set.Tags)
	}
	// The cached set is not changed by a session's view of it.
	plain, _ := src.User(t.Context(), "123456789012", "AIDAX")
	if plain.Tags["Team"] != "core" || plain.sessionLimited {
		t.Fatalf("cached user set changed: %+v", plain)
	}
	// A session of a user since deleted may do nothing.
	b.err = &store.NotFoundError{Entity: store.EntityUser, Name: "AIDAX"}
	b.gen++
	if d := decide(fed(session(principal.GetFederationToken, allowAll)), "iam:GetUser"); d != ImplicitDeny {
		t.Fatalf("federated user of a deleted user: %s", d)
	}
}
