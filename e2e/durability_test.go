package e2e

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestDurability: what was acknowledged survives a graceful stop (with the
// last-used dates, flushed at shutdown) and a SIGKILL right after the last
// acknowledged write.
func TestDurability(t *testing.T) {
	// A last-used interval far longer than the test: only the shutdown
	// flush can save the dates.
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--last-used-interval", "1h"}})
	ctx := t.Context()
	keys := map[string]e2etest.Creds{}
	create := func(t *testing.T, from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			name := fmt.Sprintf("user%02d", i)
			keys[name] = newUserWithKey(t, s, name)
		}
	}
	check := func(t *testing.T) {
		t.Helper()
		c := s.GoIAM(e2etest.Root)
		users := must[*iam.ListUsersOutput](t)(c.ListUsers(ctx, &iam.ListUsersInput{}))
		if len(users.Users) != len(keys) {
			t.Fatalf("%d users after restart, want %d", len(users.Users), len(keys))
		}
		for name, k := range keys {
			listed := must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(name)}))
			if len(listed.AccessKeyMetadata) != 1 || aws.ToString(listed.AccessKeyMetadata[0].AccessKeyId) != k.KeyID {
				t.Fatalf("%s's keys after restart: %+v", name, listed.AccessKeyMetadata)
			}
			id, err := s.GoSTS(k).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatalf("%s's key after restart: %v", name, err)
			}
			if aws.ToString(id.Arn) != "arn:aws:iam::123456789012:user/"+name {
				t.Fatalf("%s's key signs for %q", name, aws.ToString(id.Arn))
			}
		}
		if _, err := s.GoSTS(e2etest.Root).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("root key after restart: %v", err)
		}
	}

	t.Run("SIGTERM", func(t *testing.T) {
		create(t, 0, 5)
		must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(keys["user00"], "eu-west-1").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		s.Stop()
		s.Restart(t)
		c := s.GoIAM(e2etest.Root)
		// Read last-used before check() uses the keys again.
		lu := must[*iam.GetAccessKeyLastUsedOutput](t)(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(keys["user00"].KeyID)}))
		if l := lu.AccessKeyLastUsed; aws.ToString(l.ServiceName) != "sts" || aws.ToString(l.Region) != "eu-west-1" {
			t.Fatalf("last used after a graceful restart: service %q region %q", aws.ToString(l.ServiceName), aws.ToString(l.Region))
		}
		wantRecent(t, "LastUsedDate after a graceful restart", lu.AccessKeyLastUsed.LastUsedDate)
		check(t)
	})

	t.Run("SIGKILL", func(t *testing.T) {
		create(t, 5, 10)
		c := s.GoIAM(e2etest.Root)
		must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("user05"), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)}))
		must[*iam.UpdateAccessKeyOutput](t)(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("user06"), AccessKeyId: aws.String(keys["user06"].KeyID), Status: types.StatusTypeInactive}))
		must[*iam.UpdateAccessKeyOutput](t)(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("user06"), AccessKeyId: aws.String(keys["user06"].KeyID), Status: types.StatusTypeActive}))
		keys["user10"] = newUserWithKey(t, s, "user10") // the last acknowledged write…
		s.Kill()                                        // …and the kill right after it
		s.Restart(t)
		check(t)
		c = s.GoIAM(e2etest.Root)
		p := must[*iam.GetUserPolicyOutput](t)(c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("user05"), PolicyName: aws.String("p")}))
		if aws.ToString(p.PolicyName) != "p" {
			t.Fatalf("policy after SIGKILL: %+v", p)
		}
		me := must[*iam.GetUserOutput](t)(s.GoIAM(keys["user05"]).GetUser(ctx, &iam.GetUserInput{}))
		if aws.ToString(me.User.UserName) != "user05" {
			t.Fatalf("user05 after SIGKILL: %+v", me.User)
		}
	})
}
