package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

func TestGoSDKUsers(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.IAM(e2etest.Root)

	created := must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{
		UserName: aws.String("loadbalancer"), Path: aws.String("/system/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("edge")}},
	}))
	u := created.User
	if *u.Arn != "arn:aws:iam::123456789012:user/system/loadbalancer" || *u.Path != "/system/" || *u.UserName != "loadbalancer" {
		t.Fatalf("created user: %+v", u)
	}
	if !userIDPattern.MatchString(*u.UserId) {
		t.Fatalf("user id %s", *u.UserId)
	}
	if d := time.Since(*u.CreateDate); d < -time.Minute || d > time.Minute || u.CreateDate.Nanosecond() != 0 {
		t.Fatalf("create date %v", u.CreateDate)
	}
	if len(u.Tags) != 1 || *u.Tags[0].Key != "team" {
		t.Fatalf("tags %+v", u.Tags)
	}

	t.Run("GetUser", func(t *testing.T) {
		got := must[*iam.GetUserOutput](t)(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("LOADBALANCER")}))
		if *got.User.UserId != *u.UserId || *got.User.UserName != "loadbalancer" {
			t.Fatalf("GetUser: %+v", got.User)
		}
		msg := wantCode(t, func() error { _, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Bob")}); return err }(), "NoSuchEntity")
		if msg != "The user with name Bob cannot be found." {
			t.Fatalf("message %q", msg)
		}
		root := must[*iam.GetUserOutput](t)(c.GetUser(ctx, &iam.GetUserInput{}))
		if *root.User.UserId != e2etest.AccountID || *root.User.Arn != "arn:aws:iam::123456789012:root" {
			t.Fatalf("GetUser as root: %+v", root.User)
		}
	})

	t.Run("CreateUserConflicts", func(t *testing.T) {
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("LoadBalancer")})
		wantCode(t, err, "EntityAlreadyExists")
		_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name!")})
		msg := wantCode(t, err, "ValidationError")
		if !strings.HasPrefix(msg, "1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern") {
			t.Fatalf("message %q", msg)
		}
		_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x"), Path: aws.String("no-slashes")})
		wantCode(t, err, "ValidationError")
	})

	t.Run("ListUsersPaging", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			path := "/a/"
			if i%2 == 1 {
				path = "/b/"
			}
			must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("page%d", i)), Path: aws.String(path)}))
		}
		var names []string
		var marker *string
		pages := 0
		for {
			out := must[*iam.ListUsersOutput](t)(c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(2), Marker: marker}))
			pages++
			for _, u := range out.Users {
				names = append(names, *u.UserName)
				if len(u.Tags) != 0 {
					t.Fatalf("ListUsers returned tags: %+v", u)
				}
			}
			if !out.IsTruncated {
				if out.Marker != nil {
					t.Fatal("marker on the last page")
				}
				break
			}
			marker = out.Marker
		}
		if pages != 3 || strings.Join(names, ",") != "loadbalancer,page0,page1,page2,page3,page4" {
			t.Fatalf("%d pages: %v", pages, names)
		}
		b := must[*iam.ListUsersOutput](t)(c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/b/")}))
		if len(b.Users) != 2 {
			t.Fatalf("path prefix /b/: %d users", len(b.Users))
		}
		_, err := c.ListUsers(ctx, &iam.ListUsersInput{Marker: aws.String("forged")})
		wantCode(t, err, "ValidationError")
		_, err = c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1001)})
		wantCode(t, err, "ValidationError")
	})

	t.Run("Tags", func(t *testing.T) {
		must[*iam.TagUserOutput](t)(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("loadbalancer"), Tags: []types.Tag{
			{Key: aws.String("TEAM"), Value: aws.String("core")}, {Key: aws.String("env"), Value: aws.String("prod")}}}))
		must[*iam.UntagUserOutput](t)(c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("loadbalancer"), TagKeys: []string{"env"}}))
		tags := must[*iam.ListUserTagsOutput](t)(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("loadbalancer")}))
		if len(tags.Tags) != 1 || *tags.Tags[0].Key != "TEAM" || *tags.Tags[0].Value != "core" {
			t.Fatalf("tags: %+v", tags.Tags)
		}
	})

	t.Run("UpdateUser", func(t *testing.T) {
		must[*iam.UpdateUserOutput](t)(c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("page0"), NewUserName: aws.String("renamed"), NewPath: aws.String("/new/")}))
		got := must[*iam.GetUserOutput](t)(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("renamed")}))
		if *got.User.Arn != "arn:aws:iam::123456789012:user/new/renamed" {
			t.Fatalf("after rename: %s", *got.User.Arn)
		}
		_, err := c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("renamed"), NewUserName: aws.String("PAGE1")})
		wantCode(t, err, "EntityAlreadyExists")
	})

	t.Run("DeleteUser", func(t *testing.T) {
		key := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("page2")}))
		_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("page2")})
		wantCode(t, err, "DeleteConflict")
		must[*iam.DeleteAccessKeyOutput](t)(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("page2"), AccessKeyId: key.AccessKey.AccessKeyId}))
		must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("page2"), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)}))
		_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("page2")})
		if msg := wantCode(t, err, "DeleteConflict"); msg != "Cannot delete entity, must delete policies first." {
			t.Fatalf("message %q", msg)
		}
		must[*iam.DeleteUserPolicyOutput](t)(c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("page2"), PolicyName: aws.String("p")}))
		must[*iam.DeleteUserOutput](t)(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("page2")}))
		_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("page2")})
		wantCode(t, err, "NoSuchEntity")
	})
}

func TestGoSDKAccessKeys(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.IAM(e2etest.Root)
	bob := newUserWithKey(t, s, "Bob")
	if !keyIDPattern.MatchString(bob.KeyID) || len(bob.Secret) != 40 {
		t.Fatalf("key %s / secret of %d characters", bob.KeyID, len(bob.Secret))
	}
	second := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")}))
	if *second.AccessKey.UserName != "Bob" || second.AccessKey.Status != types.StatusTypeActive {
		t.Fatalf("second key: %+v", second.AccessKey)
	}
	_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Bob")})
	if msg := wantCode(t, err, "LimitExceeded"); msg != "Cannot exceed quota for AccessKeysPerUser: 2" {
		t.Fatalf("message %q", msg)
	}
	_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})
	wantCode(t, err, "NoSuchEntity")

	t.Run("ListPaging", func(t *testing.T) {
		p1 := must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("Bob"), MaxItems: aws.Int32(1)}))
		if len(p1.AccessKeyMetadata) != 1 || !p1.IsTruncated || p1.Marker == nil {
			t.Fatalf("page 1: %+v", p1)
		}
		p2 := must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("Bob"), MaxItems: aws.Int32(1), Marker: p1.Marker}))
		if len(p2.AccessKeyMetadata) != 1 || p2.IsTruncated || *p1.AccessKeyMetadata[0].AccessKeyId != bob.KeyID || *p2.AccessKeyMetadata[0].AccessKeyId != *second.AccessKey.AccessKeyId {
			t.Fatalf("page 2: %+v", p2)
		}
	})

	t.Run("RootKeys", func(t *testing.T) {
		k := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}))
		if k.AccessKey.UserName != nil && *k.AccessKey.UserName != "" {
			t.Fatalf("root key has a user name: %q", *k.AccessKey.UserName)
		}
		_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
		wantCode(t, err, "LimitExceeded")
		list := must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))
		if len(list.AccessKeyMetadata) != 2 || *list.AccessKeyMetadata[0].AccessKeyId != e2etest.RootKeyID {
			t.Fatalf("root keys: %+v", list.AccessKeyMetadata)
		}
		id := must[*sts.GetCallerIdentityOutput](t)(s.STS(e2etest.Creds{KeyID: *k.AccessKey.AccessKeyId, Secret: *k.AccessKey.SecretAccessKey}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		if *id.Arn != "arn:aws:iam::123456789012:root" || *id.UserId != e2etest.AccountID {
			t.Fatalf("new root key identity: %+v", id)
		}
		must[*iam.DeleteAccessKeyOutput](t)(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: k.AccessKey.AccessKeyId}))
	})

	t.Run("UserCallsForItself", func(t *testing.T) {
		bc := s.IAM(bob)
		_, err := bc.ListUsers(ctx, &iam.ListUsersInput{})
		msg := wantCode(t, err, "AccessDenied")
		if !strings.Contains(msg, "User: arn:aws:iam::123456789012:user/Bob is not authorized to perform: iam:ListUsers") {
			t.Fatalf("message %q", msg)
		}
		must[*iam.DeleteAccessKeyOutput](t)(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("Bob"), AccessKeyId: second.AccessKey.AccessKeyId}))
		must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("Bob"), PolicyName: aws.String("self"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*AccessKey*","iam:GetUser"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)}))
		k := must[*iam.CreateAccessKeyOutput](t)(bc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}))
		if *k.AccessKey.UserName != "Bob" {
			t.Fatalf("key made by Bob for himself: %+v", k.AccessKey)
		}
		me := must[*iam.GetUserOutput](t)(bc.GetUser(ctx, &iam.GetUserInput{}))
		if *me.User.UserName != "Bob" {
			t.Fatalf("GetUser as Bob: %+v", me.User)
		}
		_, err = bc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("someone")})
		wantCode(t, err, "AccessDenied")
	})

	t.Run("LastUsed", func(t *testing.T) {
		mk := must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Carol")}))
		_ = mk
		k := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Carol")}))
		lu := must[*iam.GetAccessKeyLastUsedOutput](t)(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKey.AccessKeyId}))
		if *lu.UserName != "Carol" || *lu.AccessKeyLastUsed.ServiceName != "N/A" || *lu.AccessKeyLastUsed.Region != "N/A" || lu.AccessKeyLastUsed.LastUsedDate != nil {
			t.Fatalf("never used: %+v", lu.AccessKeyLastUsed)
		}
		carol := e2etest.Creds{KeyID: *k.AccessKey.AccessKeyId, Secret: *k.AccessKey.SecretAccessKey}
		must[*sts.GetCallerIdentityOutput](t)(s.STS(carol, "eu-west-1").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		lu = must[*iam.GetAccessKeyLastUsedOutput](t)(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKey.AccessKeyId}))
		if *lu.AccessKeyLastUsed.ServiceName != "sts" || *lu.AccessKeyLastUsed.Region != "eu-west-1" || lu.AccessKeyLastUsed.LastUsedDate == nil || time.Since(*lu.AccessKeyLastUsed.LastUsedDate) > time.Minute {
			t.Fatalf("after use: %+v", lu.AccessKeyLastUsed)
		}
		_, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA")})
		wantCode(t, err, "NoSuchEntity")
	})

	t.Run("Validation", func(t *testing.T) {
		_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("Bob"), AccessKeyId: aws.String(bob.KeyID), Status: "Disabled"})
		if msg := wantCode(t, err, "ValidationError"); !strings.Contains(msg, "Member must satisfy enum value set: [Active, Inactive, Expired]") {
			t.Fatalf("message %q", msg)
		}
		_, err = c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("Bob"), AccessKeyId: aws.String("AKIAAAAAAAAAAAAAAAAA"), Status: types.StatusTypeInactive})
		if msg := wantCode(t, err, "NoSuchEntity"); msg != "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found." {
			t.Fatalf("message %q", msg)
		}
	})
}

func TestGoSDKPoliciesAndIsolation(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.IAM(e2etest.Root)
	must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Bob")}))
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Action\": [\"ec2:Describe*\"], \"Effect\": \"Allow\", \"Resource\": \"*\"}]\n}"
	must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("Bob"), PolicyName: aws.String("test"), PolicyDocument: aws.String(doc)}))
	got := must[*iam.GetUserPolicyOutput](t)(c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("Bob"), PolicyName: aws.String("test")}))
	decoded, err := url.QueryUnescape(*got.PolicyDocument)
	if err != nil || decoded != doc {
		t.Fatalf("document came back as %q (%v)", decoded, err)
	}
	names := must[*iam.ListUserPoliciesOutput](t)(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("Bob")}))
	if len(names.PolicyNames) != 1 || names.PolicyNames[0] != "test" {
		t.Fatalf("policy names %v", names.PolicyNames)
	}
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("Bob"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":`)})
	wantCode(t, err, "MalformedPolicyDocument")
	_, err = c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("Bob"), PolicyName: aws.String("nope")})
	wantCode(t, err, "NoSuchEntity")

	// A second account sees nothing of the first.
	var other struct{ AccountId, AccessKeyId, SecretAccessKey string }
	jsonDecode(t, s.RunAdmin(t, "account", "create", "--output", "json"), &other)
	oc := s.IAM(e2etest.Creds{KeyID: other.AccessKeyId, Secret: other.SecretAccessKey})
	_, err = oc.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("Bob")})
	wantCode(t, err, "NoSuchEntity")
	users := must[*iam.ListUsersOutput](t)(oc.ListUsers(ctx, &iam.ListUsersInput{}))
	if len(users.Users) != 0 {
		t.Fatalf("other account lists %d users", len(users.Users))
	}
	id := must[*sts.GetCallerIdentityOutput](t)(s.STS(e2etest.Creds{KeyID: other.AccessKeyId, Secret: other.SecretAccessKey}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if *id.Account != other.AccountId || *id.Arn != "arn:aws:iam::"+other.AccountId+":root" {
		t.Fatalf("other account identity %+v", id)
	}
	info := must[*sts.GetAccessKeyInfoOutput](t)(s.STS(e2etest.Root).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(other.AccessKeyId)}))
	if *info.Account != other.AccountId {
		t.Fatalf("GetAccessKeyInfo: %s", *info.Account)
	}
}

// TestConcurrentKeyCreation races 200 CreateAccessKey calls for one user.
func TestConcurrentKeyCreation(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := context.Background()
	c := s.IAM(e2etest.Root)
	must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Racer")}))
	var ok, limited atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("Racer")})
			if err == nil {
				ok.Add(1)
				return
			}
			if code, _ := apiCode(t, err); code == "LimitExceeded" {
				limited.Add(1)
			} else {
				t.Errorf("unexpected %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 2 || limited.Load() != 198 {
		t.Fatalf("%d created, %d LimitExceeded", ok.Load(), limited.Load())
	}
}
