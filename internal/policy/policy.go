// Package policy implements the IAM policy language for identity-based
// policies (the documents attached to users).
//
// A document is parsed and validated once, when it is stored (Parse), with
// AWS's MalformedPolicyDocument messages; the parsed Policy is then
// evaluated on each request (Evaluate) with AWS's rules: an explicit Deny
// wins, then an Allow; otherwise the request is implicitly denied. Parse
// does all the validation; evaluation never fails.
//
// The condition operators live in the subpackage condition. Stored policies
// must keep loading across Latchkey versions: testdata/accepted holds the
// documents Parse must keep accepting, testdata/rejected the ones it must
// refuse, with AWS's message.
package policy

import (
	"unicode"

	"github.com/latchkey/latchkey/internal/awserr"
)

// Versions of the policy language. Policy variables are substituted only
// in Version2012 documents; in Version2008 ones "${aws:username}" is
// literal text.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is a parsed, valid identity-based policy document.
type Policy struct {
	// Version is the document's Version; Version2008 when the document has
	// none, as AWS reads such documents.
	Version    string
	ID         string // Id, optional
	Statements []Statement
}

// Parse validates doc against the IAM policy grammar for identity-based
// policies and returns it parsed. Errors are *awserr.Error with code
// MalformedPolicyDocument and AWS's message (see errors.go).
//
// The grammar, as IAM accepts it: a JSON object with Version
// ("2012-10-17" or "2008-10-17", optional), Id (optional) and Statement
// (one statement object or a non-empty list of them); member names are
// case-sensitive, and unknown or duplicate members are refused. A statement
// has an optional Sid ([0-9A-Za-z]*, unique in the document), Effect
// (Allow or Deny), exactly one of Action and NotAction and exactly one of
// Resource and NotResource (each a string or a list of strings), and an
// optional Condition; Principal and NotPrincipal are refused.
func Parse(doc string) (*Policy, error) {
	root, err := decodeJSON(doc)
	if err != nil {
		return nil, malformed(msgSyntax).WithCause(err)
	}
	if root.kind != jsonObject {
		return nil, malformed(msgSyntax)
	}
	p := &Policy{Version: Version2008}
	var statements *jsonValue
	for i := range root.members {
		m := &root.members[i]
		switch {
		case m.name == "Version" && m.value.kind == jsonString:
			if m.value.text != Version2012 && m.value.text != Version2008 {
				return nil, malformed(msgLegacyParsing)
			}
			p.Version = m.value.text
		case m.name == "Id" && m.value.kind == jsonString:
			p.ID = m.value.text
		case m.name == "Statement":
			statements = &m.value
		default:
			return nil, malformed(msgSyntax)
		}
	}
	var list []jsonValue
	switch {
	case statements == nil:
		return nil, malformed(msgSyntax)
	case statements.kind == jsonObject:
		list = []jsonValue{*statements}
	case statements.kind == jsonArray && len(statements.elems) > 0:
		list = statements.elems
	default:
		return nil, malformed(msgSyntax)
	}
	variables := p.Version == Version2012
	p.Statements = make([]Statement, 0, len(list))
	sids := make(map[string]bool)
	for i := range list {
		s, err := parseStatement(&list[i], variables)
		if err != nil {
			return nil, err
		}
		if s.Sid != "" {
			if sids[s.Sid] {
				return nil, malformed(msgSidUnique)
			}
			sids[s.Sid] = true
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

// MaxUserInlinePolicyBytes is AWS's quota on the aggregate size of a user's
// inline policies: "You can add as many inline policies as you want to an
// IAM user [...] But the total aggregate policy size (the sum size of all
// inline policies) per user cannot exceed 2,048 characters", white space
// not counted.
const MaxUserInlinePolicyBytes = 2048

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

// CheckUserInlinePolicySize enforces MaxUserInlinePolicyBytes on the
// documents a user's inline policies would have together (the new or
// replaced one included), answering as AWS does with LimitExceeded
// "Maximum policy size of 2048 bytes exceeded for user NAME".
func CheckUserInlinePolicySize(userName string, documents ...string) error {
	total := 0
	for _, d := range documents {
		total += SizeWithoutWhitespace(d)
	}
	if total > MaxUserInlinePolicyBytes {
		return awserr.LimitExceeded("Maximum policy size of %d bytes exceeded for user %s", MaxUserInlinePolicyBytes, userName)
	}
	return nil
}
