// Package policy implements the IAM policy language for identity-based
// policies (the documents attached to users, groups and roles) and
// resource-based ones (role trust policies, the ResourcePolicy of the
// policy simulator), whose statements name the principals they apply to.
//
// A document is parsed and validated once, when it is stored (Parse,
// ParseResourcePolicy), with AWS's MalformedPolicyDocument messages; the
// parsed Policy is then evaluated on each request (Evaluate) with AWS's
// rules: an explicit Deny wins, then an Allow; otherwise the request is
// implicitly denied. Parsing does all the validation; evaluation never
// fails.
//
// For explanations and simulation, a parsed statement knows where it is in
// the document (Statement.Start, End, as AWS's MatchedStatements report
// it), Policy.Matching lists the statements that apply to a request, and
// Policy.ContextKeys lists the context keys a policy reads (as
// GetContextKeysForCustomPolicy does).
//
// The condition operators live in the subpackage condition. Stored policies
// must keep loading across Latchkey versions: testdata/accepted holds the
// documents Parse must keep accepting, testdata/rejected the ones it must
// refuse, with AWS's message; testdata/resource-accepted and
// testdata/resource-rejected do the same for ParseResourcePolicy.
package policy

import (
	"slices"
	"strings"
	"unicode"

	"github.com/latchkey/latchkey/internal/policy/internal/wildcard"
)

// Versions of the policy language. Policy variables are substituted only
// in Version2012 documents; in Version2008 ones "${aws:username}" is
// literal text.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is a parsed, valid policy document: identity-based (Parse) or
// resource-based (ParseResourcePolicy).
type Policy struct {
	// Version is the document's Version; Version2008 when the document has
	// none, as AWS reads such documents.
	Version    string
	ID         string // Id, optional
	Statements []Statement
}

// policyKind tells the two grammars apart.
type policyKind int

const (
	identityPolicy policyKind = iota // no Principal; Resource required
	resourcePolicy                   // Principal required; Resource optional
)

// Parse validates doc against the IAM policy grammar for identity-based
// policies and returns it parsed. Errors are *awserr.Error with code
// MalformedPolicyDocument and AWS's message (see errors.go).
//
// The grammar, as IAM accepts it: a JSON object with Version
// ("2012-10-17" or "2008-10-17", optional), Id (optional, a string) and
// Statement (one statement object or a non-empty list of them); member
// names are case-sensitive, and unknown or duplicate members are refused.
// A statement has an optional Sid ([0-9A-Za-z]*, unique in the document
// when not empty), Effect (Allow or Deny), exactly one of Action and
// NotAction and exactly one of Resource and NotResource (each a string or
// a list of strings), and an optional Condition; Principal and
// NotPrincipal are refused. Actions, resources and conditions are checked
// as action.go, resource.go and condition.go say.
//
// AWS reports one problem, the first in this order (the order of moto's
// IAM policy validator, whose test documents were checked against AWS;
// see errors.go): the JSON syntax and shape, then the legacy parser's
// checks (Effect's case, Date... values, resources in Resource then in
// NotResource, each statement's resources in sorted order), then duplicate
// Sids, then missing actions, then the resource format found last, then
// action formats (Action, then NotAction), then missing resources. The
// checks AWS's order does not place (Principal, Sid characters, values of
// non-date conditions) come where the comments below say.
//
// Policies written for 2012-10-17 substitute policy variables; in
// 2008-10-17 documents and those without Version, "${aws:username}" is
// literal text, as AWS reads them ("IAM JSON policy elements: Version").
func Parse(doc string) (*Policy, error) {
	return parse(doc, identityPolicy)
}

// ParseResourcePolicy validates doc against the IAM policy grammar for
// resource-based policies (the ResourcePolicy of SimulatePrincipalPolicy
// and SimulateCustomPolicy; role trust policies) and returns it parsed,
// with errors as Parse's.
//
// The grammar and the order of the checks are Parse's, except that every
// statement must have exactly one of Principal and NotPrincipal (see
// principal.go for their values) and may have neither Resource nor
// NotResource: such a statement applies to every resource, the one the
// policy is attached to (trust policies are written so). A Resource or
// NotResource that is an empty list is still refused ("Policy statement
// must contain resources.").
//
// The principal checks and where they come in the order, inferred (AWS's
// order for them is not known):
//   - With the syntax: both Principal and NotPrincipal, or either not of
//     the grammar's shape ("*" or an object of "AWS", "Service",
//     "Federated", "CanonicalUser", each a string or a list of strings),
//     is msgSyntax, as both Action and NotAction are.
//   - Right after the syntax, where Parse refuses a principal: a statement
//     with neither is msgMissingPrincipal.
//   - Last, after missing resources and before the values of non-date
//     conditions (AWS resolves principals once the document is valid):
//     per statement in document order, no principal values at all
//     (msgNoPrincipals), then the first value not of its type's shape
//     (msgInvalidPrincipal).
//
// Not checked here, and AWS's behaviour for the simulation's
// ResourcePolicy not known: the trust-policy-only rules IAM applies to
// CreateRole and UpdateAssumeRolePolicy (actions limited to sts:AssumeRole
// and its kin, no Resource, no Allow with NotPrincipal; see errors.go),
// and whether principals exist.
func ParseResourcePolicy(doc string) (*Policy, error) {
	return parse(doc, resourcePolicy)
}

// parse validates and builds a policy of the given kind.
func parse(doc string, kind policyKind) (*Policy, error) {
	root, err := decodeJSON(doc)
	if err != nil {
		return nil, malformed(msgSyntax).WithCause(err)
	}
	p, raw, ok := checkSyntax(&root, kind)
	if !ok {
		return nil, malformed(msgSyntax)
	}
	// Not in moto's order: Principal right after the syntax.
	for i := range raw {
		switch has := raw[i].hasPrincipal(); {
		case kind == identityPolicy && has:
			return nil, malformed(msgPrincipal)
		case kind == resourcePolicy && !has:
			return nil, malformed(msgMissingPrincipal)
		}
	}

	// The legacy parser.
	for i := range raw {
		if raw[i].effect.text != string(EffectAllow) && raw[i].effect.text != string(EffectDeny) {
			return nil, malformed(msgLegacyParsing)
		}
		if raw[i].cnd != nil && !legacyConditions(raw[i].cnd) {
			return nil, malformed(msgLegacyParsing)
		}
	}
	resourceMsg, resourceArgs, legacyOK := checkResources(raw)
	if !legacyOK {
		return nil, malformed(msgLegacyParsing)
	}

	// Not in moto's order: Sid characters just before Sid uniqueness.
	sids := make(map[string]bool)
	for i := range raw {
		if raw[i].sid != nil && !validSid(raw[i].sid.text) {
			return nil, malformed(msgSidCharacters)
		}
	}
	for i := range raw {
		if sid := raw[i].sid; sid != nil && sid.text != "" {
			if sids[sid.text] {
				return nil, malformed(msgSidUnique)
			}
			sids[sid.text] = true
		}
	}
	for i := range raw {
		if actions, _ := raw[i].actionList(); len(actions) == 0 {
			return nil, malformed(msgNoActions)
		}
	}
	if resourceMsg != "" {
		return nil, malformed(resourceMsg, resourceArgs...)
	}
	for _, not := range []bool{false, true} {
		for i := range raw {
			if actions, isNot := raw[i].actionList(); isNot == not {
				for _, a := range actions {
					if msg, args := checkAction(a); msg != "" {
						return nil, malformed(msg, args...)
					}
				}
			}
		}
	}
	for i := range raw {
		written := raw[i].resource != nil || raw[i].notResource != nil
		if resources, _ := raw[i].resourceList(); len(resources) == 0 && (kind == identityPolicy || written) {
			return nil, malformed(msgNoResources)
		}
	}
	// Not in moto's order: principal values last.
	if kind == resourcePolicy {
		for i := range raw {
			v, _ := raw[i].principalElement()
			if msg, args := checkPrincipalValues(v); msg != "" {
				return nil, malformed(msg, args...)
			}
		}
	}

	// Every check AWS's order places has passed; build the statements (the
	// values of non-date conditions are checked here, last).
	variables := p.Version == Version2012
	pos := newPositioner(doc)
	p.Statements = make([]Statement, len(raw))
	for i := range raw {
		if err := buildStatement(&p.Statements[i], &raw[i], variables); err != nil {
			return nil, err
		}
		p.Statements[i].Start = pos.at(raw[i].obj.start)
		p.Statements[i].End = pos.at(raw[i].obj.end)
	}
	return p, nil
}

// checkSyntax checks the document's JSON shape (see checkStatementSyntax
// for a statement's) and returns its statements.
func checkSyntax(root *jsonValue, kind policyKind) (*Policy, []rawStatement, bool) {
	if root.kind != jsonObject {
		return nil, nil, false
	}
	p := &Policy{Version: Version2008}
	var statements *jsonValue
	for i := range root.members {
		m := &root.members[i]
		switch {
		case m.name == "Version" && m.value.kind == jsonString && (m.value.text == Version2012 || m.value.text == Version2008):
			p.Version = m.value.text
		case m.name == "Id" && m.value.kind == jsonString:
			p.ID = m.value.text
		case m.name == "Statement":
			statements = &m.value
		default:
			return nil, nil, false
		}
	}
	var list []jsonValue
	switch {
	case statements == nil:
		return nil, nil, false
	case statements.kind == jsonObject:
		list = []jsonValue{*statements}
	case statements.kind == jsonArray && len(statements.elems) > 0:
		list = statements.elems
	default:
		return nil, nil, false
	}
	raw := make([]rawStatement, len(list))
	for i := range list {
		s, ok := checkStatementSyntax(&list[i], kind)
		if !ok {
			return nil, nil, false
		}
		raw[i] = s
	}
	return p, raw, true
}

// checkResources runs the legacy parser's resource checks: the resources
// of every statement's Resource, then of every NotResource, each list in
// reverse sorted order, are checked for format (checkResource), the last
// refusal found being the one AWS reports later; and until one is found,
// each statement's list must pass legacyResource, or the whole policy
// fails legacy parsing at once (legacyOK false).
func checkResources(raw []rawStatement) (msg string, args []any, legacyOK bool) {
	for _, not := range []bool{false, true} {
		for i := range raw {
			resources, isNot := raw[i].resourceList()
			if isNot != not || (!not && raw[i].resource == nil) {
				continue
			}
			sorted := slices.Clone(resources)
			slices.Sort(sorted)
			slices.Reverse(sorted)
			for _, r := range sorted {
				if m, a := checkResource(r); m != "" {
					msg, args = m, a
				}
			}
			if msg == "" {
				for _, r := range resources {
					if !legacyResource(r) {
						return "", nil, false
					}
				}
			}
		}
	}
	return msg, args, true
}

// buildStatement compiles a statement that passed every check.
func buildStatement(s *Statement, raw *rawStatement, variables bool) error {
	if raw.sid != nil {
		s.Sid = raw.sid.text
	}
	s.Effect = Effect(raw.effect.text)
	var actions, resources []string
	if actions, s.notAction = raw.actionList(); s.notAction {
		s.NotActions = actions
	} else {
		s.Actions = actions
	}
	if resources, s.notResource = raw.resourceList(); s.notResource {
		s.NotResources = resources
	} else {
		s.Resources = resources
	}
	s.actions = compileActions(actions)
	if len(resources) > 0 {
		s.resources = compileResources(resources, variables) // else nil: any resource
	}
	if v, not := raw.principalElement(); v != nil {
		s.Principals, s.principals = compilePrincipals(v)
		s.NotPrincipal = not
	}
	// The context keys, in document order of the statement's members.
	for _, m := range raw.obj.members {
		switch m.name {
		case "Resource", "NotResource":
			if variables {
				for _, r := range resources {
					s.keys = append(s.keys, wildcard.Keys(r)...)
				}
			}
		case "Condition":
			s.keys = conditionKeys(s.keys, raw.cnd, variables)
		}
	}
	s.keys = dedupeKeys(nil, s.keys)
	if raw.cnd != nil {
		var err error
		if s.Conditions, err = parseConditions(raw.cnd, variables); err != nil {
			return err
		}
	}
	s.compiled = true
	return nil
}

// dedupeKeys appends to dst the keys of src not already there, comparing
// ignoring case (as condition keys compare) and keeping the first spelling.
func dedupeKeys(dst, src []string) []string {
next:
	for _, k := range src {
		for _, d := range dst {
			if strings.EqualFold(d, k) {
				continue next
			}
		}
		dst = append(dst, k)
	}
	return dst
}

// Matching returns the indices, in document order, of the statements of p
// that apply to req (action, resource and every condition match), Allow
// and Deny alike: the statements AWS's policy simulation reports as
// MatchedStatements. Evaluate's decision is always the one Matching
// implies: Deny if a matching statement denies, else Allow if one
// matches, else NoDecision.
func (p *Policy) Matching(req Request) []int {
	var out []int
	for i := range p.Statements {
		if p.Statements[i].applies(&req) {
			out = append(out, i)
		}
	}
	return out
}

// ContextKeys returns the context keys p reads, as AWS's
// GetContextKeysForCustomPolicy lists them: the condition keys and, in
// 2012-10-17 documents, the keys of the policy variables in resources and
// in the values of String... and Arn... conditions; in document order,
// spelled as first written, each once (compared ignoring case, as keys
// compare; ${*}, ${?} and ${$} are no keys).
//
// AWS's own example (the AWS CLI reference, get-context-keys-for-custom-policy)
// lists, for a statement with Resource
// "arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}" and a
// condition on aws:CurrentTime, ["aws:username", "aws:CurrentTime"]: keys
// of variables in resources included, case kept, not sorted (document
// order; the example does not tell that apart from "variables first").
// Whether AWS removes duplicates differing only in case is not known.
func (p *Policy) ContextKeys() []string {
	var keys []string
	for i := range p.Statements {
		keys = dedupeKeys(keys, p.Statements[i].keys)
	}
	return keys
}

// SizeWithoutWhitespace is a document's size as AWS counts it against
// policy size quotas: its characters, white space (anywhere) not counted.
func SizeWithoutWhitespace(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}
