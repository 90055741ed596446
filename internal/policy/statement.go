package policy

import (
	"github.com/latchkey/latchkey/internal/policy/condition"
	"github.com/latchkey/latchkey/internal/policy/internal/wildcard"
)

// Statement is one statement of a parsed policy. Exactly one of Actions and
// NotActions is non-empty, and exactly one of Resources and NotResources,
// except in a resource-based policy, where a statement without Resource or
// NotResource (as trust policies are written) has neither and applies to
// every resource. Statements are only valid as Parse and
// ParseResourcePolicy return them: the compiled patterns Evaluate uses are
// unexported, and a hand-made Statement matches nothing.
type Statement struct {
	Sid          string
	Effect       Effect
	Actions      []string // Action, as written
	NotActions   []string // NotAction, as written
	Resources    []string // Resource, as written
	NotResources []string // NotResource, as written
	// Principals is the Principal element, or the NotPrincipal element when
	// NotPrincipal is set, as written: principal type ("AWS", "Service",
	// "Federated", "CanonicalUser") to values, and "Principal": "*" as
	// {PrincipalAll: {"*"}}. It is nil in identity-based policies, whose
	// statements apply whoever the request's principal is.
	Principals   map[string][]string
	NotPrincipal bool
	// Conditions are the Condition element, one per operator and key, in
	// document order; all must hold.
	Conditions []condition.Condition
	// Start and End locate the statement's object in the document's text,
	// as AWS's policy simulation reports a matched statement
	// (StartPosition, EndPosition): the positions just past its '{' and
	// just past its '}' (see Position).
	Start, End Position

	actions     []wildcard.Pattern // compiled Actions or NotActions
	notAction   bool
	resources   []wildcard.ARN // compiled Resources or NotResources
	notResource bool
	principals  *principalSet // compiled Principals; nil in identity-based policies
	keys        []string      // context keys read, see Policy.ContextKeys
	compiled    bool
}

// rawStatement is a statement whose JSON shape was checked, before its
// content is.
type rawStatement struct {
	obj                                           *jsonValue
	sid, effect                                   *jsonValue
	action, notAction, resource, notResource, cnd *jsonValue
	principal, notPrincipal                       *jsonValue
}

// statementMembers are the members a statement may have; in identity-based
// policies, Principal and NotPrincipal pass the syntax check, to be refused
// as AWS refuses them.
var statementMembers = map[string]bool{
	"Sid": true, "Effect": true, "Action": true, "NotAction": true, "Resource": true,
	"NotResource": true, "Condition": true, "Principal": true, "NotPrincipal": true,
}

// checkStatementSyntax checks a statement's JSON shape: an object of known
// members; not both Action and NotAction, nor Resource and NotResource; an
// Effect that is a string reading allow or deny in any case; the action
// and resource members a string or a list of strings; a Condition of the
// right shape; a string Sid. In a resource-based policy, also not both
// Principal and NotPrincipal, and each of the right shape
// (checkPrincipalSyntax); an identity-based policy refuses them later,
// whatever their shape.
func checkStatementSyntax(v *jsonValue, kind policyKind) (rawStatement, bool) {
	s := rawStatement{obj: v}
	if v.kind != jsonObject {
		return s, false
	}
	for i := range v.members {
		m := &v.members[i]
		if !statementMembers[m.name] {
			return s, false
		}
		switch m.name {
		case "Sid":
			s.sid = &m.value
		case "Effect":
			s.effect = &m.value
		case "Action":
			s.action = &m.value
		case "NotAction":
			s.notAction = &m.value
		case "Resource":
			s.resource = &m.value
		case "NotResource":
			s.notResource = &m.value
		case "Condition":
			s.cnd = &m.value
		case "Principal":
			s.principal = &m.value
		case "NotPrincipal":
			s.notPrincipal = &m.value
		}
	}
	ok := !(s.action != nil && s.notAction != nil) && !(s.resource != nil && s.notResource != nil) &&
		s.effect != nil && s.effect.kind == jsonString && (equalFoldASCII(s.effect.text, "allow") || equalFoldASCII(s.effect.text, "deny")) &&
		(s.sid == nil || s.sid.kind == jsonString)
	for _, l := range []*jsonValue{s.action, s.notAction, s.resource, s.notResource} {
		if _, isList := stringList(l); l != nil && !isList {
			ok = false
		}
	}
	if s.cnd != nil && !checkConditionSyntax(s.cnd) {
		ok = false
	}
	if kind == resourcePolicy {
		if s.principal != nil && s.notPrincipal != nil {
			ok = false
		}
		if v, _ := s.principalElement(); v != nil && !checkPrincipalSyntax(v) {
			ok = false
		}
	}
	return s, ok
}

// hasPrincipal reports whether the statement has Principal or NotPrincipal.
func (s *rawStatement) hasPrincipal() bool {
	return s.principal != nil || s.notPrincipal != nil
}

// actionList and resourceList return the statement's action (or
// NotAction) and resource (or NotResource) strings.
func (s *rawStatement) actionList() (list []string, not bool) {
	if s.notAction != nil {
		l, _ := stringList(s.notAction)
		return l, true
	}
	l, _ := stringList(s.action)
	return l, false
}

func (s *rawStatement) resourceList() (list []string, not bool) {
	if s.notResource != nil {
		l, _ := stringList(s.notResource)
		return l, true
	}
	l, _ := stringList(s.resource)
	return l, false
}

// stringList accepts a string or a list of strings (possibly empty; the
// caller decides whether that is allowed). A nil v is an empty list.
func stringList(v *jsonValue) ([]string, bool) {
	if v == nil {
		return nil, true
	}
	switch v.kind {
	case jsonString:
		return []string{v.text}, true
	case jsonArray:
		out := make([]string, len(v.elems))
		for i := range v.elems {
			if v.elems[i].kind != jsonString {
				return nil, false
			}
			out[i] = v.elems[i].text
		}
		return out, true
	}
	return nil, false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// validSid reports whether sid matches [0-9A-Za-z]*, as AWS requires of
// identity-based policies.
func validSid(sid string) bool {
	for i := 0; i < len(sid); i++ {
		c := sid[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// applies reports whether the statement applies to req: in a
// resource-based policy, its Principal matches (or its NotPrincipal does
// not match) req.Principal; its action is (or for NotAction, is not)
// matched, likewise its resource (any resource, when it has neither
// Resource nor NotResource), and every condition holds.
func (s *Statement) applies(req *Request) bool {
	if !s.compiled ||
		s.principals != nil && !s.principalApplies(req.Principal) ||
		matchAction(s.actions, req.Action) == s.notAction ||
		s.resources != nil && matchResource(s.resources, req.Resource, req.Context) == s.notResource {
		return false
	}
	for _, c := range s.Conditions {
		if !c.Match(req.Context) {
			return false
		}
	}
	return true
}
