package e2e

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestSeedProof is the seeds' proof end to end (seed 000: create a user and
// a key, then `aws sts get-caller-identity` with that key): the key works,
// deactivating it refuses it at once, reactivating restores it at once,
// last-used shows the use, and deleting it refuses it for good.
func TestSeedProof(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	const name = "techsquawks-user"
	const arn = "arn:aws:iam::123456789012:user/techsquawks-user"

	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
	k := must[*iam.CreateAccessKeyOutput](t)(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).AccessKey
	key := e2etest.Creds{KeyID: aws.ToString(k.AccessKeyId), Secret: aws.ToString(k.SecretAccessKey)}
	caller := s.GoSTS(key)
	userIAM := s.GoIAM(key)

	works := func(t *testing.T, step string) {
		t.Helper()
		id, err := caller.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("%s: get-caller-identity: %v", step, err)
		}
		if aws.ToString(id.Arn) != arn || aws.ToString(id.Account) != e2etest.AccountID || !userIDPattern.MatchString(aws.ToString(id.UserId)) {
			t.Fatalf("%s: identity Arn %q Account %q UserId %q", step, aws.ToString(id.Arn), aws.ToString(id.Account), aws.ToString(id.UserId))
		}
	}
	refused := func(t *testing.T, step string) {
		t.Helper()
		_, err := caller.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantMessage(t, wantAPIError(t, err, http.StatusForbidden, "InvalidClientTokenId"), "The security token included in the request is invalid.")
		// IAM refuses it the same way.
		_, err = userIAM.GetUser(ctx, &iam.GetUserInput{})
		wantAPIError(t, err, http.StatusForbidden, "InvalidClientTokenId")
	}
	setStatus := func(t *testing.T, status types.StatusType) {
		t.Helper()
		must[*iam.UpdateAccessKeyOutput](t)(root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(name), AccessKeyId: k.AccessKeyId, Status: status}))
	}

	works(t, "new key")
	setStatus(t, types.StatusTypeInactive)
	refused(t, "deactivated") // the very next request
	setStatus(t, types.StatusTypeActive)
	works(t, "reactivated") // the very next request

	lu := must[*iam.GetAccessKeyLastUsedOutput](t)(root.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId}))
	if l := lu.AccessKeyLastUsed; aws.ToString(lu.UserName) != name || aws.ToString(l.ServiceName) != "sts" || aws.ToString(l.Region) != "us-east-1" {
		t.Fatalf("last used: user %q service %q region %q", aws.ToString(lu.UserName), aws.ToString(l.ServiceName), aws.ToString(l.Region))
	}
	wantRecent(t, "LastUsedDate", lu.AccessKeyLastUsed.LastUsedDate)

	must[*iam.DeleteAccessKeyOutput](t)(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(name), AccessKeyId: k.AccessKeyId}))
	refused(t, "deleted")
}
