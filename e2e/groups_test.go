package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// Groups through aws-sdk-go-v2: their shapes, memberships, inline
// policies, quotas and paging, and what a member may do because of them.

var (
	groupIDPattern  = regexp.MustCompile(`^AGPA[A-Z2-7]{17}$`)
	policyIDPattern = regexp.MustCompile(`^ANPA[A-Z2-7]{17}$`)
)

// iamARN is an ARN of the test account: iamARN("group/eng/Dev").
func iamARN(resource string) string { return "arn:aws:iam::" + e2etest.AccountID + ":" + resource }

// decodedDocument URL-decodes a policy document as IAM returns it (the SDK
// leaves it encoded).
func decodedDocument(t *testing.T, doc *string) string {
	t.Helper()
	d, err := url.QueryUnescape(aws.ToString(doc))
	if err != nil {
		t.Fatalf("document %q is not URL-encoded: %v", aws.ToString(doc), err)
	}
	return d
}

// sizedDocument is a valid policy document of exactly n characters
// without white space (IAM's size measure), n at least 107.
func sizedDocument(t *testing.T, n int) string {
	t.Helper()
	const head, tail = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b`, `"}}`
	pad := n - len(head) - len(tail)
	if pad < 0 {
		t.Fatalf("no document has %d characters", n)
	}
	return head + strings.Repeat("x", pad) + tail
}

func groupNamesOf(groups []types.Group) string {
	var names []string
	for _, g := range groups {
		names = append(names, aws.ToString(g.GroupName))
	}
	return strings.Join(names, ",")
}

func userNamesOf(users []types.User) string {
	var names []string
	for _, u := range users {
		names = append(names, aws.ToString(u.UserName))
	}
	return strings.Join(names, ",")
}

func TestGoSDKGroups(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)

	created := must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Developers"), Path: aws.String("/eng/")})).Group
	if aws.ToString(created.GroupName) != "Developers" || aws.ToString(created.Path) != "/eng/" || aws.ToString(created.Arn) != iamARN("group/eng/Developers") {
		t.Fatalf("CreateGroup: name %q path %q arn %q", aws.ToString(created.GroupName), aws.ToString(created.Path), aws.ToString(created.Arn))
	}
	if !groupIDPattern.MatchString(aws.ToString(created.GroupId)) {
		t.Fatalf("group id %q does not match %s", aws.ToString(created.GroupId), groupIDPattern)
	}
	wantRecent(t, "CreateGroup CreateDate", created.CreateDate)
	ops := must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Ops")})).Group
	if aws.ToString(ops.Path) != "/" || aws.ToString(ops.Arn) != iamARN("group/Ops") || aws.ToString(ops.GroupId) == aws.ToString(created.GroupId) {
		t.Fatalf("CreateGroup without a path: %+v", ops)
	}
	for _, u := range []struct{ name, path string }{{"carol", "/"}, {"alice", "/staff/"}, {"bob", "/"}, {"dave", "/"}} {
		must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u.name), Path: aws.String(u.path)}))
	}

	t.Run("CreateGroupErrors", func(t *testing.T) {
		// Names are unique ignoring case.
		_, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("DEVELOPERS")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "EntityAlreadyExists"), "Group with name DEVELOPERS already exists.")
		_, err = c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("bad name!")})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"),
			`1 validation error detected: Value 'bad name!' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)
		long := strings.Repeat("g", 129)
		_, err = c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(long)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"),
			"1 validation error detected: Value '"+long+"' at 'groupName' failed to satisfy constraint: Member must have length less than or equal to 128")
	})

	t.Run("GetGroupEmpty", func(t *testing.T) {
		got := must[*iam.GetGroupOutput](t)(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("developers")}))
		g := got.Group
		if aws.ToString(g.GroupName) != "Developers" || aws.ToString(g.GroupId) != aws.ToString(created.GroupId) || aws.ToString(g.Arn) != aws.ToString(created.Arn) ||
			aws.ToString(g.Path) != "/eng/" || !g.CreateDate.Equal(*created.CreateDate) {
			t.Fatalf("GetGroup (found ignoring case): %+v", g)
		}
		if len(got.Users) != 0 || got.IsTruncated || got.Marker != nil {
			t.Fatalf("a new group: users %v, truncated %v, marker %v", userNamesOf(got.Users), got.IsTruncated, got.Marker)
		}
		_, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Nobody")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group with name Nobody cannot be found.")
	})

	t.Run("AddUserToGroup", func(t *testing.T) {
		for _, u := range []string{"carol", "alice", "bob"} {
			must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("Developers"), UserName: aws.String(u)}))
		}
		// Adding again, in another case, changes nothing.
		must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("DEVELOPERS"), UserName: aws.String("ALICE")}))
		must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("Ops"), UserName: aws.String("alice")}))

		got := must[*iam.GetGroupOutput](t)(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Developers")}))
		if userNamesOf(got.Users) != "alice,bob,carol" || got.IsTruncated {
			t.Fatalf("members %s (truncated %v), want alice,bob,carol", userNamesOf(got.Users), got.IsTruncated)
		}
		alice := got.Users[0]
		if aws.ToString(alice.Arn) != iamARN("user/staff/alice") || aws.ToString(alice.Path) != "/staff/" || !userIDPattern.MatchString(aws.ToString(alice.UserId)) {
			t.Fatalf("member alice: %+v", alice)
		}
		wantRecent(t, "member CreateDate", alice.CreateDate)

		_, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("Developers"), UserName: aws.String("ghost")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name ghost cannot be found.")
		_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("Ghosts"), UserName: aws.String("alice")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group with name Ghosts cannot be found.")
	})

	t.Run("GetGroupPaging", func(t *testing.T) {
		p1 := must[*iam.GetGroupOutput](t)(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Developers"), MaxItems: aws.Int32(2)}))
		if userNamesOf(p1.Users) != "alice,bob" || !p1.IsTruncated || aws.ToString(p1.Marker) == "" {
			t.Fatalf("page 1: %s, truncated %v, marker %q", userNamesOf(p1.Users), p1.IsTruncated, aws.ToString(p1.Marker))
		}
		p2 := must[*iam.GetGroupOutput](t)(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Developers"), MaxItems: aws.Int32(2), Marker: p1.Marker}))
		if userNamesOf(p2.Users) != "carol" || p2.IsTruncated || p2.Marker != nil || aws.ToString(p2.Group.GroupName) != "Developers" {
			t.Fatalf("page 2: %s, truncated %v, marker %v, group %+v", userNamesOf(p2.Users), p2.IsTruncated, p2.Marker, p2.Group)
		}

		pager := iam.NewGetGroupPaginator(c, &iam.GetGroupInput{GroupName: aws.String("Developers"), MaxItems: aws.Int32(1)})
		var seen []string
		for pages := 0; pager.HasMorePages(); pages++ {
			if pages == 10 {
				t.Fatal("more than 10 pages")
			}
			page := must[*iam.GetGroupOutput](t)(pager.NextPage(ctx))
			if aws.ToString(page.Group.GroupId) != aws.ToString(created.GroupId) || len(page.Users) != 1 {
				t.Fatalf("paginator page: group %+v, users %s", page.Group, userNamesOf(page.Users))
			}
			seen = append(seen, aws.ToString(page.Users[0].UserName))
		}
		if strings.Join(seen, ",") != "alice,bob,carol" {
			t.Fatalf("GetGroup paginator saw %v", seen)
		}

		_, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Developers"), Marker: aws.String("forged")})
		wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
	})

	t.Run("ListGroupsForUser", func(t *testing.T) {
		got := must[*iam.ListGroupsForUserOutput](t)(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")}))
		if groupNamesOf(got.Groups) != "Developers,Ops" || got.IsTruncated {
			t.Fatalf("alice's groups %s (truncated %v)", groupNamesOf(got.Groups), got.IsTruncated)
		}
		if g := got.Groups[0]; aws.ToString(g.GroupId) != aws.ToString(created.GroupId) || aws.ToString(g.Arn) != iamARN("group/eng/Developers") || aws.ToString(g.Path) != "/eng/" {
			t.Fatalf("listed group %+v", g)
		}
		none := must[*iam.ListGroupsForUserOutput](t)(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("dave")}))
		if len(none.Groups) != 0 || none.IsTruncated {
			t.Fatalf("dave's groups %s", groupNamesOf(none.Groups))
		}
		pager := iam.NewListGroupsForUserPaginator(c, &iam.ListGroupsForUserInput{UserName: aws.String("alice"), MaxItems: aws.Int32(1)})
		var seen []string
		for pages := 0; pager.HasMorePages() && pages < 10; pages++ {
			page := must[*iam.ListGroupsForUserOutput](t)(pager.NextPage(ctx))
			seen = append(seen, groupNamesOf(page.Groups))
		}
		if strings.Join(seen, "|") != "Developers|Ops" {
			t.Fatalf("ListGroupsForUser paginator pages %v", seen)
		}
		_, err := c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("ghost")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name ghost cannot be found.")
	})

	t.Run("ListGroups", func(t *testing.T) {
		for _, g := range []struct{ name, path string }{{"Analysts", "/eng/data/"}, {"Billing", "/finance/"}, {"Zeta", "/eng/"}} {
			must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(g.name), Path: aws.String(g.path)}))
		}
		all := must[*iam.ListGroupsOutput](t)(c.ListGroups(ctx, &iam.ListGroupsInput{}))
		if groupNamesOf(all.Groups) != "Analysts,Billing,Developers,Ops,Zeta" || all.IsTruncated || all.Marker != nil {
			t.Fatalf("ListGroups: %s (truncated %v)", groupNamesOf(all.Groups), all.IsTruncated)
		}
		for _, g := range all.Groups {
			if !groupIDPattern.MatchString(aws.ToString(g.GroupId)) || aws.ToString(g.Arn) != iamARN("group"+aws.ToString(g.Path)+aws.ToString(g.GroupName)) || g.CreateDate == nil {
				t.Fatalf("listed group %+v", g)
			}
		}
		for prefix, want := range map[string]string{"/eng/": "Analysts,Developers,Zeta", "/eng/data/": "Analysts", "/": "Analysts,Billing,Developers,Ops,Zeta", "/none/": ""} {
			got := must[*iam.ListGroupsOutput](t)(c.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String(prefix)}))
			if groupNamesOf(got.Groups) != want {
				t.Fatalf("PathPrefix %s: %s, want %s", prefix, groupNamesOf(got.Groups), want)
			}
		}
		pager := iam.NewListGroupsPaginator(c, &iam.ListGroupsInput{MaxItems: aws.Int32(2)})
		var pages []string
		for pager.HasMorePages() && len(pages) < 10 {
			page := must[*iam.ListGroupsOutput](t)(pager.NextPage(ctx))
			pages = append(pages, groupNamesOf(page.Groups))
		}
		if strings.Join(pages, "|") != "Analysts,Billing|Developers,Ops|Zeta" {
			t.Fatalf("ListGroups paginator pages %v", pages)
		}
		_, err := c.ListGroups(ctx, &iam.ListGroupsInput{MaxItems: aws.Int32(0)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"),
			"1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")
	})

	t.Run("UpdateGroup", func(t *testing.T) {
		must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Interns")}))
		must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("Interns"), UserName: aws.String("dave")}))
		before := must[*iam.GetGroupOutput](t)(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Interns")})).Group
		must[*iam.UpdateGroupOutput](t)(c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("Interns"), NewGroupName: aws.String("Juniors"), NewPath: aws.String("/people/")}))

		got := must[*iam.GetGroupOutput](t)(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Juniors")}))
		if aws.ToString(got.Group.Arn) != iamARN("group/people/Juniors") || aws.ToString(got.Group.Path) != "/people/" ||
			aws.ToString(got.Group.GroupId) != aws.ToString(before.GroupId) || !got.Group.CreateDate.Equal(*before.CreateDate) {
			t.Fatalf("after UpdateGroup: %+v (before %+v)", got.Group, before)
		}
		if userNamesOf(got.Users) != "dave" {
			t.Fatalf("members after the rename: %s", userNamesOf(got.Users))
		}
		groups := must[*iam.ListGroupsForUserOutput](t)(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("dave")}))
		if groupNamesOf(groups.Groups) != "Juniors" {
			t.Fatalf("dave's groups after the rename: %s", groupNamesOf(groups.Groups))
		}
		_, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Interns")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group with name Interns cannot be found.")

		// The path alone.
		must[*iam.UpdateGroupOutput](t)(c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("Juniors"), NewPath: aws.String("/")}))
		if g := must[*iam.GetGroupOutput](t)(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Juniors")})).Group; aws.ToString(g.Arn) != iamARN("group/Juniors") {
			t.Fatalf("after the path change: %q", aws.ToString(g.Arn))
		}

		_, err = c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("Juniors"), NewGroupName: aws.String("OPS")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "EntityAlreadyExists"), "Group with name OPS already exists.")
		_, err = c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("Ghosts"), NewGroupName: aws.String("x")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group with name Ghosts cannot be found.")
	})

	t.Run("GroupInlinePolicies", func(t *testing.T) {
		doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"iam:ListUsers\", \"Resource\": \"*\"}\n  ]\n}\n"
		must[*iam.PutGroupPolicyOutput](t)(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("Ops"), PolicyName: aws.String("list"), PolicyDocument: aws.String(doc)}))
		must[*iam.PutGroupPolicyOutput](t)(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("audit"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}}`)}))

		got := must[*iam.GetGroupPolicyOutput](t)(c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("OPS"), PolicyName: aws.String("LIST")}))
		if aws.ToString(got.GroupName) != "Ops" || aws.ToString(got.PolicyName) != "list" {
			t.Fatalf("GetGroupPolicy names: %q %q", aws.ToString(got.GroupName), aws.ToString(got.PolicyName))
		}
		if d := decodedDocument(t, got.PolicyDocument); d != doc {
			t.Fatalf("document came back as %q, want %q", d, doc)
		}
		names := must[*iam.ListGroupPoliciesOutput](t)(c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("Ops")}))
		if strings.Join(names.PolicyNames, ",") != "audit,list" || names.IsTruncated {
			t.Fatalf("ListGroupPolicies: %v (truncated %v)", names.PolicyNames, names.IsTruncated)
		}
		pager := iam.NewListGroupPoliciesPaginator(c, &iam.ListGroupPoliciesInput{GroupName: aws.String("Ops"), MaxItems: aws.Int32(1)})
		var seen []string
		for pager.HasMorePages() && len(seen) < 10 {
			seen = append(seen, must[*iam.ListGroupPoliciesOutput](t)(pager.NextPage(ctx)).PolicyNames...)
		}
		if strings.Join(seen, ",") != "audit,list" {
			t.Fatalf("ListGroupPolicies paginator saw %v", seen)
		}

		_, err := c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("Ops"), PolicyName: aws.String("nope")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group policy with name nope cannot be found.")
		_, err = c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("Ghosts"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group with name Ghosts cannot be found.")
		_, err = c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("Ops"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":`)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "MalformedPolicyDocument"), "Syntax errors in policy.")
		_, err = c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("Ghosts")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group with name Ghosts cannot be found.")

		must[*iam.DeleteGroupPolicyOutput](t)(c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("Ops"), PolicyName: aws.String("audit")}))
		_, err = c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("Ops"), PolicyName: aws.String("audit")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group policy with name audit cannot be found.")
		names = must[*iam.ListGroupPoliciesOutput](t)(c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("Ops")}))
		if strings.Join(names.PolicyNames, ",") != "list" {
			t.Fatalf("after DeleteGroupPolicy: %v", names.PolicyNames)
		}
		must[*iam.DeleteGroupPolicyOutput](t)(c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("Ops"), PolicyName: aws.String("list")}))
	})

	t.Run("RemoveUserFromGroup", func(t *testing.T) {
		must[*iam.RemoveUserFromGroupOutput](t)(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("developers"), UserName: aws.String("BOB")}))
		got := must[*iam.GetGroupOutput](t)(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Developers")}))
		if userNamesOf(got.Users) != "alice,carol" {
			t.Fatalf("members after removing bob: %s", userNamesOf(got.Users))
		}
		// bob is no member any more.
		_, err := c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("Developers"), UserName: aws.String("bob")})
		wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
		_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("Developers"), UserName: aws.String("ghost")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name ghost cannot be found.")
		_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("Ghosts"), UserName: aws.String("bob")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group with name Ghosts cannot be found.")
	})

	t.Run("DeleteGroup", func(t *testing.T) {
		must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Doomed")}))
		must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("Doomed"), UserName: aws.String("dave")}))
		_, err := c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("Doomed")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete entity, must remove users from group first.")
		must[*iam.RemoveUserFromGroupOutput](t)(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("Doomed"), UserName: aws.String("dave")}))

		must[*iam.PutGroupPolicyOutput](t)(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("Doomed"), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}`)}))
		_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("Doomed")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete entity, must delete policies first.")
		must[*iam.DeleteGroupPolicyOutput](t)(c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("Doomed"), PolicyName: aws.String("p")}))

		readOnly := "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
		must[*iam.AttachGroupPolicyOutput](t)(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("Doomed"), PolicyArn: aws.String(readOnly)}))
		_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("Doomed")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete entity, must detach all policies first.")
		must[*iam.DetachGroupPolicyOutput](t)(c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("Doomed"), PolicyArn: aws.String(readOnly)}))

		must[*iam.DeleteGroupOutput](t)(c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("doomed")}))
		_, err = c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Doomed")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group with name Doomed cannot be found.")
		_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("Doomed")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group with name Doomed cannot be found.")
		// The name is free again.
		again := must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Doomed")}))
		must[*iam.DeleteGroupOutput](t)(c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: again.Group.GroupName}))
	})

	t.Run("DeleteUserConflicts", func(t *testing.T) {
		must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("leaver")}))
		must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("Ops"), UserName: aws.String("leaver")}))
		_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("leaver")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete entity, must remove users from group first.")
		must[*iam.RemoveUserFromGroupOutput](t)(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("Ops"), UserName: aws.String("leaver")}))

		admin := "arn:aws:iam::aws:policy/AdministratorAccess"
		must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("leaver"), PolicyArn: aws.String(admin)}))
		_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("leaver")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete entity, must detach all policies first.")
		must[*iam.DetachUserPolicyOutput](t)(c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("leaver"), PolicyArn: aws.String(admin)}))

		must[*iam.DeleteUserOutput](t)(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("leaver")}))
		got := must[*iam.GetGroupOutput](t)(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Ops")}))
		if strings.Contains(userNamesOf(got.Users), "leaver") {
			t.Fatalf("the deleted user is still a member: %s", userNamesOf(got.Users))
		}
	})
}

// TestGoSDKGroupQuotas: 10 groups per user, 300 per account, 5,120
// characters of inline policy per group (white space not counted).
func TestGoSDKGroupQuotas(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("joiner")}))

	t.Run("GroupsPerUser", func(t *testing.T) {
		for i := range 11 {
			must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(fmt.Sprintf("g%02d", i))}))
		}
		for i := range 10 {
			must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String(fmt.Sprintf("g%02d", i)), UserName: aws.String("joiner")}))
		}
		// Adding to a group the user is in already is no new membership.
		must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g03"), UserName: aws.String("joiner")}))
		_, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g10"), UserName: aws.String("joiner")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for GroupsPerUser: 10")
		groups := must[*iam.ListGroupsForUserOutput](t)(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("joiner")}))
		if len(groups.Groups) != 10 || strings.Contains(groupNamesOf(groups.Groups), "g10") {
			t.Fatalf("joiner's groups after the refusal: %s", groupNamesOf(groups.Groups))
		}
		// Leaving one frees a place.
		must[*iam.RemoveUserFromGroupOutput](t)(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("g00"), UserName: aws.String("joiner")}))
		must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g10"), UserName: aws.String("joiner")}))
	})

	t.Run("GroupPolicySize", func(t *testing.T) {
		must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Sized")}))
		put := func(name, doc string) error {
			_, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("Sized"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
			return err
		}
		// White space is not counted: 5,000 characters spread out.
		spread := strings.ReplaceAll(sizedDocument(t, 5000), ",", ",\n    ")
		if err := put("big", spread); err != nil {
			t.Fatal(err)
		}
		if err := put("rest", sizedDocument(t, 120)); err != nil { // 5,120 in all: at the quota
			t.Fatalf("5,120 characters in all: %v", err)
		}
		msg := wantAPIError(t, put("rest", sizedDocument(t, 121)), http.StatusConflict, "LimitExceeded")
		wantMessage(t, msg, "Maximum policy size of 5120 bytes exceeded for group Sized")
		// The refused put left the old document.
		got := must[*iam.GetGroupPolicyOutput](t)(c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("Sized"), PolicyName: aws.String("rest")}))
		if decodedDocument(t, got.PolicyDocument) != sizedDocument(t, 120) {
			t.Fatal("the refused put replaced the document")
		}
		// A group's quota is not a user's: 5,120 is more than 2,048.
		wantAPIError(t, put("third", sizedDocument(t, 200)), http.StatusConflict, "LimitExceeded")
	})

	t.Run("GroupsPerAccount", func(t *testing.T) {
		have := len(must[*iam.ListGroupsOutput](t)(c.ListGroups(ctx, &iam.ListGroupsInput{MaxItems: aws.Int32(1000)})).Groups)
		var wg sync.WaitGroup
		errs := make(chan error, 300)
		next := make(chan int)
		for range 4 {
			wg.Go(func() {
				for i := range next {
					if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(fmt.Sprintf("fill%03d", i))}); err != nil {
						errs <- err
					}
				}
			})
		}
		for i := have; i < 300; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		_, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("one-too-many")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for GroupsPerAccount: 300")

		// 300 groups, paged by the SDK's paginator at its largest page.
		pager := iam.NewListGroupsPaginator(c, &iam.ListGroupsInput{MaxItems: aws.Int32(1000)})
		n, pages := 0, 0
		for pager.HasMorePages() && pages < 10 {
			n += len(must[*iam.ListGroupsOutput](t)(pager.NextPage(ctx)).Groups)
			pages++
		}
		if n != 300 || pages != 1 {
			t.Fatalf("ListGroups saw %d groups in %d pages", n, pages)
		}
		sum := must[*iam.GetAccountSummaryOutput](t)(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}))
		if sum.SummaryMap["Groups"] != 300 || sum.SummaryMap["GroupsQuota"] != 300 {
			t.Fatalf("GetAccountSummary Groups %d GroupsQuota %d", sum.SummaryMap["Groups"], sum.SummaryMap["GroupsQuota"])
		}
		// Deleting one frees a place.
		must[*iam.DeleteGroupOutput](t)(c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("fill299")}))
		must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("one-too-many")}))
	})
}

// TestGoSDKGroupPermissions: a member may do exactly what its groups'
// inline and attached policies allow, changes take effect at once, and an
// explicit Deny anywhere wins.
func TestGoSDKGroupPermissions(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	dev := newUserWithKey(t, s, "dev")
	dc := s.GoIAM(dev)
	devARN := iamARN("user/dev")
	must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Readers")}))
	must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("Readers"), UserName: aws.String("dev")}))
	const readOnly = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"

	listUsers := func() error { _, err := dc.ListUsers(ctx, &iam.ListUsersInput{}); return err }
	createUser := func(name string) error {
		_, err := dc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
		return err
	}

	t.Run("NothingYet", func(t *testing.T) {
		wantDenied(t, listUsers(), devARN, "iam:ListUsers")
	})

	t.Run("AWSManagedPolicyOnGroup", func(t *testing.T) {
		must[*iam.AttachGroupPolicyOutput](t)(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("Readers"), PolicyArn: aws.String(readOnly)}))
		if err := listUsers(); err != nil {
			t.Fatalf("ListUsers with IAMReadOnlyAccess through a group: %v", err)
		}
		g := must[*iam.GetGroupOutput](t)(dc.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("Readers")}))
		if userNamesOf(g.Users) != "dev" {
			t.Fatalf("GetGroup as dev: %s", userNamesOf(g.Users))
		}
		must[*iam.ListAttachedGroupPoliciesOutput](t)(dc.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("Readers")}))
		must[*iam.SimulatePrincipalPolicyOutput](t)(dc.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(devARN), ActionNames: []string{"iam:ListUsers"}}))
		if resource := wantDenied(t, createUser("x"), devARN, "iam:CreateUser"); !strings.Contains(resource, "x") {
			t.Fatalf("the denial names %q, not the user x", resource)
		}
		wantDenied(t, func() error {
			_, err := dc.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Mine")})
			return err
		}(), devARN, "iam:CreateGroup")
		wantDenied(t, func() error {
			_, err := dc.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
			return err
		}(), devARN, "iam:AttachUserPolicy")
	})

	t.Run("DetachTakesEffectAtOnce", func(t *testing.T) {
		must[*iam.DetachGroupPolicyOutput](t)(c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("Readers"), PolicyArn: aws.String(readOnly)}))
		wantDenied(t, listUsers(), devARN, "iam:ListUsers")
		_, err := c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("Readers"), PolicyArn: aws.String(readOnly)})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+readOnly+" was not found.")
	})

	t.Run("GroupInlinePolicy", func(t *testing.T) {
		must[*iam.PutGroupPolicyOutput](t)(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("Readers"), PolicyName: aws.String("list"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}}`)}))
		if err := listUsers(); err != nil {
			t.Fatalf("ListUsers with a group inline policy: %v", err)
		}
		wantDenied(t, createUser("x"), devARN, "iam:CreateUser")
		must[*iam.DeleteGroupPolicyOutput](t)(c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("Readers"), PolicyName: aws.String("list")}))
		wantDenied(t, listUsers(), devARN, "iam:ListUsers")
	})

	t.Run("LeavingTheGroup", func(t *testing.T) {
		must[*iam.AttachGroupPolicyOutput](t)(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("Readers"), PolicyArn: aws.String(readOnly)}))
		if err := listUsers(); err != nil {
			t.Fatal(err)
		}
		must[*iam.RemoveUserFromGroupOutput](t)(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("Readers"), UserName: aws.String("dev")}))
		wantDenied(t, listUsers(), devARN, "iam:ListUsers")
		must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("Readers"), UserName: aws.String("dev")}))
		if err := listUsers(); err != nil {
			t.Fatalf("after joining again: %v", err)
		}
		must[*iam.DetachGroupPolicyOutput](t)(c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("Readers"), PolicyArn: aws.String(readOnly)}))
	})

	t.Run("GroupDenyBeatsUserManagedAllow", func(t *testing.T) {
		p := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("AllIAM"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`)})).Policy
		must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: p.Arn}))
		if err := createUser("made-by-dev"); err != nil {
			t.Fatalf("CreateUser with iam:* attached: %v", err)
		}
		must[*iam.PutGroupPolicyOutput](t)(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("Readers"), PolicyName: aws.String("no-create"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}}`)}))
		msg := wantAPIError(t, createUser("second"), http.StatusForbidden, "AccessDenied")
		prefix := "User: " + devARN + " is not authorized to perform: iam:CreateUser on resource: "
		if !strings.HasPrefix(msg, prefix) || !strings.HasSuffix(msg, "second with an explicit deny in an identity-based policy") {
			t.Fatalf("AccessDenied %q\nwant %q…second with an explicit deny in an identity-based policy", msg, prefix)
		}
		// The Deny covers CreateUser only.
		if err := listUsers(); err != nil {
			t.Fatalf("ListUsers beside the Deny: %v", err)
		}
		// Out of the group, the Deny no longer applies.
		must[*iam.RemoveUserFromGroupOutput](t)(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("Readers"), UserName: aws.String("dev")}))
		if err := createUser("third"); err != nil {
			t.Fatalf("CreateUser out of the denying group: %v", err)
		}
	})
}
