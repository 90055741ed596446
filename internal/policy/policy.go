// Package policy implements the IAM policy language for identity-based
// policies: documents are parsed and validated once, when stored (Parse),
// and evaluated on each request (Evaluate) with AWS's rules: an explicit
// Deny wins, then an Allow, else the request is implicitly denied.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/latchkey/latchkey/internal/awserr"
)

// Versions of the policy language.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// MaxUserInlinePolicyBytes is AWS's quota on the aggregate size of a user's
// inline policies, whitespace not counted.
const MaxUserInlinePolicyBytes = 2048

// SizeWithoutWhitespace is a document's size as AWS counts it for quotas.
func SizeWithoutWhitespace(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// Policy is a parsed, valid policy document.
type Policy struct {
	Version    string
	ID         string
	Statements []Statement
}

// Effect is Allow or Deny.
type Effect string

const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)

// Statement is one statement. Exactly one of Actions/NotActions and of
// Resources/NotResources is set.
type Statement struct {
	Sid          string
	Effect       Effect
	Actions      []string
	NotActions   []string
	Resources    []string
	NotResources []string
	Conditions   []Condition
}

func malformed(format string, args ...any) error {
	return awserr.MalformedPolicyDocument(format, args...)
}

// Parse validates doc against the IAM policy grammar.
func Parse(doc string) (*Policy, error) {
	var raw map[string]json.RawMessage
	if err := strictUnmarshal([]byte(doc), &raw); err != nil {
		return nil, malformed("Syntax errors in policy.")
	}
	p := &Policy{Version: Version2008}
	for k, v := range raw {
		switch k {
		case "Version":
			if err := json.Unmarshal(v, &p.Version); err != nil || (p.Version != Version2012 && p.Version != Version2008) {
				return nil, malformed("The policy failed legacy parsing")
			}
		case "Id":
			if err := json.Unmarshal(v, &p.ID); err != nil {
				return nil, malformed("Syntax errors in policy.")
			}
		case "Statement":
		default:
			return nil, malformed("Syntax errors in policy.")
		}
	}
	stmts, ok := raw["Statement"]
	if !ok {
		return nil, malformed("Syntax errors in policy.")
	}
	var list []json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(stmts), []byte("[")) {
		if err := json.Unmarshal(stmts, &list); err != nil {
			return nil, malformed("Syntax errors in policy.")
		}
	} else {
		list = []json.RawMessage{stmts}
	}
	sids := map[string]bool{}
	for _, rs := range list {
		s, err := parseStatement(rs)
		if err != nil {
			return nil, err
		}
		if s.Sid != "" {
			if sids[s.Sid] {
				return nil, malformed("Statement IDs (SID) in a single policy must be unique.")
			}
			sids[s.Sid] = true
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

// strictUnmarshal decodes JSON refusing trailing data.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err == nil {
		return fmt.Errorf("trailing data")
	}
	return nil
}

// stringOrList decodes "x" or ["x", "y"] (non-empty strings).
func stringOrList(raw json.RawMessage) ([]string, bool) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, true
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil || len(many) == 0 {
		return nil, false
	}
	return many, true
}

func parseStatement(raw json.RawMessage) (Statement, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return Statement{}, malformed("Syntax errors in policy.")
	}
	var s Statement
	for k, v := range fields {
		var ok bool
		switch k {
		case "Sid":
			ok = json.Unmarshal(v, &s.Sid) == nil && validSid(s.Sid)
		case "Effect":
			var e string
			ok = json.Unmarshal(v, &e) == nil
			s.Effect = Effect(e)
			if ok && s.Effect != EffectAllow && s.Effect != EffectDeny {
				return s, malformed("Invalid effect: %s", e)
			}
		case "Action":
			s.Actions, ok = stringOrList(v)
		case "NotAction":
			s.NotActions, ok = stringOrList(v)
		case "Resource":
			s.Resources, ok = stringOrList(v)
		case "NotResource":
			s.NotResources, ok = stringOrList(v)
		case "Principal", "NotPrincipal":
			return s, malformed("Policy document should not specify a principal.")
		case "Condition":
			var err error
			s.Conditions, err = parseConditions(v)
			if err != nil {
				return s, err
			}
			ok = true
		default:
			ok = false
		}
		if !ok {
			return s, malformed("Syntax errors in policy.")
		}
	}
	if s.Effect == "" {
		return s, malformed("Syntax errors in policy.")
	}
	if (s.Actions == nil) == (s.NotActions == nil) {
		return s, malformed("Policy statement must contain actions.")
	}
	if (s.Resources == nil) == (s.NotResources == nil) {
		return s, malformed("Policy statement must contain resources.")
	}
	for _, a := range append(append([]string{}, s.Actions...), s.NotActions...) {
		if err := validAction(a); err != nil {
			return s, err
		}
	}
	for _, r := range append(append([]string{}, s.Resources...), s.NotResources...) {
		if r != "*" && !strings.HasPrefix(r, "arn:") {
			return s, malformed("Resource %s must be in ARN format or \"*\".", r)
		}
		if strings.HasPrefix(r, "arn:") && strings.Count(r, ":") < 5 {
			return s, malformed("Resource %s must be in ARN format or \"*\".", r)
		}
	}
	return s, nil
}

func validSid(s string) bool {
	for _, r := range s {
		if !(r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
			return false
		}
	}
	return true
}

func validAction(a string) error {
	if a == "*" {
		return nil
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok || svc == "" || name == "" {
		return malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
	}
	for _, r := range svc {
		if !(r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-')) {
			return malformed("Vendor %s is not valid", svc)
		}
	}
	return nil
}
