package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestConcurrentQuotasThroughTheAPI races the quotas of groups and managed
// policies through the real server, as clients would: each must hold
// exactly, with AWS's LimitExceeded for the rest.
func TestConcurrentQuotasThroughTheAPI(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("racer")}))

	// race runs n calls released together and counts successes and
	// LimitExceeded answers with the given message; anything else fails.
	race := func(t *testing.T, n int, limitMessage string, call func(i int) error) (ok, limited int) {
		t.Helper()
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = call(i)
			}()
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), limitMessage)
			limited++
		}
		return ok, limited
	}

	t.Run("200 attachments of distinct policies", func(t *testing.T) {
		for i := 0; i < 200; i++ {
			must[*iam.CreatePolicyOutput](t)(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("race%03d", i)), PolicyDocument: aws.String(doc(allow(act("s3:GetObject"), res("*"))))}))
		}
		ok, limited := race(t, 200, "Cannot exceed quota for PoliciesPerUser: 10", func(i int) error {
			_, err := root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("racer"), PolicyArn: aws.String(fmt.Sprintf("%s:policy/race%03d", acctARN, i))})
			return err
		})
		list := must[*iam.ListAttachedUserPoliciesOutput](t)(root.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("racer")}))
		if ok != 10 || limited != 190 || len(list.AttachedPolicies) != 10 {
			t.Fatalf("%d attached, %d refused, %d listed; want 10, 190, 10", ok, limited, len(list.AttachedPolicies))
		}
	})
	t.Run("versions of one policy", func(t *testing.T) {
		ok, limited := race(t, 30, "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.", func(i int) error {
			_, err := root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(acctARN + ":policy/race000"), PolicyDocument: aws.String(doc(allow(act(fmt.Sprintf("s3:Get%d", i)), res("*"))))})
			return err
		})
		versions := must[*iam.ListPolicyVersionsOutput](t)(root.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(acctARN + ":policy/race000")}))
		if ok != 4 || limited != 26 || len(versions.Versions) != 5 {
			t.Fatalf("%d created, %d refused, %d listed; want 4, 26, 5", ok, limited, len(versions.Versions))
		}
	})
	t.Run("groups of one user", func(t *testing.T) {
		for i := 0; i < 40; i++ {
			must[*iam.CreateGroupOutput](t)(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(fmt.Sprintf("team%02d", i))}))
		}
		ok, limited := race(t, 40, "Cannot exceed quota for GroupsPerUser: 10", func(i int) error {
			_, err := root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("racer"), GroupName: aws.String(fmt.Sprintf("team%02d", i))})
			return err
		})
		groups := must[*iam.ListGroupsForUserOutput](t)(root.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("racer")}))
		if ok != 10 || limited != 30 || len(groups.Groups) != 10 {
			t.Fatalf("%d joined, %d refused, %d listed; want 10, 30, 10", ok, limited, len(groups.Groups))
		}
	})
	t.Run("a membership never outlives its group", func(t *testing.T) {
		must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("joiner")}))
		outcomes := map[string]int{}
		for round := 0; round < 20; round++ {
			g := aws.String(fmt.Sprintf("doomed%02d", round))
			must[*iam.CreateGroupOutput](t)(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: g}))
			var wg sync.WaitGroup
			var addErr, delErr error
			start := make(chan struct{})
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				_, addErr = root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: g, UserName: aws.String("joiner")})
			}()
			go func() {
				defer wg.Done()
				<-start
				_, delErr = root.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: g})
			}()
			close(start)
			wg.Wait()
			switch {
			case addErr == nil && delErr != nil: // joined first: the delete is refused
				wantMessage(t, wantAPIError(t, delErr, http.StatusConflict, "DeleteConflict"), "Cannot delete entity, must remove users from group first.")
				outcomes["joined"]++
				must[*iam.RemoveUserFromGroupOutput](t)(root.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: g, UserName: aws.String("joiner")}))
				must[*iam.DeleteGroupOutput](t)(root.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: g}))
			case delErr == nil && addErr != nil: // deleted first: the join finds no group
				wantMessage(t, wantAPIError(t, addErr, http.StatusNotFound, "NoSuchEntity"), "The group with name "+*g+" cannot be found.")
				outcomes["deleted"]++
			default:
				t.Fatalf("round %d: add %v, delete %v: exactly one must win", round, addErr, delErr)
			}
			groups := must[*iam.ListGroupsForUserOutput](t)(root.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("joiner")}))
			if len(groups.Groups) != 0 {
				t.Fatalf("round %d: joiner is still in %+v", round, groups.Groups)
			}
		}
		t.Logf("outcomes over 20 rounds: %v", outcomes)
	})
	s.RunAdmin(t, "check")
}
