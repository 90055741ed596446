package policy

import (
	"testing"
)

// FuzzParse: Parse never panics, refuses only with MalformedPolicyDocument,
// and what it accepts keeps Parse's invariants and evaluates without
// panicking, to the decision Matching implies. The seed corpus is testdata/fuzz/FuzzParse (replayed by a plain
// go test) plus the accepted and rejected corpora.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"accepted", "rejected"} {
		for _, doc := range corpus(f, dir) {
			f.Add(doc)
		}
	}
	requests := []Request{
		{Action: "iam:GetUser", Resource: "arn:aws:iam::123456789012:user/alice", Context: ctx(
			"aws:username", "alice", "aws:SourceIp", "192.0.2.1", "aws:CurrentTime", "2025-01-01T00:00:00Z",
			"aws:MultiFactorAuthAge", "10", "aws:TagKeys", "a", "aws:TagKeys", "b")},
		{Action: "s3:GetObject", Resource: "*"},
		{},
	}
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := Parse(doc)
		if err != nil {
			if p != nil {
				t.Fatal("Parse returned a policy with an error")
			}
			checkMalformed(t, err)
			return
		}
		checkInvariants(t, p)
		p.ContextKeys()
		for _, req := range requests {
			d := Evaluate([]*Policy{p}, req)
			want := NoDecision
			for _, i := range p.Matching(req) {
				if p.Statements[i].Effect == EffectDeny {
					want = Deny
					break
				}
				want = Allow
			}
			if d != want {
				t.Errorf("Evaluate(%+v) = %v, Matching implies %v", req, d, want)
			}
		}
	})
}

// FuzzParseResourcePolicy: as FuzzParse, for ParseResourcePolicy, whose
// statements always have principals; evaluated for several principals
// (none included). The seed corpus is testdata/fuzz/FuzzParseResourcePolicy
// plus the resource-based corpora.
func FuzzParseResourcePolicy(f *testing.F) {
	for _, dir := range []string{"resource-accepted", "resource-rejected"} {
		for _, doc := range corpus(f, dir) {
			f.Add(doc)
		}
	}
	principals := []*PrincipalRef{nil, bobRef, rootRef, sessionRef, ec2Ref, {}}
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := ParseResourcePolicy(doc)
		if err != nil {
			if p != nil {
				t.Fatal("ParseResourcePolicy returned a policy with an error")
			}
			checkMalformed(t, err)
			return
		}
		checkResourceInvariants(t, p)
		if _, err := Parse(doc); err == nil {
			t.Error("Parse accepted a document with principals")
		}
		p.ContextKeys()
		for _, pr := range principals {
			for _, req := range []Request{
				{Action: "sts:AssumeRole", Resource: "arn:aws:iam::123456789012:role/r", Principal: pr},
				{Action: "s3:GetObject", Resource: "*", Context: ctx("aws:MultiFactorAuthPresent", "true"), Principal: pr},
			} {
				d := Evaluate([]*Policy{p}, req)
				want := NoDecision
				for _, i := range p.Matching(req) {
					if p.Statements[i].Effect == EffectDeny {
						want = Deny
						break
					}
					want = Allow
				}
				if d != want {
					t.Errorf("Evaluate(%+v) = %v, Matching implies %v", req, d, want)
				}
			}
		}
	})
}
