package iam

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/awsmanaged"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/store"
)

// maxManagedPolicySize is AWS's quota on one managed policy document,
// white space not counted.
const maxManagedPolicySize = 6144

// checkManagedDocument validates a managed policy document and its size.
// Unlike inline policies, a managed policy must be written in the current
// language version: AWS refuses one without "Version": "2012-10-17".
func checkManagedDocument(doc string) error {
	p, err := policy.Parse(doc)
	if err != nil {
		return err
	}
	if p.Version != policy.Version2012 {
		return awserr.MalformedPolicyDocument("Policy document must be version 2012-10-17 or greater.")
	}
	if policy.SizeWithoutWhitespace(doc) > maxManagedPolicySize {
		return awserr.LimitExceeded("Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	return nil
}

// policyRef is the managed policy a request's PolicyArn names: an AWS
// managed one Latchkey has (aws set), or one of the caller's account.
type policyRef struct {
	arn string
	aws *awsmanaged.Policy
}

// resolvePolicy reads PolicyArn. An ARN of another account, or an AWS
// managed policy Latchkey does not have, does not exist here.
func resolvePolicy(r *op.Request) (policyRef, error) {
	a := r.Input.String("PolicyArn")
	account, _, _, ok := arn.ParsePolicy(a)
	if !ok {
		return policyRef{}, awserr.InvalidInput("ARN %s is not valid.", a)
	}
	if account == arn.AWSAccount {
		p, ok := awsmanaged.Get(a)
		if !ok {
			return policyRef{}, noSuchPolicy(a)
		}
		return policyRef{arn: a, aws: &p}, nil
	}
	if account != r.Caller.AccountID {
		return policyRef{}, noSuchPolicy(a)
	}
	return policyRef{arn: a}, nil
}

// localPolicy is resolvePolicy for actions that change a policy: AWS
// managed policies belong to AWS, and no account may change them.
func localPolicy(r *op.Request) (string, error) {
	ref, err := resolvePolicy(r)
	if err != nil {
		return "", err
	}
	if ref.aws != nil {
		action := "iam:" + r.Input.String("Action")
		return "", awserr.AccessDenied("User: %s is not authorized to perform: %s on resource: %s because no resource-based policy allows the %s action", r.Caller.ARN(), action, ref.arn, action)
	}
	return ref.arn, nil
}

// policyDetail says which optional members a Policy element carries: AWS
// gives the description only in GetPolicy's answer, and the tags in
// GetPolicy's and CreatePolicy's; lists carry neither.
type policyDetail struct{ description, tags bool }

var (
	inGetPolicy    = policyDetail{description: true, tags: true}
	inCreatePolicy = policyDetail{tags: true}
	inList         = policyDetail{}
)

func xmlManagedPolicy(p store.ManagedPolicy, detail policyDetail) XMLPolicy {
	x := XMLPolicy{
		PolicyName: p.Name, PolicyID: p.ID, Arn: arn.Policy(p.AccountID, p.Path, p.Name), Path: p.Path,
		DefaultVersionID: p.DefaultVersionID, AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: p.BoundaryUsageCount,
		IsAttachable: true, CreateDate: TimestampPtr(p.CreatedAt), UpdateDate: TimestampPtr(p.UpdatedAt),
	}
	if detail.description {
		x.Description = p.Description
	}
	if detail.tags && len(p.Tags) > 0 {
		tags := Members[XMLTag](xmlTags(p.Tags))
		x.Tags = &tags
	}
	return x
}

func xmlAWSPolicy(p awsmanaged.Policy, attached, bounds int, detail policyDetail) XMLPolicy {
	x := XMLPolicy{
		PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN(), Path: p.Path, DefaultVersionID: p.DefaultVersionID,
		AttachmentCount: attached, PermissionsBoundaryUsageCount: bounds, IsAttachable: true,
		CreateDate: TimestampPtr(p.CreateDate), UpdateDate: TimestampPtr(p.UpdateDate),
	}
	if detail.description {
		x.Description = p.Description
	}
	return x
}

func (s *Service) createPolicy(ctx context.Context, r *op.Request) (any, error) {
	doc := r.Input.String("PolicyDocument")
	if err := checkManagedDocument(doc); err != nil {
		return nil, err
	}
	tags, err := requestTags(r.Input.Tags("Tags"))
	if err != nil {
		return nil, err
	}
	p := store.ManagedPolicy{
		AccountID: r.Caller.AccountID, ID: secret.NewPolicyID(), Name: r.Input.String("PolicyName"),
		Path: pathOr(r.Input.String("Path")), Description: r.Input.String("Description"), CreatedAt: s.now(), Tags: tags,
	}
	created, err := s.Store.CreatePolicy(ctx, p, doc)
	if errors.Is(err, store.ErrAlreadyExists) {
		return nil, awserr.EntityAlreadyExists("A policy called %s already exists. Duplicate names are not allowed.", p.Name)
	}
	if err != nil {
		return nil, storeErr(err)
	}
	return policyResult{Policy: xmlManagedPolicy(created, inCreatePolicy)}, nil
}

func (s *Service) getPolicy(ctx context.Context, r *op.Request) (any, error) {
	ref, err := resolvePolicy(r)
	if err != nil {
		return nil, err
	}
	if ref.aws != nil {
		attached, bounds, err := s.Store.AttachmentCounts(ctx, r.Caller.AccountID)
		if err != nil {
			return nil, storeErr(err)
		}
		return policyResult{Policy: xmlAWSPolicy(*ref.aws, attached[ref.arn], bounds[ref.arn], inGetPolicy)}, nil
	}
	p, err := s.Store.GetPolicy(ctx, r.Caller.AccountID, ref.arn)
	if err != nil {
		return nil, storeErr(err)
	}
	return policyResult{Policy: xmlManagedPolicy(p, inGetPolicy)}, nil
}

// listPolicies lists AWS managed policies (Scope AWS), the account's
// (Local), or both (All, the default: AWS's first), each sorted by name.
// An account holds at most MaxPoliciesPerAccount policies, so the list is
// built whole and paged by offset.
func (s *Service) listPolicies(ctx context.Context, r *op.Request) (any, error) {
	scope := r.Input.String("Scope")
	if scope == "" {
		scope = "All"
	}
	prefix := r.Input.String("PathPrefix")
	onlyAttached, _ := r.Input.Bool("OnlyAttached")
	usage := r.Input.String("PolicyUsageFilter")
	keep := func(attached, bounds int) bool {
		if !onlyAttached {
			return true
		}
		switch usage {
		case "PermissionsPolicy":
			return attached > 0
		case "PermissionsBoundary":
			return bounds > 0
		}
		return attached > 0 || bounds > 0
	}
	var out []XMLPolicy
	if scope != "Local" {
		attached, bounds, err := s.Store.AttachmentCounts(ctx, r.Caller.AccountID)
		if err != nil {
			return nil, storeErr(err)
		}
		for _, p := range awsmanaged.All() {
			if strings.HasPrefix(p.Path, prefix) && keep(attached[p.ARN()], bounds[p.ARN()]) {
				out = append(out, xmlAWSPolicy(p, attached[p.ARN()], bounds[p.ARN()], inList))
			}
		}
	}
	if scope != "AWS" {
		local, _, _, err := s.Store.ListPolicies(ctx, r.Caller.AccountID, store.PolicyFilter{PathPrefix: prefix}, store.Page{Limit: store.MaxPoliciesPerAccount + 1})
		if err != nil {
			return nil, storeErr(err)
		}
		for _, p := range local {
			if keep(p.AttachmentCount, p.BoundaryUsageCount) {
				out = append(out, xmlManagedPolicy(p, inList))
			}
		}
	}
	page, truncated, marker, err := pageSlice(r, "policies:"+scope, out)
	if err != nil {
		return nil, err
	}
	return listPoliciesResult{Policies: page, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) deletePolicy(ctx context.Context, r *op.Request) (any, error) {
	a, err := localPolicy(r)
	if err != nil {
		return nil, err
	}
	return nil, storeErr(s.Store.DeletePolicy(ctx, r.Caller.AccountID, a))
}

func (s *Service) createPolicyVersion(ctx context.Context, r *op.Request) (any, error) {
	a, err := localPolicy(r)
	if err != nil {
		return nil, err
	}
	doc := r.Input.String("PolicyDocument")
	if err := checkManagedDocument(doc); err != nil {
		return nil, err
	}
	setDefault, _ := r.Input.Bool("SetAsDefault")
	v, err := s.Store.CreatePolicyVersion(ctx, r.Caller.AccountID, a, doc, setDefault, s.now())
	if err != nil {
		return nil, storeErr(err)
	}
	// CreatePolicyVersion does not echo the document, as in AWS.
	return policyVersionResult{PolicyVersion: XMLPolicyVersion{VersionID: v.VersionID, IsDefaultVersion: v.IsDefault, CreateDate: TimestampPtr(v.CreatedAt)}}, nil
}

func noSuchVersion(policyARN, version string) *awserr.Error {
	return awserr.NoSuchEntity("Policy %s version %s does not exist or is not attachable.", policyARN, version)
}

// versionErr words a missing version as AWS does.
func versionErr(err error, policyARN, version string) error {
	var nf *store.NotFoundError
	if errors.As(err, &nf) && nf.Entity == store.EntityPolicyVersion {
		return noSuchVersion(policyARN, version)
	}
	return storeErr(err)
}

func (s *Service) getPolicyVersion(ctx context.Context, r *op.Request) (any, error) {
	ref, err := resolvePolicy(r)
	if err != nil {
		return nil, err
	}
	id := r.Input.String("VersionId")
	if ref.aws != nil {
		// Latchkey holds only the default version of AWS managed policies.
		if id != ref.aws.DefaultVersionID {
			return nil, noSuchVersion(ref.arn, id)
		}
		return policyVersionResult{PolicyVersion: XMLPolicyVersion{Document: URLEncodeDocument(ref.aws.Document), VersionID: id, IsDefaultVersion: true, CreateDate: TimestampPtr(ref.aws.UpdateDate)}}, nil
	}
	v, err := s.Store.GetPolicyVersion(ctx, r.Caller.AccountID, ref.arn, id)
	if err != nil {
		return nil, versionErr(err, ref.arn, id)
	}
	return policyVersionResult{PolicyVersion: XMLPolicyVersion{Document: URLEncodeDocument(v.Document), VersionID: v.VersionID, IsDefaultVersion: v.IsDefault, CreateDate: TimestampPtr(v.CreatedAt)}}, nil
}

func (s *Service) listPolicyVersions(ctx context.Context, r *op.Request) (any, error) {
	ref, err := resolvePolicy(r)
	if err != nil {
		return nil, err
	}
	var out []XMLPolicyVersion
	if ref.aws != nil {
		out = []XMLPolicyVersion{{VersionID: ref.aws.DefaultVersionID, IsDefaultVersion: true, CreateDate: TimestampPtr(ref.aws.UpdateDate)}}
	} else {
		versions, err := s.Store.ListPolicyVersions(ctx, r.Caller.AccountID, ref.arn)
		if err != nil {
			return nil, storeErr(err)
		}
		for _, v := range versions {
			// ListPolicyVersions does not return documents, as in AWS.
			out = append(out, XMLPolicyVersion{VersionID: v.VersionID, IsDefaultVersion: v.IsDefault, CreateDate: TimestampPtr(v.CreatedAt)})
		}
	}
	page, truncated, marker, err := pageSlice(r, "versions", out)
	if err != nil {
		return nil, err
	}
	return listPolicyVersionsResult{Versions: page, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) deletePolicyVersion(ctx context.Context, r *op.Request) (any, error) {
	a, err := localPolicy(r)
	if err != nil {
		return nil, err
	}
	id := r.Input.String("VersionId")
	return nil, versionErr(s.Store.DeletePolicyVersion(ctx, r.Caller.AccountID, a, id), a, id)
}

func (s *Service) setDefaultPolicyVersion(ctx context.Context, r *op.Request) (any, error) {
	a, err := localPolicy(r)
	if err != nil {
		return nil, err
	}
	id := r.Input.String("VersionId")
	return nil, versionErr(s.Store.SetDefaultPolicyVersion(ctx, r.Caller.AccountID, a, id), a, id)
}

// listEntitiesForPolicy lists the groups and users a policy is attached to
// (PolicyUsageFilter PermissionsBoundary: the users it bounds), filtered
// by EntityFilter and PathPrefix.
func (s *Service) listEntitiesForPolicy(ctx context.Context, r *op.Request) (any, error) {
	ref, err := resolvePolicy(r)
	if err != nil {
		return nil, err
	}
	if ref.aws == nil {
		if _, err := s.Store.GetPolicy(ctx, r.Caller.AccountID, ref.arn); err != nil {
			return nil, storeErr(err)
		}
	}
	filter, prefix := r.Input.String("EntityFilter"), r.Input.String("PathPrefix")
	var entities []store.PolicyEntity
	seen := map[string]bool{}
	for _, boundary := range []bool{false, true} {
		usage := r.Input.String("PolicyUsageFilter")
		if usage == "PermissionsPolicy" && boundary || usage == "PermissionsBoundary" && !boundary {
			continue
		}
		list, err := s.Store.ListEntitiesForPolicy(ctx, r.Caller.AccountID, ref.arn, boundary)
		if err != nil {
			return nil, storeErr(err)
		}
		for _, e := range list {
			// An entity both attached to the policy and bounded by it is
			// listed once.
			if key := string(e.Kind) + e.ID; !seen[key] && (filter == "" || strings.EqualFold(filter, string(e.Kind))) && strings.HasPrefix(e.Path, prefix) {
				seen[key] = true
				entities = append(entities, e)
			}
		}
	}
	// Groups, roles, then users; each by name ignoring case.
	sort.SliceStable(entities, func(i, j int) bool {
		if entities[i].Kind != entities[j].Kind {
			return entities[i].Kind < entities[j].Kind
		}
		return strings.ToLower(entities[i].Name) < strings.ToLower(entities[j].Name)
	})
	page, truncated, marker, err := pageSlice(r, "entities", entities)
	if err != nil {
		return nil, err
	}
	res := listEntitiesForPolicyResult{PolicyGroups: Members[xmlPolicyGroup]{}, PolicyUsers: Members[xmlPolicyUser]{}, PolicyRoles: Members[xmlPolicyRole]{}, IsTruncated: truncated, Marker: marker}
	for _, e := range page {
		switch e.Kind {
		case store.KindGroup:
			res.PolicyGroups = append(res.PolicyGroups, xmlPolicyGroup{GroupName: e.Name, GroupID: e.ID})
		case store.KindRole:
			res.PolicyRoles = append(res.PolicyRoles, xmlPolicyRole{RoleName: e.Name, RoleID: e.ID})
		default:
			res.PolicyUsers = append(res.PolicyUsers, xmlPolicyUser{UserName: e.Name, UserID: e.ID})
		}
	}
	return res, nil
}

func (s *Service) tagPolicy(ctx context.Context, r *op.Request) (any, error) {
	a, err := localPolicy(r)
	if err != nil {
		return nil, err
	}
	add, err := requestTags(r.Input.Tags("Tags"))
	if err != nil {
		return nil, err
	}
	return nil, storeErr(s.Store.UpdatePolicy(ctx, r.Caller.AccountID, a, func(p store.ManagedPolicy) (store.ManagedPolicy, error) {
		p.Tags, err = mergeTags(p.Tags, add)
		return p, err
	}))
}

func (s *Service) untagPolicy(ctx context.Context, r *op.Request) (any, error) {
	a, err := localPolicy(r)
	if err != nil {
		return nil, err
	}
	keys := r.Input.List("TagKeys")
	return nil, storeErr(s.Store.UpdatePolicy(ctx, r.Caller.AccountID, a, func(p store.ManagedPolicy) (store.ManagedPolicy, error) {
		p.Tags = removeTags(p.Tags, keys)
		return p, nil
	}))
}

func (s *Service) listPolicyTags(ctx context.Context, r *op.Request) (any, error) {
	ref, err := resolvePolicy(r)
	if err != nil {
		return nil, err
	}
	var tags []XMLTag
	if ref.aws == nil {
		p, err := s.Store.GetPolicy(ctx, r.Caller.AccountID, ref.arn)
		if err != nil {
			return nil, storeErr(err)
		}
		tags = xmlTags(p.Tags)
	}
	page, truncated, marker, err := pageSlice(r, "tags", tags)
	if err != nil {
		return nil, err
	}
	return listPolicyTagsResult{Tags: page, IsTruncated: truncated, Marker: marker}, nil
}

// ---- attachments ----

func notAttachable(policyARN string) *awserr.Error {
	return awserr.NoSuchEntity("Policy %s does not exist or is not attachable.", policyARN)
}

// attachErr words a missing policy as attaching actions do.
func attachErr(err error) error {
	var nf *store.NotFoundError
	if errors.As(err, &nf) && nf.Entity == store.EntityManagedPolicy {
		return notAttachable(nf.Name)
	}
	return storeErr(err)
}

func (s *Service) attachPolicy(kind store.EntityKind) op.Handler {
	return func(ctx context.Context, r *op.Request) (any, error) {
		ref, err := resolvePolicy(r)
		if err != nil {
			if ae := awserr.As(err); ae.Code == "NoSuchEntity" {
				return nil, notAttachable(r.Input.String("PolicyArn"))
			}
			return nil, err
		}
		_, path, name, _ := arn.ParsePolicy(ref.arn)
		return nil, attachErr(s.Store.AttachPolicy(ctx, r.Caller.AccountID, kind, r.Input.String(ownerParam(kind)), store.AttachedPolicy{PolicyARN: ref.arn, PolicyName: name, PolicyPath: path}))
	}
}

func (s *Service) detachPolicy(kind store.EntityKind) op.Handler {
	return func(ctx context.Context, r *op.Request) (any, error) {
		ref, err := resolvePolicy(r)
		if err != nil {
			return nil, err
		}
		return nil, storeErr(s.Store.DetachPolicy(ctx, r.Caller.AccountID, kind, r.Input.String(ownerParam(kind)), ref.arn))
	}
}

func (s *Service) listAttachedPolicies(kind store.EntityKind) op.Handler {
	return func(ctx context.Context, r *op.Request) (any, error) {
		list, err := s.Store.ListAttachedPolicies(ctx, r.Caller.AccountID, kind, r.Input.String(ownerParam(kind)))
		if err != nil {
			return nil, storeErr(err)
		}
		prefix := r.Input.String("PathPrefix")
		var out []XMLAttachedPolicy
		for _, p := range list {
			if strings.HasPrefix(p.PolicyPath, prefix) {
				out = append(out, XMLAttachedPolicy{PolicyName: p.PolicyName, PolicyArn: p.PolicyARN})
			}
		}
		page, truncated, marker, err := pageSlice(r, "attached", out)
		if err != nil {
			return nil, err
		}
		return listAttachedPoliciesResult{AttachedPolicies: page, IsTruncated: truncated, Marker: marker}, nil
	}
}
