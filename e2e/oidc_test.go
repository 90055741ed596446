package e2e

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// OpenID Connect providers through aws-sdk-go-v2 and the AWS CLI: their
// shapes, client ids, thumbprints, tags, quotas, errors and authorization.
//
// Where AWS's answers are pinned without another source, they are those
// localstack recorded against AWS in February 2026 (its AWS-validated
// snapshot tests/aws/services/iam/test_iam_oidc.snapshot.json).

// Thumbprints: GitHub's two published ones, and repeated hex digits.
const (
	thumbGitHub1 = "6938fd4d98bab03faadb97b34396831e3780aea1"
	thumbGitHub2 = "1c58a3a8518e8759bf075b76b750d4f2df264fcd"
)

func oidcThumb(c string) string { return strings.Repeat(c, 40) }

func oidcARN(url string) string { return iamARN("oidc-provider/" + url) }

func oidcARNsOf(list []types.OpenIDConnectProviderListEntry) []string {
	var out []string
	for _, e := range list {
		out = append(out, aws.ToString(e.Arn))
	}
	return out
}

func TestOIDCProvidersGoSDK(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	c := s.GoIAM(e2etest.Root)
	const issuer = "https://token.actions.example.com/org"
	providerARN := oidcARN("token.actions.example.com/org")

	get := func(t *testing.T, a string) *iam.GetOpenIDConnectProviderOutput {
		t.Helper()
		return must[*iam.GetOpenIDConnectProviderOutput](t)(c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(a)}))
	}
	create := func(in iam.CreateOpenIDConnectProviderInput) (string, error) {
		out, err := c.CreateOpenIDConnectProvider(ctx, &in)
		if err != nil {
			return "", err
		}
		return aws.ToString(out.OpenIDConnectProviderArn), nil
	}
	wantNoSuchProvider := func(t *testing.T, err error, a string) {
		t.Helper()
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "OpenIDConnect Provider not found for arn "+a)
	}
	addClient := func(a, id string) error {
		_, err := c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(a), ClientID: aws.String(id)})
		return err
	}
	clientsOf := func(t *testing.T, a string) []string {
		t.Helper()
		return get(t, a).ClientIDList
	}

	created := must[*iam.CreateOpenIDConnectProviderOutput](t)(c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(issuer), ClientIDList: []string{"sts.amazonaws.com", "ci"}, ThumbprintList: []string{thumbGitHub1},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}},
	}))

	t.Run("Create", func(t *testing.T) {
		// The ARN is the URL without its scheme; the tags come back.
		if aws.ToString(created.OpenIDConnectProviderArn) != providerARN || tagsOf(created.Tags) != "team=platform" {
			t.Fatalf("CreateOpenIDConnectProvider: %s, tags %s", aws.ToString(created.OpenIDConnectProviderArn), tagsOf(created.Tags))
		}
		// Without tags, none are returned (the recorded "create-https").
		plain, err := create(iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://plain.example.com")})
		if err != nil || plain != oidcARN("plain.example.com") {
			t.Fatalf("a provider without client ids or thumbprints: %s, %v", plain, err)
		}
	})

	t.Run("Get", func(t *testing.T) {
		p := get(t, providerARN)
		// Url without the scheme, as AWS answers it.
		if aws.ToString(p.Url) != "token.actions.example.com/org" || !slices.Equal(p.ClientIDList, []string{"sts.amazonaws.com", "ci"}) ||
			!slices.Equal(p.ThumbprintList, []string{thumbGitHub1}) || tagsOf(p.Tags) != "team=platform" {
			t.Fatalf("GetOpenIDConnectProvider: url %q, client ids %q, thumbprints %q, tags %s", aws.ToString(p.Url), p.ClientIDList, p.ThumbprintList, tagsOf(p.Tags))
		}
		wantRecent(t, "CreateDate", p.CreateDate)
		// Empty lists for a provider with none (the recorded
		// "ClientIDList": [], "Tags": []); Latchkey fetches no thumbprint.
		plain := get(t, oidcARN("plain.example.com"))
		if aws.ToString(plain.Url) != "plain.example.com" || plain.ClientIDList == nil || len(plain.ClientIDList) != 0 || len(plain.ThumbprintList) != 0 || plain.Tags == nil || len(plain.Tags) != 0 {
			t.Fatalf("GetOpenIDConnectProvider of a plain provider: %+v", plain)
		}
		_, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN("non-existent.example.com"))})
		wantNoSuchProvider(t, err, oidcARN("non-existent.example.com"))
		// The URL is the provider's name exactly as given.
		_, err = c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN("token.actions.example.com/org/"))})
		wantNoSuchProvider(t, err, oidcARN("token.actions.example.com/org/"))
		// Another account's provider is not the caller's to read.
		foreign := "arn:aws:iam::444455556666:oidc-provider/token.actions.example.com/org"
		_, err = c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(foreign)})
		wantNoSuchProvider(t, err, foreign)
		notProvider := iamARN("role/token.actions.example.com")
		_, err = c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(notProvider)})
		wantMessage(t, wantAPIError(t, err, http.StatusBadRequest, "InvalidInput"), "ARN "+notProvider+" is not valid.")
	})

	t.Run("CreateErrors", func(t *testing.T) {
		long := func(c string, n int) string { return strings.Repeat(c, n) }
		hundredOne := make([]string, 101)
		for i := range hundredOne {
			hundredOne[i] = fmt.Sprint(i)
		}
		for _, tc := range []struct {
			name   string
			in     iam.CreateOpenIDConnectProviderInput
			status int
			code   string
			msg    string
		}{
			{"Duplicate", iam.CreateOpenIDConnectProviderInput{Url: aws.String(issuer)}, http.StatusConflict, "EntityAlreadyExists", "Provider with url " + issuer + " already exists."},
			{"NoScheme", iam.CreateOpenIDConnectProviderInput{Url: aws.String("example.org")}, http.StatusBadRequest, "ValidationError", "Invalid Open ID Connect Provider URL"},
			{"HTTP", iam.CreateOpenIDConnectProviderInput{Url: aws.String("http://example.org")}, http.StatusBadRequest, "ValidationError", "Invalid Open ID Connect Provider URL"},
			{"Query", iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://example.org/?x=1")}, http.StatusBadRequest, "ValidationError", "Invalid Open ID Connect Provider URL"},
			{"TooManyThumbprints", iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://thumbs.example.org"),
				ThumbprintList: []string{oidcThumb("a"), oidcThumb("b"), oidcThumb("c"), oidcThumb("d"), oidcThumb("e"), oidcThumb("f")}},
				http.StatusBadRequest, "InvalidInput", "Thumbprint list must contain fewer than 5 entries."},
			{"TooManyClientIDs", iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://clients.example.org"), ThumbprintList: []string{oidcThumb("a")}, ClientIDList: hundredOne},
				http.StatusConflict, "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100"},
			// The model's length bounds (AWS's message for these is worded
			// differently and not checked here).
			{"LongURL", iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://" + long("b", 248))}, http.StatusBadRequest, "ValidationError", ""},
			{"LongThumbprint", iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://long.example.org"), ThumbprintList: []string{long("b", 41)}}, http.StatusBadRequest, "ValidationError", ""},
			{"LongClientID", iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://long.example.org"), ClientIDList: []string{long("b", 256)}}, http.StatusBadRequest, "ValidationError", ""},
			// Latchkey's own: a thumbprint is the hex SHA-1 the model documents.
			{"ThumbprintNotHex", iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://hex.example.org"), ThumbprintList: []string{"3768084dfb3d2b68b7897bf5f565da8efEXAMPLE"}},
				http.StatusBadRequest, "InvalidInput", "Thumbprint 3768084dfb3d2b68b7897bf5f565da8efEXAMPLE is not a hex-encoded SHA-1 hash of 40 characters."},
			{"DuplicateTags", iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://tags.example.org"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("K"), Value: aws.String("2")}}},
				http.StatusBadRequest, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := create(tc.in)
				msg := wantAPIError(t, err, tc.status, tc.code)
				if tc.msg != "" {
					wantMessage(t, msg, tc.msg)
				}
			})
		}
		// Nothing was created.
		list := must[*iam.ListOpenIDConnectProvidersOutput](t)(c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{}))
		if got := oidcARNsOf(list.OpenIDConnectProviderList); !slices.Equal(got, []string{oidcARN("plain.example.com"), providerARN}) {
			t.Fatalf("providers after the refusals: %q", got)
		}
	})

	t.Run("UpdateThumbprint", func(t *testing.T) {
		must[*iam.UpdateOpenIDConnectProviderThumbprintOutput](t)(c.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{
			OpenIDConnectProviderArn: aws.String(providerARN), ThumbprintList: []string{thumbGitHub2, thumbGitHub1}}))
		// The list is replaced, in the order given.
		if got := get(t, providerARN).ThumbprintList; !slices.Equal(got, []string{thumbGitHub2, thumbGitHub1}) {
			t.Fatalf("thumbprints after the update: %q", got)
		}
		update := func(a string, list []string) error {
			_, err := c.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: aws.String(a), ThumbprintList: list})
			return err
		}
		wantMessage(t, wantAPIError(t, update(providerARN, []string{}), http.StatusBadRequest, "InvalidInput"), "Thumbprint list must contain at least one entry.")
		wantMessage(t, wantAPIError(t, update(providerARN, []string{oidcThumb("1"), oidcThumb("2"), oidcThumb("3"), oidcThumb("4"), oidcThumb("5"), oidcThumb("6")}), http.StatusBadRequest, "InvalidInput"),
			"Thumbprint list must contain fewer than 5 entries.")
		wantNoSuchProvider(t, update(oidcARN("ghost.example.com"), []string{thumbGitHub1}), oidcARN("ghost.example.com"))
		if got := get(t, providerARN).ThumbprintList; !slices.Equal(got, []string{thumbGitHub2, thumbGitHub1}) {
			t.Fatalf("thumbprints after the refusals: %q", got)
		}
	})

	t.Run("ClientIDs", func(t *testing.T) {
		if err := addClient(providerARN, "deploy"); err != nil {
			t.Fatal(err)
		}
		// Idempotent, as AWS documents: added once.
		if err := addClient(providerARN, "deploy"); err != nil {
			t.Fatal(err)
		}
		if got := clientsOf(t, providerARN); !slices.Equal(got, []string{"sts.amazonaws.com", "ci", "deploy"}) {
			t.Fatalf("client ids after the additions: %q", got)
		}
		remove := func(a, id string) error {
			_, err := c.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(a), ClientID: aws.String(id)})
			return err
		}
		if err := remove(providerARN, "ci"); err != nil {
			t.Fatal(err)
		}
		// Idempotent too: removing what is not there succeeds.
		if err := remove(providerARN, "never-added"); err != nil {
			t.Fatal(err)
		}
		if got := clientsOf(t, providerARN); !slices.Equal(got, []string{"sts.amazonaws.com", "deploy"}) {
			t.Fatalf("client ids after the removals: %q", got)
		}
		wantNoSuchProvider(t, addClient(oidcARN("ghost.example.com"), "x"), oidcARN("ghost.example.com"))
		wantNoSuchProvider(t, remove(oidcARN("ghost.example.com"), "x"), oidcARN("ghost.example.com"))
		_, err := c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(providerARN), ClientID: aws.String(strings.Repeat("c", 256))})
		wantAPIError(t, err, http.StatusBadRequest, "ValidationError")
	})

	t.Run("ClientIDQuota", func(t *testing.T) {
		// Racing additions into room for 8: exactly 8 are added.
		a := oidcARN("plain.example.com")
		for i := range 92 {
			if err := addClient(a, fmt.Sprintf("base%03d", i)); err != nil {
				t.Fatal(err)
			}
		}
		var ok, limited atomic.Int32
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				err := addClient(a, fmt.Sprintf("racer%02d", i))
				var ae smithy.APIError
				switch {
				case err == nil:
					ok.Add(1)
				case errors.As(err, &ae) && ae.ErrorCode() == "LimitExceeded":
					limited.Add(1)
				default:
					t.Errorf("AddClientIDToOpenIDConnectProvider: %v", err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 8 || limited.Load() != 12 {
			t.Fatalf("%d added, %d limited, want 8 and 12", ok.Load(), limited.Load())
		}
		if n := len(clientsOf(t, a)); n != 100 {
			t.Fatalf("%d client ids", n)
		}
		wantMessage(t, wantAPIError(t, addClient(a, "one-too-many"), http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
		// Adding one it has is still idempotent at the quota.
		if err := addClient(a, "base000"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Tags", func(t *testing.T) {
		must[*iam.TagOpenIDConnectProviderOutput](t)(c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(providerARN),
			Tags: []types.Tag{{Key: aws.String("TEAM"), Value: aws.String("identity")}, {Key: aws.String("env"), Value: aws.String("ci")}}}))
		listTags := func(t *testing.T, a string) *iam.ListOpenIDConnectProviderTagsOutput {
			t.Helper()
			return must[*iam.ListOpenIDConnectProviderTagsOutput](t)(c.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(a)}))
		}
		// A key given in another case replaces the tag.
		if got := listTags(t, providerARN); tagsOf(got.Tags) != "TEAM=identity,env=ci" || got.IsTruncated {
			t.Fatalf("ListOpenIDConnectProviderTags %s (truncated %v)", tagsOf(got.Tags), got.IsTruncated)
		}
		if p := get(t, providerARN); tagsOf(p.Tags) != "TEAM=identity,env=ci" {
			t.Fatalf("GetOpenIDConnectProvider tags %s", tagsOf(p.Tags))
		}
		pager := iam.NewListOpenIDConnectProviderTagsPaginator(c, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(providerARN), MaxItems: aws.Int32(1)})
		var pages []string
		for pager.HasMorePages() && len(pages) < 10 {
			pages = append(pages, tagsOf(must[*iam.ListOpenIDConnectProviderTagsOutput](t)(pager.NextPage(ctx)).Tags))
		}
		if strings.Join(pages, "|") != "TEAM=identity|env=ci" {
			t.Fatalf("ListOpenIDConnectProviderTags paginator pages %v", pages)
		}
		must[*iam.UntagOpenIDConnectProviderOutput](t)(c.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(providerARN), TagKeys: []string{"team", "absent"}}))
		if got := listTags(t, providerARN); tagsOf(got.Tags) != "env=ci" {
			t.Fatalf("after UntagOpenIDConnectProvider: %s", tagsOf(got.Tags))
		}
		if got := listTags(t, oidcARN("plain.example.com")); got.Tags == nil || len(got.Tags) != 0 {
			t.Fatalf("a provider without tags lists %v", got.Tags)
		}
		// 50 tags at most (the recorded "The number of tags has reached the
		// maximum limit.").
		var fifty []types.Tag
		for i := range 49 {
			fifty = append(fifty, types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
		}
		must[*iam.TagOpenIDConnectProviderOutput](t)(c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(providerARN), Tags: fifty}))
		_, err := c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(providerARN), Tags: []types.Tag{{Key: aws.String("string"), Value: aws.String("string")}}})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "The number of tags has reached the maximum limit.")
		if n := len(listTags(t, providerARN).Tags); n != 50 {
			t.Fatalf("%d tags after the refusal", n)
		}
		must[*iam.UntagOpenIDConnectProviderOutput](t)(c.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(providerARN), TagKeys: func() []string {
			var keys []string
			for _, tag := range fifty {
				keys = append(keys, aws.ToString(tag.Key))
			}
			return keys
		}()}))
		_, err = c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN("ghost.example.com")), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		wantNoSuchProvider(t, err, oidcARN("ghost.example.com"))
		_, err = c.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN("ghost.example.com")), TagKeys: []string{"k"}})
		wantNoSuchProvider(t, err, oidcARN("ghost.example.com"))
		_, err = c.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(oidcARN("ghost.example.com"))})
		wantNoSuchProvider(t, err, oidcARN("ghost.example.com"))
	})

	t.Run("Resources", func(t *testing.T) {
		// The resource of a provider's actions is its ARN, with its tags
		// as aws:ResourceTag/….
		ops := newUserWithKey(t, s, "oidc-ops")
		must[*iam.PutUserPolicyOutput](t)(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("oidc-ops"), PolicyName: aws.String("providers"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":"iam:GetOpenIDConnectProvider","Resource":"arn:aws:iam::` + e2etest.AccountID + `:oidc-provider/token.actions.example.com/*"},` +
				`{"Effect":"Allow","Action":"iam:AddClientIDToOpenIDConnectProvider","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"ci"}}},` +
				`{"Effect":"Allow","Action":"iam:ListOpenIDConnectProviders","Resource":"*"}]}`)}))
		oc := s.GoIAM(ops)
		if _, err := oc.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(providerARN)}); err != nil {
			t.Fatalf("GetOpenIDConnectProvider under oidc-provider/token.actions.example.com/*: %v", err)
		}
		_, err := oc.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN("plain.example.com"))})
		if resource := wantDenied(t, err, iamARN("user/oidc-ops"), "iam:GetOpenIDConnectProvider"); !strings.Contains(resource, oidcARN("plain.example.com")) {
			t.Fatalf("the denial names %q, not the provider's ARN", resource)
		}
		// Tagged env=ci, the provider takes client ids from oidc-ops; the
		// untagged one does not.
		if _, err := oc.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(providerARN), ClientID: aws.String("ops")}); err != nil {
			t.Fatalf("AddClientIDToOpenIDConnectProvider on a provider tagged env=ci: %v", err)
		}
		_, err = oc.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN("plain.example.com")), ClientID: aws.String("ops")})
		wantDenied(t, err, iamARN("user/oidc-ops"), "iam:AddClientIDToOpenIDConnectProvider")
		if slices.Contains(clientsOf(t, oidcARN("plain.example.com")), "ops") {
			t.Fatal("a denied AddClientIDToOpenIDConnectProvider added the client id")
		}
		if got := oidcARNsOf(must[*iam.ListOpenIDConnectProvidersOutput](t)(oc.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})).OpenIDConnectProviderList); len(got) != 2 {
			t.Fatalf("oidc-ops lists %q", got)
		}
		_, err = oc.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://rogue.example.com")})
		if resource := wantDenied(t, err, iamARN("user/oidc-ops"), "iam:CreateOpenIDConnectProvider"); !strings.Contains(resource, oidcARN("rogue.example.com")) {
			t.Fatalf("the denial names %q, not the new provider's ARN", resource)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		a := oidcARN("plain.example.com")
		must[*iam.DeleteOpenIDConnectProviderOutput](t)(c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(a)}))
		_, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(a)})
		wantNoSuchProvider(t, err, a)
		// Deleting again is NoSuchEntity, as AWS answered when recorded
		// (its documentation calls the action idempotent).
		_, err = c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(a)})
		wantMessage(t, wantAPIError(t, err, http.StatusNotFound, "NoSuchEntity"), "OpenId connect Provider "+a+" cannot be found.")
		list := must[*iam.ListOpenIDConnectProvidersOutput](t)(c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{}))
		if got := oidcARNsOf(list.OpenIDConnectProviderList); !slices.Equal(got, []string{providerARN}) {
			t.Fatalf("providers after the delete: %q", got)
		}
		// The URL is free again; the new provider starts empty.
		if _, err := create(iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://plain.example.com")}); err != nil {
			t.Fatal(err)
		}
		if n := len(clientsOf(t, a)); n != 0 {
			t.Fatalf("the re-created provider has %d client ids", n)
		}
	})

	t.Run("ProvidersPerAccount", func(t *testing.T) {
		have := len(must[*iam.ListOpenIDConnectProvidersOutput](t)(c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})).OpenIDConnectProviderList)
		fill(t, have, 100, func(i int) error {
			_, err := create(iam.CreateOpenIDConnectProviderInput{Url: aws.String(fmt.Sprintf("https://idp%03d.example.com", i))})
			return err
		})
		_, err := create(iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://one-too-many.example.com")})
		wantMessage(t, wantAPIError(t, err, http.StatusConflict, "LimitExceeded"), "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100")
		list := must[*iam.ListOpenIDConnectProvidersOutput](t)(c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})).OpenIDConnectProviderList
		if got := oidcARNsOf(list); len(got) != 100 || !slices.IsSorted(got) {
			t.Fatalf("%d providers listed, sorted %v", len(got), slices.IsSorted(got))
		}
		// Another account has a quota of its own.
		_, other := newAccount(t, s)
		if _, err := s.GoIAM(other).CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(issuer)}); err != nil {
			t.Fatalf("the same URL in another account: %v", err)
		}
		must[*iam.DeleteOpenIDConnectProviderOutput](t)(c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(oidcARN(fmt.Sprintf("idp%03d.example.com", have)))}))
		if _, err := create(iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://one-too-many.example.com")}); err != nil {
			t.Fatalf("create after freeing a slot: %v", err)
		}
	})
}

func TestOIDCProvidersAWSCLI(t *testing.T) {
	t.Parallel() // the CLI's start-up dominates; it overlaps with the other suites
	s := e2etest.Start(t, e2etest.Options{})
	root := e2etest.Root
	cli := func(t *testing.T, args ...string) map[string]any {
		t.Helper()
		return awsCLIJSON(t, s, root, append([]string{"iam"}, args...)...)
	}
	a := oidcARN("oidc.example.com/id/EXAMPLE")

	out := cli(t, "create-open-id-connect-provider", "--url", "https://oidc.example.com/id/EXAMPLE", "--client-id-list", "sts.amazonaws.com", "my-app",
		"--thumbprint-list", thumbGitHub1, "--tags", "Key=team,Value=platform")
	if jsonString(out, "OpenIDConnectProviderArn") != a || sortedJSONKeys(out) != "OpenIDConnectProviderArn,Tags" {
		t.Fatalf("create-open-id-connect-provider: %v", out)
	}
	got := cli(t, "get-open-id-connect-provider", "--open-id-connect-provider-arn", a)
	if sortedJSONKeys(got) != "ClientIDList,CreateDate,Tags,ThumbprintList,Url" || jsonString(got, "Url") != "oidc.example.com/id/EXAMPLE" ||
		fmtAny(got["ClientIDList"]) != fmtAny([]any{"sts.amazonaws.com", "my-app"}) || fmtAny(got["ThumbprintList"]) != fmtAny([]any{thumbGitHub1}) {
		t.Fatalf("get-open-id-connect-provider: %v", got)
	}
	cliDate(t, "get-open-id-connect-provider CreateDate", jsonString(got, "CreateDate"))
	list := jsonList(t, cli(t, "list-open-id-connect-providers"), "OpenIDConnectProviderList")
	if len(list) != 1 || jsonString(list[0], "Arn") != a {
		t.Fatalf("list-open-id-connect-providers: %v", list)
	}

	for _, args := range [][]string{
		{"update-open-id-connect-provider-thumbprint", "--open-id-connect-provider-arn", a, "--thumbprint-list", thumbGitHub2},
		{"add-client-id-to-open-id-connect-provider", "--open-id-connect-provider-arn", a, "--client-id", "deploy"},
		{"remove-client-id-from-open-id-connect-provider", "--open-id-connect-provider-arn", a, "--client-id", "my-app"},
		{"tag-open-id-connect-provider", "--open-id-connect-provider-arn", a, "--tags", "Key=env,Value=ci"},
		{"untag-open-id-connect-provider", "--open-id-connect-provider-arn", a, "--tag-keys", "team"},
	} {
		if out := cli(t, args...); out != nil {
			t.Fatalf("%s printed %v", args[0], out)
		}
	}
	got = cli(t, "get-open-id-connect-provider", "--open-id-connect-provider-arn", a)
	if fmtAny(got["ClientIDList"]) != fmtAny([]any{"sts.amazonaws.com", "deploy"}) || fmtAny(got["ThumbprintList"]) != fmtAny([]any{thumbGitHub2}) {
		t.Fatalf("get-open-id-connect-provider after the updates: %v", got)
	}
	tags := jsonList(t, cli(t, "list-open-id-connect-provider-tags", "--open-id-connect-provider-arn", a), "Tags")
	if len(tags) != 1 || jsonString(tags[0], "Key") != "env" || jsonString(tags[0], "Value") != "ci" {
		t.Fatalf("list-open-id-connect-provider-tags: %v", tags)
	}

	msg := awsCLIFails(t, s, root, "EntityAlreadyExists", "iam", "create-open-id-connect-provider", "--url", "https://oidc.example.com/id/EXAMPLE")
	wantMessage(t, msg, "Provider with url https://oidc.example.com/id/EXAMPLE already exists.")
	msg = awsCLIFails(t, s, root, "ValidationError", "iam", "create-open-id-connect-provider", "--url", "example.org")
	wantMessage(t, msg, "Invalid Open ID Connect Provider URL")

	if out := cli(t, "delete-open-id-connect-provider", "--open-id-connect-provider-arn", a); out != nil {
		t.Fatalf("delete-open-id-connect-provider printed %v", out)
	}
	msg = awsCLIFails(t, s, root, "NoSuchEntity", "iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", a)
	wantMessage(t, msg, "OpenIDConnect Provider not found for arn "+a)
	if list := jsonList(t, cli(t, "list-open-id-connect-providers"), "OpenIDConnectProviderList"); len(list) != 0 {
		t.Fatalf("list-open-id-connect-providers after the delete: %v", list)
	}
}
