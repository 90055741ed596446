package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
	"github.com/latchkey/latchkey/internal/pgtest"
)

// revocationBound is the documented bound: from an acknowledged write to
// its effect on every server sharing the database.
const revocationBound = time.Second

// startNodes starts n servers on one PostgreSQL database with one master
// key file.
func startNodes(t *testing.T, dsn string, n int, extra ...string) []*e2etest.Server {
	t.Helper()
	first := e2etest.Start(t, e2etest.Options{Args: append([]string{"--store", dsn, "--log-level", "warn"}, extra...)})
	nodes := []*e2etest.Server{first}
	for len(nodes) < n {
		nodes = append(nodes, e2etest.Start(t, e2etest.Options{Args: append([]string{"--store", dsn, "--log-level", "warn",
			"--master-key-file", filepath.Join(first.DataDir, "master.key")}, extra...)}))
	}
	return nodes
}

// revocationRun revokes keys through one node or another while every node
// authenticates with them, and returns, for each revocation, how long
// after its acknowledgement some node still accepted the key (0 when none
// did). disrupt, when set, runs once the load is on.
func revocationRun(t *testing.T, nodes []*e2etest.Server, keys int, disrupt func()) []time.Duration {
	t.Helper()
	ctx := t.Context()
	creds := make([]e2etest.Creds, keys)
	for i := range creds {
		creds[i] = newUserWithKey(t, nodes[i%len(nodes)], fmt.Sprintf("rev%d", i))
	}
	var mu sync.Mutex
	acked := make([]time.Time, keys)        // when each revocation was acknowledged
	lastAccepted := make([]time.Time, keys) // the latest start of an accepted request
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, node := range nodes {
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					k := i % keys
					start := time.Now()
					_, err := node.GoSTS(creds[k]).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
					if err == nil {
						mu.Lock()
						if start.After(lastAccepted[k]) {
							lastAccepted[k] = start
						}
						mu.Unlock()
					}
				}
			}()
		}
	}
	time.Sleep(300 * time.Millisecond)
	if disrupt != nil {
		disrupt()
	}
	for k := range keys {
		via := nodes[k%len(nodes)].GoIAM(e2etest.Root)
		user := aws.String(fmt.Sprintf("rev%d", k))
		// A write that fails (the database restarting) is not acknowledged:
		// it is tried again, and the bound runs from its acknowledgement.
		for tries := 0; ; tries++ {
			var err error
			if k%2 == 0 {
				_, err = via.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: user, AccessKeyId: aws.String(creds[k].KeyID), Status: types.StatusTypeInactive})
			} else {
				_, err = via.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: aws.String(creds[k].KeyID)})
			}
			if err == nil {
				break
			}
			if tries == 50 {
				t.Fatalf("revoke %s: %v", creds[k].KeyID, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
		mu.Lock()
		acked[k] = time.Now()
		mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(revocationBound + 500*time.Millisecond)
	close(stop)
	wg.Wait()
	gaps := make([]time.Duration, keys)
	for k := range keys {
		if lastAccepted[k].After(acked[k]) {
			gaps[k] = lastAccepted[k].Sub(acked[k])
		}
	}
	return gaps
}

func reportGaps(t *testing.T, name string, gaps []time.Duration) {
	t.Helper()
	sorted := slices.Clone(gaps)
	slices.Sort(sorted)
	p := func(q float64) time.Duration { return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))] }
	t.Logf("%s: revocation to refusal on every node, over %d revocations: p50 %v, p99 %v, max %v", name, len(gaps), p(0.5), p(0.99), sorted[len(sorted)-1])
	if max := sorted[len(sorted)-1]; max >= revocationBound {
		t.Fatalf("%s: a node accepted a revoked key %v after the revocation was acknowledged (bound %v)", name, max, revocationBound)
	}
}

// TestNodesRevocationBound: three servers on one PostgreSQL, under load on
// every one; keys are deactivated or deleted through one or another, and
// no server accepts a key later than the documented bound after the
// revocation was acknowledged: with notifications, by polling alone, and
// with the listening connections killed.
func TestNodesRevocationBound(t *testing.T) {
	t.Run("notify", func(t *testing.T) {
		nodes := startNodes(t, pgtest.Database(t), 3)
		reportGaps(t, "notify", revocationRun(t, nodes, 12, nil))
	})
	t.Run("polling", func(t *testing.T) {
		nodes := startNodes(t, pgtest.Database(t), 3, "--store-poll-only")
		reportGaps(t, "polling", revocationRun(t, nodes, 12, nil))
	})
	t.Run("listeners killed", func(t *testing.T) {
		dsn := pgtest.Database(t)
		nodes := startNodes(t, dsn, 3)
		kill := func() {
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n int
			if err := db.QueryRowContext(context.Background(), `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n < len(nodes) {
				t.Fatalf("killed %d listening connections, want %d", n, len(nodes))
			}
		}
		reportGaps(t, "listeners killed", revocationRun(t, nodes, 12, kill))
	})
	t.Run("database restarted", func(t *testing.T) {
		// A server of its own: the others' tests share the common one.
		srv, dsn := pgtest.Own(t)
		nodes := startNodes(t, dsn, 3)
		restart := func() {
			if err := srv.Restart(); err != nil {
				t.Fatal(err)
			}
		}
		reportGaps(t, "database restarted", revocationRun(t, nodes, 12, restart))
		// The servers recovered without a restart of their own.
		for _, n := range nodes {
			must[*sts.GetCallerIdentityOutput](t)(n.GoSTS(e2etest.Root).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}))
		}
	})
}

// TestNodesPolicyChangeBound: a policy removed through one server stops
// allowing on the others within the bound.
func TestNodesPolicyChangeBound(t *testing.T) {
	nodes := startNodes(t, pgtest.Database(t), 3)
	ctx := t.Context()
	root := nodes[0].GoIAM(e2etest.Root)
	bob := newUserWithKey(t, nodes[0], "bob")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(doc(allow(act("iam:GetUser"), res("*"))))}))
	// Every node allows, and so caches bob's policy set.
	for _, n := range nodes {
		must[*iam.GetUserOutput](t)(n.GoIAM(bob).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")}))
	}
	must[*iam.DeleteUserPolicyOutput](t)(nodes[1].GoIAM(e2etest.Root).DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("read")}))
	acked := time.Now()
	for _, n := range nodes {
		for {
			_, err := n.GoIAM(bob).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
			if err != nil {
				wantDenied(t, err, acctARN+":user/bob", "iam:GetUser")
				break
			}
			if time.Since(acked) > revocationBound {
				t.Fatalf("%s still allows %v after the policy was deleted", n.URL, time.Since(acked))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestNodesStartTogether: three servers started at the same moment on an
// empty database migrate it once and create the first account once:
// given the bootstrap variables, that account; without them, one account
// of a generated id, whose root key one server alone prints.
func TestNodesStartTogether(t *testing.T) {
	for _, given := range []bool{true, false} {
		t.Run(map[bool]string{true: "bootstrap variables", false: "generated account"}[given], func(t *testing.T) {
			dsn := pgtest.Database(t)
			keyFile := filepath.Join(t.TempDir(), "master.key")
			if err := os.WriteFile(keyFile, []byte(strings.Repeat("5e", 32)+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			opts := make([]e2etest.Options, 3)
			for i := range opts {
				opts[i] = e2etest.Options{Args: []string{"--store", dsn, "--master-key-file", keyFile}, NoRootEnv: !given}
			}
			nodes := e2etest.StartTogether(t, opts)
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var accounts, migrations int
			if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM accounts`).Scan(&accounts); err != nil {
				t.Fatal(err)
			}
			if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&migrations); err != nil {
				t.Fatal(err)
			}
			files, err := os.ReadDir(filepath.Join("..", "internal", "store", "sqlstore", "migrations", "postgres"))
			if err != nil {
				t.Fatal(err)
			}
			if accounts != 1 || migrations != len(files) {
				t.Fatalf("%d accounts and %d migration records after three servers started together; want 1 and %d", accounts, migrations, len(files))
			}
			if given {
				for _, n := range nodes {
					must[*sts.GetCallerIdentityOutput](t)(n.GoSTS(e2etest.Root).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}))
				}
				return
			}
			banners := 0
			for _, n := range nodes {
				if strings.Contains(n.Stderr(), "AWS_SECRET_ACCESS_KEY=") {
					banners++
				}
			}
			if banners != 1 {
				t.Fatalf("%d servers printed a root key banner, want 1", banners)
			}
		})
	}
}

// TestNodesKeyLimitAcrossServers: 200 CreateAccessKey for one user spread
// over three servers: exactly two succeed.
func TestNodesKeyLimitAcrossServers(t *testing.T) {
	nodes := startNodes(t, pgtest.Database(t), 3)
	ctx := t.Context()
	must[*iam.CreateUserOutput](t)(nodes[0].GoIAM(e2etest.Root).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("contended")}))
	var mu sync.Mutex
	created, limited := 0, 0
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := nodes[i%3].GoIAM(e2etest.Root).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("contended")})
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				created++
			} else if code, _ := apiCode(t, err); code == "LimitExceeded" {
				limited++
			} else {
				t.Errorf("CreateAccessKey: %v", err)
			}
		}()
	}
	wg.Wait()
	if created != 2 || limited != 198 {
		t.Fatalf("%d keys created, %d refused at the limit; want 2 and 198", created, limited)
	}
}

// TestNodesMasterKeyRotation: `latchkey master-key rotate --store` while
// two servers sharing the key file serve keys and a session: no request
// fails, and after restarts every key and the session still work.
func TestNodesMasterKeyRotation(t *testing.T) {
	dsn := pgtest.Database(t)
	nodes := startNodes(t, dsn, 2)
	ctx := t.Context()
	keyFile := filepath.Join(nodes[0].DataDir, "master.key")
	creds := []e2etest.Creds{e2etest.Root}
	for i := range 8 {
		creds = append(creds, newUserWithKey(t, nodes[i%2], fmt.Sprintf("k%d", i)))
	}
	session := must[*sts.GetSessionTokenOutput](t)(nodes[0].GoSTS(e2etest.Root).GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	creds = append(creds, credsOf(session.Credentials))
	var mu sync.Mutex
	calls, failures := 0, 0
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_, err := nodes[i%2].GoSTS(creds[i%len(creds)]).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				mu.Lock()
				calls++
				if err != nil {
					failures++
					t.Errorf("during rotation: %v", err)
				}
				mu.Unlock()
			}
		}()
	}
	out, err := exec.Command(e2etest.Binary(t), "master-key", "rotate", "--store", dsn, "--master-key-file", keyFile, "--output", "json").CombinedOutput()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("rotate: %v\n%s", err, out)
	}
	t.Logf("%d authentications on two servers during the rotation, %d failures: %s", calls, failures, out)
	late := newUserWithKey(t, nodes[1], "late")
	creds = append(creds, late)
	for _, n := range nodes {
		n.Restart()
	}
	for _, n := range nodes {
		for _, c := range creds {
			if _, err := n.GoSTS(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
				t.Fatalf("%s after the rotation and a restart: %v", c.KeyID, err)
			}
		}
	}
}

// TestNodesMasterKeyRotationCopies: two servers, each with its own copy
// of the master key file, rotated as the README says (the new key added to
// every copy, the store rotated to it, the old key removed from every
// copy) while both authenticate and create keys: no request fails, keys
// created during the rotation are sealed with a key both servers hold,
// and after restarts on the new key alone everything authenticates.
func TestNodesMasterKeyRotationCopies(t *testing.T) {
	dsn := pgtest.Database(t)
	ctx := t.Context()
	first := e2etest.Start(t, e2etest.Options{Args: []string{"--store", dsn, "--log-level", "warn"}})
	copyA := filepath.Join(first.DataDir, "master.key")
	copyB := filepath.Join(t.TempDir(), "master.key")
	oldKey, err := os.ReadFile(copyA)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copyB, oldKey, 0o600); err != nil {
		t.Fatal(err)
	}
	second := e2etest.Start(t, e2etest.Options{Args: []string{"--store", dsn, "--log-level", "warn", "--master-key-file", copyB}})
	nodes := []*e2etest.Server{first, second}
	var creds []e2etest.Creds
	for i := range 6 {
		creds = append(creds, newUserWithKey(t, nodes[i%2], fmt.Sprintf("c%d", i)))
	}

	var mu sync.Mutex
	var created []e2etest.Creds
	calls, failures := 0, 0
	fail := func(format string, args ...any) {
		mu.Lock()
		failures++
		mu.Unlock()
		t.Errorf(format, args...)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			node := nodes[w%2]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if w >= 2 {
					// Writers: a new user and key, the secret sealed by this
					// server, used at once on the other.
					user := fmt.Sprintf("w%d-%d", w, i)
					root := node.GoIAM(e2etest.Root)
					if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}); err != nil {
						fail("CreateUser on %s during the rotation: %v", node.URL, err)
						continue
					}
					out, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
					if err != nil {
						fail("CreateAccessKey on %s during the rotation: %v", node.URL, err)
						continue
					}
					c := e2etest.Creds{KeyID: aws.ToString(out.AccessKey.AccessKeyId), Secret: aws.ToString(out.AccessKey.SecretAccessKey)}
					if _, err := nodes[(w+1)%2].GoSTS(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
						fail("a key made on %s during the rotation, on the other server: %v", node.URL, err)
					}
					mu.Lock()
					created = append(created, c)
					mu.Unlock()
					continue
				}
				_, err := node.GoSTS(creds[i%len(creds)]).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				mu.Lock()
				calls++
				mu.Unlock()
				if err != nil {
					fail("GetCallerIdentity on %s during the rotation: %v", node.URL, err)
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	bin := e2etest.Binary(t)
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("latchkey %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	// 1. A new key, added to every copy after the current one.
	newKeyFile := filepath.Join(t.TempDir(), "new.key")
	run("master-key", "generate", "--out", newKeyFile)
	newKey, err := os.ReadFile(newKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	admin := filepath.Join(t.TempDir(), "master.key")
	for _, f := range []string{copyA, copyB, admin} {
		if err := os.WriteFile(f, append(append([]byte{}, oldKey...), newKey...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	// 2. The store rotated to it, from an operator's copy.
	rep := run("master-key", "rotate", "--store", dsn, "--master-key-file", admin, "--new-key-file", newKeyFile, "--output", "json")
	time.Sleep(300 * time.Millisecond)
	// 3. The old key removed from every copy.
	for _, f := range []string{copyA, copyB} {
		if err := os.WriteFile(f, newKey, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	mu.Lock()
	t.Logf("%d authentications, %d keys made during the rotation, %d failures: %s", calls, len(created), failures, rep)
	kept := append([]e2etest.Creds{}, created...)
	mu.Unlock()
	if failures > 0 {
		t.FailNow()
	}
	for _, n := range nodes {
		n.Restart()
	}
	for _, n := range nodes {
		for _, c := range append(creds, kept...) {
			if _, err := n.GoSTS(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
				t.Fatalf("%s on %s after the rotation and a restart with the new key alone: %v", c.KeyID, n.URL, err)
			}
		}
	}
}

// TestNodesLastUsed: a key used on one server shows as used on another
// once the first has flushed (every --last-used-interval), the latest use
// winning whichever server saw it.
func TestNodesLastUsed(t *testing.T) {
	nodes := startNodes(t, pgtest.Database(t), 2, "--last-used-interval", "200ms")
	ctx := t.Context()
	bob := newUserWithKey(t, nodes[0], "bob")
	must[*sts.GetCallerIdentityOutput](t)(nodes[0].GoSTS(bob, "eu-west-1").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	time.Sleep(300 * time.Millisecond)
	must[*sts.GetCallerIdentityOutput](t)(nodes[1].GoSTS(bob, "ap-south-1").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	deadline := time.Now().Add(5 * time.Second)
	for _, n := range nodes {
		for {
			out := must[*iam.GetAccessKeyLastUsedOutput](t)(n.GoIAM(e2etest.Root).GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(bob.KeyID)}))
			if aws.ToString(out.AccessKeyLastUsed.Region) == "ap-south-1" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: last used %+v, want the later use in ap-south-1", n.URL, out.AccessKeyLastUsed)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// TestNodesFaults: a write storm spread over three servers while one is
// SIGKILLed (and started again) and PostgreSQL crash-restarts: every
// acknowledged write is there afterwards, the servers recover without a
// restart of their own, and the store's check is clean.
func TestNodesFaults(t *testing.T) {
	srv, dsn := pgtest.Own(t)
	nodes := startNodes(t, dsn, 3)
	ctx := t.Context()
	var mu sync.Mutex
	var acked []string
	attempts := 0
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			node := nodes[w%3]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("w%d-%d", w, i)
				_, err := node.GoIAM(e2etest.Root).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
				mu.Lock()
				attempts++
				if err == nil {
					acked = append(acked, name)
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	nodes[1].Kill()
	time.Sleep(300 * time.Millisecond)
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	nodes[1].Restart(t)
	time.Sleep(700 * time.Millisecond)
	close(stop)
	wg.Wait()
	t.Logf("%d writes attempted, %d acknowledged", attempts, len(acked))
	if len(acked) < 50 {
		t.Fatalf("only %d writes acknowledged: the storm did not run", len(acked))
	}
	stored := make(map[string]bool)
	p := iam.NewListUsersPaginator(nodes[2].GoIAM(e2etest.Root), &iam.ListUsersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Users {
			stored[aws.ToString(u.UserName)] = true
		}
	}
	for _, name := range acked {
		if !stored[name] {
			t.Fatalf("acknowledged user %s is missing", name)
		}
	}
	for _, n := range nodes {
		must[*sts.GetCallerIdentityOutput](t)(n.GoSTS(e2etest.Root).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	}
	if out := nodes[0].RunAdmin(t, "check", "--store", dsn, "--master-key-file", filepath.Join(nodes[0].DataDir, "master.key")); out != "ok\n" {
		t.Fatalf("check: %q", out)
	}
}
