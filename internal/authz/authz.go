// Package authz is Latchkey's one authorization core. It gathers every
// policy that applies to a principal (Source: a user's inline and attached
// managed policies, each of its groups' inline and attached policies, and
// its permissions boundary), and decides a request against them (Decide)
// with AWS's rules for identity-based policies in one account:
//
//   - an explicit Deny in any identity policy or in the boundary wins;
//   - otherwise the request is allowed only if an identity policy allows
//     it AND, when the principal has a permissions boundary, the boundary
//     allows it too;
//   - otherwise it is implicitly denied.
//
// The request pipeline, the policy simulator and the verification API all
// call Decide on sets from Source, so they cannot disagree. Everything here
// fails closed: a stored document that no longer parses, an AWS managed
// policy Latchkey does not know, or a store error is an error, never a
// policy silently left out.
package authz

import (
	"github.com/latchkey/latchkey/internal/policy"
	"strings"
)

// SourceType is where a policy comes from, as AWS's simulator names it
// (SourcePolicyType).
type SourceType string

const (
	TypeUser        SourceType = "user"         // a user's inline policy
	TypeGroup       SourceType = "group"        // a group's inline policy
	TypeRole        SourceType = "role"         // a role's inline policy
	TypeUserManaged SourceType = "user-managed" // a customer managed policy
	TypeAWSManaged  SourceType = "aws-managed"  // an AWS managed policy
	TypeResource    SourceType = "resource"     // a resource-based policy
	TypeNone        SourceType = "none"         // a policy given to the simulator
	TypeSession     SourceType = "session"      // a session's inline session policy
	TypeRoot        SourceType = "root"         // the root's permissions, which a federated user's session policies limit
	// TypeAccount is what the account's password policy grants every
	// user (AllowUsersToChangePassword); AWS's simulator has no type for
	// it but "none".
	TypeAccount SourceType = "none"
)

// Policy is one parsed policy of a set, with what names it in explanations.
type Policy struct {
	// ID is AWS's SourcePolicyId: the policy's name (inline or managed), or
	// "PolicyInputList.N" for a document given to the simulator.
	ID   string
	Type SourceType
	// ARN is a managed policy's ARN; Owner the user or group of an inline
	// one.
	ARN    string
	Owner  string
	Parsed *policy.Policy
}

// Set is every policy that applies to one identity.
type Set struct {
	Identity []*Policy
	// Boundary is the permissions boundary; nil when the identity has none.
	Boundary *Policy
	// Resource is a resource-based policy of the resource acted on (the
	// simulator's ResourcePolicy); nil for none. CrossAccount says the
	// resource belongs to another account than the principal.
	Resource     *Policy
	CrossAccount bool
	// ResourceRequired says the resource policy must allow (a role's trust
	// policy): without its Allow, nothing is allowed.
	ResourceRequired bool
	// Sessions are a session's session policies (inline and managed).
	// When the session has any, it may do only what one of them allows
	// too.
	Sessions []*Policy
	// PrincipalID is the id of the user or role the set belongs to.
	PrincipalID string
	// Tags are the identity's tags, for aws:PrincipalTag/….
	Tags map[string]string

	identity       []*policy.Policy // Identity's parsed documents, for Evaluate
	sessions       []*policy.Policy // Sessions' parsed documents
	sessionLimited bool             // the session has session policies (even none that still exist)
}

// NewSet builds a set from parsed policies.
func NewSet(identity []*Policy, boundary *Policy, tags map[string]string) *Set {
	s := &Set{Identity: identity, Boundary: boundary, Tags: tags, identity: make([]*policy.Policy, len(identity))}
	for i, p := range identity {
		s.identity[i] = p.Parsed
	}
	return s
}

// Decision is AWS's EvalDecision.
type Decision string

const (
	Allowed      Decision = "allowed"
	ExplicitDeny Decision = "explicitDeny"
	ImplicitDeny Decision = "implicitDeny"
)

// Reason says which layer decided a denial, for AWS's AccessDenied wording.
type Reason int

const (
	ReasonNone      Reason = iota // allowed
	NoIdentityAllow               // no identity-based policy allows the action
	IdentityDeny                  // an explicit deny in an identity-based policy
	NoBoundaryAllow               // no permissions boundary allows the action
	BoundaryDeny                  // an explicit deny in a permissions boundary
	ResourceDeny                  // an explicit deny in a resource-based policy
	NoResourceAllow               // across accounts, no resource-based policy allows the action
	SessionDeny                   // an explicit deny in a session policy
	NoSessionAllow                // no session policy allows the action
	NoTrustAllow                  // the resource policy that must allow (a trust policy) does not
)

// Match is one statement that decided a request.
type Match struct {
	Policy    *Policy
	Statement int // index in the document
	Sid       string
	Start     policy.Position
	End       policy.Position
	Boundary  bool // the statement is the permissions boundary's
}

// Within one account, a resource-policy Allow that names the principal by
// its exact ARN suffices on its own (AWS: "resource-based policies that
// grant permissions to an IAM user ARN [...] are not limited by an
// implicit deny in an identity-based policy or permissions boundary"); one
// that grants anyone ("*") stands in for an identity Allow but is limited
// by the boundary; one that names the principal's account delegates to
// the account's identity policies, which must allow.

// grantsPrincipal reports whether the resource policy's applying Allow
// names the request's principal by its exact ARN.
func grantsPrincipal(p *Policy, req policy.Request) bool {
	if req.Principal == nil || req.Principal.ARN == "" {
		return false
	}
	for _, i := range p.Parsed.Matching(req) {
		st := &p.Parsed.Statements[i]
		if st.Effect != policy.EffectAllow || st.NotPrincipal {
			continue
		}
		for _, v := range st.Principals[policy.PrincipalAWS] {
			if v == req.Principal.ARN {
				return true
			}
		}
	}
	return false
}

// grantsAnyone reports whether the resource policy's applying Allow
// grants everyone ("*" or {"AWS": "*"}).
func grantsAnyone(p *Policy, req policy.Request) bool {
	for _, i := range p.Parsed.Matching(req) {
		st := &p.Parsed.Statements[i]
		if st.Effect != policy.EffectAllow || st.NotPrincipal {
			continue
		}
		if len(st.Principals[policy.PrincipalAll]) > 0 {
			return true
		}
		for _, v := range st.Principals[policy.PrincipalAWS] {
			if v == "*" {
				return true
			}
		}
	}
	return false
}

// Result is a decision with its explanation.
type Result struct {
	Decision Decision
	Reason   Reason
	// Matched are the statements that decided: the denying ones for an
	// explicit deny, the allowing ones (identity and boundary) for an
	// allow, none for an implicit deny. Filled only when asked for.
	Matched []Match
	// HasBoundary and BoundaryAllowed describe the permissions boundary
	// (AWS's PermissionsBoundaryDecisionDetail).
	HasBoundary     bool
	BoundaryAllowed bool
}

// Decide evaluates req against set. With explain, Result.Matched names the
// deciding statements (it costs allocations; the request pipeline asks only
// for denials).
func Decide(set *Set, req policy.Request, explain bool) Result {
	identity := policy.Evaluate(set.identity, req)
	boundary, resource := policy.NoDecision, policy.NoDecision
	r := Result{HasBoundary: set.Boundary != nil}
	if set.Boundary != nil {
		boundary = policy.Evaluate([]*policy.Policy{set.Boundary.Parsed}, req)
		r.BoundaryAllowed = boundary == policy.Allow
	}
	if set.Resource != nil {
		resource = policy.Evaluate([]*policy.Policy{set.Resource.Parsed}, req)
	}
	session := policy.NoDecision
	if set.sessionLimited {
		session = policy.Evaluate(set.sessions, req)
	}
	boundaryOK := set.Boundary == nil || boundary == policy.Allow
	switch {
	case identity == policy.Deny:
		r.Decision, r.Reason = ExplicitDeny, IdentityDeny
	case boundary == policy.Deny:
		r.Decision, r.Reason = ExplicitDeny, BoundaryDeny
	case resource == policy.Deny:
		r.Decision, r.Reason = ExplicitDeny, ResourceDeny
	case session == policy.Deny:
		r.Decision, r.Reason = ExplicitDeny, SessionDeny
	case set.ResourceRequired && resource != policy.Allow:
		r.Decision, r.Reason = ImplicitDeny, NoTrustAllow
	case set.sessionLimited && session != policy.Allow && (identity == policy.Allow || resource == policy.Allow):
		// A session policy limits what the role's policies grant.
		r.Decision, r.Reason = ImplicitDeny, NoSessionAllow
	case set.CrossAccount:
		// Across accounts both sides must allow: the principal's account
		// (identity policies within the boundary) and the resource's.
		switch {
		case identity != policy.Allow:
			r.Decision, r.Reason = ImplicitDeny, NoIdentityAllow
		case !boundaryOK:
			r.Decision, r.Reason = ImplicitDeny, NoBoundaryAllow
		case resource != policy.Allow:
			r.Decision, r.Reason = ImplicitDeny, NoResourceAllow
		default:
			r.Decision = Allowed
		}
	case resource == policy.Allow && grantsPrincipal(set.Resource, req):
		r.Decision = Allowed
	case identity != policy.Allow && !(resource == policy.Allow && grantsAnyone(set.Resource, req)):
		// A resource-policy grant to the principal's account delegates to
		// the account's identity policies: they must allow.
		r.Decision, r.Reason = ImplicitDeny, NoIdentityAllow
	case !boundaryOK:
		r.Decision, r.Reason = ImplicitDeny, NoBoundaryAllow
	default:
		r.Decision = Allowed
	}
	if explain && r.Decision != ImplicitDeny {
		want := policy.EffectAllow
		if r.Decision == ExplicitDeny {
			want = policy.EffectDeny
		}
		for _, p := range set.Identity {
			r.Matched = appendMatches(r.Matched, p, req, want, false)
		}
		if set.Boundary != nil {
			r.Matched = appendMatches(r.Matched, set.Boundary, req, want, true)
		}
		if set.Resource != nil {
			r.Matched = appendMatches(r.Matched, set.Resource, req, want, false)
		}
		for _, p := range set.Sessions {
			r.Matched = appendMatches(r.Matched, p, req, want, false)
		}
	}
	return r
}

func appendMatches(out []Match, p *Policy, req policy.Request, effect policy.Effect, boundary bool) []Match {
	for _, i := range p.Parsed.Matching(req) {
		st := &p.Parsed.Statements[i]
		if st.Effect != effect {
			continue
		}
		out = append(out, Match{Policy: p, Statement: i, Sid: st.Sid, Start: st.Start, End: st.End, Boundary: boundary})
	}
	return out
}

// ContextKeys is every condition key the set's policies read, each once
// (ignoring case), in policy order: identity policies, the boundary, the
// resource policy.
func (s *Set) ContextKeys() []string {
	var keys []string
	seen := map[string]bool{}
	add := func(p *Policy) {
		for _, k := range p.Parsed.ContextKeys() {
			if lk := strings.ToLower(k); !seen[lk] {
				seen[lk] = true
				keys = append(keys, k)
			}
		}
	}
	for _, p := range s.Identity {
		add(p)
	}
	if s.Boundary != nil {
		add(s.Boundary)
	}
	if s.Resource != nil {
		add(s.Resource)
	}
	return keys
}

// MissingContext is every key the set's policies read that ctx does not
// give (AWS's MissingContextValues), never nil.
func (s *Set) MissingContext(ctx map[string][]string) []string {
	given := make(map[string]bool, len(ctx))
	for k := range ctx {
		given[strings.ToLower(k)] = true
	}
	out := []string{}
	for _, k := range s.ContextKeys() {
		if !given[strings.ToLower(k)] {
			out = append(out, k)
		}
	}
	return out
}
