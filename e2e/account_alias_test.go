package e2e

import (
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// aliasList is list-account-aliases' AccountAliases.
func aliasList(t *testing.T, m map[string]any) []string {
	t.Helper()
	raw, ok := m["AccountAliases"].([]any)
	if !ok {
		t.Fatalf("no AccountAliases list in %v", m)
	}
	var out []string
	for _, v := range raw {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("AccountAliases holds %T", v)
		}
		out = append(out, s)
	}
	return out
}

// TestAccountAliasesAWSCLI: the account alias's lifecycle with the AWS
// CLI, as an administrator types it: one alias per account, which a new
// one replaces; unique across accounts; each error as AWS answers it; and
// the actions authorized like any other (resource "*").
func TestAccountAliasesAWSCLI(t *testing.T) {
	t.Parallel() // the CLI's start-up dominates; it overlaps with the other suites
	s := e2etest.Start(t, e2etest.Options{})
	root := e2etest.Root
	cli := func(t *testing.T, c e2etest.Creds, args ...string) map[string]any {
		t.Helper()
		return awsCLIJSON(t, s, c, append([]string{"iam"}, args...)...)
	}
	wantAliases := func(t *testing.T, c e2etest.Creds, want ...string) {
		t.Helper()
		if got := aliasList(t, cli(t, c, "list-account-aliases")); !slices.Equal(got, want) {
			t.Fatalf("list-account-aliases = %q, want %q", got, want)
		}
	}

	t.Run("Lifecycle", func(t *testing.T) {
		out := cli(t, root, "list-account-aliases", "--no-paginate")
		if sortedJSONKeys(out) != "AccountAliases,IsTruncated" || out["IsTruncated"] != false || len(aliasList(t, out)) != 0 {
			t.Fatalf("list-account-aliases without an alias: %v", out)
		}
		if out := cli(t, root, "create-account-alias", "--account-alias", "example-corp"); out != nil {
			t.Fatalf("create-account-alias printed %v", out)
		}
		wantAliases(t, root, "example-corp")
		out = cli(t, root, "list-account-aliases", "--no-paginate")
		if out["IsTruncated"] != false {
			t.Fatalf("list-account-aliases: %v", out)
		}

		msg := awsCLIFails(t, s, root, "EntityAlreadyExists", "iam", "create-account-alias", "--account-alias", "example-corp")
		wantMessage(t, msg, "The account alias example-corp already exists.")
		msg = awsCLIFails(t, s, root, "ValidationError", "iam", "create-account-alias", "--account-alias", "Example--Corp")
		wantMessage(t, msg, "1 validation error detected: Value 'Example--Corp' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$")

		// A new alias replaces the account's one.
		cli(t, root, "create-account-alias", "--account-alias", "example-two")
		wantAliases(t, root, "example-two")

		// Aliases are unique across accounts; the replaced one is free.
		_, other := newAccount(t, s)
		msg = awsCLIFails(t, s, other, "EntityAlreadyExists", "iam", "create-account-alias", "--account-alias", "example-two")
		wantMessage(t, msg, "The account alias example-two already exists.")
		cli(t, other, "create-account-alias", "--account-alias", "example-corp")
		wantAliases(t, other, "example-corp")
		wantAliases(t, root, "example-two")

		// Deleting names an alias the account holds.
		msg = awsCLIFails(t, s, root, "NoSuchEntity", "iam", "delete-account-alias", "--account-alias", "example-corp")
		wantMessage(t, msg, "The account alias example-corp cannot be found.")
		wantAliases(t, other, "example-corp")
		if out := cli(t, root, "delete-account-alias", "--account-alias", "example-two"); out != nil {
			t.Fatalf("delete-account-alias printed %v", out)
		}
		wantAliases(t, root)
		awsCLIFails(t, s, root, "NoSuchEntity", "iam", "delete-account-alias", "--account-alias", "example-two")
		cli(t, other, "delete-account-alias", "--account-alias", "example-corp")
		wantAliases(t, other)
	})

	t.Run("Authorized", func(t *testing.T) {
		ann := newUserWithKey(t, s, "ann")
		msg := awsCLIFails(t, s, ann, "AccessDenied", "iam", "create-account-alias", "--account-alias", "anns-alias")
		wantMessage(t, msg, "User: arn:aws:iam::"+e2etest.AccountID+":user/ann is not authorized to perform: iam:CreateAccountAlias on resource: * because no identity-based policy allows the iam:CreateAccountAlias action")
		awsCLIFails(t, s, ann, "AccessDenied", "iam", "list-account-aliases")
		cli(t, root, "put-user-policy", "--user-name", "ann", "--policy-name", "aliases",
			"--policy-document", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["iam:ListAccountAliases", "iam:CreateAccountAlias"], "Resource": "*"}}`)
		cli(t, ann, "create-account-alias", "--account-alias", "anns-alias")
		wantAliases(t, ann, "anns-alias")
		msg = awsCLIFails(t, s, ann, "AccessDenied", "iam", "delete-account-alias", "--account-alias", "anns-alias")
		wantMessage(t, msg, "User: arn:aws:iam::"+e2etest.AccountID+":user/ann is not authorized to perform: iam:DeleteAccountAlias on resource: * because no identity-based policy allows the iam:DeleteAccountAlias action")
		wantAliases(t, root, "anns-alias")
	})
}

// TestAccountAliasesGoSDK: the alias actions through aws-sdk-go-v2, with
// their HTTP statuses.
func TestAccountAliasesGoSDK(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	list := func() []string {
		t.Helper()
		out := must[*iam.ListAccountAliasesOutput](t)(c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}))
		if out.IsTruncated || out.Marker != nil || out.AccountAliases == nil {
			t.Fatalf("ListAccountAliases: truncated %v, marker %v, aliases %v", out.IsTruncated, out.Marker, out.AccountAliases)
		}
		return out.AccountAliases
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("aliases of a new account %q", got)
	}
	must[*iam.CreateAccountAliasOutput](t)(c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("go-sdk-corp")}))
	if got := list(); !slices.Equal(got, []string{"go-sdk-corp"}) {
		t.Fatalf("aliases %q", got)
	}
	_, err := c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("go-sdk-corp")})
	wantMessage(t, wantAPIError(t, err, http.StatusConflict, "EntityAlreadyExists"), "The account alias go-sdk-corp already exists.")
	_, err = c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("-go-sdk")})
	wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
	_, err = c.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("not-ours")})
	wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The account alias not-ours cannot be found.")
	must[*iam.DeleteAccountAliasOutput](t)(c.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("go-sdk-corp")}))
	if got := list(); len(got) != 0 {
		t.Fatalf("aliases after the delete %q", got)
	}
}
