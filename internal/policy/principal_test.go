package policy

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func mustParseResource(t testing.TB, doc string) *Policy {
	t.Helper()
	p, err := ParseResourcePolicy(doc)
	if err != nil {
		t.Fatalf("ParseResourcePolicy(%s): %v", doc, err)
	}
	return p
}

// TestResourceAcceptedCorpus: every document in testdata/resource-accepted
// (AWS's own examples, from "AWS JSON policy elements: Principal" and
// "NotPrincipal", the Amazon S3 User Guide's "Principals", and trust
// policies as IAM's documentation writes them) parses as a resource-based
// policy; never delete one to make a change pass.
func TestResourceAcceptedCorpus(t *testing.T) {
	for name, doc := range corpus(t, "resource-accepted") {
		t.Run(name, func(t *testing.T) {
			checkResourceInvariants(t, mustParseResource(t, doc))
		})
	}
}

// checkResourceInvariants checks what ParseResourcePolicy promises of every
// policy it returns.
func checkResourceInvariants(t testing.TB, p *Policy) {
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
		if len(s.Resources) > 0 && len(s.NotResources) > 0 {
			t.Errorf("statement %d: Resources %q and NotResources %q", i, s.Resources, s.NotResources)
		}
		n := 0
		for _, values := range s.Principals {
			n += len(values)
		}
		if n == 0 || s.principals == nil {
			t.Errorf("statement %d: no principals (%v)", i, s.Principals)
		}
		if s.Start.Line < 1 || s.Start.Column < 2 || s.End.Line < s.Start.Line || s.End.Line == s.Start.Line && s.End.Column <= s.Start.Column {
			t.Errorf("statement %d at %+v-%+v", i, s.Start, s.End)
		}
	}
}

// TestResourceRejectedCorpus: every document in testdata/resource-rejected
// is refused with MalformedPolicyDocument and the message in its .err file
// (-update rewrites them; review the diff like code). The corpus holds the
// refusals AWS was seen to make or documents (see errors.go for each
// message's source); TestResourceGrammarInferred holds the rest.
func TestResourceRejectedCorpus(t *testing.T) {
	for name, doc := range corpus(t, "resource-rejected") {
		t.Run(name, func(t *testing.T) {
			errFile := filepath.Join("testdata", "resource-rejected", name+".err")
			_, err := ParseResourcePolicy(doc)
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

// TestParseStillRefusesPrincipal: identity-based and resource-based
// grammars stay apart. Parse refuses every resource-based document, with
// AWS's "Policy document should not specify a principal.", and
// ParseResourcePolicy refuses every identity-based one for its missing
// Principal.
func TestParseStillRefusesPrincipal(t *testing.T) {
	for name, doc := range corpus(t, "resource-accepted") {
		t.Run("Parse/"+name, func(t *testing.T) {
			_, err := Parse(doc)
			if got := checkMalformed(t, err).Message; got != msgPrincipal {
				t.Errorf("message = %q, want %q", got, msgPrincipal)
			}
		})
	}
	for name, doc := range corpus(t, "accepted") {
		t.Run("ParseResourcePolicy/"+name, func(t *testing.T) {
			_, err := ParseResourcePolicy(doc)
			if got := checkMalformed(t, err).Message; got != msgMissingPrincipal {
				t.Errorf("message = %q, want %q", got, msgMissingPrincipal)
			}
		})
	}
}

func TestParseResourcePolicyShape(t *testing.T) {
	tests := []struct {
		name         string
		doc          string
		principals   map[string][]string
		notPrincipal bool
		resources    []string
	}{
		{"principal star", testdataResourceDoc(t, "bucket-public-read"), map[string][]string{PrincipalAll: {"*"}}, false, []string{"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}},
		{"AWS star is not principal star", testdataResourceDoc(t, "bucket-any-aws-principal"), map[string][]string{PrincipalAWS: {"*"}}, false, []string{"arn:aws:s3:::DOC-EXAMPLE-BUCKET"}},
		{"types and lists as written", testdataResourceDoc(t, "bucket-mixed-principals"), map[string][]string{
			PrincipalAWS:           {"arn:aws:iam::123456789012:root", "999999999999"},
			PrincipalCanonicalUser: {"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
		}, false, []string{"arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}},
		{"NotPrincipal", testdataResourceDoc(t, "deny-not-principal-user"), map[string][]string{
			PrincipalAWS: {"arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"},
		}, true, []string{"arn:aws:s3:::BUCKETNAME", "arn:aws:s3:::BUCKETNAME/*"}},
		{"trust policy without Resource", testdataResourceDoc(t, "trust-service-ec2"), map[string][]string{PrincipalService: {"ec2.amazonaws.com"}}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParseResource(t, tt.doc).Statements[0]
			if !maps.EqualFunc(s.Principals, tt.principals, slices.Equal) || s.NotPrincipal != tt.notPrincipal {
				t.Errorf("Principals = %v, NotPrincipal = %v; want %v, %v", s.Principals, s.NotPrincipal, tt.principals, tt.notPrincipal)
			}
			if !slices.Equal(s.Resources, tt.resources) || s.NotResources != nil {
				t.Errorf("Resources = %q, NotResources = %q; want %q", s.Resources, s.NotResources, tt.resources)
			}
		})
	}
	// Identity-based statements have no principals.
	if s := mustParse(t, allowAll).Statements[0]; s.Principals != nil || s.NotPrincipal || s.principals != nil {
		t.Errorf("identity-based statement has principals: %v", s.Principals)
	}
}

func testdataResourceDoc(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "resource-accepted", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestResourceGrammarInferred pins what ParseResourcePolicy does where no
// AWS-checked document says: the shapes and order inferred from AWS's
// grammar and documentation, and the deviations, each named.
func TestResourceGrammarInferred(t *testing.T) {
	const ok = ""
	invalid := func(typ, v string) string { return `Invalid principal in policy: "` + typ + `":"` + v + `"` }
	tests := []struct {
		name string
		doc  string
		want string // the message, or ok
	}{
		// Shapes outside the grammar are syntax errors.
		{"both Principal and NotPrincipal", doc(`"Effect":"Deny","Principal":"*","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"*"`), msgSyntax},
		{"principal string other than star", doc(`"Effect":"Allow","Principal":"arn:aws:iam::123456789012:root","Action":"sts:AssumeRole"`), msgSyntax},
		{"principal number", doc(`"Effect":"Allow","Principal":1,"Action":"sts:AssumeRole"`), msgSyntax},
		{"principal type in lower case", doc(`"Effect":"Allow","Principal":{"aws":"123456789012"},"Action":"sts:AssumeRole"`), msgSyntax},
		{"principal type star", doc(`"Effect":"Allow","Principal":{"*":"*"},"Action":"sts:AssumeRole"`), msgSyntax},
		{"principal value a number", doc(`"Effect":"Allow","Principal":{"AWS":123456789012},"Action":"sts:AssumeRole"`), msgSyntax},
		{"principal list with an object", doc(`"Effect":"Allow","Principal":{"AWS":[{}]},"Action":"sts:AssumeRole"`), msgSyntax},
		{"duplicate principal type", doc(`"Effect":"Allow","Principal":{"AWS":"123456789012","AWS":"555555555555"},"Action":"sts:AssumeRole"`), msgSyntax},
		// No principal values.
		{"empty principal object", doc(`"Effect":"Allow","Principal":{},"Action":"sts:AssumeRole"`), msgNoPrincipals},
		{"empty NotPrincipal lists", doc(`"Effect":"Deny","NotPrincipal":{"AWS":[],"Service":[]},"Action":"s3:*","Resource":"*"`), msgNoPrincipals},
		{"one empty list beside values", doc(`"Effect":"Allow","Principal":{"AWS":[],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"`), ok},
		// AWS values.
		{"account id of 11 digits", doc(`"Effect":"Allow","Principal":{"AWS":"12345678901"},"Action":"sts:AssumeRole"`), invalid("AWS", "12345678901")},
		{"a name", doc(`"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"`), invalid("AWS", "bob")},
		{"a unique id", doc(`"Effect":"Allow","Principal":{"AWS":"AIDAJQABLZS4A3QDU576Q"},"Action":"sts:AssumeRole"`), invalid("AWS", "AIDAJQABLZS4A3QDU576Q")},
		{"account wildcard in root", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"sts:AssumeRole"`), invalid("AWS", "arn:aws:iam::*:root")},
		{"partition wildcard", doc(`"Effect":"Allow","Principal":{"AWS":"arn:*:iam::123456789012:root"},"Action":"sts:AssumeRole"`), invalid("AWS", "arn:*:iam::123456789012:root")},
		{"question mark", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/b?b"},"Action":"sts:AssumeRole"`), invalid("AWS", "arn:aws:iam::123456789012:user/b?b")},
		{"policy variable", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/${aws:username}"},"Action":"sts:AssumeRole"`), invalid("AWS", "arn:aws:iam::123456789012:user/${aws:username}")},
		{"region", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam:us-east-1:123456789012:root"},"Action":"sts:AssumeRole"`), invalid("AWS", "arn:aws:iam:us-east-1:123456789012:root")},
		{"a bucket", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws:s3:::bucket"},"Action":"sts:AssumeRole"`), invalid("AWS", "arn:aws:s3:::bucket")},
		{"a group", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:group/admins"},"Action":"sts:AssumeRole"`), invalid("AWS", "arn:aws:iam::123456789012:group/admins")},
		{"assumed-role under iam", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:assumed-role/r/s"},"Action":"sts:AssumeRole"`), invalid("AWS", "arn:aws:iam::123456789012:assumed-role/r/s")},
		{"assumed-role without session", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/r"},"Action":"sts:AssumeRole"`), invalid("AWS", "arn:aws:sts::123456789012:assumed-role/r")},
		{"user without name", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/"},"Action":"sts:AssumeRole"`), invalid("AWS", "arn:aws:iam::123456789012:user/")},
		{"user with a path", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob"},"Action":"sts:AssumeRole"`), ok},
		{"other partition", doc(`"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::123456789012:root"},"Action":"sts:AssumeRole"`), ok},
		// Other types.
		{"service without a dot", doc(`"Effect":"Allow","Principal":{"Service":"lambda"},"Action":"sts:AssumeRole"`), invalid("SERVICE", "lambda")},
		{"service wildcard", doc(`"Effect":"Allow","Principal":{"Service":"*.amazonaws.com"},"Action":"sts:AssumeRole"`), invalid("SERVICE", "*.amazonaws.com")},
		{"service empty", doc(`"Effect":"Allow","Principal":{"Service":""},"Action":"sts:AssumeRole"`), invalid("SERVICE", "")},
		{"service in China", doc(`"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com.cn"},"Action":"sts:AssumeRole"`), ok},
		// Deviation: AWS refuses services it does not know (hashicorp/terraform#35086).
		{"service that does not exist", doc(`"Effect":"Allow","Principal":{"Service":"tagging.amazonaws.com"},"Action":"sts:AssumeRole"`), ok},
		{"federated provider host", doc(`"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity"`), ok},
		{"federated OIDC provider ARN", doc(`"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},"Action":"sts:AssumeRoleWithWebIdentity"`), ok},
		{"federated user ARN", doc(`"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:user/Bob"},"Action":"sts:AssumeRole"`), invalid("FEDERATED", "arn:aws:iam::123456789012:user/Bob")},
		{"federated wildcard", doc(`"Effect":"Allow","Principal":{"Federated":"*"},"Action":"sts:AssumeRole"`), invalid("FEDERATED", "*")},
		{"canonical user too short", doc(`"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbace"},"Action":"s3:GetObject","Resource":"*"`), invalid("CANONICALUSER", "79a59df900b949e55d96a1e698fbace")},
		// Resources are optional, but not empty.
		{"empty Resource list", doc(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":[]`), msgNoResources},
		{"NotResource", doc(`"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":"arn:aws:s3:::b/*"`), ok},
		// The rest of the grammar is Parse's.
		{"no actions", doc(`"Effect":"Allow","Principal":"*","Resource":"*"`), msgNoActions},
		{"sid characters", doc(`"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"`), msgSidCharacters},
		{"resource format", doc(`"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"b"`), `Resource b must be in ARN format or "*".`},
		// Order.
		{"syntax before missing principal", doc(`"Effect":"Allow","Action":"*","Extra":1`), msgSyntax},
		{"missing principal before legacy parsing", doc(`"Effect":"allow","Action":"*"`), msgMissingPrincipal},
		{"legacy parsing before principal values", doc(`"Effect":"allow","Principal":{"AWS":"bob"},"Action":"*"`), msgLegacyParsing},
		{"actions before principal values", doc(`"Effect":"Allow","Principal":{"AWS":"bob"}`), msgNoActions},
		{"resources before principal values", doc(`"Effect":"Allow","Principal":{},"Action":"s3:*","Resource":[]`), msgNoResources},
		{"principal values before condition values", doc(`"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}`), invalid("AWS", "bob")},
		{"no principals before an invalid value, per statement", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{},"Action":"*"},{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"*"}]}`, msgNoPrincipals},
		{"first invalid value in document order", doc(`"Effect":"Allow","Principal":{"Service":"lambda","AWS":["123456789012","bob"]},"Action":"*"`), invalid("SERVICE", "lambda")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseResourcePolicy(tt.doc)
			if tt.want == ok {
				if err != nil {
					t.Fatalf("ParseResourcePolicy: %v", err)
				}
				return
			}
			if got := checkMalformed(t, err).Message; got != tt.want {
				t.Errorf("message\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

// Principals of the matching tests.
var (
	bobRef         = &PrincipalRef{ARN: "arn:aws:iam::123456789012:user/Bob", Account: "123456789012"}
	aliceRef       = &PrincipalRef{ARN: "arn:aws:iam::123456789012:user/alice", Account: "123456789012"}
	rootRef        = &PrincipalRef{ARN: "arn:aws:iam::123456789012:root", Account: "123456789012"}
	sessionRef     = &PrincipalRef{ARN: "arn:aws:sts::123456789012:assumed-role/deployer/s1", Account: "123456789012"}
	otherBobRef    = &PrincipalRef{ARN: "arn:aws:iam::999999999999:user/Bob", Account: "999999999999"}
	chinaBobRef    = &PrincipalRef{ARN: "arn:aws-cn:iam::123456789012:user/Bob", Account: "123456789012"}
	ec2Ref         = &PrincipalRef{Service: "ec2.amazonaws.com"}
	lambdaRef      = &PrincipalRef{Service: "lambda.amazonaws.com"}
	auditorRef     = &PrincipalRef{ARN: "arn:aws:iam::444455556666:user/Bob", Account: "444455556666"}
	auditorMateRef = &PrincipalRef{ARN: "arn:aws:iam::444455556666:user/Carol", Account: "444455556666"}
	oidcRef        = &PrincipalRef{Federated: "arn:aws:iam::123456789012:oidc-provider/issuer.example.com/ci"}
)

// resourceStatement is a resource-based policy of one statement allowing
// (or denying) s3:GetObject on every resource to the given principal
// element.
func resourceStatement(effect, element, principal string) string {
	return `{"Version":"2012-10-17","Statement":{"Effect":"` + effect + `","` + element + `":` + principal + `,"Action":"s3:GetObject"}}`
}

func TestPrincipalMatching(t *testing.T) {
	allow := func(principal string) string { return resourceStatement("Allow", "Principal", principal) }
	denyAllBut := func(principal string) string { return resourceStatement("Deny", "NotPrincipal", principal) }
	const object = "arn:aws:s3:::DOC-EXAMPLE-BUCKET/k"
	tests := []struct {
		name      string
		policies  []string // resource-based documents, or "@name" for testdata/resource-accepted/name.json, or "identity:" + an identity-based one
		principal *PrincipalRef
		action    string // s3:GetObject when empty
		resource  string // object when empty
		want      Decision
	}{
		// An account, by ID or root ARN: every principal of the account.
		{"account id: a user of the account", []string{allow(`{"AWS":"123456789012"}`)}, bobRef, "", "", Allow},
		{"account id: its root", []string{allow(`{"AWS":"123456789012"}`)}, rootRef, "", "", Allow},
		{"account id: a role session", []string{allow(`{"AWS":"123456789012"}`)}, sessionRef, "", "", Allow},
		{"account id: not another account", []string{allow(`{"AWS":"123456789012"}`)}, otherBobRef, "", "", NoDecision},
		{"account id: not a service", []string{allow(`{"AWS":"123456789012"}`)}, ec2Ref, "", "", NoDecision},
		{"root ARN: not only the root user", []string{allow(`{"AWS":"arn:aws:iam::123456789012:root"}`)}, aliceRef, "", "", Allow},
		{"root ARN: not another account", []string{allow(`{"AWS":"arn:aws:iam::123456789012:root"}`)}, otherBobRef, "", "", NoDecision},
		{"root ARN: not another partition", []string{allow(`{"AWS":"arn:aws:iam::123456789012:root"}`)}, chinaBobRef, "", "", NoDecision},
		{"one of a list", []string{"@trust-account-ids"}, &PrincipalRef{ARN: "arn:aws:iam::555555555555:user/x", Account: "555555555555"}, "sts:AssumeRole", "", Allow},

		// An ARN: that principal exactly.
		{"user ARN: that user", []string{allow(`{"AWS":"arn:aws:iam::123456789012:user/Bob"}`)}, bobRef, "", "", Allow},
		{"user ARN: case-sensitive", []string{allow(`{"AWS":"arn:aws:iam::123456789012:user/bob"}`)}, bobRef, "", "", NoDecision},
		{"user ARN: not another user of the account", []string{allow(`{"AWS":"arn:aws:iam::123456789012:user/Bob"}`)}, aliceRef, "", "", NoDecision},
		{"user ARN: not the account's root", []string{allow(`{"AWS":"arn:aws:iam::123456789012:user/Bob"}`)}, rootRef, "", "", NoDecision},
		{"user ARN: not the same name elsewhere", []string{allow(`{"AWS":"arn:aws:iam::123456789012:user/Bob"}`)}, otherBobRef, "", "", NoDecision},
		{"session ARN: that session", []string{"@trust-sessions"}, &PrincipalRef{ARN: "arn:aws:sts::123456789012:assumed-role/role-name/role-session-name", Account: "123456789012"}, "sts:AssumeRole", "", Allow},
		{"role ARN: its sessions", []string{allow(`{"AWS":"arn:aws:iam::123456789012:role/ops/deployer"}`)}, sessionRef, "", "", Allow},
		{"role ARN: not another role's sessions", []string{allow(`{"AWS":"arn:aws:iam::123456789012:role/deployer2"}`)}, sessionRef, "", "", NoDecision},
		{"role ARN: not its name in another account", []string{allow(`{"AWS":"arn:aws:iam::999999999999:role/deployer"}`)}, sessionRef, "", "", NoDecision},
		{"role ARN: not a malformed session", []string{allow(`{"AWS":"arn:aws:iam::123456789012:role/deployer"}`)}, &PrincipalRef{ARN: "arn:aws:sts::123456789012:assumed-role/deployer/s1/x", Account: "123456789012"}, "", "", NoDecision},
		{"role ARN: not a user of the same name", []string{allow(`{"AWS":"arn:aws:iam::123456789012:role/Bob"}`)}, bobRef, "", "", NoDecision},

		// "*", and "AWS": "*".
		{"star: a user", []string{"@bucket-public-read"}, otherBobRef, "", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/x", Allow},
		{"star: a service", []string{"@bucket-public-read"}, ec2Ref, "", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/x", Allow},
		{"AWS star: any account", []string{allow(`{"AWS":"*"}`)}, otherBobRef, "", "", Allow},
		{"AWS star: not a service", []string{allow(`{"AWS":"*"}`)}, ec2Ref, "", "", NoDecision},

		// Services.
		{"service: that service", []string{"@trust-services-list"}, &PrincipalRef{Service: "ecs.amazonaws.com"}, "sts:AssumeRole", "arn:aws:iam::123456789012:role/r", Allow},
		{"service: not another", []string{allow(`{"Service":"ec2.amazonaws.com"}`)}, lambdaRef, "", "", NoDecision},
		{"service: not a user", []string{allow(`{"Service":"ec2.amazonaws.com"}`)}, bobRef, "", "", NoDecision},
		{"service and account in one element", []string{allow(`{"Service":"ec2.amazonaws.com","AWS":"123456789012"}`)}, ec2Ref, "", "", Allow},

		// NotPrincipal inverts.
		{"NotPrincipal: the listed user is not denied", []string{denyAllBut(`{"AWS":"arn:aws:iam::123456789012:user/Bob"}`)}, bobRef, "", "", NoDecision},
		{"NotPrincipal: another user is denied", []string{denyAllBut(`{"AWS":"arn:aws:iam::123456789012:user/Bob"}`)}, aliceRef, "", "", Deny},
		{"NotPrincipal: a service is denied", []string{denyAllBut(`{"AWS":"arn:aws:iam::123456789012:user/Bob"}`)}, ec2Ref, "", "", Deny},
		{"NotPrincipal: the listed service is not denied", []string{denyAllBut(`{"Service":"ec2.amazonaws.com"}`)}, ec2Ref, "", "", NoDecision},
		{"NotPrincipal AWS star: a service is denied", []string{denyAllBut(`{"AWS":"*"}`)}, ec2Ref, "", "", Deny},
		{"NotPrincipal AWS star: no user is denied", []string{denyAllBut(`{"AWS":"*"}`)}, bobRef, "", "", NoDecision},
		{"NotPrincipal with the account: its users are not denied", []string{"@deny-not-principal-user"}, auditorMateRef, "", "arn:aws:s3:::BUCKETNAME/x", NoDecision},
		{"NotPrincipal with the account: other accounts are denied", []string{"@deny-not-principal-user"}, bobRef, "", "arn:aws:s3:::BUCKETNAME/x", Deny},
		{"NotPrincipal with Allow allows everyone else", []string{resourceStatement("Allow", "NotPrincipal", `{"AWS":"arn:aws:iam::123456789012:user/Bob"}`)}, otherBobRef, "", "", Allow},
		{"Principal star with a condition on aws:PrincipalArn", []string{"@deny-all-but-principal-arn"}, auditorMateRef, "", "arn:aws:s3:::BUCKETNAME/x", Deny},

		// Federated: the identity provider exactly; canonical users match
		// no Latchkey principal.
		{"federated: that provider", []string{allow(`{"Federated":"arn:aws:iam::123456789012:oidc-provider/issuer.example.com/ci"}`)}, oidcRef, "", "", Allow},
		{"federated: not another provider", []string{allow(`{"Federated":"arn:aws:iam::123456789012:oidc-provider/issuer.example.com"}`)}, oidcRef, "", "", NoDecision},
		{"federated: not by its account", []string{allow(`{"AWS":"123456789012"}`)}, oidcRef, "", "", NoDecision},
		{"federated: not by AWS star", []string{allow(`{"AWS":"*"}`)}, oidcRef, "", "", NoDecision},
		{"federated: star", []string{"@bucket-public-read"}, oidcRef, "", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/x", Allow},
		{"federated: not a user", []string{allow(`{"Federated":"arn:aws:iam::123456789012:oidc-provider/issuer.example.com/ci"}`)}, bobRef, "", "", NoDecision},
		{"federated: no one", []string{"@trust-federated-saml"}, bobRef, "sts:AssumeRole", "arn:aws:iam::123456789012:role/r", NoDecision},
		{"NotPrincipal federated: everyone denied", []string{denyAllBut(`{"Federated":"accounts.google.com"}`)}, ec2Ref, "", "", Deny},
		{"canonical user: no one, the account still matches", []string{"@bucket-mixed-principals"}, rootRef, "", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/x", Allow},

		// No principal given: fail closed.
		{"nil principal: an allow does not apply", []string{"@bucket-public-read"}, nil, "", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/x", NoDecision},
		{"nil principal: a deny applies", []string{resourceStatement("Deny", "Principal", `{"AWS":"arn:aws:iam::123456789012:user/Bob"}`)}, nil, "", "", Deny},
		{"nil principal: a NotPrincipal deny applies", []string{"@deny-not-principal-user"}, nil, "", "arn:aws:s3:::BUCKETNAME/x", Deny},

		// Identity-based policies ignore the principal.
		{"identity: any principal", []string{"identity:" + allowAll}, ec2Ref, "", "", Allow},
		{"identity: no principal", []string{"identity:" + allowAll}, nil, "", "", Allow},
		{"identity allow, resource deny", []string{"identity:" + allowAll, denyAllBut(`{"AWS":"arn:aws:iam::123456789012:user/Bob"}`)}, aliceRef, "", "", Deny},
		{"identity allow, resource deny for someone else", []string{"identity:" + allowAll, denyAllBut(`{"AWS":"arn:aws:iam::123456789012:user/Bob"}`)}, bobRef, "", "", Allow},

		// Resources, actions and conditions still apply.
		{"no Resource: any resource", []string{allow(`{"AWS":"123456789012"}`)}, bobRef, "", "*", Allow},
		{"Resource: not another", []string{"@bucket-public-read"}, bobRef, "", "arn:aws:s3:::OTHER-BUCKET/x", NoDecision},
		{"action still matched", []string{"@trust-service-ec2"}, ec2Ref, "sts:AssumeRoleWithSAML", "arn:aws:iam::123456789012:role/r", NoDecision},
		{"condition still holds", []string{"@trust-account-root"}, bobRef, "sts:AssumeRole", "arn:aws:iam::123456789012:role/r", NoDecision},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var policies []*Policy
			for _, d := range tt.policies {
				switch {
				case strings.HasPrefix(d, "identity:"):
					policies = append(policies, mustParse(t, strings.TrimPrefix(d, "identity:")))
				case d[0] == '@':
					policies = append(policies, mustParseResource(t, testdataResourceDoc(t, d[1:])))
				default:
					policies = append(policies, mustParseResource(t, d))
				}
			}
			req := Request{Action: tt.action, Resource: tt.resource, Principal: tt.principal}
			if req.Action == "" {
				req.Action = "s3:GetObject"
			}
			if req.Resource == "" {
				req.Resource = object
			}
			if got := Evaluate(policies, req); got != tt.want {
				t.Errorf("Evaluate(%+v, principal %+v) = %v, want %v", req, tt.principal, got, tt.want)
			}
		})
	}
}

// TestResourceMatchingAgreesWithEvaluate: as TestMatchingAgreesWithEvaluate,
// over the resource-based corpus and a set of principals.
func TestResourceMatchingAgreesWithEvaluate(t *testing.T) {
	docs := corpus(t, "resource-accepted")
	principals := []*PrincipalRef{nil, bobRef, aliceRef, rootRef, sessionRef, otherBobRef, chinaBobRef, ec2Ref, lambdaRef, auditorRef, auditorMateRef,
		{ARN: "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app", Account: "444455556666"}}
	actions := []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "s3:GetObject", "s3:ListBucket", "s3:PutObject"}
	resources := []string{"*", "arn:aws:iam::123456789012:role/r", "arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/k", "arn:aws:s3:::BUCKETNAME/k"}
	contexts := []map[string][]string{nil, ctx("aws:MultiFactorAuthPresent", "true", "aws:PrincipalArn", "arn:aws:iam::444455556666:user/user-name")}
	decided := map[Decision]int{}
	for name, d := range docs {
		p := mustParseResource(t, d)
		for _, pr := range principals {
			for _, a := range actions {
				for _, r := range resources {
					for _, c := range contexts {
						req := Request{Action: a, Resource: r, Context: c, Principal: pr}
						want := NoDecision
						for _, i := range p.Matching(req) {
							if p.Statements[i].Effect == EffectDeny {
								want = Deny
								break
							}
							want = Allow
						}
						got := Evaluate([]*Policy{p}, req)
						if got != want {
							t.Errorf("%s: Evaluate(%+v) = %v, Matching implies %v", name, req, got, want)
						}
						decided[got]++
					}
				}
			}
		}
	}
	for _, d := range []Decision{Allow, Deny, NoDecision} {
		if decided[d] == 0 {
			t.Errorf("no request was decided %v", d)
		}
	}
}

// TestResourceEvaluateDoesNotAllocate: principal matching keeps Evaluate
// allocation-free.
func TestResourceEvaluateDoesNotAllocate(t *testing.T) {
	policies, requests := resourceBenchmarkSetup(t)
	for _, r := range requests {
		t.Run(r.name, func(t *testing.T) {
			if got := Evaluate(policies, r.req); got != r.want {
				t.Fatalf("Evaluate = %v, want %v", got, r.want)
			}
			if n := testing.AllocsPerRun(100, func() { Evaluate(policies, r.req) }); n != 0 {
				t.Errorf("Evaluate: %v allocations", n)
			}
		})
	}
}

// resourceBenchmarkSetup returns a bucket policy of every principal form and
// requests for it.
func resourceBenchmarkSetup(tb testing.TB) ([]*Policy, []benchRequest) {
	tb.Helper()
	var policies []*Policy
	for _, name := range []string{"bucket-mixed-principals", "deny-not-principal-session", "trust-role-and-user", "trust-services-list"} {
		policies = append(policies, mustParseResource(tb, testdataResourceDoc(tb, name)))
	}
	return policies, []benchRequest{
		{"account", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::DOC-EXAMPLE-BUCKET/k", Principal: bobRef}, Allow},
		{"role session", Request{Action: "sts:AssumeRole", Resource: "arn:aws:iam::123456789012:role/r", Principal: &PrincipalRef{ARN: "arn:aws:sts::123456789012:assumed-role/deployer/s", Account: "123456789012"}}, Allow},
		{"service", Request{Action: "sts:AssumeRole", Resource: "arn:aws:iam::123456789012:role/r", Principal: &PrincipalRef{Service: "ecs.amazonaws.com"}}, Allow},
		{"NotPrincipal deny", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::Bucket_AccountAudit/k", Principal: bobRef}, Deny},
		{"no match", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::DOC-EXAMPLE-BUCKET/k", Principal: &PrincipalRef{ARN: "arn:aws:iam::111122223333:user/x", Account: "111122223333"}}, NoDecision},
	}
}

// BenchmarkEvaluateResource measures principal matching.
func BenchmarkEvaluateResource(b *testing.B) {
	policies, requests := resourceBenchmarkSetup(b)
	for _, tt := range requests {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Evaluate(policies, tt.req)
			}
		})
	}
}
