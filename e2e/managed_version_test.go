package e2e

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestManagedPolicyNeedsVersion2012: a managed policy (or a new version of
// one) must be written in version 2012-10-17, as AWS requires; an inline
// policy may still omit Version.
func TestManagedPolicyNeedsVersion2012(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	for name, d := range map[string]string{
		"no version": `{"Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`,
		"2008":       `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("old"), PolicyDocument: aws.String(d)})
			wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "MalformedPolicyDocument"), "Policy document must be version 2012-10-17 or greater.")
			must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("new" + name[:2]), PolicyDocument: aws.String(doc(allow(act("s3:ListBucket"), res("*"))))}))
			_, err = c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(acctARN + ":policy/new" + name[:2]), PolicyDocument: aws.String(d)})
			wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "MalformedPolicyDocument"), "Policy document must be version 2012-10-17 or greater.")
			if name == "no version" {
				newUserWithKey(t, s, "inline")
				must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("inline"), PolicyName: aws.String("p"), PolicyDocument: aws.String(d)}))
			}
		})
	}
}
