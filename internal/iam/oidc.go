package iam

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/store"
)

// OpenID Connect providers: the IdPs whose tokens STS's
// AssumeRoleWithWebIdentity may trust. A provider is named by its URL
// without the scheme, in its ARN (arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH)
// and in GetOpenIDConnectProvider's Url. Latchkey never contacts the IdP:
// a provider created without thumbprints keeps none (AWS would fetch the
// IdP's certificate's).
//
// Errors as AWS words them, where they were recorded against AWS
// (localstack's AWS-validated snapshot
// tests/aws/services/iam/test_iam_oidc.snapshot.json, February 2026):
// "Invalid Open ID Connect Provider URL" (ValidationError), "Provider with
// url URL already exists.", "Thumbprint list must contain fewer than 5
// entries." (InvalidInput), "Cannot exceed quota for
// ClientIdsPerOpenIdConnectProvider: 100", "OpenIDConnect Provider not
// found for arn ARN" (GetOpenIDConnectProvider) and "OpenId connect
// Provider ARN cannot be found." (DeleteOpenIDConnectProvider, which,
// recorded, is not idempotent as its documentation says).

type createOIDCProviderResult struct {
	OpenIDConnectProviderArn string           `xml:"OpenIDConnectProviderArn"`
	Tags                     *Members[XMLTag] `xml:"Tags,omitempty"`
}

// getOIDCProviderResult lists every member, empty lists included, as AWS
// answers (the recorded "ClientIDList": [], "Tags": []).
type getOIDCProviderResult struct {
	URL            string          `xml:"Url"`
	ClientIDList   Members[string] `xml:"ClientIDList"`
	ThumbprintList Members[string] `xml:"ThumbprintList"`
	CreateDate     *Timestamp      `xml:"CreateDate"`
	Tags           Members[XMLTag] `xml:"Tags"`
}

// XMLOpenIDConnectProviderListEntry is the OpenIDConnectProviderListEntry
// shape.
type XMLOpenIDConnectProviderListEntry struct {
	Arn string `xml:"Arn"`
}

type listOIDCProvidersResult struct {
	OpenIDConnectProviderList Members[XMLOpenIDConnectProviderListEntry] `xml:"OpenIDConnectProviderList"`
}

// oidcProviderURL checks CreateOpenIDConnectProvider's Url and returns the
// provider's name: the URL without "https://", exactly as given. AWS asks
// for https and a host, allows a path, and no query or fragment (the
// model's documentation); a port is kept (self-hosted IdPs listen on
// one). Anything else is AWS's ValidationError.
func oidcProviderURL(raw string) (string, error) {
	invalid := awserr.ValidationError("Invalid Open ID Connect Provider URL")
	const scheme = "https://"
	if len(raw) <= len(scheme) || !strings.EqualFold(raw[:len(scheme)], scheme) {
		return "", invalid
	}
	rest := raw[len(scheme):]
	for _, r := range rest {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`?#@\`, r) {
			return "", invalid
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return "", invalid
	}
	return rest, nil
}

// checkThumbprints checks a thumbprint list as AWS counts it, then each
// thumbprint's form: the model bounds it to 40 characters; Latchkey also
// asks for the hex-encoded SHA-1 the model's documentation says it is (the
// message is Latchkey's own: AWS's for that case is not known).
func checkThumbprints(list []string) error {
	if len(list) > store.MaxThumbprintsPerOpenIDConnectProvider {
		return tooManyThumbprints()
	}
	for _, tp := range list {
		if !isHexSHA1(tp) {
			return awserr.InvalidInput("Thumbprint %s is not a hex-encoded SHA-1 hash of 40 characters.", tp)
		}
	}
	return nil
}

func tooManyThumbprints() *awserr.Error {
	return awserr.InvalidInput("Thumbprint list must contain fewer than %d entries.", store.MaxThumbprintsPerOpenIDConnectProvider)
}

func isHexSHA1(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// oidcProviderErr maps the store's errors for a provider named by ARN,
// with the action's wording for a missing one (notFound, formatted with
// the ARN).
func oidcProviderErr(err error, providerARN, notFound string) error {
	var nf *store.NotFoundError
	var le *store.LimitError
	switch {
	case errors.As(err, &nf) && nf.Entity == store.EntityOpenIDConnectProvider:
		return awserr.NoSuchEntity(notFound, providerARN)
	case errors.As(err, &le) && le.Quota == "ThumbprintsPerOpenIdConnectProvider":
		return tooManyThumbprints()
	case errors.As(err, &le) && le.Quota == "TagsPerOpenIdConnectProvider":
		return awserr.LimitExceeded("The number of tags has reached the maximum limit.")
	}
	return storeErr(err)
}

const (
	// noSuchOIDCProvider is GetOpenIDConnectProvider's answer, recorded
	// against AWS; the other actions answer it too (their own wording is
	// not recorded), DeleteOpenIDConnectProvider excepted.
	noSuchOIDCProvider       = "OpenIDConnect Provider not found for arn %s"
	noSuchOIDCProviderDelete = "OpenId connect Provider %s cannot be found."
)

// requestedOIDCProvider is the provider the request's
// OpenIDConnectProviderArn names in the caller's account: its URL, or an
// error as AWS answers (InvalidInput for what is not a provider's ARN,
// NoSuchEntity for another account's).
func requestedOIDCProvider(r *op.Request, notFound string) (providerARN, name string, err error) {
	providerARN = r.Input.String("OpenIDConnectProviderArn")
	account, name, ok := arn.ParseOIDCProvider(providerARN)
	if !ok {
		return providerARN, "", awserr.InvalidInput("ARN %s is not valid.", providerARN)
	}
	if account != r.Caller.AccountID {
		return providerARN, "", awserr.NoSuchEntity(notFound, providerARN)
	}
	return providerARN, name, nil
}

func (s *Service) createOpenIDConnectProvider(ctx context.Context, r *op.Request) (any, error) {
	raw := r.Input.String("Url")
	name, err := oidcProviderURL(raw)
	if err != nil {
		return nil, err
	}
	thumbprints := r.Input.List("ThumbprintList")
	if err := checkThumbprints(thumbprints); err != nil {
		return nil, err
	}
	tags, err := requestTags(r.Input.Tags("Tags"))
	if err != nil {
		return nil, err
	}
	p := store.OpenIDConnectProvider{AccountID: r.Caller.AccountID, URL: name, ClientIDs: r.Input.List("ClientIDList"),
		Thumbprints: thumbprints, CreatedAt: s.now(), Tags: tags}
	if err := s.Store.CreateOpenIDConnectProvider(ctx, p); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return nil, awserr.EntityAlreadyExists("Provider with url %s already exists.", raw)
		}
		return nil, oidcProviderErr(err, "", "")
	}
	res := createOIDCProviderResult{OpenIDConnectProviderArn: arn.OIDCProvider(p.AccountID, p.URL)}
	if len(tags) > 0 {
		x := Members[XMLTag](xmlTags(tags))
		res.Tags = &x
	}
	return res, nil
}

func (s *Service) getOpenIDConnectProvider(ctx context.Context, r *op.Request) (any, error) {
	a, name, err := requestedOIDCProvider(r, noSuchOIDCProvider)
	if err != nil {
		return nil, err
	}
	p, err := s.Store.GetOpenIDConnectProvider(ctx, r.Caller.AccountID, name)
	if err != nil {
		return nil, oidcProviderErr(err, a, noSuchOIDCProvider)
	}
	return getOIDCProviderResult{URL: p.URL, ClientIDList: nonNil(p.ClientIDs), ThumbprintList: nonNil(p.Thumbprints),
		CreateDate: TimestampPtr(p.CreatedAt), Tags: xmlTags(p.Tags)}, nil
}

func nonNil(list []string) Members[string] {
	if list == nil {
		return Members[string]{}
	}
	return list
}

func (s *Service) listOpenIDConnectProviders(ctx context.Context, r *op.Request) (any, error) {
	list, err := s.Store.ListOpenIDConnectProviders(ctx, r.Caller.AccountID)
	if err != nil {
		return nil, storeErr(err)
	}
	res := listOIDCProvidersResult{OpenIDConnectProviderList: make(Members[XMLOpenIDConnectProviderListEntry], 0, len(list))}
	for _, p := range list {
		res.OpenIDConnectProviderList = append(res.OpenIDConnectProviderList, XMLOpenIDConnectProviderListEntry{Arn: arn.OIDCProvider(p.AccountID, p.URL)})
	}
	return res, nil
}

func (s *Service) deleteOpenIDConnectProvider(ctx context.Context, r *op.Request) (any, error) {
	a, name, err := requestedOIDCProvider(r, noSuchOIDCProviderDelete)
	if err != nil {
		return nil, err
	}
	return nil, oidcProviderErr(s.Store.DeleteOpenIDConnectProvider(ctx, r.Caller.AccountID, name), a, noSuchOIDCProviderDelete)
}

// updateOIDCProvider runs change on the provider the request names.
func (s *Service) updateOIDCProvider(ctx context.Context, r *op.Request, change func(*store.OpenIDConnectProvider) error) (store.OpenIDConnectProvider, error) {
	a, name, err := requestedOIDCProvider(r, noSuchOIDCProvider)
	if err != nil {
		return store.OpenIDConnectProvider{}, err
	}
	p, err := s.Store.UpdateOpenIDConnectProvider(ctx, r.Caller.AccountID, name, func(p store.OpenIDConnectProvider) (store.OpenIDConnectProvider, error) {
		return p, change(&p)
	})
	return p, oidcProviderErr(err, a, noSuchOIDCProvider)
}

// updateOpenIDConnectProviderThumbprint replaces the thumbprints; AWS
// refuses an empty list here, though a provider may be created without
// any ("Thumbprint list must contain at least one entry.", AWS's
// InvalidInput, hashicorp/terraform-provider-aws#29963 and #40509).
func (s *Service) updateOpenIDConnectProviderThumbprint(ctx context.Context, r *op.Request) (any, error) {
	thumbprints := r.Input.List("ThumbprintList")
	if len(thumbprints) == 0 {
		return nil, awserr.InvalidInput("Thumbprint list must contain at least one entry.")
	}
	if err := checkThumbprints(thumbprints); err != nil {
		return nil, err
	}
	_, err := s.updateOIDCProvider(ctx, r, func(p *store.OpenIDConnectProvider) error {
		p.Thumbprints = thumbprints
		return nil
	})
	return nil, err
}

// addClientIDToOpenIDConnectProvider is idempotent, as AWS documents: the
// store keeps one of each client id.
func (s *Service) addClientIDToOpenIDConnectProvider(ctx context.Context, r *op.Request) (any, error) {
	id := r.Input.String("ClientID")
	_, err := s.updateOIDCProvider(ctx, r, func(p *store.OpenIDConnectProvider) error {
		p.ClientIDs = append(append([]string(nil), p.ClientIDs...), id)
		return nil
	})
	return nil, err
}

// removeClientIDFromOpenIDConnectProvider is idempotent, as AWS documents:
// removing a client id the provider does not have succeeds.
func (s *Service) removeClientIDFromOpenIDConnectProvider(ctx context.Context, r *op.Request) (any, error) {
	id := r.Input.String("ClientID")
	_, err := s.updateOIDCProvider(ctx, r, func(p *store.OpenIDConnectProvider) error {
		kept := make([]string, 0, len(p.ClientIDs))
		for _, c := range p.ClientIDs {
			if c != id {
				kept = append(kept, c)
			}
		}
		p.ClientIDs = kept
		return nil
	})
	return nil, err
}

func (s *Service) tagOpenIDConnectProvider(ctx context.Context, r *op.Request) (any, error) {
	add, err := requestTags(r.Input.Tags("Tags"))
	if err != nil {
		return nil, err
	}
	_, err = s.updateOIDCProvider(ctx, r, func(p *store.OpenIDConnectProvider) error {
		var err error
		p.Tags, err = mergeTags(p.Tags, add)
		return err
	})
	return nil, err
}

func (s *Service) untagOpenIDConnectProvider(ctx context.Context, r *op.Request) (any, error) {
	keys := r.Input.List("TagKeys")
	_, err := s.updateOIDCProvider(ctx, r, func(p *store.OpenIDConnectProvider) error {
		p.Tags = removeTags(p.Tags, keys)
		return nil
	})
	return nil, err
}

func (s *Service) listOpenIDConnectProviderTags(ctx context.Context, r *op.Request) (any, error) {
	a, name, err := requestedOIDCProvider(r, noSuchOIDCProvider)
	if err != nil {
		return nil, err
	}
	p, err := s.Store.GetOpenIDConnectProvider(ctx, r.Caller.AccountID, name)
	if err != nil {
		return nil, oidcProviderErr(err, a, noSuchOIDCProvider)
	}
	page, truncated, marker, err := pageSlice(r, "tags", xmlTags(p.Tags))
	if err != nil {
		return nil, err
	}
	return listUserTagsResult{Tags: page, IsTruncated: truncated, Marker: marker}, nil
}

// ---- targets ----

// oidcProviderTarget is the provider OpenIDConnectProviderArn names, with
// its tags (aws:ResourceTag/…, iam:ResourceTag/…). An ARN that names no
// provider of the caller's account is the target as given; the handler
// answers it.
func (s *Service) oidcProviderTarget(ctx context.Context, r *op.Request) (op.Target, error) {
	a := r.Input.String("OpenIDConnectProviderArn")
	account, name, ok := arn.ParseOIDCProvider(a)
	if !ok || account != r.Caller.AccountID {
		return op.Target{ARN: a}, nil
	}
	p, err := s.Store.GetOpenIDConnectProvider(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) {
		return op.Target{ARN: a}, nil
	}
	if err != nil {
		return op.Target{}, err
	}
	return op.Target{ARN: a, Context: tagContext(p.Tags)}, nil
}

// newOIDCProviderTarget is the provider CreateOpenIDConnectProvider would
// create: its ARN from the Url, scheme removed.
func (s *Service) newOIDCProviderTarget(_ context.Context, r *op.Request) (op.Target, error) {
	raw := r.Input.String("Url")
	if len(raw) >= len("https://") && strings.EqualFold(raw[:len("https://")], "https://") {
		raw = raw[len("https://"):]
	}
	return op.Target{ARN: arn.OIDCProvider(r.Caller.AccountID, raw)}, nil
}
