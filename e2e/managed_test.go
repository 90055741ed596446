package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/latchkey/latchkey/internal/awsmanaged"
	"github.com/latchkey/latchkey/internal/e2etest"
)

// Managed policies through aws-sdk-go-v2: customer managed policies and
// their versions, AWS managed ones, attachments, permissions boundaries,
// and the account-wide reads.

const (
	adminAccessARN = "arn:aws:iam::aws:policy/AdministratorAccess"
	iamReadOnlyARN = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
)

func policyNamesOf(ps []types.Policy) string {
	var names []string
	for _, p := range ps {
		names = append(names, aws.ToString(p.PolicyName))
	}
	return strings.Join(names, ",")
}

func attachedNamesOf(ps []types.AttachedPolicy) string {
	var names []string
	for _, p := range ps {
		names = append(names, aws.ToString(p.PolicyName))
	}
	return strings.Join(names, ",")
}

func versionsOf(vs []types.PolicyVersion) string {
	var out []string
	for _, v := range vs {
		s := aws.ToString(v.VersionId)
		if v.IsDefaultVersion {
			s += "*"
		}
		out = append(out, s)
	}
	return strings.Join(out, ",")
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal([]byte(a), &va); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, a)
	}
	if err := json.Unmarshal([]byte(b), &vb); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return reflect.DeepEqual(va, vb)
}

func TestGoSDKManagedPolicies(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	// Laid out as a person writes it: every byte must come back.
	v1 := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"Read\",\n      \"Effect\": \"Allow\",\n      \"Action\": [\"s3:Get*\", \"s3:List*\"],\n      \"Resource\": \"arn:aws:s3:::bucket/shared/*\"\n    }\n  ]\n}\n"
	v2 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
	v3 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`

	created := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName: aws.String("ReadShared"), Path: aws.String("/team/"), PolicyDocument: aws.String(v1),
		Description: aws.String("Read the shared folder"), Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("data")}},
	})).Policy
	policyARN := iamARN("policy/team/ReadShared")

	t.Run("CreatePolicy", func(t *testing.T) {
		p := created
		if aws.ToString(p.PolicyName) != "ReadShared" || aws.ToString(p.Arn) != policyARN || aws.ToString(p.Path) != "/team/" || aws.ToString(p.DefaultVersionId) != "v1" {
			t.Fatalf("CreatePolicy: name %q arn %q path %q default %q", aws.ToString(p.PolicyName), aws.ToString(p.Arn), aws.ToString(p.Path), aws.ToString(p.DefaultVersionId))
		}
		if !policyIDPattern.MatchString(aws.ToString(p.PolicyId)) {
			t.Fatalf("policy id %q does not match %s", aws.ToString(p.PolicyId), policyIDPattern)
		}
		if aws.ToInt32(p.AttachmentCount) != 0 || aws.ToInt32(p.PermissionsBoundaryUsageCount) != 0 || !p.IsAttachable {
			t.Fatalf("CreatePolicy counts: attached %d, boundary %d, attachable %v", aws.ToInt32(p.AttachmentCount), aws.ToInt32(p.PermissionsBoundaryUsageCount), p.IsAttachable)
		}
		wantRecent(t, "CreateDate", p.CreateDate)
		if p.UpdateDate == nil || !p.UpdateDate.Equal(*p.CreateDate) {
			t.Fatalf("UpdateDate %v, want the CreateDate %v", p.UpdateDate, p.CreateDate)
		}
		if len(p.Tags) != 1 || aws.ToString(p.Tags[0].Key) != "owner" || aws.ToString(p.Tags[0].Value) != "data" {
			t.Fatalf("CreatePolicy tags %+v", p.Tags)
		}
	})

	t.Run("CreatePolicyOmitsDescription", func(t *testing.T) {
		// The AWS CLI reference's create-policy Example 2 creates a policy
		// with --description and prints a Policy without Description:
		// only GetPolicy returns it.
		if created.Description != nil {
			t.Fatalf("CreatePolicy returned Description %q; AWS returns it from GetPolicy only", aws.ToString(created.Description))
		}
	})

	t.Run("GetPolicy", func(t *testing.T) {
		p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})).Policy
		if aws.ToString(p.PolicyId) != aws.ToString(created.PolicyId) || aws.ToString(p.Description) != "Read the shared folder" || aws.ToString(p.DefaultVersionId) != "v1" ||
			!p.CreateDate.Equal(*created.CreateDate) || !p.IsAttachable || aws.ToInt32(p.AttachmentCount) != 0 {
			t.Fatalf("GetPolicy: %+v", p)
		}
		if len(p.Tags) != 1 || aws.ToString(p.Tags[0].Key) != "owner" {
			t.Fatalf("GetPolicy tags %+v", p.Tags)
		}
		_, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(iamARN("policy/nope"))})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+iamARN("policy/nope")+" was not found.")
		// The path is part of the ARN.
		_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(iamARN("policy/ReadShared"))})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+iamARN("policy/ReadShared")+" was not found.")
	})

	t.Run("CreatePolicyErrors", func(t *testing.T) {
		_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("readshared"), PolicyDocument: aws.String(v2)})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "EntityAlreadyExists"), "A policy called readshared already exists. Duplicate names are not allowed.")
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Broken"), PolicyDocument: aws.String(`{"Statement":`)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "MalformedPolicyDocument"), "Syntax errors in policy.")
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("NoResource"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject"}}`)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "MalformedPolicyDocument"), "Policy statement must contain resources.")
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bad name!"), PolicyDocument: aws.String(v2)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"),
			`1 validation error detected: Value 'bad name!' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)
		// None of them was created.
		list := must[*iam.ListPoliciesOutput](t)(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}))
		if policyNamesOf(list.Policies) != "ReadShared" {
			t.Fatalf("local policies after the refusals: %s", policyNamesOf(list.Policies))
		}
	})

	t.Run("PolicySizeQuota", func(t *testing.T) {
		// 6,144 characters without white space, however much is around them.
		spread := strings.NewReplacer(`":`, "\":\t ", `,"`, ",\n    \"").Replace(sizedDocument(t, 6144))
		big := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Big"), PolicyDocument: aws.String(spread)})).Policy
		_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("TooBig"), PolicyDocument: aws.String(sizedDocument(t, 6145))})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for PolicySize: 6144")
		_, err = c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: big.Arn, PolicyDocument: aws.String(sizedDocument(t, 6145))})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for PolicySize: 6144")
		must[*iam.CreatePolicyVersionOutput](t)(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: big.Arn, PolicyDocument: aws.String(sizedDocument(t, 6144))}))
		_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(iamARN("policy/TooBig"))})
		wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
		must[*iam.DeletePolicyVersionOutput](t)(c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: big.Arn, VersionId: aws.String("v2")}))
		must[*iam.DeletePolicyOutput](t)(c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: big.Arn}))
	})

	t.Run("GetPolicyVersion", func(t *testing.T) {
		v := must[*iam.GetPolicyVersionOutput](t)(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v1")})).PolicyVersion
		if d := decodedDocument(t, v.Document); d != v1 {
			t.Fatalf("v1 came back as %q, want %q", d, v1)
		}
		if aws.ToString(v.VersionId) != "v1" || !v.IsDefaultVersion || v.CreateDate == nil || !v.CreateDate.Equal(*created.CreateDate) {
			t.Fatalf("GetPolicyVersion v1: id %q default %v date %v", aws.ToString(v.VersionId), v.IsDefaultVersion, v.CreateDate)
		}
		_, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v2")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+policyARN+" version v2 does not exist or is not attachable.")
		_, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(iamARN("policy/nope")), VersionId: aws.String("v1")})
		wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
		_, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("1")})
		wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
	})

	t.Run("Versions", func(t *testing.T) {
		time.Sleep(1100 * time.Millisecond) // so that UpdateDate moves, at second precision
		second := must[*iam.CreatePolicyVersionOutput](t)(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(policyARN), PolicyDocument: aws.String(v2)})).PolicyVersion
		if aws.ToString(second.VersionId) != "v2" || second.IsDefaultVersion || second.Document != nil {
			t.Fatalf("CreatePolicyVersion v2: id %q default %v document %v (AWS does not echo it)", aws.ToString(second.VersionId), second.IsDefaultVersion, second.Document)
		}
		wantRecent(t, "v2 CreateDate", second.CreateDate)
		if p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})).Policy; aws.ToString(p.DefaultVersionId) != "v1" {
			t.Fatalf("a version not made default became the default: %q", aws.ToString(p.DefaultVersionId))
		}

		third := must[*iam.CreatePolicyVersionOutput](t)(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(policyARN), PolicyDocument: aws.String(v3), SetAsDefault: true})).PolicyVersion
		if aws.ToString(third.VersionId) != "v3" || !third.IsDefaultVersion {
			t.Fatalf("CreatePolicyVersion v3 as default: id %q default %v", aws.ToString(third.VersionId), third.IsDefaultVersion)
		}
		p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})).Policy
		if aws.ToString(p.DefaultVersionId) != "v3" || p.UpdateDate == nil || !p.UpdateDate.Equal(*third.CreateDate) || !p.CreateDate.Equal(*created.CreateDate) {
			t.Fatalf("after v3: default %q, created %v, updated %v", aws.ToString(p.DefaultVersionId), p.CreateDate, p.UpdateDate)
		}
		for id, want := range map[string]string{"v1": v1, "v2": v2, "v3": v3} {
			v := must[*iam.GetPolicyVersionOutput](t)(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String(id)})).PolicyVersion
			if decodedDocument(t, v.Document) != want || v.IsDefaultVersion != (id == "v3") {
				t.Fatalf("%s: default %v, document %q", id, v.IsDefaultVersion, decodedDocument(t, v.Document))
			}
		}

		list := must[*iam.ListPolicyVersionsOutput](t)(c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN)}))
		if versionsOf(list.Versions) != "v3*,v2,v1" || list.IsTruncated {
			t.Fatalf("ListPolicyVersions: %s (truncated %v), want newest first", versionsOf(list.Versions), list.IsTruncated)
		}
		for _, v := range list.Versions {
			if v.Document != nil || v.CreateDate == nil {
				t.Fatalf("listed version %s: document %v, date %v (AWS lists no documents)", aws.ToString(v.VersionId), v.Document, v.CreateDate)
			}
		}
		pager := iam.NewListPolicyVersionsPaginator(c, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN), MaxItems: aws.Int32(2)})
		var pages []string
		for pager.HasMorePages() && len(pages) < 10 {
			pages = append(pages, versionsOf(must[*iam.ListPolicyVersionsOutput](t)(pager.NextPage(ctx)).Versions))
		}
		if strings.Join(pages, "|") != "v3*,v2|v1" {
			t.Fatalf("ListPolicyVersions paginator pages %v", pages)
		}
	})

	t.Run("VersionsQuota", func(t *testing.T) {
		for _, want := range []string{"v4", "v5"} {
			v := must[*iam.CreatePolicyVersionOutput](t)(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(policyARN), PolicyDocument: aws.String(v2)})).PolicyVersion
			if aws.ToString(v.VersionId) != want {
				t.Fatalf("version %q, want %s", aws.ToString(v.VersionId), want)
			}
		}
		_, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(policyARN), PolicyDocument: aws.String(v2)})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"),
			"A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
		list := must[*iam.ListPolicyVersionsOutput](t)(c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN)}))
		if versionsOf(list.Versions) != "v5,v4,v3*,v2,v1" {
			t.Fatalf("versions after the refusal: %s", versionsOf(list.Versions))
		}
	})

	t.Run("DeletePolicyVersion", func(t *testing.T) {
		_, err := c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v3")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete the default version of a policy.")
		must[*iam.DeletePolicyVersionOutput](t)(c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v2")}))
		_, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v2")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+policyARN+" version v2 does not exist or is not attachable.")
		_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v2")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+policyARN+" version v2 does not exist or is not attachable.")
		// Version numbers are never reused.
		v := must[*iam.CreatePolicyVersionOutput](t)(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(policyARN), PolicyDocument: aws.String(v2)})).PolicyVersion
		if aws.ToString(v.VersionId) != "v6" {
			t.Fatalf("the version after v5 and a deleted v2 is %q, want v6", aws.ToString(v.VersionId))
		}
	})

	t.Run("SetDefaultPolicyVersion", func(t *testing.T) {
		must[*iam.SetDefaultPolicyVersionOutput](t)(c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v1")}))
		if p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})).Policy; aws.ToString(p.DefaultVersionId) != "v1" {
			t.Fatalf("DefaultVersionId %q after SetDefaultPolicyVersion v1", aws.ToString(p.DefaultVersionId))
		}
		list := must[*iam.ListPolicyVersionsOutput](t)(c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(policyARN)}))
		if versionsOf(list.Versions) != "v6,v5,v4,v3,v1*" {
			t.Fatalf("versions after SetDefaultPolicyVersion v1: %s", versionsOf(list.Versions))
		}
		// The old default may go now; the new one may not.
		must[*iam.DeletePolicyVersionOutput](t)(c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v3")}))
		_, err := c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v1")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete the default version of a policy.")
		_, err = c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String("v9")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+policyARN+" version v9 does not exist or is not attachable.")
		_, err = c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(iamARN("policy/nope")), VersionId: aws.String("v1")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+iamARN("policy/nope")+" was not found.")
	})

	t.Run("Tags", func(t *testing.T) {
		must[*iam.TagPolicyOutput](t)(c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(policyARN), Tags: []types.Tag{
			{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("OWNER"), Value: aws.String("platform")}}}))
		must[*iam.UntagPolicyOutput](t)(c.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: aws.String(policyARN), TagKeys: []string{"env", "absent"}}))
		tags := must[*iam.ListPolicyTagsOutput](t)(c.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(policyARN)}))
		got := map[string]string{}
		for _, tag := range tags.Tags {
			got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		// A key that differs only in case replaced the tag.
		if len(got) != 1 || got["OWNER"] != "platform" || tags.IsTruncated {
			t.Fatalf("policy tags %v (truncated %v)", got, tags.IsTruncated)
		}
		_, err := c.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(iamARN("policy/nope"))})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+iamARN("policy/nope")+" was not found.")
		_, err = c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(iamARN("policy/nope")), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
	})

	t.Run("DeletePolicy", func(t *testing.T) {
		_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(policyARN)})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"),
			"This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		for _, id := range []string{"v4", "v5", "v6"} {
			must[*iam.DeletePolicyVersionOutput](t)(c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(policyARN), VersionId: aws.String(id)}))
		}
		must[*iam.DeletePolicyOutput](t)(c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(policyARN)}))
		_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+policyARN+" was not found.")
		_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(policyARN)})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+policyARN+" was not found.")
		// The name is free again, and a new policy starts at v1.
		again := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("ReadShared"), Path: aws.String("/team/"), PolicyDocument: aws.String(v2)})).Policy
		if aws.ToString(again.DefaultVersionId) != "v1" || aws.ToString(again.PolicyId) == aws.ToString(created.PolicyId) {
			t.Fatalf("recreated policy: default %q id %q", aws.ToString(again.DefaultVersionId), aws.ToString(again.PolicyId))
		}
	})

	t.Run("UpdateDateIsNewestVersion", func(t *testing.T) {
		// The model's documentation of Policy.UpdateDate: "When a policy has
		// more than one version, this field contains the date and time when
		// the most recent policy version was created", default or not.
		p := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Dated"), PolicyDocument: aws.String(v2)})).Policy
		time.Sleep(1100 * time.Millisecond) // so that the dates differ, at second precision
		v := must[*iam.CreatePolicyVersionOutput](t)(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: p.Arn, PolicyDocument: aws.String(v3)})).PolicyVersion
		got := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: p.Arn})).Policy
		if got.UpdateDate == nil || !got.UpdateDate.Equal(*v.CreateDate) {
			t.Fatalf("UpdateDate %v after creating v2 (not the default) at %v; the policy was created at %v", got.UpdateDate, v.CreateDate, got.CreateDate)
		}
	})
}

// TestGoSDKAWSManagedPolicies: the built-in AWS managed policies are
// listed with Scope=AWS, readable, attachable, and not the account's to
// change.
func TestGoSDKAWSManagedPolicies(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Local"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`)}))

	t.Run("GetPolicy", func(t *testing.T) {
		// AWS's own values for AdministratorAccess.
		p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(adminAccessARN)})).Policy
		if aws.ToString(p.PolicyName) != "AdministratorAccess" || aws.ToString(p.PolicyId) != "ANPAIWMBCKSKIEE64ZLYK" || aws.ToString(p.Arn) != adminAccessARN ||
			aws.ToString(p.Path) != "/" || aws.ToString(p.DefaultVersionId) != "v1" || !p.IsAttachable || aws.ToInt32(p.AttachmentCount) != 0 ||
			aws.ToString(p.Description) != "Provides full access to AWS services and resources." {
			t.Fatalf("GetPolicy AdministratorAccess: %+v", p)
		}
		if want := time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC); p.CreateDate == nil || !p.CreateDate.Equal(want) {
			t.Fatalf("AdministratorAccess CreateDate %v, want %v", p.CreateDate, want)
		}
		ro := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(iamReadOnlyARN)})).Policy
		if aws.ToString(ro.PolicyId) != "ANPAJKSO7NDY4T57MWDSQ" || aws.ToString(ro.DefaultVersionId) != "v4" {
			t.Fatalf("GetPolicy IAMReadOnlyAccess: id %q default %q", aws.ToString(ro.PolicyId), aws.ToString(ro.DefaultVersionId))
		}
		// AWS managed policy ARNs match exactly.
		for _, a := range []string{"arn:aws:iam::aws:policy/administratoraccess", "arn:aws:iam::aws:policy/NoSuchPolicy"} {
			_, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(a)})
			wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+a+" was not found.")
		}
	})

	t.Run("GetPolicyVersion", func(t *testing.T) {
		v := must[*iam.GetPolicyVersionOutput](t)(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(adminAccessARN), VersionId: aws.String("v1")})).PolicyVersion
		if !sameJSON(t, decodedDocument(t, v.Document), `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`) || !v.IsDefaultVersion || aws.ToString(v.VersionId) != "v1" {
			t.Fatalf("AdministratorAccess v1: %q default %v", decodedDocument(t, v.Document), v.IsDefaultVersion)
		}
		list := must[*iam.ListPolicyVersionsOutput](t)(c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(iamReadOnlyARN)}))
		if versionsOf(list.Versions) != "v4*" {
			t.Fatalf("IAMReadOnlyAccess versions %s", versionsOf(list.Versions))
		}
		_, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(adminAccessARN), VersionId: aws.String("v7")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+adminAccessARN+" version v7 does not exist or is not attachable.")
	})

	t.Run("ListPoliciesScopeAWS", func(t *testing.T) {
		var want []string
		for _, p := range awsmanaged.All() {
			want = append(want, p.Name)
		}
		got := must[*iam.ListPoliciesOutput](t)(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws}))
		if policyNamesOf(got.Policies) != strings.Join(want, ",") || got.IsTruncated {
			t.Fatalf("Scope=AWS lists %s, want %s", policyNamesOf(got.Policies), strings.Join(want, ","))
		}
		if !strings.Contains(","+policyNamesOf(got.Policies)+",", ",AdministratorAccess,") || !strings.Contains(policyNamesOf(got.Policies), "IAMReadOnlyAccess") {
			t.Fatalf("Scope=AWS lacks AdministratorAccess or IAMReadOnlyAccess: %s", policyNamesOf(got.Policies))
		}
		for _, p := range got.Policies {
			if !strings.HasPrefix(aws.ToString(p.Arn), "arn:aws:iam::aws:policy/") || !policyIDPattern.MatchString(aws.ToString(p.PolicyId)) || !p.IsAttachable ||
				p.Description != nil || p.CreateDate == nil || p.UpdateDate == nil {
				t.Fatalf("listed AWS managed policy %+v (ListPolicies returns no Description)", p)
			}
		}
		all := must[*iam.ListPoliciesOutput](t)(c.ListPolicies(ctx, &iam.ListPoliciesInput{}))
		if len(all.Policies) != len(want)+1 || !strings.Contains(policyNamesOf(all.Policies), "Local") {
			t.Fatalf("Scope=All (the default) lists %s", policyNamesOf(all.Policies))
		}
		local := must[*iam.ListPoliciesOutput](t)(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}))
		if policyNamesOf(local.Policies) != "Local" {
			t.Fatalf("Scope=Local lists %s", policyNamesOf(local.Policies))
		}
		pager := iam.NewListPoliciesPaginator(c, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(3)})
		var seen []string
		for pages := 0; pager.HasMorePages(); pages++ {
			if pages == 10 {
				t.Fatal("more than 10 pages")
			}
			page := must[*iam.ListPoliciesOutput](t)(pager.NextPage(ctx))
			if len(page.Policies) > 3 {
				t.Fatalf("a page of %d with MaxItems 3", len(page.Policies))
			}
			seen = append(seen, policyNamesOf(page.Policies))
		}
		if strings.Join(seen, ",") != strings.Join(want, ",") {
			t.Fatalf("the paginator saw %v", seen)
		}
	})

	t.Run("NotModifiable", func(t *testing.T) {
		doc := aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
		calls := map[string]func() error{
			"DeletePolicy": func() error {
				_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(iamReadOnlyARN)})
				return err
			},
			"CreatePolicyVersion": func() error {
				_, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(iamReadOnlyARN), PolicyDocument: doc, SetAsDefault: true})
				return err
			},
			"SetDefaultPolicyVersion": func() error {
				_, err := c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(iamReadOnlyARN), VersionId: aws.String("v4")})
				return err
			},
			"DeletePolicyVersion": func() error {
				_, err := c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(iamReadOnlyARN), VersionId: aws.String("v4")})
				return err
			},
			"TagPolicy": func() error {
				_, err := c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(iamReadOnlyARN), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
				return err
			},
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) {
				// Even the root may not change what AWS owns.
				wantAPIError(t, call(), http.StatusForbidden, "AccessDenied")
			})
		}
		v := must[*iam.GetPolicyVersionOutput](t)(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(iamReadOnlyARN), VersionId: aws.String("v4")})).PolicyVersion
		if !strings.Contains(decodedDocument(t, v.Document), "iam:List*") || !v.IsDefaultVersion {
			t.Fatalf("IAMReadOnlyAccess changed: %q", decodedDocument(t, v.Document))
		}
	})
}

// TestGoSDKPolicyAttachments: attaching and detaching customer and AWS
// managed policies to users and groups, what lists and counts show, and
// the quotas.
func TestGoSDKPolicyAttachments(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	doc := aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`)
	billing := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("billing-read"), Path: aws.String("/team/"), PolicyDocument: doc})).Policy
	spare := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Spare"), PolicyDocument: doc})).Policy
	u1 := must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u1")})).User
	must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u2")}))
	g1 := must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g1"), Path: aws.String("/team/")})).Group

	t.Run("AttachUserPolicy", func(t *testing.T) {
		must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u1"), PolicyArn: billing.Arn}))
		must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("U1"), PolicyArn: aws.String(adminAccessARN)}))
		// Attaching again changes nothing.
		must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u1"), PolicyArn: billing.Arn}))

		got := must[*iam.ListAttachedUserPoliciesOutput](t)(c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("u1")}))
		if attachedNamesOf(got.AttachedPolicies) != "AdministratorAccess,billing-read" || got.IsTruncated {
			t.Fatalf("u1's attached policies %s (truncated %v)", attachedNamesOf(got.AttachedPolicies), got.IsTruncated)
		}
		if aws.ToString(got.AttachedPolicies[0].PolicyArn) != adminAccessARN || aws.ToString(got.AttachedPolicies[1].PolicyArn) != aws.ToString(billing.Arn) {
			t.Fatalf("attached ARNs %+v", got.AttachedPolicies)
		}
		team := must[*iam.ListAttachedUserPoliciesOutput](t)(c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("u1"), PathPrefix: aws.String("/team/")}))
		if attachedNamesOf(team.AttachedPolicies) != "billing-read" {
			t.Fatalf("PathPrefix /team/: %s", attachedNamesOf(team.AttachedPolicies))
		}
		pager := iam.NewListAttachedUserPoliciesPaginator(c, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("u1"), MaxItems: aws.Int32(1)})
		var pages []string
		for pager.HasMorePages() && len(pages) < 10 {
			pages = append(pages, attachedNamesOf(must[*iam.ListAttachedUserPoliciesOutput](t)(pager.NextPage(ctx)).AttachedPolicies))
		}
		if strings.Join(pages, "|") != "AdministratorAccess|billing-read" {
			t.Fatalf("ListAttachedUserPolicies paginator pages %v", pages)
		}
		none := must[*iam.ListAttachedUserPoliciesOutput](t)(c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("u2")}))
		if len(none.AttachedPolicies) != 0 {
			t.Fatalf("u2's attached policies %s", attachedNamesOf(none.AttachedPolicies))
		}
	})

	t.Run("AttachErrors", func(t *testing.T) {
		nope := iamARN("policy/nope")
		_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u1"), PolicyArn: aws.String(nope)})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+nope+" does not exist or is not attachable.")
		_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("g1"), PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchPolicy")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.")
		_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ghost"), PolicyArn: billing.Arn})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name ghost cannot be found.")
		_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("Ghosts"), PolicyArn: billing.Arn})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group with name Ghosts cannot be found.")
		notPolicy := iamARN("user/u1")
		_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u1"), PolicyArn: aws.String(notPolicy)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "InvalidInput"), "ARN "+notPolicy+" is not valid.")
		_, err = c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("u1"), PolicyArn: spare.Arn})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+aws.ToString(spare.Arn)+" was not found.")
		_, err = c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("g1"), PolicyArn: aws.String(iamReadOnlyARN)})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+iamReadOnlyARN+" was not found.")
		_, err = c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("ghost")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name ghost cannot be found.")
		_, err = c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("Ghosts")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The group with name Ghosts cannot be found.")
	})

	t.Run("AttachGroupPolicy", func(t *testing.T) {
		must[*iam.AttachGroupPolicyOutput](t)(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("g1"), PolicyArn: billing.Arn}))
		must[*iam.AttachGroupPolicyOutput](t)(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("G1"), PolicyArn: aws.String(adminAccessARN)}))
		got := must[*iam.ListAttachedGroupPoliciesOutput](t)(c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("g1")}))
		if attachedNamesOf(got.AttachedPolicies) != "AdministratorAccess,billing-read" || got.IsTruncated {
			t.Fatalf("g1's attached policies %s", attachedNamesOf(got.AttachedPolicies))
		}
		pager := iam.NewListAttachedGroupPoliciesPaginator(c, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("g1"), MaxItems: aws.Int32(1)})
		n := 0
		for pager.HasMorePages() && n < 10 {
			n += len(must[*iam.ListAttachedGroupPoliciesOutput](t)(pager.NextPage(ctx)).AttachedPolicies)
		}
		if n != 2 {
			t.Fatalf("ListAttachedGroupPolicies paginator saw %d", n)
		}
	})

	t.Run("Counts", func(t *testing.T) {
		p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: billing.Arn})).Policy
		if aws.ToInt32(p.AttachmentCount) != 2 || aws.ToInt32(p.PermissionsBoundaryUsageCount) != 0 {
			t.Fatalf("billing-read: AttachmentCount %d, PermissionsBoundaryUsageCount %d", aws.ToInt32(p.AttachmentCount), aws.ToInt32(p.PermissionsBoundaryUsageCount))
		}
		a := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(adminAccessARN)})).Policy
		if aws.ToInt32(a.AttachmentCount) != 2 {
			t.Fatalf("AdministratorAccess in this account: AttachmentCount %d", aws.ToInt32(a.AttachmentCount))
		}
		// Attachments are the account's own: another account sees none.
		_, other := newAccount(t, s)
		o := must[*iam.GetPolicyOutput](t)(s.GoIAM(other).GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(adminAccessARN)})).Policy
		if aws.ToInt32(o.AttachmentCount) != 0 {
			t.Fatalf("AdministratorAccess in another account: AttachmentCount %d", aws.ToInt32(o.AttachmentCount))
		}
		_, err := s.GoIAM(other).GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: billing.Arn})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+aws.ToString(billing.Arn)+" was not found.")
	})

	t.Run("ListPoliciesFilters", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			in   iam.ListPoliciesInput
			want string
		}{
			{"Local", iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}, "billing-read,Spare"},
			{"LocalPathPrefix", iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, PathPrefix: aws.String("/team/")}, "billing-read"},
			{"LocalOnlyAttached", iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, OnlyAttached: true}, "billing-read"},
			{"AWSOnlyAttached", iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true}, "AdministratorAccess"},
			{"AllOnlyAttachedPermissionsPolicy", iam.ListPoliciesInput{OnlyAttached: true, PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy}, "AdministratorAccess,billing-read"},
			{"OnlyAttachedPermissionsBoundary", iam.ListPoliciesInput{OnlyAttached: true, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := must[*iam.ListPoliciesOutput](t)(c.ListPolicies(ctx, &tc.in))
				if policyNamesOf(got.Policies) != tc.want {
					t.Fatalf("listed %s, want %s", policyNamesOf(got.Policies), tc.want)
				}
			})
		}
		got := must[*iam.ListPoliciesOutput](t)(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true}))
		if len(got.Policies) != 1 || aws.ToInt32(got.Policies[0].AttachmentCount) != 2 {
			t.Fatalf("attached AWS managed policies %+v", got.Policies)
		}
		pager := iam.NewListPoliciesPaginator(c, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, MaxItems: aws.Int32(1)})
		var pages []string
		for pager.HasMorePages() && len(pages) < 10 {
			pages = append(pages, policyNamesOf(must[*iam.ListPoliciesOutput](t)(pager.NextPage(ctx)).Policies))
		}
		if strings.Join(pages, "|") != "billing-read|Spare" {
			t.Fatalf("ListPolicies paginator pages %v", pages)
		}
		_, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Mine"})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "ValidationError"),
			"1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]")
	})

	t.Run("ListEntitiesForPolicy", func(t *testing.T) {
		got := must[*iam.ListEntitiesForPolicyOutput](t)(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: billing.Arn}))
		if len(got.PolicyGroups) != 1 || aws.ToString(got.PolicyGroups[0].GroupName) != "g1" || aws.ToString(got.PolicyGroups[0].GroupId) != aws.ToString(g1.GroupId) {
			t.Fatalf("PolicyGroups %+v", got.PolicyGroups)
		}
		if len(got.PolicyUsers) != 1 || aws.ToString(got.PolicyUsers[0].UserName) != "u1" || aws.ToString(got.PolicyUsers[0].UserId) != aws.ToString(u1.UserId) {
			t.Fatalf("PolicyUsers %+v", got.PolicyUsers)
		}
		if len(got.PolicyRoles) != 0 || got.IsTruncated {
			t.Fatalf("PolicyRoles %+v, truncated %v", got.PolicyRoles, got.IsTruncated)
		}
		users := must[*iam.ListEntitiesForPolicyOutput](t)(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: billing.Arn, EntityFilter: types.EntityTypeUser}))
		if len(users.PolicyUsers) != 1 || len(users.PolicyGroups) != 0 {
			t.Fatalf("EntityFilter User: users %+v groups %+v", users.PolicyUsers, users.PolicyGroups)
		}
		groups := must[*iam.ListEntitiesForPolicyOutput](t)(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: billing.Arn, EntityFilter: types.EntityTypeGroup}))
		if len(groups.PolicyUsers) != 0 || len(groups.PolicyGroups) != 1 {
			t.Fatalf("EntityFilter Group: users %+v groups %+v", groups.PolicyUsers, groups.PolicyGroups)
		}
		team := must[*iam.ListEntitiesForPolicyOutput](t)(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: billing.Arn, PathPrefix: aws.String("/team/")}))
		if len(team.PolicyUsers) != 0 || len(team.PolicyGroups) != 1 {
			t.Fatalf("PathPrefix /team/: users %+v groups %+v", team.PolicyUsers, team.PolicyGroups)
		}
		admins := must[*iam.ListEntitiesForPolicyOutput](t)(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(adminAccessARN)}))
		if len(admins.PolicyUsers) != 1 || len(admins.PolicyGroups) != 1 {
			t.Fatalf("AdministratorAccess entities: users %+v groups %+v", admins.PolicyUsers, admins.PolicyGroups)
		}
		pager := iam.NewListEntitiesForPolicyPaginator(c, &iam.ListEntitiesForPolicyInput{PolicyArn: billing.Arn, MaxItems: aws.Int32(1)})
		var seen []string
		for pager.HasMorePages() && len(seen) < 10 {
			page := must[*iam.ListEntitiesForPolicyOutput](t)(pager.NextPage(ctx))
			for _, g := range page.PolicyGroups {
				seen = append(seen, "group "+aws.ToString(g.GroupName))
			}
			for _, u := range page.PolicyUsers {
				seen = append(seen, "user "+aws.ToString(u.UserName))
			}
		}
		if strings.Join(seen, ",") != "group g1,user u1" {
			t.Fatalf("ListEntitiesForPolicy paginator saw %v", seen)
		}
		empty := must[*iam.ListEntitiesForPolicyOutput](t)(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: spare.Arn}))
		if len(empty.PolicyUsers)+len(empty.PolicyGroups)+len(empty.PolicyRoles) != 0 {
			t.Fatalf("an unattached policy's entities: %+v", empty)
		}
		_, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(iamARN("policy/nope"))})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Policy "+iamARN("policy/nope")+" was not found.")
	})

	t.Run("DeleteAttachedPolicy", func(t *testing.T) {
		_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: billing.Arn})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete a policy attached to entities.")
		must[*iam.DetachUserPolicyOutput](t)(c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("u1"), PolicyArn: billing.Arn}))
		_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: billing.Arn})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete a policy attached to entities.")
		must[*iam.DetachGroupPolicyOutput](t)(c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("g1"), PolicyArn: billing.Arn}))
		if p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: billing.Arn})).Policy; aws.ToInt32(p.AttachmentCount) != 0 {
			t.Fatalf("AttachmentCount %d after detaching both", aws.ToInt32(p.AttachmentCount))
		}
		must[*iam.DeletePolicyOutput](t)(c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: billing.Arn}))
		got := must[*iam.ListAttachedUserPoliciesOutput](t)(c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("u1")}))
		if attachedNamesOf(got.AttachedPolicies) != "AdministratorAccess" {
			t.Fatalf("u1's attached policies %s", attachedNamesOf(got.AttachedPolicies))
		}
	})

	t.Run("AttachedPoliciesQuota", func(t *testing.T) {
		var arns []*string
		for i := range 11 {
			p := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("q%02d", i)), PolicyDocument: doc})).Policy
			arns = append(arns, p.Arn)
		}
		for _, a := range arns[:10] {
			must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u2"), PolicyArn: a}))
		}
		_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u2"), PolicyArn: arns[10]})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for PoliciesPerUser: 10")
		_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u2"), PolicyArn: aws.String(adminAccessARN)})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for PoliciesPerUser: 10")
		// Attaching one already attached is no new attachment.
		must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u2"), PolicyArn: arns[0]}))
		got := must[*iam.ListAttachedUserPoliciesOutput](t)(c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("u2")}))
		if len(got.AttachedPolicies) != 10 {
			t.Fatalf("u2 holds %d policies", len(got.AttachedPolicies))
		}
	})
}

func TestGoSDKAttachedPoliciesPerGroupQuota(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Full")}))
	var arns []*string
	for i := range 10 {
		p := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%02d", i)),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`)})).Policy
		arns = append(arns, p.Arn)
	}
	for _, a := range arns[:9] {
		must[*iam.AttachGroupPolicyOutput](t)(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("Full"), PolicyArn: a}))
	}
	// AWS managed policies count as any other: the tenth.
	must[*iam.AttachGroupPolicyOutput](t)(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("Full"), PolicyArn: aws.String(iamReadOnlyARN)}))
	_, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("Full"), PolicyArn: arns[9]})
	wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for PoliciesPerGroup: 10")
	must[*iam.DetachGroupPolicyOutput](t)(c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("Full"), PolicyArn: aws.String(iamReadOnlyARN)}))
	must[*iam.AttachGroupPolicyOutput](t)(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("Full"), PolicyArn: arns[9]}))
}

// TestGoSDKPermissionsBoundaries: a boundary set at CreateUser or later is
// shown by GetUser, counted on its policy, and caps what the user's
// policies allow.
func TestGoSDKPermissionsBoundaries(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	boundary := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("ReadOnlyBoundary"), Path: aws.String("/boundaries/"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}}`)})).Policy
	boundaryARN := aws.ToString(boundary.Arn)

	created := must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bounded"), PermissionsBoundary: boundary.Arn})).User
	key := must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bounded")})).AccessKey
	bc := s.GoIAM(e2etest.Creds{KeyID: aws.ToString(key.AccessKeyId), Secret: aws.ToString(key.SecretAccessKey)})
	boundedARN := iamARN("user/bounded")
	must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("bounded"), PolicyArn: aws.String(adminAccessARN)}))

	wantShown := func(t *testing.T, u *types.User, arn string) {
		t.Helper()
		b := u.PermissionsBoundary
		if arn == "" {
			if b != nil {
				t.Fatalf("user %s has boundary %+v, want none", aws.ToString(u.UserName), b)
			}
			return
		}
		if b == nil || b.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy || aws.ToString(b.PermissionsBoundaryArn) != arn {
			t.Fatalf("user %s has boundary %+v, want Policy %s", aws.ToString(u.UserName), b, arn)
		}
	}
	getUser := func(t *testing.T) *types.User {
		t.Helper()
		return must[*iam.GetUserOutput](t)(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bounded")})).User
	}

	t.Run("Shown", func(t *testing.T) {
		wantShown(t, created, boundaryARN)
		wantShown(t, getUser(t), boundaryARN)
		p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: boundary.Arn})).Policy
		if aws.ToInt32(p.PermissionsBoundaryUsageCount) != 1 || aws.ToInt32(p.AttachmentCount) != 0 {
			t.Fatalf("boundary policy: PermissionsBoundaryUsageCount %d, AttachmentCount %d", aws.ToInt32(p.PermissionsBoundaryUsageCount), aws.ToInt32(p.AttachmentCount))
		}
		e := must[*iam.ListEntitiesForPolicyOutput](t)(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: boundary.Arn, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}))
		if len(e.PolicyUsers) != 1 || aws.ToString(e.PolicyUsers[0].UserName) != "bounded" || aws.ToString(e.PolicyUsers[0].UserId) != aws.ToString(created.UserId) {
			t.Fatalf("entities bounded by the policy: %+v", e.PolicyUsers)
		}
		e = must[*iam.ListEntitiesForPolicyOutput](t)(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: boundary.Arn, PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy}))
		if len(e.PolicyUsers)+len(e.PolicyGroups) != 0 {
			t.Fatalf("entities the boundary policy is attached to: %+v", e)
		}
		l := must[*iam.ListPoliciesOutput](t)(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, OnlyAttached: true, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}))
		if policyNamesOf(l.Policies) != "ReadOnlyBoundary" {
			t.Fatalf("local policies used as boundaries: %s", policyNamesOf(l.Policies))
		}
		l = must[*iam.ListPoliciesOutput](t)(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, OnlyAttached: true, PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy}))
		if len(l.Policies) != 0 {
			t.Fatalf("local policies attached as permissions: %s", policyNamesOf(l.Policies))
		}
	})

	t.Run("CapsWhatPoliciesAllow", func(t *testing.T) {
		if _, err := bc.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatalf("ListUsers (allowed by both): %v", err)
		}
		_, err := bc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
		msg := wantAPIError(t, err, http.StatusForbidden, "AccessDenied")
		prefix := "User: " + boundedARN + " is not authorized to perform: iam:CreateUser on resource: "
		if !strings.HasPrefix(msg, prefix) || !strings.HasSuffix(msg, " because no permissions boundary allows the iam:CreateUser action") {
			t.Fatalf("AccessDenied %q\nwant %q… because no permissions boundary allows the iam:CreateUser action", msg, prefix)
		}
		// The boundary grants nothing itself.
		must[*iam.DetachUserPolicyOutput](t)(c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("bounded"), PolicyArn: aws.String(adminAccessARN)}))
		_, err = bc.ListUsers(ctx, &iam.ListUsersInput{})
		wantDenied(t, err, boundedARN, "iam:ListUsers")
		must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("bounded"), PolicyArn: aws.String(adminAccessARN)}))
	})

	t.Run("DeleteConflict", func(t *testing.T) {
		_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: boundary.Arn})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "DeleteConflict"), "Cannot delete a policy attached to entities.")
	})

	t.Run("PutUserPermissionsBoundary", func(t *testing.T) {
		must[*iam.PutUserPermissionsBoundaryOutput](t)(c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(iamReadOnlyARN)}))
		wantShown(t, getUser(t), iamReadOnlyARN)
		if p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: boundary.Arn})).Policy; aws.ToInt32(p.PermissionsBoundaryUsageCount) != 0 {
			t.Fatalf("the replaced boundary's PermissionsBoundaryUsageCount %d", aws.ToInt32(p.PermissionsBoundaryUsageCount))
		}
		if p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(iamReadOnlyARN)})).Policy; aws.ToInt32(p.PermissionsBoundaryUsageCount) != 1 || aws.ToInt32(p.AttachmentCount) != 0 {
			t.Fatalf("IAMReadOnlyAccess as a boundary: PermissionsBoundaryUsageCount %d AttachmentCount %d", aws.ToInt32(p.PermissionsBoundaryUsageCount), aws.ToInt32(p.AttachmentCount))
		}
		l := must[*iam.ListPoliciesOutput](t)(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}))
		if policyNamesOf(l.Policies) != "IAMReadOnlyAccess" {
			t.Fatalf("AWS managed policies used as boundaries: %s", policyNamesOf(l.Policies))
		}
		// IAMReadOnlyAccess allows iam:Get* and iam:List* too, not CreateUser.
		if _, err := bc.ListGroups(ctx, &iam.ListGroupsInput{}); err != nil {
			t.Fatal(err)
		}
		_, err := bc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
		wantAPIError(t, err, http.StatusForbidden, "AccessDenied")

		_, err = c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("ghost"), PermissionsBoundary: boundary.Arn})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name ghost cannot be found.")
		nope := iamARN("policy/nope")
		_, err = c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: aws.String(nope)})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Scope ARN: "+nope+" does not exist or is not attachable.")
		wantShown(t, getUser(t), iamReadOnlyARN)
	})

	t.Run("DeleteUserPermissionsBoundary", func(t *testing.T) {
		must[*iam.DeleteUserPermissionsBoundaryOutput](t)(c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("bounded")}))
		wantShown(t, getUser(t), "")
		// Unbounded, AdministratorAccess allows everything, at once.
		if _, err := bc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("made-by-bounded")}); err != nil {
			t.Fatalf("CreateUser without the boundary: %v", err)
		}
		if p := must[*iam.GetPolicyOutput](t)(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(iamReadOnlyARN)})).Policy; aws.ToInt32(p.PermissionsBoundaryUsageCount) != 0 {
			t.Fatalf("PermissionsBoundaryUsageCount %d after the delete", aws.ToInt32(p.PermissionsBoundaryUsageCount))
		}
		must[*iam.DeletePolicyOutput](t)(c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: boundary.Arn}))
		_, err := c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("ghost")})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "The user with name ghost cannot be found.")
	})

	t.Run("CreateUserWithUnknownBoundary", func(t *testing.T) {
		nope := iamARN("policy/nope")
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("unborn"), PermissionsBoundary: aws.String(nope)})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "Scope ARN: "+nope+" does not exist or is not attachable.")
		_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("unborn")})
		wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity")
		// An AWS managed boundary works at creation too.
		u := must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("born"), PermissionsBoundary: aws.String(iamReadOnlyARN)})).User
		wantShown(t, u, iamReadOnlyARN)
	})
}

// TestGoSDKManagedPolicyPermissions: a user may do what the default
// version of its attached managed policies allows; a new default takes
// effect at once.
func TestGoSDKManagedPolicyPermissions(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	ops := newUserWithKey(t, s, "ops")
	oc := s.GoIAM(ops)
	opsARN := iamARN("user/ops")
	allowOnly := func(action string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"` + action + `","Resource":"*"}}`)
	}
	p := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("OpsPolicy"), PolicyDocument: allowOnly("iam:ListUsers")})).Policy
	listUsers := func() error { _, err := oc.ListUsers(ctx, &iam.ListUsersInput{}); return err }
	listGroups := func() error { _, err := oc.ListGroups(ctx, &iam.ListGroupsInput{}); return err }

	t.Run("Attached", func(t *testing.T) {
		wantDenied(t, listUsers(), opsARN, "iam:ListUsers")
		must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ops"), PolicyArn: p.Arn}))
		if err := listUsers(); err != nil {
			t.Fatalf("ListUsers with v1 attached: %v", err)
		}
		wantDenied(t, listGroups(), opsARN, "iam:ListGroups")
	})

	t.Run("NonDefaultVersionDoesNothing", func(t *testing.T) {
		must[*iam.CreatePolicyVersionOutput](t)(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: p.Arn, PolicyDocument: allowOnly("iam:ListGroups")}))
		if err := listUsers(); err != nil {
			t.Fatalf("ListUsers with v1 still the default: %v", err)
		}
		wantDenied(t, listGroups(), opsARN, "iam:ListGroups")
	})

	t.Run("SetDefaultTakesEffectAtOnce", func(t *testing.T) {
		must[*iam.SetDefaultPolicyVersionOutput](t)(c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: p.Arn, VersionId: aws.String("v2")}))
		if err := listGroups(); err != nil {
			t.Fatalf("ListGroups with v2 the default: %v", err)
		}
		wantDenied(t, listUsers(), opsARN, "iam:ListUsers")
		must[*iam.CreatePolicyVersionOutput](t)(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: p.Arn, PolicyDocument: allowOnly("iam:List*"), SetAsDefault: true}))
		if listUsers() != nil || listGroups() != nil {
			t.Fatalf("v3 (iam:List*) as the default: ListUsers %v, ListGroups %v", listUsers(), listGroups())
		}
	})

	t.Run("DetachTakesEffectAtOnce", func(t *testing.T) {
		must[*iam.DetachUserPolicyOutput](t)(c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("ops"), PolicyArn: p.Arn}))
		wantDenied(t, listUsers(), opsARN, "iam:ListUsers")
		wantDenied(t, listGroups(), opsARN, "iam:ListGroups")
	})

	t.Run("DeniedPolicyResourceWording", func(t *testing.T) {
		// AWS names a managed policy in an AccessDenied as "policy ARN":
		// "User: arn:aws:iam::866996500832:user/dns-github-deployer is not
		// authorized to perform: iam:DeletePolicyVersion on resource:
		// policy arn:aws:iam::866996500832:policy/Route53TerraformDeploy
		// because no identity-based policy allows the
		// iam:DeletePolicyVersion action" (a Terraform run against AWS).
		_, err := oc.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: p.Arn, VersionId: aws.String("v1")})
		if resource := wantDenied(t, err, opsARN, "iam:DeletePolicyVersion"); resource != "policy "+aws.ToString(p.Arn) {
			t.Fatalf("the denial names the resource %q, want %q", resource, "policy "+aws.ToString(p.Arn))
		}
	})
}

// TestGoSDKAccountReads: GetAccountAuthorizationDetails and
// GetAccountSummary describe exactly what the account holds.
func TestGoSDKAccountReads(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	userDoc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}`
	groupDoc := "{\n \"Version\": \"2012-10-17\",\n \"Statement\": {\"Effect\": \"Deny\", \"Action\": \"iam:DeleteUser\", \"Resource\": \"*\"}\n}"
	pv1 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
	pv2 := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`

	alice := must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/staff/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})).User
	must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	must[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")}))
	admins := must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Admins")})).Group
	shared := must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Shared"), PolicyDocument: aws.String(pv1), Description: aws.String("shared things")})).Policy
	must[*iam.CreatePolicyVersionOutput](t)(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: shared.Arn, PolicyDocument: aws.String(pv2), SetAsDefault: true}))
	must[*iam.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Unused"), PolicyDocument: aws.String(pv1)}))
	must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("own"), PolicyDocument: aws.String(userDoc)}))
	must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: shared.Arn}))
	must[*iam.PutUserPermissionsBoundaryOutput](t)(c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(adminAccessARN)}))
	must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("Admins"), UserName: aws.String("alice")}))
	must[*iam.PutGroupPolicyOutput](t)(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("Admins"), PolicyName: aws.String("no-delete"), PolicyDocument: aws.String(groupDoc)}))
	must[*iam.AttachGroupPolicyOutput](t)(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("Admins"), PolicyArn: aws.String(iamReadOnlyARN)}))

	details := must[*iam.GetAccountAuthorizationDetailsOutput](t)(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}))

	t.Run("Users", func(t *testing.T) {
		if len(details.UserDetailList) != 2 {
			t.Fatalf("%d users", len(details.UserDetailList))
		}
		a, b := details.UserDetailList[0], details.UserDetailList[1]
		if aws.ToString(a.UserName) != "alice" || aws.ToString(b.UserName) != "bob" {
			t.Fatalf("users %q, %q", aws.ToString(a.UserName), aws.ToString(b.UserName))
		}
		if aws.ToString(a.UserId) != aws.ToString(alice.UserId) || aws.ToString(a.Arn) != iamARN("user/staff/alice") || aws.ToString(a.Path) != "/staff/" || a.CreateDate == nil {
			t.Fatalf("alice: %+v", a)
		}
		if strings.Join(a.GroupList, ",") != "Admins" || attachedNamesOf(a.AttachedManagedPolicies) != "Shared" || aws.ToString(a.AttachedManagedPolicies[0].PolicyArn) != aws.ToString(shared.Arn) {
			t.Fatalf("alice's groups %v, attached %s", a.GroupList, attachedNamesOf(a.AttachedManagedPolicies))
		}
		if len(a.UserPolicyList) != 1 || aws.ToString(a.UserPolicyList[0].PolicyName) != "own" || decodedDocument(t, a.UserPolicyList[0].PolicyDocument) != userDoc {
			t.Fatalf("alice's inline policies %+v", a.UserPolicyList)
		}
		if a.PermissionsBoundary == nil || aws.ToString(a.PermissionsBoundary.PermissionsBoundaryArn) != adminAccessARN || a.PermissionsBoundary.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy {
			t.Fatalf("alice's boundary %+v", a.PermissionsBoundary)
		}
		if len(a.Tags) != 1 || aws.ToString(a.Tags[0].Key) != "team" || aws.ToString(a.Tags[0].Value) != "core" {
			t.Fatalf("alice's tags %+v", a.Tags)
		}
		if len(b.GroupList) != 0 || len(b.AttachedManagedPolicies) != 0 || len(b.UserPolicyList) != 0 || b.PermissionsBoundary != nil {
			t.Fatalf("bob: %+v", b)
		}
	})

	t.Run("Groups", func(t *testing.T) {
		if len(details.GroupDetailList) != 1 {
			t.Fatalf("%d groups", len(details.GroupDetailList))
		}
		g := details.GroupDetailList[0]
		if aws.ToString(g.GroupName) != "Admins" || aws.ToString(g.GroupId) != aws.ToString(admins.GroupId) || aws.ToString(g.Arn) != iamARN("group/Admins") || aws.ToString(g.Path) != "/" || g.CreateDate == nil {
			t.Fatalf("group: %+v", g)
		}
		if len(g.GroupPolicyList) != 1 || aws.ToString(g.GroupPolicyList[0].PolicyName) != "no-delete" || decodedDocument(t, g.GroupPolicyList[0].PolicyDocument) != groupDoc {
			t.Fatalf("group inline policies %+v", g.GroupPolicyList)
		}
		if attachedNamesOf(g.AttachedManagedPolicies) != "IAMReadOnlyAccess" || aws.ToString(g.AttachedManagedPolicies[0].PolicyArn) != iamReadOnlyARN {
			t.Fatalf("group attached %+v", g.AttachedManagedPolicies)
		}
		if len(details.RoleDetailList) != 0 {
			t.Fatalf("roles %+v", details.RoleDetailList)
		}
	})

	t.Run("Policies", func(t *testing.T) {
		byName := map[string]types.ManagedPolicyDetail{}
		for _, p := range details.Policies {
			byName[aws.ToString(p.PolicyName)] = p
		}
		// The account's policies, and the AWS managed ones it uses (as a
		// permission or a boundary): not every AWS managed policy.
		if got := strings.Join(sortedKeys(byName), ","); got != "AdministratorAccess,IAMReadOnlyAccess,Shared,Unused" {
			t.Fatalf("policies %s", got)
		}
		sp := byName["Shared"]
		if aws.ToString(sp.PolicyId) != aws.ToString(shared.PolicyId) || aws.ToString(sp.Arn) != iamARN("policy/Shared") || aws.ToString(sp.DefaultVersionId) != "v2" ||
			aws.ToInt32(sp.AttachmentCount) != 1 || aws.ToInt32(sp.PermissionsBoundaryUsageCount) != 0 || !sp.IsAttachable || sp.CreateDate == nil || sp.UpdateDate == nil {
			t.Fatalf("Shared: %+v", sp)
		}
		if versionsOf(sp.PolicyVersionList) != "v2*,v1" {
			t.Fatalf("Shared's versions %s", versionsOf(sp.PolicyVersionList))
		}
		if decodedDocument(t, sp.PolicyVersionList[0].Document) != pv2 || decodedDocument(t, sp.PolicyVersionList[1].Document) != pv1 {
			t.Fatalf("Shared's documents %q, %q", decodedDocument(t, sp.PolicyVersionList[0].Document), decodedDocument(t, sp.PolicyVersionList[1].Document))
		}
		ad := byName["AdministratorAccess"]
		if aws.ToInt32(ad.AttachmentCount) != 0 || aws.ToInt32(ad.PermissionsBoundaryUsageCount) != 1 || aws.ToString(ad.PolicyId) != "ANPAIWMBCKSKIEE64ZLYK" || versionsOf(ad.PolicyVersionList) != "v1*" {
			t.Fatalf("AdministratorAccess: %+v", ad)
		}
		if !sameJSON(t, decodedDocument(t, ad.PolicyVersionList[0].Document), `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`) {
			t.Fatalf("AdministratorAccess document %q", decodedDocument(t, ad.PolicyVersionList[0].Document))
		}
		if ro := byName["IAMReadOnlyAccess"]; aws.ToInt32(ro.AttachmentCount) != 1 || aws.ToString(ro.DefaultVersionId) != "v4" {
			t.Fatalf("IAMReadOnlyAccess: %+v", ro)
		}
	})

	t.Run("PoliciesOmitDescription", func(t *testing.T) {
		// As GetAccountAuthorizationDetails answers in AWS: its
		// ManagedPolicyDetail leaves out the Description even of a policy
		// that has one (observed by the iamy maintainers, 99designs/iamy
		// issue 26; and the AWS CLI reference's
		// get-account-authorization-details example lists
		// AmazonEC2FullAccess, whose GetPolicy has a Description, without
		// one). Only GetPolicy returns it.
		for _, p := range details.Policies {
			if p.Description != nil {
				t.Errorf("%s: Description %q in GetAccountAuthorizationDetails", aws.ToString(p.PolicyName), aws.ToString(p.Description))
			}
		}
	})

	t.Run("Filter", func(t *testing.T) {
		local := must[*iam.GetAccountAuthorizationDetailsOutput](t)(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeLocalManagedPolicy}}))
		if len(local.UserDetailList)+len(local.GroupDetailList) != 0 || len(local.Policies) != 2 {
			t.Fatalf("Filter LocalManagedPolicy: %d users, %d groups, %d policies", len(local.UserDetailList), len(local.GroupDetailList), len(local.Policies))
		}
		ug := must[*iam.GetAccountAuthorizationDetailsOutput](t)(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeUser, types.EntityTypeGroup}}))
		if len(ug.UserDetailList) != 2 || len(ug.GroupDetailList) != 1 || len(ug.Policies) != 0 {
			t.Fatalf("Filter User, Group: %d users, %d groups, %d policies", len(ug.UserDetailList), len(ug.GroupDetailList), len(ug.Policies))
		}
		awsOnly := must[*iam.GetAccountAuthorizationDetailsOutput](t)(c.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeAWSManagedPolicy}}))
		if len(awsOnly.Policies) != 2 || len(awsOnly.UserDetailList) != 0 {
			t.Fatalf("Filter AWSManagedPolicy: %d policies, %d users", len(awsOnly.Policies), len(awsOnly.UserDetailList))
		}
	})

	t.Run("Paginator", func(t *testing.T) {
		pager := iam.NewGetAccountAuthorizationDetailsPaginator(c, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2)})
		users, groups, policies, pages := 0, 0, 0, 0
		for pager.HasMorePages() && pages < 20 {
			page := must[*iam.GetAccountAuthorizationDetailsOutput](t)(pager.NextPage(ctx))
			if n := len(page.UserDetailList) + len(page.GroupDetailList) + len(page.Policies); n > 2 {
				t.Fatalf("a page of %d entries with MaxItems 2", n)
			}
			users, groups, policies, pages = users+len(page.UserDetailList), groups+len(page.GroupDetailList), policies+len(page.Policies), pages+1
		}
		if users != 2 || groups != 1 || policies != 4 || pages != 4 {
			t.Fatalf("paged: %d users, %d groups, %d policies in %d pages", users, groups, policies, pages)
		}
	})

	t.Run("GetAccountSummary", func(t *testing.T) {
		m := must[*iam.GetAccountSummaryOutput](t)(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap
		want := map[string]int32{
			"Users": 2, "Groups": 1, "Policies": 2,
			"GroupsQuota": 300, "GroupsPerUserQuota": 10, "UserPolicySizeQuota": 2048, "GroupPolicySizeQuota": 5120,
			"AttachedPoliciesPerUserQuota": 10, "AttachedPoliciesPerGroupQuota": 10, "PolicySizeQuota": 6144,
			"VersionsPerPolicyQuota": 5, "AccessKeysPerUserQuota": 2, "PoliciesQuota": 1500, "UsersQuota": 5000,
			"AccountAccessKeysPresent": 1, "AccountMFAEnabled": 0, "MFADevices": 0, "Roles": 0,
		}
		for k, v := range want {
			if got, ok := m[k]; !ok || got != v {
				t.Errorf("SummaryMap[%s] = %d (present %v), want %d", k, got, ok, v)
			}
		}
		// Every key is one the model's summaryKeyType names, and every
		// one it names is there.
		known := map[string]bool{}
		for _, k := range types.SummaryKeyType("").Values() {
			known[string(k)] = true
		}
		for k := range m {
			if !known[k] {
				t.Errorf("SummaryMap key %q is not in the model", k)
			}
		}
		if len(m) != len(known) {
			t.Errorf("SummaryMap has %d keys, the model names %d", len(m), len(known))
		}
	})
}

// TestGoSDKAWSManagedPolicyPermissions: the AWS managed policies allow what
// their published documents say, in real calls and in the simulator alike:
// IAMFullAccess everything in IAM, PowerUserAccess everything but IAM (its
// NotAction) save the few IAM actions it names, IAMUserChangePassword a
// user's own password only.
func TestGoSDKAWSManagedPolicyPermissions(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	attach := func(user, policyARN string) {
		t.Helper()
		must[*iam.AttachUserPolicyOutput](t)(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(user), PolicyArn: aws.String(policyARN)}))
	}
	// simulated simulates the user at path/name user.
	simulated := func(t *testing.T, user, action, resource string, entries ...types.ContextEntry) types.PolicyEvaluationDecisionType {
		t.Helper()
		out := must[*iam.SimulatePrincipalPolicyOutput](t)(c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
			PolicySourceArn: aws.String(iamARN("user/" + user)), ActionNames: []string{action}, ResourceArns: []string{resource}, ContextEntries: entries}))
		if len(out.EvaluationResults) != 1 {
			t.Fatalf("%d results", len(out.EvaluationResults))
		}
		return out.EvaluationResults[0].EvalDecision
	}

	t.Run("IAMFullAccess", func(t *testing.T) {
		full := newUserWithKey(t, s, "full")
		attach("full", "arn:aws:iam::aws:policy/IAMFullAccess")
		fc := s.GoIAM(full)
		must[*iam.CreateUserOutput](t)(fc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("made-by-full")}))
		must[*iam.CreateGroupOutput](t)(fc.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("made-by-full")}))
		must[*iam.AttachGroupPolicyOutput](t)(fc.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("made-by-full"), PolicyArn: aws.String(iamReadOnlyARN)}))
		if d := simulated(t, "full", "s3:GetObject", "arn:aws:s3:::b/k"); d != types.PolicyEvaluationDecisionTypeImplicitDeny {
			t.Fatalf("s3:GetObject under IAMFullAccess simulated %q", d)
		}
	})

	t.Run("PowerUserAccess", func(t *testing.T) {
		power := newUserWithKey(t, s, "power")
		attach("power", "arn:aws:iam::aws:policy/PowerUserAccess")
		pc := s.GoIAM(power)
		_, err := pc.ListUsers(ctx, &iam.ListUsersInput{})
		wantDenied(t, err, iamARN("user/power"), "iam:ListUsers")
		_, err = pc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
		wantDenied(t, err, iamARN("user/power"), "iam:CreateUser")
		for _, tc := range []struct {
			action, resource string
			want             types.PolicyEvaluationDecisionType
		}{
			{"s3:GetObject", "arn:aws:s3:::b/k", types.PolicyEvaluationDecisionTypeAllowed},
			{"ec2:RunInstances", "*", types.PolicyEvaluationDecisionTypeAllowed},
			{"iam:ListUsers", iamARN("user/"), types.PolicyEvaluationDecisionTypeImplicitDeny},
			{"iam:ListRoles", "*", types.PolicyEvaluationDecisionTypeAllowed},
			{"iam:CreateServiceLinkedRole", "*", types.PolicyEvaluationDecisionTypeAllowed},
			{"organizations:ListAccounts", "*", types.PolicyEvaluationDecisionTypeImplicitDeny},
			{"organizations:DescribeOrganization", "*", types.PolicyEvaluationDecisionTypeAllowed},
		} {
			if d := simulated(t, "power", tc.action, tc.resource); d != tc.want {
				t.Errorf("%s under PowerUserAccess simulated %q, want %q", tc.action, d, tc.want)
			}
		}
	})

	t.Run("IAMUserChangePassword", func(t *testing.T) {
		newUserWithKey(t, s, "changer")
		must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("changer2"), Path: aws.String("/staff/")}))
		attach("changer", "arn:aws:iam::aws:policy/IAMUserChangePassword")
		attach("changer2", "arn:aws:iam::aws:policy/IAMUserChangePassword")
		for _, tc := range []struct {
			user, resource string
			want           types.PolicyEvaluationDecisionType
		}{
			{"changer", iamARN("user/changer"), types.PolicyEvaluationDecisionTypeAllowed},
			{"changer", iamARN("user/someone-else"), types.PolicyEvaluationDecisionTypeImplicitDeny},
			// user/*/${aws:username} covers a user with a path.
			{"staff/changer2", iamARN("user/staff/changer2"), types.PolicyEvaluationDecisionTypeAllowed},
		} {
			name := tc.user[strings.LastIndex(tc.user, "/")+1:]
			if d := simulated(t, tc.user, "iam:ChangePassword", tc.resource, stringEntry("aws:username", name)); d != tc.want {
				t.Errorf("iam:ChangePassword by %s on %s simulated %q, want %q", tc.user, tc.resource, d, tc.want)
			}
		}
		if d := simulated(t, "changer", "iam:GetAccountPasswordPolicy", "*"); d != types.PolicyEvaluationDecisionTypeAllowed {
			t.Errorf("iam:GetAccountPasswordPolicy simulated %q", d)
		}
		if d := simulated(t, "changer", "iam:ListUsers", iamARN("user/")); d != types.PolicyEvaluationDecisionTypeImplicitDeny {
			t.Errorf("iam:ListUsers simulated %q", d)
		}
	})
}
