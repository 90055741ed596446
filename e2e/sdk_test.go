package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// The aws-sdk-go-v2 suite: every served action through the real SDK, with
// the exact values and errors AWS gives.

const rootARN = "arn:aws:iam::123456789012:root"

func TestGoSDKUsers(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)

	created := must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{
		UserName: aws.String("loadbalancer"), Path: aws.String("/system/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("edge")}},
	}))
	u := created.User
	if aws.ToString(u.Arn) != "arn:aws:iam::123456789012:user/system/loadbalancer" || aws.ToString(u.Path) != "/system/" || aws.ToString(u.UserName) != "loadbalancer" {
		t.Fatalf("created user: arn %q path %q name %q", aws.ToString(u.Arn), aws.ToString(u.Path), aws.ToString(u.UserName))
	}
	if !userIDPattern.MatchString(aws.ToString(u.UserId)) {
		t.Fatalf("user id %q does not match %s", aws.ToString(u.UserId), userIDPattern)
	}
	wantRecent(t, "CreateUser CreateDate", u.CreateDate)
	if len(u.Tags) != 1 || aws.ToString(u.Tags[0].Key) != "team" || aws.ToString(u.Tags[0].Value) != "edge" {
		t.Fatalf("CreateUser tags %+v", u.Tags)
	}

	t.Run("GetUser", func(t *testing.T) {
		got := must[*iam.GetUserOutput](t)(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("loadbalancer")}))
		g := got.User
		if aws.ToString(g.UserId) != aws.ToString(u.UserId) || aws.ToString(g.Arn) != aws.ToString(u.Arn) || !g.CreateDate.Equal(*u.CreateDate) {
			t.Fatalf("GetUser: %+v", g)
		}
		if len(g.Tags) != 1 || aws.ToString(g.Tags[0].Key) != "team" {
			t.Fatalf("GetUser tags %+v", g.Tags)
		}
		// IAM names are unique ignoring case, and found ignoring case.
		other := must[*iam.GetUserOutput](t)(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("LOADBALANCER")}))
		if aws.ToString(other.User.UserName) != "loadbalancer" {
			t.Fatalf("GetUser LOADBALANCER: %q", aws.ToString(other.User.UserName))
		}
	})

	t.Run("GetUserNoSuchEntity", func(t *testing.T) {
		_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Bob")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name Bob cannot be found.")
	})

	t.Run("GetUserAsRoot", func(t *testing.T) {
		root := must[*iam.GetUserOutput](t)(c.GetUser(ctx, &iam.GetUserInput{}))
		if aws.ToString(root.User.UserId) != e2etest.AccountID || aws.ToString(root.User.Arn) != rootARN {
			t.Fatalf("GetUser as root: UserId %q Arn %q", aws.ToString(root.User.UserId), aws.ToString(root.User.Arn))
		}
		if root.User.CreateDate == nil {
			t.Fatal("GetUser as root: no CreateDate")
		}
	})

	t.Run("CreateUserErrors", func(t *testing.T) {
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("LoadBalancer")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "EntityAlreadyExists"), "User with name LoadBalancer already exists.")

		_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name!")})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"),
			`1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)

		long := strings.Repeat("a", 65)
		_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(long)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"),
			"1 validation error detected: Value '"+long+"' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64")

		_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x"), Path: aws.String("no-slashes")})
		msg := wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
		if !strings.HasPrefix(msg, "1 validation error detected: Value 'no-slashes' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: ") {
			t.Fatalf("message %q", msg)
		}
	})

	t.Run("Tags", func(t *testing.T) {
		must[*iam.TagUserOutput](t)(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("loadbalancer"), Tags: []types.Tag{
			{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("owner"), Value: aws.String("ops")}}}))
		// A key that differs only in case replaces the existing tag.
		must[*iam.TagUserOutput](t)(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("loadbalancer"), Tags: []types.Tag{
			{Key: aws.String("TEAM"), Value: aws.String("core")}}}))
		must[*iam.UntagUserOutput](t)(c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("loadbalancer"), TagKeys: []string{"env", "absent"}}))
		tags := must[*iam.ListUserTagsOutput](t)(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("loadbalancer")}))
		got := map[string]string{}
		for _, tag := range tags.Tags {
			got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		if len(got) != 2 || got["TEAM"] != "core" || got["owner"] != "ops" || tags.IsTruncated {
			t.Fatalf("tags after tag/untag: %v (truncated %v)", got, tags.IsTruncated)
		}
		_, err := c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("Bob")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name Bob cannot be found.")
		_, err = c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("Bob"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
	})

	t.Run("UpdateUser", func(t *testing.T) {
		must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("old")}))
		must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("taken")}))
		key := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("old")}))
		must[*iam.UpdateUserOutput](t)(c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("old"), NewUserName: aws.String("renamed"), NewPath: aws.String("/new/")}))

		got := must[*iam.GetUserOutput](t)(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("renamed")}))
		if aws.ToString(got.User.Arn) != "arn:aws:iam::123456789012:user/new/renamed" || aws.ToString(got.User.Path) != "/new/" {
			t.Fatalf("after rename: arn %q path %q", aws.ToString(got.User.Arn), aws.ToString(got.User.Path))
		}
		_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("old")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name old cannot be found.")

		// The key follows the user.
		keys := must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("renamed")}))
		if len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].UserName) != "renamed" {
			t.Fatalf("keys after rename: %+v", keys.AccessKeyMetadata)
		}
		creds := e2etest.Creds{KeyID: aws.ToString(key.AccessKey.AccessKeyId), Secret: aws.ToString(key.AccessKey.SecretAccessKey)}
		id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		if aws.ToString(id.Arn) != "arn:aws:iam::123456789012:user/new/renamed" {
			t.Fatalf("caller after rename: %q", aws.ToString(id.Arn))
		}

		_, err = c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("renamed"), NewUserName: aws.String("TAKEN")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "EntityAlreadyExists"), "User with name TAKEN already exists.")
		_, err = c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("ghost"), NewUserName: aws.String("x")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name ghost cannot be found.")
	})

	t.Run("DeleteUser", func(t *testing.T) {
		must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("doomed")}))
		key := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("doomed")}))
		_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("doomed")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete entity, must delete access keys first.")

		must[*iam.DeleteAccessKeyOutput](t)(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("doomed"), AccessKeyId: key.AccessKey.AccessKeyId}))
		must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("doomed"), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)}))
		_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("doomed")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete entity, must delete policies first.")

		must[*iam.DeleteUserPolicyOutput](t)(c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("doomed"), PolicyName: aws.String("p")}))
		must[*iam.DeleteUserOutput](t)(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("doomed")}))
		_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("doomed")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name doomed cannot be found.")
		_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("doomed")})
		wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
	})
}

// TestGoSDKListUsers pages through 5 users two at a time, and filters by
// path prefix.
func TestGoSDKListUsers(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	for i, path := range []string{"/a/", "/b/", "/a/", "/b/", "/a/x/"} {
		must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("user%d", i)), Path: aws.String(path)}))
	}

	list := func(t *testing.T, prefix *string, maxItems int32) (names []string, pages []int) {
		t.Helper()
		var marker *string
		for len(pages) < 10 {
			out := must[*iam.ListUsersOutput](t)(c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: prefix, MaxItems: aws.Int32(maxItems), Marker: marker}))
			pages = append(pages, len(out.Users))
			for _, u := range out.Users {
				names = append(names, aws.ToString(u.UserName))
				if len(u.Tags) != 0 {
					t.Fatalf("ListUsers returned tags (AWS does not): %+v", u.Tags)
				}
				if !userIDPattern.MatchString(aws.ToString(u.UserId)) || u.CreateDate == nil {
					t.Fatalf("listed user %+v", u)
				}
			}
			if !out.IsTruncated {
				if out.Marker != nil {
					t.Fatalf("marker %q on the last page", *out.Marker)
				}
				return names, pages
			}
			if out.Marker == nil || *out.Marker == "" {
				t.Fatal("IsTruncated without a Marker")
			}
			marker = out.Marker
		}
		t.Fatal("more than 10 pages")
		return nil, nil
	}

	t.Run("MaxItems2", func(t *testing.T) {
		names, pages := list(t, nil, 2)
		if fmt.Sprint(pages) != "[2 2 1]" || strings.Join(names, ",") != "user0,user1,user2,user3,user4" {
			t.Fatalf("pages %v, names %v", pages, names)
		}
	})
	t.Run("PathPrefix", func(t *testing.T) {
		names, pages := list(t, aws.String("/a/"), 2)
		if fmt.Sprint(pages) != "[2 1]" || strings.Join(names, ",") != "user0,user2,user4" {
			t.Fatalf("/a/: pages %v, names %v", pages, names)
		}
		names, _ = list(t, aws.String("/b/"), 100)
		if strings.Join(names, ",") != "user1,user3" {
			t.Fatalf("/b/: %v", names)
		}
		names, _ = list(t, aws.String("/c/"), 100)
		if len(names) != 0 {
			t.Fatalf("/c/: %v", names)
		}
	})
	t.Run("Paginator", func(t *testing.T) {
		p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{MaxItems: aws.Int32(2)})
		n := 0
		for p.HasMorePages() {
			page := must[*iam.ListUsersOutput](t)(p.NextPage(ctx))
			n += len(page.Users)
		}
		if n != 5 {
			t.Fatalf("paginator saw %d users", n)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		_, err := c.ListUsers(ctx, &iam.ListUsersInput{Marker: aws.String("forged")})
		wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
		_, err = c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1001)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"),
			"1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")
	})
}

func TestGoSDKAccessKeys(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Bob")}))

	first := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Bob")})).AccessKey
	bob := e2etest.Creds{KeyID: aws.ToString(first.AccessKeyId), Secret: aws.ToString(first.SecretAccessKey)}
	if !keyIDPattern.MatchString(bob.KeyID) || len(bob.Secret) != 40 {
		t.Fatalf("key id %q, secret of %d characters", bob.KeyID, len(bob.Secret))
	}
	if aws.ToString(first.UserName) != "Bob" || first.Status != types.StatusTypeActive {
		t.Fatalf("CreateAccessKey: user %q status %q", aws.ToString(first.UserName), first.Status)
	}
	wantRecent(t, "CreateAccessKey CreateDate", first.CreateDate)

	// The user name is found ignoring case, and the key carries the stored name.
	second := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
	if aws.ToString(second.UserName) != "Bob" || aws.ToString(second.AccessKeyId) == bob.KeyID || aws.ToString(second.SecretAccessKey) == bob.Secret {
		t.Fatalf("second key: %+v", second)
	}

	t.Run("ThirdKeyLimitExceeded", func(t *testing.T) {
		_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Bob")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for AccessKeysPerUser: 2")
	})

	t.Run("UnknownUser", func(t *testing.T) {
		_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name nobody cannot be found.")
		_, err = c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("nobody")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name nobody cannot be found.")
	})

	t.Run("ListAccessKeysPaging", func(t *testing.T) {
		p1 := must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("Bob"), MaxItems: aws.Int32(1)}))
		if len(p1.AccessKeyMetadata) != 1 || !p1.IsTruncated || aws.ToString(p1.Marker) == "" {
			t.Fatalf("page 1: %d keys, truncated %v, marker %q", len(p1.AccessKeyMetadata), p1.IsTruncated, aws.ToString(p1.Marker))
		}
		p2 := must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("Bob"), MaxItems: aws.Int32(1), Marker: p1.Marker}))
		if len(p2.AccessKeyMetadata) != 1 || p2.IsTruncated || p2.Marker != nil {
			t.Fatalf("page 2: %d keys, truncated %v, marker %v", len(p2.AccessKeyMetadata), p2.IsTruncated, p2.Marker)
		}
		got := []string{aws.ToString(p1.AccessKeyMetadata[0].AccessKeyId), aws.ToString(p2.AccessKeyMetadata[0].AccessKeyId)}
		if got[0] == got[1] || (got[0] != bob.KeyID && got[1] != bob.KeyID) || (got[0] != aws.ToString(second.AccessKeyId) && got[1] != aws.ToString(second.AccessKeyId)) {
			t.Fatalf("pages hold %v, want both keys once", got)
		}
		all := must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("Bob")}))
		for _, m := range all.AccessKeyMetadata {
			if aws.ToString(m.UserName) != "Bob" || m.Status != types.StatusTypeActive {
				t.Fatalf("metadata %+v", m)
			}
			wantRecent(t, "ListAccessKeys CreateDate", m.CreateDate)
		}
	})

	t.Run("UpdateAccessKey", func(t *testing.T) {
		id := second.AccessKeyId
		must[*iam.UpdateAccessKeyOutput](t)(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("Bob"), AccessKeyId: id, Status: types.StatusTypeInactive}))
		all := must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("Bob")}))
		for _, m := range all.AccessKeyMetadata {
			want := types.StatusTypeActive
			if aws.ToString(m.AccessKeyId) == aws.ToString(id) {
				want = types.StatusTypeInactive
			}
			if m.Status != want {
				t.Fatalf("%s is %s, want %s", aws.ToString(m.AccessKeyId), m.Status, want)
			}
		}
		// An inactive key still counts against the quota.
		_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Bob")})
		wantAPIError(t, err, http.StatusConflict, "LimitExceeded")
		must[*iam.UpdateAccessKeyOutput](t)(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("Bob"), AccessKeyId: id, Status: types.StatusTypeActive}))

		_, err = c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("Bob"), AccessKeyId: id, Status: "Disabled"})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"),
			"1 validation error detected: Value 'Disabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]")
		_, err = c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("Bob"), AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA"), Status: types.StatusTypeInactive})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.")
	})

	t.Run("DeleteAccessKey", func(t *testing.T) {
		id := second.AccessKeyId
		must[*iam.DeleteAccessKeyOutput](t)(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("Bob"), AccessKeyId: id}))
		_, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("Bob"), AccessKeyId: id})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The Access Key with id "+aws.ToString(id)+" cannot be found.")
		all := must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("Bob")}))
		if len(all.AccessKeyMetadata) != 1 || aws.ToString(all.AccessKeyMetadata[0].AccessKeyId) != bob.KeyID {
			t.Fatalf("after delete: %+v", all.AccessKeyMetadata)
		}
		// The quota frees up.
		again := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Bob")}))
		must[*iam.DeleteAccessKeyOutput](t)(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("Bob"), AccessKeyId: again.AccessKey.AccessKeyId}))
	})

	t.Run("RootKeys", func(t *testing.T) {
		// The root has its bootstrap key: one more, then LimitExceeded.
		k := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})).AccessKey
		if u := aws.ToString(k.UserName); u != "" {
			t.Fatalf("root key has user name %q", u)
		}
		if !keyIDPattern.MatchString(aws.ToString(k.AccessKeyId)) || len(aws.ToString(k.SecretAccessKey)) != 40 || k.Status != types.StatusTypeActive {
			t.Fatalf("root key %q status %q", aws.ToString(k.AccessKeyId), k.Status)
		}
		_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for AccessKeysPerUser: 2")

		list := must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))
		ids := map[string]bool{}
		for _, m := range list.AccessKeyMetadata {
			ids[aws.ToString(m.AccessKeyId)] = true
		}
		if len(ids) != 2 || !ids[e2etest.RootKeyID] || !ids[aws.ToString(k.AccessKeyId)] {
			t.Fatalf("root keys: %v", ids)
		}
		root2 := e2etest.Creds{KeyID: aws.ToString(k.AccessKeyId), Secret: aws.ToString(k.SecretAccessKey)}
		id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(root2).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		if aws.ToString(id.Arn) != rootARN || aws.ToString(id.UserId) != e2etest.AccountID || aws.ToString(id.Account) != e2etest.AccountID {
			t.Fatalf("new root key identity: %+v", id)
		}
		must[*iam.DeleteAccessKeyOutput](t)(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: k.AccessKeyId}))
		_, err = s.GoSTS(root2).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantAPIError(t, err, http.StatusForbidden, "InvalidClientTokenId")
	})

	t.Run("LastUsed", func(t *testing.T) {
		must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Carol")}))
		k := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Carol")}))
		lu := must[*iam.GetAccessKeyLastUsedOutput](t)(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKey.AccessKeyId}))
		if aws.ToString(lu.UserName) != "Carol" || lu.AccessKeyLastUsed == nil {
			t.Fatalf("never used: user %q, %+v", aws.ToString(lu.UserName), lu.AccessKeyLastUsed)
		}
		if l := lu.AccessKeyLastUsed; aws.ToString(l.ServiceName) != "N/A" || aws.ToString(l.Region) != "N/A" || l.LastUsedDate != nil {
			t.Fatalf("never used: service %q region %q date %v", aws.ToString(l.ServiceName), aws.ToString(l.Region), l.LastUsedDate)
		}
		carol := e2etest.Creds{KeyID: aws.ToString(k.AccessKey.AccessKeyId), Secret: aws.ToString(k.AccessKey.SecretAccessKey)}
		must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(carol, "eu-west-1").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		lu = must[*iam.GetAccessKeyLastUsedOutput](t)(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKey.AccessKeyId}))
		if l := lu.AccessKeyLastUsed; aws.ToString(l.ServiceName) != "sts" || aws.ToString(l.Region) != "eu-west-1" {
			t.Fatalf("after use: service %q region %q", aws.ToString(l.ServiceName), aws.ToString(l.Region))
		}
		wantRecent(t, "LastUsedDate", lu.AccessKeyLastUsed.LastUsedDate)

		_, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA")})
		if code, _ := apiCode(t, err); code != "NoSuchEntity" && code != "AccessDenied" {
			t.Fatalf("last used of an unknown key: %v", err)
		}
	})
}

// TestGoSDKSelfService: a user with a policy allowing iam:CreateAccessKey on
// its own ARN creates keys for itself without naming itself, as the JS SDK
// guide's example does; without a policy it may do nothing.
func TestGoSDKSelfService(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	bob := newUserWithKey(t, s, "Bob")
	must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Alice")}))
	bc := s.GoIAM(bob)

	t.Run("NoPolicyAccessDenied", func(t *testing.T) {
		_, err := bc.ListUsers(ctx, &iam.ListUsersInput{})
		wantDenied(t, err, "arn:aws:iam::123456789012:user/Bob", "iam:ListUsers")
		_, err = bc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
		wantDenied(t, err, "arn:aws:iam::123456789012:user/Bob", "iam:CreateAccessKey")
		_, err = bc.GetUser(ctx, &iam.GetUserInput{})
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		// STS GetCallerIdentity needs no permission.
		id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		if aws.ToString(id.Arn) != "arn:aws:iam::123456789012:user/Bob" {
			t.Fatalf("Bob's identity %+v", id)
		}
	})

	must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("Bob"), PolicyName: aws.String("self"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateAccessKey","iam:ListAccessKeys","iam:GetUser"],"Resource":"arn:aws:iam::123456789012:user/Bob"}]}`)}))

	t.Run("CreateAccessKeyForItself", func(t *testing.T) {
		k := must[*iam.CreateAccessKeyOutput](t)(bc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})).AccessKey
		if aws.ToString(k.UserName) != "Bob" || !keyIDPattern.MatchString(aws.ToString(k.AccessKeyId)) {
			t.Fatalf("key Bob made for himself: user %q id %q", aws.ToString(k.UserName), aws.ToString(k.AccessKeyId))
		}
		keys := must[*iam.ListAccessKeysOutput](t)(bc.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))
		if len(keys.AccessKeyMetadata) != 2 {
			t.Fatalf("Bob lists %d keys of his own", len(keys.AccessKeyMetadata))
		}
		id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(e2etest.Creds{KeyID: aws.ToString(k.AccessKeyId), Secret: aws.ToString(k.SecretAccessKey)}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		if aws.ToString(id.Arn) != "arn:aws:iam::123456789012:user/Bob" {
			t.Fatalf("new key's identity %q", aws.ToString(id.Arn))
		}
		_, err := bc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
		wantAPIError(t, err, http.StatusConflict, "LimitExceeded")
	})

	t.Run("GetUserWithoutName", func(t *testing.T) {
		me := must[*iam.GetUserOutput](t)(bc.GetUser(ctx, &iam.GetUserInput{}))
		if aws.ToString(me.User.UserName) != "Bob" || aws.ToString(me.User.Arn) != "arn:aws:iam::123456789012:user/Bob" || !userIDPattern.MatchString(aws.ToString(me.User.UserId)) {
			t.Fatalf("GetUser as Bob: %+v", me.User)
		}
	})

	t.Run("OtherUsersDenied", func(t *testing.T) {
		_, err := bc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Alice")})
		if msg := wantDenied(t, err, "arn:aws:iam::123456789012:user/Bob", "iam:CreateAccessKey"); !strings.Contains(msg, "Alice") {
			t.Fatalf("the message does not name the resource, Alice: %q", msg)
		}
		_, err = bc.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Alice")})
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		_, err = bc.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(bob.KeyID)})
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
	})
}

// TestGoSDKAuthErrors: unknown keys, wrong secrets, as AWS words them.
func TestGoSDKAuthErrors(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	bob := newUserWithKey(t, s, "Bob")
	unknown := e2etest.Creds{KeyID: "AKIAZZZZZZZZZZZZZZZZ", Secret: strings.Repeat("x", 40)}
	wrong := e2etest.Creds{KeyID: bob.KeyID, Secret: strings.Repeat("y", 40)}
	const invalidToken = "The security token included in the request is invalid."
	const mismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

	cases := []struct {
		name    string
		call    func() error
		status  int
		code    string
		message string
	}{
		{"IAMUnknownKey", func() error { _, err := s.GoIAM(unknown).ListUsers(ctx, &iam.ListUsersInput{}); return err }, 403, "InvalidClientTokenId", invalidToken},
		{"STSUnknownKey", func() error {
			_, err := s.GoSTS(unknown).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}, 403, "InvalidClientTokenId", invalidToken},
		{"IAMWrongSecret", func() error { _, err := s.GoIAM(wrong).GetUser(ctx, &iam.GetUserInput{}); return err }, 403, "SignatureDoesNotMatch", mismatch},
		{"STSWrongSecret", func() error {
			_, err := s.GoSTS(wrong).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}, 403, "SignatureDoesNotMatch", mismatch},
		{"RootWrongSecret", func() error {
			_, err := s.GoIAM(e2etest.Creds{KeyID: e2etest.RootKeyID, Secret: "wrong"}).ListUsers(ctx, &iam.ListUsersInput{})
			return err
		}, 403, "SignatureDoesNotMatch", mismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantMessage(t, wantAPIError(t, tc.call(), tc.status, tc.code), tc.message)
		})
	}
}

func TestGoSDKPolicies(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("loadbalancer"), Path: aws.String("/system/")}))
	// The seed's aws_iam_user_policy, heredoc and all: whitespace and key
	// order must come back exactly as put.
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Action\": [\n        \"ec2:Describe*\"\n      ],\n      \"Effect\": \"Allow\",\n      \"Resource\": \"*\"\n    }\n  ]\n}\n"
	must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("loadbalancer"), PolicyName: aws.String("test"), PolicyDocument: aws.String(doc)}))

	t.Run("GetUserPolicy", func(t *testing.T) {
		got := must[*iam.GetUserPolicyOutput](t)(c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("loadbalancer"), PolicyName: aws.String("test")}))
		// IAM returns the document URL-encoded (RFC 3986); the SDK leaves it so.
		decoded, err := url.QueryUnescape(aws.ToString(got.PolicyDocument))
		if err != nil || decoded != doc {
			t.Fatalf("document came back as %q (%v)", decoded, err)
		}
		if aws.ToString(got.UserName) != "loadbalancer" || aws.ToString(got.PolicyName) != "test" {
			t.Fatalf("GetUserPolicy names: %q %q", aws.ToString(got.UserName), aws.ToString(got.PolicyName))
		}
	})

	t.Run("PutReplaces", func(t *testing.T) {
		doc2 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`
		must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("loadbalancer"), PolicyName: aws.String("second"), PolicyDocument: aws.String(doc2)}))
		must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("loadbalancer"), PolicyName: aws.String("second"), PolicyDocument: aws.String(doc2 + " ")}))
		got := must[*iam.GetUserPolicyOutput](t)(c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("loadbalancer"), PolicyName: aws.String("second")}))
		if d, _ := url.QueryUnescape(aws.ToString(got.PolicyDocument)); d != doc2+" " {
			t.Fatalf("replaced document %q", d)
		}
	})

	t.Run("ListUserPolicies", func(t *testing.T) {
		names := must[*iam.ListUserPoliciesOutput](t)(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("loadbalancer")}))
		if strings.Join(names.PolicyNames, ",") != "second,test" || names.IsTruncated {
			t.Fatalf("policy names %v (truncated %v)", names.PolicyNames, names.IsTruncated)
		}
		p1 := must[*iam.ListUserPoliciesOutput](t)(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("loadbalancer"), MaxItems: aws.Int32(1)}))
		if len(p1.PolicyNames) != 1 || !p1.IsTruncated || p1.Marker == nil {
			t.Fatalf("page 1 %v truncated %v", p1.PolicyNames, p1.IsTruncated)
		}
		_, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("Bob")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name Bob cannot be found.")
	})

	t.Run("Errors", func(t *testing.T) {
		_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("loadbalancer"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":`)})
		wantAPIError(t, err, http.StatusBadRequest, "MalformedPolicyDocument")
		_, err = c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("loadbalancer"), PolicyName: aws.String("nope")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user policy with name nope cannot be found.")
		_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("Bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name Bob cannot be found.")
		_, err = c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("loadbalancer"), PolicyName: aws.String("nope")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user policy with name nope cannot be found.")
	})

	t.Run("DeleteUserPolicy", func(t *testing.T) {
		must[*iam.DeleteUserPolicyOutput](t)(c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("loadbalancer"), PolicyName: aws.String("second")}))
		names := must[*iam.ListUserPoliciesOutput](t)(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("loadbalancer")}))
		if strings.Join(names.PolicyNames, ",") != "test" {
			t.Fatalf("after delete: %v", names.PolicyNames)
		}
	})
}

// TestGoSDKAccountIsolation: a second account, made with `latchkey account
// create`, sees nothing of the first.
func TestGoSDKAccountIsolation(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	bob := newUserWithKey(t, s, "Bob")
	otherID, other := newAccount(t, s)
	if otherID == e2etest.AccountID {
		t.Fatal("the second account has the first one's id")
	}
	oc := s.GoIAM(other)

	_, err := oc.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Bob")})
	wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name Bob cannot be found.")
	users := must[*iam.ListUsersOutput](t)(oc.ListUsers(ctx, &iam.ListUsersInput{}))
	if len(users.Users) != 0 {
		t.Fatalf("the other account lists %d users", len(users.Users))
	}
	_, err = oc.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("Bob")})
	wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
	_, err = oc.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(bob.KeyID), Status: types.StatusTypeInactive})
	wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
	_, err = oc.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(bob.KeyID)})
	wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
	// Bob's key still works: the other account changed nothing.
	must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))

	// The same name may exist in both accounts.
	ou := must[*iam.CreateUserOutput](t)(oc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Bob")}))
	if aws.ToString(ou.User.Arn) != "arn:aws:iam::"+otherID+":user/Bob" {
		t.Fatalf("other account's Bob: %q", aws.ToString(ou.User.Arn))
	}

	id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(other).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Account) != otherID || aws.ToString(id.Arn) != "arn:aws:iam::"+otherID+":root" || aws.ToString(id.UserId) != otherID {
		t.Fatalf("other account identity %+v", id)
	}
}

// TestGoSDKSTS: GetCallerIdentity for users and roots, GetAccessKeyInfo.
func TestGoSDKSTS(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	created := must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("loadbalancer"), Path: aws.String("/system/")}))
	k := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("loadbalancer")}))
	lb := e2etest.Creds{KeyID: aws.ToString(k.AccessKey.AccessKeyId), Secret: aws.ToString(k.AccessKey.SecretAccessKey)}
	otherID, other := newAccount(t, s)

	for _, region := range []string{"us-east-1", "eu-west-1", "ap-southeast-2"} {
		t.Run("GetCallerIdentity/"+region, func(t *testing.T) {
			id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(lb, region).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
			if aws.ToString(id.Arn) != "arn:aws:iam::123456789012:user/system/loadbalancer" || aws.ToString(id.Account) != e2etest.AccountID || aws.ToString(id.UserId) != aws.ToString(created.User.UserId) {
				t.Fatalf("identity: Arn %q Account %q UserId %q", aws.ToString(id.Arn), aws.ToString(id.Account), aws.ToString(id.UserId))
			}
		})
	}
	t.Run("GetCallerIdentityRoot", func(t *testing.T) {
		id := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(e2etest.Root).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		if aws.ToString(id.Arn) != rootARN || aws.ToString(id.Account) != e2etest.AccountID || aws.ToString(id.UserId) != e2etest.AccountID {
			t.Fatalf("root identity: %+v", id)
		}
	})
	t.Run("GetAccessKeyInfo", func(t *testing.T) {
		for _, tc := range []struct{ key, account string }{
			{lb.KeyID, e2etest.AccountID}, {e2etest.RootKeyID, e2etest.AccountID}, {other.KeyID, otherID},
		} {
			// The root may ask about any account's key (as in AWS).
			info := must[*sts.GetAccessKeyInfoOutput](t)(s.GoSTS(e2etest.Root).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(tc.key)}))
			if aws.ToString(info.Account) != tc.account {
				t.Fatalf("GetAccessKeyInfo(%s) = %q, want %s", tc.key, aws.ToString(info.Account), tc.account)
			}
		}
		_, err := s.GoSTS(e2etest.Root).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("x")})
		wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
		// Unlike GetCallerIdentity, sts:GetAccessKeyInfo needs a policy.
		_, err = s.GoSTS(lb).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(lb.KeyID)})
		wantDenied(t, err, "arn:aws:iam::123456789012:user/system/loadbalancer", "sts:GetAccessKeyInfo")
	})
}

// TestConcurrentKeyCreation races 50 CreateAccessKey calls for one user:
// exactly two win, the rest get LimitExceeded.
func TestConcurrentKeyCreation(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Racer")}))
	var ok, limited atomic.Int32
	var mu sync.Mutex
	var others []error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 50 {
		wg.Go(func() {
			<-start
			_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Racer")})
			switch {
			case err == nil:
				ok.Add(1)
			case strings.Contains(err.Error(), "LimitExceeded"):
				limited.Add(1)
			default:
				mu.Lock()
				others = append(others, err)
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	if ok.Load() != 2 || limited.Load() != 48 || len(others) != 0 {
		t.Fatalf("%d created, %d LimitExceeded, others: %v", ok.Load(), limited.Load(), others)
	}
	keys := must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("Racer")}))
	if len(keys.AccessKeyMetadata) != 2 {
		t.Fatalf("Racer holds %d keys", len(keys.AccessKeyMetadata))
	}
}
