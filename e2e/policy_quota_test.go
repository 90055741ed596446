package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestUserInlinePolicyQuota: a user's inline policies together may not
// exceed 2,048 characters (white space not counted); a replaced policy
// counts once.
func TestUserInlinePolicyQuota(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.IAM(e2etest.Root)
	must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Quota")}))
	doc := func(actions int) string {
		var a []string
		for i := 0; i < actions; i++ {
			a = append(a, fmt.Sprintf(`"ec2:DescribeThing%03d"`, i))
		}
		return `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [` + strings.Join(a, ", ") + `]}]}`
	}
	put := func(name, d string) error {
		_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("Quota"), PolicyName: aws.String(name), PolicyDocument: aws.String(d)})
		return err
	}
	big := doc(40) // about 1,000 characters without white space
	if err := put("one", big); err != nil {
		t.Fatal(err)
	}
	if err := put("ONE", big); err != nil { // replaces "one": still one policy's worth
		t.Fatal(err)
	}
	if err := put("two", big); err != nil {
		t.Fatal(err)
	}
	msg := wantCode(t, put("three", big), "LimitExceeded")
	if msg != "Maximum policy size of 2048 bytes exceeded for user Quota" {
		t.Fatalf("message %q", msg)
	}
	names := must[*iam.ListUserPoliciesOutput](t)(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("Quota")}))
	if len(names.PolicyNames) != 2 {
		t.Fatalf("policies after the refused put: %v", names.PolicyNames)
	}
}
