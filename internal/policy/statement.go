package policy

import (
	"github.com/latchkey/latchkey/internal/policy/condition"
	"github.com/latchkey/latchkey/internal/policy/internal/wildcard"
)

// Statement is one statement of a parsed policy. Exactly one of Actions and
// NotActions is non-empty, and exactly one of Resources and NotResources.
// Statements are only valid as Parse returns them: the compiled patterns
// Evaluate uses are unexported, and a hand-made Statement matches nothing.
type Statement struct {
	Sid          string
	Effect       Effect
	Actions      []string // Action, as written
	NotActions   []string // NotAction, as written
	Resources    []string // Resource, as written
	NotResources []string // NotResource, as written
	// Conditions are the Condition element, one per operator and key, in
	// document order; all must hold.
	Conditions []condition.Condition

	actions     []wildcard.Pattern // compiled Actions or NotActions
	notAction   bool
	resources   []wildcard.ARN // compiled Resources or NotResources
	notResource bool
	compiled    bool
}

// parseStatement validates one statement. Structural problems (unknown or
// mistyped members, Principal) are reported in document order, then the
// content in a fixed order: Effect, Sid, actions, resources, conditions.
func parseStatement(v *jsonValue, variables bool) (Statement, error) {
	var s Statement
	if v.kind != jsonObject {
		return s, malformed(msgSyntax)
	}
	var effect, cond *jsonValue
	var hasAction, hasNotAction, hasResource, hasNotResource bool
	for i := range v.members {
		m := &v.members[i]
		var ok bool
		switch m.name {
		case "Sid":
			s.Sid, ok = m.value.text, m.value.kind == jsonString
		case "Effect":
			effect, ok = &m.value, m.value.kind == jsonString
		case "Action":
			s.Actions, ok = stringList(&m.value)
			hasAction = true
		case "NotAction":
			s.NotActions, ok = stringList(&m.value)
			hasNotAction = true
		case "Resource":
			s.Resources, ok = stringList(&m.value)
			hasResource = true
		case "NotResource":
			s.NotResources, ok = stringList(&m.value)
			hasNotResource = true
		case "Condition":
			cond, ok = &m.value, true
		case "Principal", "NotPrincipal":
			return s, malformed(msgPrincipal)
		}
		if !ok {
			return s, malformed(msgSyntax)
		}
	}
	if hasAction && hasNotAction || hasResource && hasNotResource {
		return s, malformed(msgSyntax)
	}

	var err error
	if s.Effect, err = parseEffect(effect); err != nil {
		return s, err
	}
	if !validSid(s.Sid) {
		return s, malformed(msgSidCharacters)
	}
	actions := s.Actions
	if s.notAction = len(s.NotActions) > 0; s.notAction {
		actions = s.NotActions
	}
	if len(actions) == 0 {
		return s, malformed(msgNoActions)
	}
	if s.actions, err = compileActions(actions); err != nil {
		return s, err
	}
	resources := s.Resources
	if s.notResource = len(s.NotResources) > 0; s.notResource {
		resources = s.NotResources
	}
	if len(resources) == 0 {
		return s, malformed(msgNoResources)
	}
	if s.resources, err = compileResources(resources, variables); err != nil {
		return s, err
	}
	if cond != nil {
		if s.Conditions, err = parseConditions(cond, variables); err != nil {
			return s, err
		}
	}
	s.compiled = true
	return s, nil
}

// stringList accepts a string or a list of strings (possibly empty; the
// caller decides whether that is allowed).
func stringList(v *jsonValue) ([]string, bool) {
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

// applies reports whether the statement applies to req: its action is (or
// for NotAction, is not) matched, likewise its resource, and every
// condition holds.
func (s *Statement) applies(req *Request) bool {
	if !s.compiled ||
		matchAction(s.actions, req.Action) == s.notAction ||
		matchResource(s.resources, req.Resource, req.Context) == s.notResource {
		return false
	}
	for _, c := range s.Conditions {
		if !c.Match(req.Context) {
			return false
		}
	}
	return true
}
