package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestBootstrapBanner: the first start without LATCHKEY_* variables creates
// a random account and prints its root key once, in a banner on standard
// error; those credentials work, and a restart prints no secret again.
func TestBootstrapBanner(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{NoRootEnv: true})
	ctx := t.Context()
	log := s.Stderr()
	account := regexp.MustCompile(`Latchkey created account (\d+) and its root access key`).FindStringSubmatch(log)
	keyID := regexp.MustCompile(`(?m)^\s*AWS_ACCESS_KEY_ID=(\S+)$`).FindStringSubmatch(log)
	secret := regexp.MustCompile(`(?m)^\s*AWS_SECRET_ACCESS_KEY=(\S+)$`).FindStringSubmatch(log)
	if account == nil || keyID == nil || secret == nil {
		t.Fatalf("no banner with the account, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY on stderr:\n%s", log)
	}
	if !regexp.MustCompile(`^\d{12}$`).MatchString(account[1]) {
		t.Fatalf("account id %q is not 12 digits", account[1])
	}
	if !keyIDPattern.MatchString(keyID[1]) || len(secret[1]) != 40 {
		t.Fatalf("generated key %q, secret of %d characters", keyID[1], len(secret[1]))
	}
	creds := e2etest.Creds{KeyID: keyID[1], Secret: secret[1]}

	id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Account) != account[1] || aws.ToString(id.Arn) != "arn:aws:iam::"+account[1]+":root" || aws.ToString(id.UserId) != account[1] {
		t.Fatalf("bootstrap credentials sign for %+v", id)
	}
	// The CLI, configured only by the banner's two lines, agrees.
	out := awsCLIJSON(t, s, creds, "sts", "get-caller-identity")
	if jsonString(out, "Arn") != "arn:aws:iam::"+account[1]+":root" {
		t.Fatalf("aws sts get-caller-identity: %v", out)
	}

	s.Restart(t)
	if n := strings.Count(s.Stderr(), secret[1]); n != 1 {
		t.Fatalf("the root secret appears %d times in the log across a restart, want once (the banner)", n)
	}
	if strings.Count(s.Stderr(), "Latchkey created account") != 1 {
		t.Fatal("a restart on the same data dir created another account")
	}
	must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	wantNoSecretInDir(t, s.DataDir, map[string]string{"bootstrap root": secret[1]})
}
