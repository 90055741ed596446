package iam

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/policy"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/store"
)

// Roles and instance profiles. A role's trust policy (its
// AssumeRolePolicyDocument) is a resource-based policy: it must name
// principals. Assuming roles is STS's; these are the IAM actions that
// manage them.

const (
	// defaultMaxSessionDuration is a role's MaxSessionDuration when
	// CreateRole gives none, as in AWS (the model bounds it to 3,600–43,200).
	defaultMaxSessionDuration = 3600
	// maxTrustPolicySize is AWS's quota on a role's trust policy, white
	// space not counted (AssumeRolePolicySizeQuota; the quota's name in
	// AWS's LimitExceeded message is ACLSizePerRole).
	maxTrustPolicySize = 2048
)

// XMLRoleLastUsed is the RoleLastUsed shape; empty for a role never used.
type XMLRoleLastUsed struct {
	LastUsedDate *Timestamp `xml:"LastUsedDate,omitempty"`
	Region       string     `xml:"Region,omitempty"`
}

// XMLRole is the Role shape, members in the model's order.
type XMLRole struct {
	Path                     string                          `xml:"Path"`
	RoleName                 string                          `xml:"RoleName"`
	RoleID                   string                          `xml:"RoleId"`
	Arn                      string                          `xml:"Arn"`
	CreateDate               *Timestamp                      `xml:"CreateDate"`
	AssumeRolePolicyDocument string                          `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string                          `xml:"Description,omitempty"`
	MaxSessionDuration       int                             `xml:"MaxSessionDuration,omitempty"`
	PermissionsBoundary      *XMLAttachedPermissionsBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                     *Members[XMLTag]                `xml:"Tags,omitempty"`
	RoleLastUsed             *XMLRoleLastUsed                `xml:"RoleLastUsed,omitempty"`
}

// roleShape says which members a Role element carries, as AWS's answers
// differ by action (the service model lists them all as optional).
type roleShape struct {
	description, maxSession, boundary, tags, lastUsed bool
}

var (
	roleInGet     = roleShape{description: true, maxSession: true, boundary: true, tags: true, lastUsed: true}
	roleCreated   = roleShape{boundary: true, tags: true}
	roleDescribed = roleShape{description: true}
	roleListed    = roleShape{description: true, maxSession: true}
	roleInProfile = roleShape{description: true}
)

func xmlRole(r store.Role, shape roleShape) XMLRole {
	x := XMLRole{Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: arn.Role(r.AccountID, r.Path, r.Name), CreateDate: TimestampPtr(r.CreatedAt),
		AssumeRolePolicyDocument: URLEncodeDocument(r.AssumeRolePolicy)}
	if shape.description {
		x.Description = r.Description
	}
	if shape.maxSession {
		x.MaxSessionDuration = r.MaxSessionDuration
	}
	if shape.boundary && r.PermissionsBoundary != "" {
		x.PermissionsBoundary = &XMLAttachedPermissionsBoundary{Type: "PermissionsBoundaryPolicy", Arn: r.PermissionsBoundary}
	}
	if shape.tags && len(r.Tags) > 0 {
		tags := Members[XMLTag](xmlTags(r.Tags))
		x.Tags = &tags
	}
	if shape.lastUsed {
		x.RoleLastUsed = &XMLRoleLastUsed{}
		if r.LastUsed != nil {
			x.RoleLastUsed = &XMLRoleLastUsed{LastUsedDate: TimestampPtr(r.LastUsed.Time), Region: r.LastUsed.Region}
		}
	}
	return x
}

type roleResult struct {
	Role XMLRole `xml:"Role"`
}

type listRolesResult struct {
	Roles       Members[XMLRole] `xml:"Roles"`
	IsTruncated bool             `xml:"IsTruncated"`
	Marker      string           `xml:"Marker,omitempty"`
}

type getRolePolicyResult struct {
	RoleName       string `xml:"RoleName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

// XMLInstanceProfile is the InstanceProfile shape.
type XMLInstanceProfile struct {
	Path                string           `xml:"Path"`
	InstanceProfileName string           `xml:"InstanceProfileName"`
	InstanceProfileID   string           `xml:"InstanceProfileId"`
	Arn                 string           `xml:"Arn"`
	CreateDate          *Timestamp       `xml:"CreateDate"`
	Roles               Members[XMLRole] `xml:"Roles"`
	Tags                *Members[XMLTag] `xml:"Tags,omitempty"`
}

func xmlInstanceProfile(p store.InstanceProfile, withTags bool) XMLInstanceProfile {
	x := XMLInstanceProfile{Path: p.Path, InstanceProfileName: p.Name, InstanceProfileID: p.ID, Arn: arn.InstanceProfile(p.AccountID, p.Path, p.Name),
		CreateDate: TimestampPtr(p.CreatedAt), Roles: Members[XMLRole]{}}
	for _, r := range p.Roles {
		x.Roles = append(x.Roles, xmlRole(r, roleInProfile))
	}
	if withTags {
		// GetInstanceProfile lists the tags, an empty list included.
		tags := Members[XMLTag](xmlTags(p.Tags))
		x.Tags = &tags
	}
	return x
}

type instanceProfileResult struct {
	InstanceProfile XMLInstanceProfile `xml:"InstanceProfile"`
}

type listInstanceProfilesResult struct {
	InstanceProfiles Members[XMLInstanceProfile] `xml:"InstanceProfiles"`
	IsTruncated      bool                        `xml:"IsTruncated"`
	Marker           string                      `xml:"Marker,omitempty"`
}

// checkTrustPolicy validates a role's trust policy as AWS does, in AWS's
// order: JSON ("This policy contains invalid Json"), no Resource or
// NotResource in any statement, then the resource-based policy grammar
// (principals required), then actions of STS's AssumeRole family only, and
// the size quota.
func checkTrustPolicy(doc string) error {
	if !json.Valid([]byte(doc)) {
		return awserr.MalformedPolicyDocument("This policy contains invalid Json")
	}
	if hasResource(doc) {
		return awserr.MalformedPolicyDocument("Has prohibited field Resource")
	}
	p, err := policy.ParseResourcePolicy(doc)
	if err != nil {
		return err
	}
	for _, st := range p.Statements {
		for _, a := range append(append([]string(nil), st.Actions...), st.NotActions...) {
			if !trustAction(a) {
				return awserr.MalformedPolicyDocument("AssumeRole policy may only specify STS AssumeRole actions.")
			}
		}
	}
	if policy.SizeWithoutWhitespace(doc) > maxTrustPolicySize {
		return awserr.LimitExceeded("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	return nil
}

// hasResource reports whether a statement of the (valid JSON) document has
// a Resource or NotResource member.
func hasResource(doc string) bool {
	var d struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &d) != nil {
		return false // the grammar check words it
	}
	var list []map[string]json.RawMessage
	if json.Unmarshal(d.Statement, &list) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(d.Statement, &one) != nil {
			return false
		}
		list = []map[string]json.RawMessage{one}
	}
	for _, st := range list {
		if _, ok := st["Resource"]; ok {
			return true
		}
		if _, ok := st["NotResource"]; ok {
			return true
		}
	}
	return false
}

// trustAction reports whether a trust policy may name an action: STS's
// AssumeRole family and the session permissions that go with it, or a
// wildcard within sts.
func trustAction(a string) bool {
	vendor, name, ok := strings.Cut(a, ":")
	if !ok || !strings.EqualFold(vendor, "sts") {
		return false
	}
	if strings.ContainsAny(name, "*?") {
		return true
	}
	switch strings.ToLower(name) {
	case "assumerole", "assumerolewithsaml", "assumerolewithwebidentity", "tagsession", "setsourceidentity", "setcontext":
		return true
	}
	return false
}

func noSuchRole(name string) *awserr.Error {
	return awserr.NoSuchEntity("The role with name %s cannot be found.", name)
}

func (s *Service) createRole(ctx context.Context, r *op.Request) (any, error) {
	trust := r.Input.String("AssumeRolePolicyDocument")
	if err := checkTrustPolicy(trust); err != nil {
		return nil, err
	}
	tags, err := requestTags(r.Input.Tags("Tags"))
	if err != nil {
		return nil, err
	}
	boundary := r.Input.String("PermissionsBoundary")
	if err := s.checkBoundary(boundary); err != nil {
		return nil, err
	}
	maxSession := defaultMaxSessionDuration
	if n, ok := r.Input.Int("MaxSessionDuration"); ok {
		maxSession = n
	}
	role := store.Role{
		AccountID: r.Caller.AccountID, ID: secret.NewRoleID(), Name: r.Input.String("RoleName"), Path: pathOr(r.Input.String("Path")),
		Description: r.Input.String("Description"), AssumeRolePolicy: trust, MaxSessionDuration: maxSession, CreatedAt: s.now(),
		Tags: tags, PermissionsBoundary: boundary,
	}
	if err := s.Store.CreateRole(ctx, role); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return nil, awserr.EntityAlreadyExists("Role with name %s already exists.", role.Name)
		}
		return nil, boundaryErr(err)
	}
	return roleResult{Role: xmlRole(role, roleCreated)}, nil
}

func (s *Service) getRole(ctx context.Context, r *op.Request) (any, error) {
	role, err := s.Store.GetRole(ctx, r.Caller.AccountID, r.Input.String("RoleName"))
	if err != nil {
		return nil, storeErr(err)
	}
	// Uses not yet flushed to the store count, so the answer is current.
	if s.LastUsed != nil {
		if p, ok := s.LastUsed.PendingRole(role.ID); ok && (role.LastUsed == nil || p.Time.After(role.LastUsed.Time)) {
			role.LastUsed = &p
		}
	}
	return roleResult{Role: xmlRole(role, roleInGet)}, nil
}

func (s *Service) listRoles(ctx context.Context, r *op.Request) (any, error) {
	after, err := decodeMarker("roles", r.Input.String("Marker"))
	if err != nil {
		return nil, err
	}
	roles, last, more, err := s.Store.ListRoles(ctx, r.Caller.AccountID, r.Input.String("PathPrefix"), store.Page{After: after, Limit: maxItems(r)})
	if err != nil {
		return nil, storeErr(err)
	}
	res := listRolesResult{Roles: make(Members[XMLRole], 0, len(roles)), IsTruncated: more}
	for _, role := range roles {
		res.Roles = append(res.Roles, xmlRole(role, roleListed))
	}
	if more {
		res.Marker = encodeMarker("roles", last)
	}
	return res, nil
}

// updateRoleWith runs change on the role and stores it.
func (s *Service) updateRoleWith(ctx context.Context, r *op.Request, change func(*store.Role) error) (store.Role, error) {
	role, err := s.Store.UpdateRole(ctx, r.Caller.AccountID, r.Input.String("RoleName"), func(role store.Role) (store.Role, error) {
		return role, change(&role)
	})
	return role, storeErr(err)
}

func (s *Service) updateRole(ctx context.Context, r *op.Request) (any, error) {
	_, err := s.updateRoleWith(ctx, r, func(role *store.Role) error {
		if r.Input.Has("Description") {
			role.Description = r.Input.String("Description")
		}
		if n, ok := r.Input.Int("MaxSessionDuration"); ok {
			role.MaxSessionDuration = n
		}
		return nil
	})
	return nil, err
}

func (s *Service) updateRoleDescription(ctx context.Context, r *op.Request) (any, error) {
	role, err := s.updateRoleWith(ctx, r, func(role *store.Role) error {
		role.Description = r.Input.String("Description")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return roleResult{Role: xmlRole(role, roleDescribed)}, nil
}

func (s *Service) updateAssumeRolePolicy(ctx context.Context, r *op.Request) (any, error) {
	doc := r.Input.String("PolicyDocument")
	if err := checkTrustPolicy(doc); err != nil {
		return nil, err
	}
	_, err := s.updateRoleWith(ctx, r, func(role *store.Role) error {
		role.AssumeRolePolicy = doc
		return nil
	})
	return nil, err
}

func (s *Service) deleteRole(ctx context.Context, r *op.Request) (any, error) {
	return nil, storeErr(s.Store.DeleteRole(ctx, r.Caller.AccountID, r.Input.String("RoleName")))
}

func (s *Service) tagRole(ctx context.Context, r *op.Request) (any, error) {
	add, err := requestTags(r.Input.Tags("Tags"))
	if err != nil {
		return nil, err
	}
	_, err = s.updateRoleWith(ctx, r, func(role *store.Role) error {
		var err error
		role.Tags, err = mergeTags(role.Tags, add)
		return err
	})
	return nil, err
}

func (s *Service) untagRole(ctx context.Context, r *op.Request) (any, error) {
	keys := r.Input.List("TagKeys")
	_, err := s.updateRoleWith(ctx, r, func(role *store.Role) error {
		role.Tags = removeTags(role.Tags, keys)
		return nil
	})
	return nil, err
}

func (s *Service) listRoleTags(ctx context.Context, r *op.Request) (any, error) {
	role, err := s.Store.GetRole(ctx, r.Caller.AccountID, r.Input.String("RoleName"))
	if err != nil {
		return nil, storeErr(err)
	}
	page, truncated, marker, err := pageSlice(r, "tags", xmlTags(role.Tags))
	if err != nil {
		return nil, err
	}
	return listUserTagsResult{Tags: page, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) putRolePermissionsBoundary(ctx context.Context, r *op.Request) (any, error) {
	boundary := r.Input.String("PermissionsBoundary")
	if err := s.checkBoundary(boundary); err != nil {
		return nil, err
	}
	return nil, boundaryErr(s.Store.SetRolePermissionsBoundary(ctx, r.Caller.AccountID, r.Input.String("RoleName"), boundary))
}

func (s *Service) deleteRolePermissionsBoundary(ctx context.Context, r *op.Request) (any, error) {
	return nil, storeErr(s.Store.SetRolePermissionsBoundary(ctx, r.Caller.AccountID, r.Input.String("RoleName"), ""))
}

// ---- instance profiles ----

func (s *Service) createInstanceProfile(ctx context.Context, r *op.Request) (any, error) {
	tags, err := requestTags(r.Input.Tags("Tags"))
	if err != nil {
		return nil, err
	}
	p := store.InstanceProfile{AccountID: r.Caller.AccountID, ID: secret.NewInstanceProfileID(), Name: r.Input.String("InstanceProfileName"),
		Path: pathOr(r.Input.String("Path")), CreatedAt: s.now(), Tags: tags}
	if err := s.Store.CreateInstanceProfile(ctx, p); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return nil, awserr.EntityAlreadyExists("Instance Profile %s already exists.", p.Name)
		}
		return nil, storeErr(err)
	}
	return instanceProfileResult{InstanceProfile: xmlInstanceProfile(p, len(p.Tags) > 0)}, nil
}

func (s *Service) getInstanceProfile(ctx context.Context, r *op.Request) (any, error) {
	p, err := s.Store.GetInstanceProfile(ctx, r.Caller.AccountID, r.Input.String("InstanceProfileName"))
	if err != nil {
		return nil, storeErr(err)
	}
	return instanceProfileResult{InstanceProfile: xmlInstanceProfile(p, true)}, nil
}

func (s *Service) listInstanceProfiles(ctx context.Context, r *op.Request) (any, error) {
	after, err := decodeMarker("profiles", r.Input.String("Marker"))
	if err != nil {
		return nil, err
	}
	list, last, more, err := s.Store.ListInstanceProfiles(ctx, r.Caller.AccountID, r.Input.String("PathPrefix"), store.Page{After: after, Limit: maxItems(r)})
	if err != nil {
		return nil, storeErr(err)
	}
	res := listInstanceProfilesResult{InstanceProfiles: make(Members[XMLInstanceProfile], 0, len(list)), IsTruncated: more}
	for _, p := range list {
		res.InstanceProfiles = append(res.InstanceProfiles, xmlInstanceProfile(p, false))
	}
	if more {
		res.Marker = encodeMarker("profiles", last)
	}
	return res, nil
}

func (s *Service) listInstanceProfilesForRole(ctx context.Context, r *op.Request) (any, error) {
	list, err := s.Store.ListInstanceProfilesForRole(ctx, r.Caller.AccountID, r.Input.String("RoleName"))
	if err != nil {
		return nil, storeErr(err)
	}
	xml := make([]XMLInstanceProfile, len(list))
	for i, p := range list {
		xml[i] = xmlInstanceProfile(p, false)
	}
	page, truncated, marker, err := pageSlice(r, "roleprofiles", xml)
	if err != nil {
		return nil, err
	}
	return listInstanceProfilesResult{InstanceProfiles: page, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) deleteInstanceProfile(ctx context.Context, r *op.Request) (any, error) {
	return nil, storeErr(s.Store.DeleteInstanceProfile(ctx, r.Caller.AccountID, r.Input.String("InstanceProfileName")))
}

// addRoleToInstanceProfile: a profile holds one role; AWS answers any
// second addition, the same role's too, with its quota.
func (s *Service) addRoleToInstanceProfile(ctx context.Context, r *op.Request) (any, error) {
	err := s.Store.AddRoleToInstanceProfile(ctx, r.Caller.AccountID, r.Input.String("InstanceProfileName"), r.Input.String("RoleName"))
	if errors.Is(err, store.ErrAlreadyExists) {
		err = &store.LimitError{Quota: "InstanceSessionsPerInstanceProfile", Max: store.MaxRolesPerInstanceProfile}
	}
	return nil, storeErr(err)
}

func (s *Service) removeRoleFromInstanceProfile(ctx context.Context, r *op.Request) (any, error) {
	profile, role := r.Input.String("InstanceProfileName"), r.Input.String("RoleName")
	err := s.Store.RemoveRoleFromInstanceProfile(ctx, r.Caller.AccountID, profile, role)
	var nf *store.NotFoundError
	if errors.As(err, &nf) && nf.Entity == store.EntityInstanceProfileRole {
		return nil, awserr.NoSuchEntity("Role %s in Instance Profile %s cannot be found.", role, profile)
	}
	return nil, storeErr(err)
}

func (s *Service) tagInstanceProfile(ctx context.Context, r *op.Request) (any, error) {
	add, err := requestTags(r.Input.Tags("Tags"))
	if err != nil {
		return nil, err
	}
	return nil, storeErr(s.Store.UpdateInstanceProfile(ctx, r.Caller.AccountID, r.Input.String("InstanceProfileName"), func(p store.InstanceProfile) (store.InstanceProfile, error) {
		p.Tags, err = mergeTags(p.Tags, add)
		return p, err
	}))
}

func (s *Service) untagInstanceProfile(ctx context.Context, r *op.Request) (any, error) {
	keys := r.Input.List("TagKeys")
	return nil, storeErr(s.Store.UpdateInstanceProfile(ctx, r.Caller.AccountID, r.Input.String("InstanceProfileName"), func(p store.InstanceProfile) (store.InstanceProfile, error) {
		p.Tags = removeTags(p.Tags, keys)
		return p, nil
	}))
}

func (s *Service) listInstanceProfileTags(ctx context.Context, r *op.Request) (any, error) {
	p, err := s.Store.GetInstanceProfile(ctx, r.Caller.AccountID, r.Input.String("InstanceProfileName"))
	if err != nil {
		return nil, storeErr(err)
	}
	page, truncated, marker, err := pageSlice(r, "tags", xmlTags(p.Tags))
	if err != nil {
		return nil, err
	}
	return listUserTagsResult{Tags: page, IsTruncated: truncated, Marker: marker}, nil
}

// ---- targets ----

// roleTarget is the role named by RoleName, with its tags and boundary.
func (s *Service) roleTarget(ctx context.Context, r *op.Request) (op.Target, error) {
	name := r.Input.String("RoleName")
	role, err := s.Store.GetRole(ctx, r.Caller.AccountID, name)
	if errors.Is(err, store.ErrNotFound) {
		return op.Target{ARN: arn.Role(r.Caller.AccountID, "/", name)}, nil
	}
	if err != nil {
		return op.Target{}, err
	}
	return op.Target{ARN: arn.Role(role.AccountID, role.Path, role.Name), Context: entityContext(role.Tags, role.PermissionsBoundary)}, nil
}

// newRoleTarget is the role CreateRole would create.
func (s *Service) newRoleTarget(_ context.Context, r *op.Request) (op.Target, error) {
	return op.Target{ARN: arn.Role(r.Caller.AccountID, pathOr(r.Input.String("Path")), r.Input.String("RoleName"))}, nil
}

func (s *Service) profileTarget(ctx context.Context, r *op.Request) (op.Target, error) {
	name := r.Input.String("InstanceProfileName")
	p, err := s.Store.GetInstanceProfile(ctx, r.Caller.AccountID, name)
	if errors.Is(err, store.ErrNotFound) {
		return op.Target{ARN: arn.InstanceProfile(r.Caller.AccountID, "/", name)}, nil
	}
	if err != nil {
		return op.Target{}, err
	}
	return op.Target{ARN: arn.InstanceProfile(p.AccountID, p.Path, p.Name), Context: tagContext(p.Tags)}, nil
}

func (s *Service) newProfileTarget(_ context.Context, r *op.Request) (op.Target, error) {
	return op.Target{ARN: arn.InstanceProfile(r.Caller.AccountID, pathOr(r.Input.String("Path")), r.Input.String("InstanceProfileName"))}, nil
}
