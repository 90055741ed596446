package policy

import (
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/awserr"
)

var update = flag.Bool("update", false, "rewrite testdata/rejected/*.err from Parse's answers")

// corpus returns the documents of testdata/dir, by name without extension.
func corpus(t testing.TB, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no documents in testdata/%s", dir)
	}
	docs := make(map[string]string, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[strings.TrimSuffix(filepath.Base(f), ".json")] = string(b)
	}
	return docs
}

func mustParse(t testing.TB, doc string) *Policy {
	t.Helper()
	p, err := Parse(doc)
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return p
}

// TestAcceptedCorpus: stored policies must keep loading across versions.
// Every document in testdata/accepted parses; never delete one to make a
// change pass.
func TestAcceptedCorpus(t *testing.T) {
	for name, doc := range corpus(t, "accepted") {
		t.Run(name, func(t *testing.T) {
			p := mustParse(t, doc)
			checkInvariants(t, p)
		})
	}
}

// checkInvariants checks what Parse promises of every policy it returns.
func checkInvariants(t testing.TB, p *Policy) {
	t.Helper()
	if p.Version != Version2012 && p.Version != Version2008 {
		t.Errorf("Version = %q", p.Version)
	}
	if len(p.Statements) == 0 {
		t.Error("no statements")
	}
	for i, s := range p.Statements {
		if s.Effect != EffectAllow && s.Effect != EffectDeny {
			t.Errorf("statement %d: Effect = %q", i, s.Effect)
		}
		if (len(s.Actions) == 0) == (len(s.NotActions) == 0) {
			t.Errorf("statement %d: Actions %q, NotActions %q", i, s.Actions, s.NotActions)
		}
		if (len(s.Resources) == 0) == (len(s.NotResources) == 0) {
			t.Errorf("statement %d: Resources %q, NotResources %q", i, s.Resources, s.NotResources)
		}
		// Positions are just past the braces, so never column 1; the
		// statement ends after it starts, and after the previous one.
		if s.Start.Line < 1 || s.Start.Column < 2 || s.End.Line < s.Start.Line || s.End.Line == s.Start.Line && s.End.Column <= s.Start.Column {
			t.Errorf("statement %d at %+v-%+v", i, s.Start, s.End)
		}
		if i > 0 {
			prev := p.Statements[i-1].End
			if s.Start.Line < prev.Line || s.Start.Line == prev.Line && s.Start.Column <= prev.Column {
				t.Errorf("statement %d starts at %+v, before the previous one's end %+v", i, s.Start, prev)
			}
		}
	}
}

// TestRejectedCorpus: every document in testdata/rejected is refused with
// MalformedPolicyDocument and the message in its .err file. Run with
// -update to rewrite the .err files, then review the diff like code.
func TestRejectedCorpus(t *testing.T) {
	for name, doc := range corpus(t, "rejected") {
		t.Run(name, func(t *testing.T) {
			errFile := filepath.Join("testdata", "rejected", name+".err")
			_, err := Parse(doc)
			ae := checkMalformed(t, err)
			if *update {
				if err := os.WriteFile(errFile, []byte(ae.Message+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(errFile)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ae.Message, strings.TrimSuffix(string(want), "\n"); got != want {
				t.Errorf("message\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

// checkMalformed asserts err is AWS's MalformedPolicyDocument.
func checkMalformed(t testing.TB, err error) *awserr.Error {
	t.Helper()
	var ae *awserr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *awserr.Error", err, err)
	}
	if ae.Code != "MalformedPolicyDocument" || ae.Status != http.StatusBadRequest || !ae.Sender {
		t.Fatalf("error = %+v, want a MalformedPolicyDocument sender fault with status 400", ae)
	}
	return ae
}

func TestParseShape(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want Policy // compared on Version, ID and the statements' written fields
	}{
		{
			name: "statement object",
			doc:  `{"Version":"2012-10-17","Id":"x","Statement":{"Sid":"A1","Effect":"Deny","Action":"iam:*","Resource":"*"}}`,
			want: Policy{Version: Version2012, ID: "x", Statements: []Statement{{Sid: "A1", Effect: EffectDeny, Actions: []string{"iam:*"}, Resources: []string{"*"}}}},
		},
		{
			name: "no version is 2008-10-17",
			doc:  `{"Statement":[{"Effect":"Allow","NotAction":["s3:*","iam:*"],"NotResource":"arn:aws:s3:::b"}]}`,
			want: Policy{Version: Version2008, Statements: []Statement{{Effect: EffectAllow, NotActions: []string{"s3:*", "iam:*"}, NotResources: []string{"arn:aws:s3:::b"}}}},
		},
		{
			name: "statements in order",
			doc:  `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"a:b","Resource":"*"},{"Effect":"Deny","Action":"c:d","Resource":"*"}]}`,
			want: Policy{Version: Version2008, Statements: []Statement{
				{Effect: EffectAllow, Actions: []string{"a:b"}, Resources: []string{"*"}},
				{Effect: EffectDeny, Actions: []string{"c:d"}, Resources: []string{"*"}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.doc)
			if p.Version != tt.want.Version || p.ID != tt.want.ID || len(p.Statements) != len(tt.want.Statements) {
				t.Fatalf("got %+v, want %+v", p, tt.want)
			}
			for i, got := range p.Statements {
				want := tt.want.Statements[i]
				if got.Sid != want.Sid || got.Effect != want.Effect ||
					!slices.Equal(got.Actions, want.Actions) || !slices.Equal(got.NotActions, want.NotActions) ||
					!slices.Equal(got.Resources, want.Resources) || !slices.Equal(got.NotResources, want.NotResources) {
					t.Errorf("statement %d = %+v, want %+v", i, got, want)
				}
			}
		})
	}
}

func TestParseConditions(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
		"StringEquals":{"aws:username":["a","b"],"aws:userid":"AIDA"},
		"BoolIfExists":{"aws:MultiFactorAuthPresent":true},
		"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}}}`)
	type cond struct {
		op, key string
		values  []string
	}
	want := []cond{
		{"StringEquals", "aws:username", []string{"a", "b"}},
		{"StringEquals", "aws:userid", []string{"AIDA"}},
		{"BoolIfExists", "aws:MultiFactorAuthPresent", []string{"true"}},
		{"NumericLessThan", "aws:MultiFactorAuthAge", []string{"3600"}},
	}
	got := p.Statements[0].Conditions
	if len(got) != len(want) {
		t.Fatalf("%d conditions, want %d", len(got), len(want))
	}
	for i, c := range got {
		if c.Operator() != want[i].op || c.Key() != want[i].key || !slices.Equal(c.Values(), want[i].values) {
			t.Errorf("condition %d = %s %s %q, want %+v", i, c.Operator(), c.Key(), c.Values(), want[i])
		}
	}
}

func TestParseKeepsCause(t *testing.T) {
	_, err := Parse(`{"Statement": [`)
	ae := checkMalformed(t, err)
	if ae.Cause == nil {
		t.Error("a JSON syntax error should keep its cause for the logs")
	}
}

func TestSizeWithoutWhitespace(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want int
	}{
		{"empty", "", 0},
		{"compact", `{"a":"b"}`, 9},
		{"spaces tabs newlines", " {\n\t\"a\" : \"b\"\r\n} ", 9},
		{"space inside strings too", `{"a b":"c"}`, 10},
		{"characters, not bytes", `{"é":"ü"}`, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SizeWithoutWhitespace(tt.doc); got != tt.want {
				t.Errorf("SizeWithoutWhitespace(%q) = %d, want %d", tt.doc, got, tt.want)
			}
		})
	}
}
