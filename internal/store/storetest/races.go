package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/store"
)

// Races on the new aggregates' invariants. Each releases its goroutines at
// once (a closed channel) and refuses to pass unless both outcomes of the
// race were observed.

// race runs fn(0..n-1) in n goroutines released together.
func race(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

// testConcurrentAttachLimit races 200 attachments of distinct policies
// (customer and AWS managed) to one user: exactly MaxPoliciesPerUser stick,
// every other one is refused with the quota's LimitError.
func testConcurrentAttachLimit(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	const n = 200
	ps := make([]store.AttachedPolicy, n)
	for i, name := range numbered("pol", n) {
		if i%2 == 0 {
			ps[i] = mustPolicy(t, s, name, "{}")
		} else {
			ps[i] = awsPolicy(name)
		}
	}
	var ok, limited atomic.Int32
	race(n, func(i int) {
		err := s.AttachPolicy(ctx, acct, store.KindUser, "Bob", ps[i])
		var le *store.LimitError
		switch {
		case err == nil:
			ok.Add(1)
		case errors.As(err, &le) && le.Quota == "PoliciesPerUser":
			limited.Add(1)
		default:
			t.Errorf("AttachPolicy(%s): %v", ps[i].PolicyARN, err)
		}
	})
	if ok.Load() != store.MaxPoliciesPerUser || limited.Load() != n-store.MaxPoliciesPerUser {
		t.Fatalf("%d attached, %d limited, want %d and %d", ok.Load(), limited.Load(), store.MaxPoliciesPerUser, n-store.MaxPoliciesPerUser)
	}
	list, err := s.ListAttachedPolicies(ctx, acct, store.KindUser, "Bob")
	if err != nil || len(list) != store.MaxPoliciesPerUser {
		t.Fatalf("%d policies listed, %v", len(list), err)
	}
	// The counts agree with the listing.
	total := 0
	attached, _, err := s.AttachmentCounts(ctx, acct)
	mustOK(t, "AttachmentCounts", err)
	for _, n := range attached {
		total += n
	}
	for _, p := range ps {
		if !arn.IsAWSManagedPolicy(p.PolicyARN) {
			mp, err := s.GetPolicy(ctx, acct, p.PolicyARN)
			mustOK(t, "GetPolicy", err)
			total += mp.AttachmentCount
		}
	}
	if total != store.MaxPoliciesPerUser {
		t.Fatalf("attachment counts sum to %d, want %d", total, store.MaxPoliciesPerUser)
	}
}

// testConcurrentPolicyVersions races version creations of one policy:
// exactly MaxPolicyVersions versions result, numbered v1..v5, one default.
func testConcurrentPolicyVersions(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	p := mustPolicy(t, s, "P", "d0")
	const n = 20
	var ok, limited atomic.Int32
	race(n, func(i int) {
		_, err := s.CreatePolicyVersion(ctx, acct, p.PolicyARN, fmt.Sprintf("d%d", i+1), i%2 == 0, epoch)
		var le *store.LimitError
		switch {
		case err == nil:
			ok.Add(1)
		case errors.As(err, &le) && le.Quota == "VersionsPerPolicy":
			limited.Add(1)
		default:
			t.Errorf("CreatePolicyVersion: %v", err)
		}
	})
	if ok.Load() != store.MaxPolicyVersions-1 || limited.Load() != n-(store.MaxPolicyVersions-1) {
		t.Fatalf("%d created, %d limited, want %d and %d", ok.Load(), limited.Load(), store.MaxPolicyVersions-1, n-(store.MaxPolicyVersions-1))
	}
	vs, err := s.ListPolicyVersions(ctx, acct, p.PolicyARN)
	mustOK(t, "ListPolicyVersions", err)
	wantNames(t, "versions", namesOf(vs, versionName), []string{"v5", "v4", "v3", "v2", "v1"})
	docs := map[string]bool{}
	defaults := 0
	for _, v := range vs {
		docs[v.Document] = true
		if v.IsDefault {
			defaults++
		}
	}
	if len(docs) != store.MaxPolicyVersions || defaults != 1 {
		t.Fatalf("versions %+v: %d distinct documents, %d defaults", vs, len(docs), defaults)
	}
}

// dependentRace is a write that makes something depend on an entity,
// raced against the entity's deletion. Exactly one must win: the
// dependent is added and the delete refused (ConflictError), or the entity
// is deleted and the dependent refused (NotFoundError); never both.
type dependentRace struct {
	create  func(t *testing.T, name string)                 // the entity to delete
	depend  func(name string) error                         // adds the dependent
	undo    func(t *testing.T, name string)                 // removes it, when it won
	delete  func(name string) error                         // deletes the entity
	entity  store.Entity                                    // what the delete refuses to delete
	dep     store.Entity                                    // ConflictError.Dependent
	missing store.Entity                                    // NotFoundError.Entity for a late depend
	after   func(t *testing.T, name string, dependWon bool) // extra checks per round
}

// raceDependent plays rounds of r until each side has won at least once,
// running the store's check after every round.
func raceDependent(t *testing.T, s store.Store, r dependentRace) {
	t.Helper()
	ctx := t.Context()
	const minRounds, maxRounds = 20, 500
	var dependWon, deleteWon int
	for round := 0; round < maxRounds && (round < minRounds || dependWon == 0 || deleteWon == 0); round++ {
		name := fmt.Sprintf("e%03d", round)
		r.create(t, name)
		var depErr, delErr error
		race(2, func(i int) {
			// Alternate which goroutine depends, so neither has a head start.
			if (i+round)%2 == 0 {
				depErr = r.depend(name)
			} else {
				delErr = r.delete(name)
			}
		})
		switch {
		case depErr == nil && delErr != nil:
			dependWon++
			wantConflict(t, fmt.Sprintf("round %d: delete after the dependent", round), delErr, r.entity, r.dep)
			if r.after != nil {
				r.after(t, name, true)
			}
			r.undo(t, name)
			mustOK(t, "delete after undoing the dependent", r.delete(name))
		case delErr == nil && depErr != nil:
			deleteWon++
			wantNotFound(t, fmt.Sprintf("round %d: dependent after the delete", round), depErr, r.missing)
			if r.after != nil {
				r.after(t, name, false)
			}
		default:
			t.Fatalf("round %d: dependent returned %v, delete returned %v; exactly one must win", round, depErr, delErr)
		}
		if err := s.Check(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	if dependWon == 0 || deleteWon == 0 {
		t.Fatalf("the race never went both ways in %d rounds (dependent won %d, delete won %d)", maxRounds, dependWon, deleteWon)
	}
	t.Logf("dependent won %d rounds, delete won %d", dependWon, deleteWon)
}

// testConcurrentAddUserDeleteGroup races AddUserToGroup against
// DeleteGroup: a membership of a deleted group never remains.
func testConcurrentAddUserDeleteGroup(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	raceDependent(t, s, dependentRace{
		create: func(t *testing.T, name string) { mustGroup(t, s, name) },
		depend: func(name string) error { return s.AddUserToGroup(ctx, acct, name, "Bob") },
		undo: func(t *testing.T, name string) {
			mustOK(t, "RemoveUserFromGroup", s.RemoveUserFromGroup(ctx, acct, name, "Bob"))
		},
		delete:  func(name string) error { return s.DeleteGroup(ctx, acct, name) },
		entity:  store.EntityGroup,
		dep:     store.EntityGroupMember,
		missing: store.EntityGroup,
		after: func(t *testing.T, name string, added bool) {
			groups, err := s.ListGroupsForUser(ctx, acct, "Bob")
			mustOK(t, "ListGroupsForUser", err)
			want := []string{}
			if added {
				want = []string{name}
			}
			wantNames(t, "Bob's groups", namesOf(groups, groupName), want)
		},
	})
}

// testConcurrentGroupPolicyDeleteGroup races a group's inline policy and
// attachment against its deletion.
func testConcurrentGroupPolicyDeleteGroup(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	p := mustPolicy(t, s, "P", "{}")
	del := func(name string) error { return s.DeleteGroup(ctx, acct, name) }
	create := func(t *testing.T, name string) { mustGroup(t, s, name) }
	t.Run("PutInlinePolicy", func(t *testing.T) {
		raceDependent(t, s, dependentRace{
			create: create,
			depend: func(name string) error {
				return s.PutInlinePolicy(ctx, acct, store.KindGroup, store.InlinePolicy{Owner: name, Name: "p", Document: "{}", Size: 2})
			},
			undo: func(t *testing.T, name string) {
				mustOK(t, "DeleteInlinePolicy", s.DeleteInlinePolicy(ctx, acct, store.KindGroup, name, "p"))
			},
			delete: del, entity: store.EntityGroup, dep: store.EntityGroupPolicy, missing: store.EntityGroup,
		})
	})
	t.Run("AttachPolicy", func(t *testing.T) {
		raceDependent(t, s, dependentRace{
			create: func(t *testing.T, name string) { mustGroup(t, s, "A"+name) },
			depend: func(name string) error { return s.AttachPolicy(ctx, acct, store.KindGroup, "A"+name, p) },
			undo: func(t *testing.T, name string) {
				mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, store.KindGroup, "A"+name, p.PolicyARN))
			},
			delete: func(name string) error { return del("A" + name) }, entity: store.EntityGroup, dep: store.EntityAttachment, missing: store.EntityGroup,
		})
	})
}

// testConcurrentUsePolicyDeletePolicy races the uses of a customer managed
// policy (attachment to a user or group, permissions boundary, a user
// created with it as boundary) against its deletion: nothing is ever left
// referring to a deleted policy.
func testConcurrentUsePolicyDeletePolicy(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	mustUser(t, s, "Bob")
	mustGroup(t, s, "G")
	ref := func(name string) store.AttachedPolicy {
		return store.AttachedPolicy{PolicyARN: arn.Policy(acct, "/", name), PolicyName: name, PolicyPath: "/"}
	}
	uses := func(prefix string, depend func(p store.AttachedPolicy) error, undo func(t *testing.T, p store.AttachedPolicy)) dependentRace {
		return dependentRace{
			create: func(t *testing.T, name string) { mustPolicy(t, s, prefix+name, "{}") },
			depend: func(name string) error { return depend(ref(prefix + name)) },
			undo:   func(t *testing.T, name string) { undo(t, ref(prefix+name)) },
			delete: func(name string) error { return s.DeletePolicy(ctx, acct, ref(prefix+name).PolicyARN) },
			entity: store.EntityManagedPolicy, dep: store.EntityAttachment, missing: store.EntityManagedPolicy,
		}
	}
	t.Run("AttachPolicyUser", func(t *testing.T) {
		raceDependent(t, s, uses("U", func(p store.AttachedPolicy) error { return s.AttachPolicy(ctx, acct, store.KindUser, "Bob", p) },
			func(t *testing.T, p store.AttachedPolicy) {
				mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, store.KindUser, "Bob", p.PolicyARN))
			}))
	})
	t.Run("AttachPolicyGroup", func(t *testing.T) {
		raceDependent(t, s, uses("G", func(p store.AttachedPolicy) error { return s.AttachPolicy(ctx, acct, store.KindGroup, "G", p) },
			func(t *testing.T, p store.AttachedPolicy) {
				mustOK(t, "DetachPolicy", s.DetachPolicy(ctx, acct, store.KindGroup, "G", p.PolicyARN))
			}))
	})
	t.Run("SetUserPermissionsBoundary", func(t *testing.T) {
		raceDependent(t, s, uses("B", func(p store.AttachedPolicy) error { return s.SetUserPermissionsBoundary(ctx, acct, "Bob", p.PolicyARN) },
			func(t *testing.T, p store.AttachedPolicy) {
				mustOK(t, "remove boundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", ""))
			}))
	})
	t.Run("CreateUserBounded", func(t *testing.T) {
		raceDependent(t, s, uses("C", func(p store.AttachedPolicy) error {
			return s.CreateUser(ctx, store.User{AccountID: acct, ID: "AIDA" + p.PolicyName, Name: p.PolicyName, Path: "/", CreatedAt: epoch, PermissionsBoundary: p.PolicyARN})
		}, func(t *testing.T, p store.AttachedPolicy) {
			mustOK(t, "DeleteUser", s.DeleteUser(ctx, acct, p.PolicyName))
		}))
	})
}

// testConcurrentInlineQuota races inline policy puts near an owner's size
// quota: exactly as many as fit are written, the others refused, and the
// stored sizes never sum over the quota.
func testConcurrentInlineQuota(t *testing.T, s store.Store, kind store.EntityKind) {
	ctx := t.Context()
	quota, max := inlineQuota(kind)
	mustAccount(t, s, acct)
	mustOwner(t, s, kind, "Bob")
	const size, fit = 300, 4
	// Room for 4.5 policies of size: exactly 4 fit.
	mustPut(t, s, kind, "Bob", "base", "x", max-fit*size-size/2)
	const n = 30
	var ok, limited atomic.Int32
	race(n, func(i int) {
		err := s.PutInlinePolicy(ctx, acct, kind, store.InlinePolicy{Owner: "Bob", Name: fmt.Sprintf("p%02d", i), Document: "{}", Size: size})
		var le *store.LimitError
		switch {
		case err == nil:
			ok.Add(1)
		case errors.As(err, &le) && le.Quota == quota:
			limited.Add(1)
		default:
			t.Errorf("PutInlinePolicy: %v", err)
		}
	})
	if ok.Load() != fit || limited.Load() != n-fit {
		t.Fatalf("%d written, %d limited, want %d and %d", ok.Load(), limited.Load(), fit, n-fit)
	}
	list, err := s.ListInlinePolicies(ctx, acct, kind, "Bob")
	mustOK(t, "ListInlinePolicies", err)
	sum := 0
	for _, p := range list {
		sum += p.Size
	}
	if sum > max || len(list) != fit+1 {
		t.Fatalf("%d policies summing to %d, quota %d", len(list), sum, max)
	}
}

// testConcurrentPolicySetSnapshot reads policy sets while a policy's default
// version flips: the policy is the user's boundary and attached to the
// user and to the user's group, read by separate queries, so a set not
// read in one snapshot would show two versions at once.
func testConcurrentPolicySetSnapshot(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustAccount(t, s, acct)
	p := mustPolicy(t, s, "P", "doc-v1")
	_, err := s.CreatePolicyVersion(ctx, acct, p.PolicyARN, "doc-v2", false, epoch)
	mustOK(t, "CreatePolicyVersion", err)
	u := mustUser(t, s, "Bob")
	mustGroup(t, s, "G")
	mustOK(t, "AddUserToGroup", s.AddUserToGroup(ctx, acct, "G", "Bob"))
	mustAttach(t, s, store.KindUser, "Bob", p)
	mustAttach(t, s, store.KindGroup, "G", p)
	mustOK(t, "SetUserPermissionsBoundary", s.SetUserPermissionsBoundary(ctx, acct, "Bob", p.PolicyARN))

	const flips = 60
	var done atomic.Bool
	var mu sync.Mutex
	seen := map[string]int{}
	race(3, func(i int) {
		if i == 0 {
			defer done.Store(true)
			for k := 0; k < flips; k++ {
				v := []string{"v2", "v1"}[k%2]
				if err := s.SetDefaultPolicyVersion(ctx, acct, p.PolicyARN, v); err != nil {
					t.Errorf("SetDefaultPolicyVersion: %v", err)
					return
				}
			}
			return
		}
		for !done.Load() {
			set, err := s.UserPolicySet(ctx, acct, u.ID)
			if err != nil {
				t.Errorf("UserPolicySet: %v", err)
				return
			}
			if len(set.Attached) != 1 || len(set.Groups) != 1 || len(set.Groups[0].Attached) != 1 || set.Boundary == nil {
				t.Errorf("policy set lost a part: %+v", set)
				return
			}
			got := []string{set.Attached[0].VersionID, set.Groups[0].Attached[0].VersionID, set.Boundary.VersionID}
			docs := []string{set.Attached[0].Document, set.Groups[0].Attached[0].Document, set.Boundary.Document}
			if got[0] != got[1] || got[1] != got[2] || slices.ContainsFunc(docs, func(d string) bool { return d != "doc-"+got[0] }) {
				t.Errorf("one policy set shows versions %q with documents %q", got, docs)
				return
			}
			mu.Lock()
			seen[got[0]]++
			mu.Unlock()
		}
	})
	if seen["v1"] == 0 || seen["v2"] == 0 {
		t.Fatalf("reads never overlapped the flips: saw %v", seen)
	}
	t.Logf("policy sets read: %v", seen)
}
