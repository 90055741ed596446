package e2e

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/latchkey/latchkey/internal/e2etest"
)

var crashKills = flag.Int("crash.kills", 20, "SIGKILLs in TestCrashSafety (use 100 for the long run)")

// userState is what the clients know was acknowledged about one user.
type userState struct {
	exists   bool
	keys     map[string]keyState // id -> state
	policies map[string]string   // name -> document
}

type keyState struct {
	secret string // "" when the create was never answered
	status string
}

func (u userState) clone() userState {
	return userState{exists: u.exists, keys: maps.Clone(u.keys), policies: maps.Clone(u.policies)}
}

// TestCrashSafety runs a write storm, SIGKILLs the server at random moments
// and checks after each restart that every acknowledged write is there,
// nothing refused or unanswered is half there, every surviving key
// authenticates, and the store's integrity check passes.
func TestCrashSafety(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-level", "error"}})
	const workers, usersPerWorker = 6, 4
	names := func(w, i int) string { return fmt.Sprintf("w%du%d", w, i) }
	model := map[string]userState{}
	for w := 0; w < workers; w++ {
		for i := 0; i < usersPerWorker; i++ {
			model[names(w, i)] = userState{keys: map[string]keyState{}, policies: map[string]string{}}
		}
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var ops, acked, unanswered int
	for kill := 1; kill <= *crashKills; kill++ {
		// pending[user] is the state before an op that got no answer, and
		// the state after it had it applied.
		type pending struct{ before, after userState }
		uncertain := map[string]pending{}
		var mu sync.Mutex
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			seed := rng.Uint64()
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(seed, uint64(w)))
				c := s.IAM(e2etest.Root)
				for ctx.Err() == nil {
					name := names(w, r.IntN(usersPerWorker))
					mu.Lock()
					before := model[name].clone()
					mu.Unlock()
					after, call := nextOp(r, name, before, c)
					mu.Lock()
					ops++
					mu.Unlock()
					res, err := call(ctx)
					mu.Lock()
					switch {
					case err == nil:
						acked++
						model[name] = res(after)
					case isAPIError(err):
						mu.Unlock()
						t.Errorf("%s: unexpected refusal: %v", name, err)
						return
					default: // no answer: the server died (or ctx ended) mid-call
						unanswered++
						uncertain[name] = pending{before, after}
						mu.Unlock()
						return
					}
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(50+rng.IntN(250)) * time.Millisecond)
		s.Kill()
		cancel()
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		if out, err := exec.Command(e2etest.Binary(t), "check", "--data", s.DataDir).CombinedOutput(); err != nil {
			t.Fatalf("kill %d: integrity check: %v\n%s", kill, err, out)
		}
		s.Restart()
		for name, want := range model {
			got := readUser(t, s, name)
			p, isUncertain := uncertain[name]
			switch {
			case sameUser(got, want):
			case isUncertain && sameUser(got, p.after):
				model[name] = adopt(p.after, got)
			case isUncertain && sameUser(got, p.before):
				model[name] = p.before
			case isUncertain && unknownKeyCreated(got, p.before):
				model[name] = adopt(p.before, got)
			default:
				t.Fatalf("kill %d: user %s is %+v, acknowledged state %+v (pending op: %v)", kill, name, got, want, isUncertain)
			}
		}
		checkAuthentication(t, s, model)
	}
	t.Logf("kills=%d operations=%d acknowledged=%d unanswered=%d losses=0", *crashKills, ops, acked, unanswered)
}

// nextOp picks an operation valid for the user's acknowledged state. It
// returns the expected state after it and the call; the call's result
// function fills in what only the response knows (a new key's id and
// secret).
func nextOp(r *rand.Rand, name string, u userState, c *iam.Client) (userState, func(context.Context) (func(userState) userState, error)) {
	after := u.clone()
	ident := func(s userState) userState { return s }
	if !u.exists {
		after.exists = true
		return after, func(ctx context.Context) (func(userState) userState, error) {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
			return ident, err
		}
	}
	ids := sortedKeys(u.keys)
	switch op := r.IntN(10); {
	case op < 3 && len(ids) < 2:
		return after, func(ctx context.Context) (func(userState) userState, error) {
			out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
			if err != nil {
				return nil, err
			}
			return func(s userState) userState {
				s.keys[*out.AccessKey.AccessKeyId] = keyState{secret: *out.AccessKey.SecretAccessKey, status: "Active"}
				return s
			}, nil
		}
	case op < 3: // a third key must be refused and leave nothing behind
		return after, func(ctx context.Context) (func(userState) userState, error) {
			_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
			var ae smithy.APIError
			if errors.As(err, &ae) && ae.ErrorCode() == "LimitExceeded" {
				return ident, nil
			}
			if err == nil {
				err = errors.New("a third access key was created")
			}
			return nil, err
		}
	case op < 5 && len(ids) > 0:
		id := ids[r.IntN(len(ids))]
		k := after.keys[id]
		k.status = map[string]string{"Active": "Inactive", "Inactive": "Active"}[k.status]
		after.keys[id] = k
		return after, func(ctx context.Context) (func(userState) userState, error) {
			_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(name), AccessKeyId: aws.String(id), Status: types.StatusType(k.status)})
			return ident, err
		}
	case op < 7 && len(ids) > 0:
		id := ids[r.IntN(len(ids))]
		delete(after.keys, id)
		return after, func(ctx context.Context) (func(userState) userState, error) {
			_, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(name), AccessKeyId: aws.String(id)})
			return ident, err
		}
	case op < 8:
		pn := fmt.Sprintf("p%d", r.IntN(2))
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Sid":"S%d"}]}`, r.IntN(1000))
		after.policies[pn] = doc
		return after, func(ctx context.Context) (func(userState) userState, error) {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(pn), PolicyDocument: aws.String(doc)})
			return ident, err
		}
	case op < 9 && len(u.policies) > 0:
		pn := sortedKeys(u.policies)[0]
		delete(after.policies, pn)
		return after, func(ctx context.Context) (func(userState) userState, error) {
			_, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(pn)})
			return ident, err
		}
	default:
		if len(ids) == 0 && len(u.policies) == 0 {
			after.exists = false
			return after, func(ctx context.Context) (func(userState) userState, error) {
				_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(name)})
				return ident, err
			}
		}
		// Still has keys or policies: DeleteUser must be refused.
		return after, func(ctx context.Context) (func(userState) userState, error) {
			_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(name)})
			var ae smithy.APIError
			if errors.As(err, &ae) && ae.ErrorCode() == "DeleteConflict" {
				return ident, nil
			}
			if err == nil {
				err = errors.New("a user with keys or policies was deleted")
			}
			return nil, err
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func isAPIError(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae)
}

// readUser reads a user's whole state from the server.
func readUser(t *testing.T, s *e2etest.Server, name string) userState {
	t.Helper()
	ctx := context.Background()
	c := s.IAM(e2etest.Root)
	u := userState{keys: map[string]keyState{}, policies: map[string]string{}}
	if _, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)}); err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchEntity" {
			return u
		}
		t.Fatalf("GetUser %s: %v", name, err)
	}
	u.exists = true
	keys, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys.AccessKeyMetadata {
		u.keys[*k.AccessKeyId] = keyState{status: string(k.Status)}
	}
	pols, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	for _, pn := range pols.PolicyNames {
		p, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(pn)})
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := url.QueryUnescape(*p.PolicyDocument)
		u.policies[pn] = doc
	}
	return u
}

// sameUser compares existence, key ids and statuses, and policies.
func sameUser(got, want userState) bool {
	if got.exists != want.exists || len(got.keys) != len(want.keys) || !maps.Equal(got.policies, want.policies) {
		return false
	}
	for id, k := range want.keys {
		if g, ok := got.keys[id]; !ok || g.status != k.status {
			return false
		}
	}
	return true
}

// unknownKeyCreated: the state is before's plus one key whose create was
// never answered.
func unknownKeyCreated(got, before userState) bool {
	if len(got.keys) != len(before.keys)+1 {
		return false
	}
	trimmed := got.clone()
	for id := range got.keys {
		if _, known := before.keys[id]; !known {
			delete(trimmed.keys, id)
		}
	}
	return sameUser(trimmed, before)
}

// adopt takes the server's state, keeping the secrets the clients know.
func adopt(known, got userState) userState {
	out := got.clone()
	for id, k := range out.keys {
		k.secret = known.keys[id].secret
		out.keys[id] = k
	}
	return out
}

// checkAuthentication: every Active key with a known secret authenticates
// as its user; every Inactive one is refused.
func checkAuthentication(t *testing.T, s *e2etest.Server, model map[string]userState) {
	t.Helper()
	ctx := context.Background()
	for name, u := range model {
		for id, k := range u.keys {
			if k.secret == "" {
				continue
			}
			out, err := s.STS(e2etest.Creds{KeyID: id, Secret: k.secret}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			switch k.status {
			case "Active":
				if err != nil || !strings.HasSuffix(*out.Arn, ":user/"+name) {
					t.Fatalf("active key %s of %s: %v", id, name, err)
				}
			default:
				if err == nil {
					t.Fatalf("inactive key %s of %s authenticated", id, name)
				}
			}
		}
	}
}
