package iam

import (
	"context"
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/awsmanaged"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/store"
)

// Account-wide reads: GetAccountSummary and GetAccountAuthorizationDetails.

// summaryEntry is one entry of the SummaryMap (a Query-protocol map:
// <entry><key>…</key><value>…</value></entry>).
type summaryEntry struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

type summaryMap []summaryEntry

// MarshalXML renders the map's entries.
func (m summaryMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, entry := range m {
		if err := e.EncodeElement(entry, xml.StartElement{Name: xml.Name{Local: "entry"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

type getAccountSummaryResult struct {
	SummaryMap summaryMap `xml:"SummaryMap"`
}

// AWS's default quotas that GetAccountSummary reports for what Latchkey
// does not enforce itself.
const (
	usersQuota              = 5000
	serverCertificatesQuota = 20
	policyVersionsInUseMax  = 10000
	signingCertsPerUser     = 2
)

// getAccountSummary reports the account's counts and quotas with AWS's
// key names, in the order of the model's summaryKeyType.
func (s *Service) getAccountSummary(ctx context.Context, r *op.Request) (any, error) {
	sum, err := s.Store.AccountSummary(ctx, r.Caller.AccountID)
	if err != nil {
		return nil, storeErr(err)
	}
	keysPresent := 0
	if sum.RootAccessKeys > 0 {
		keysPresent = 1
	}
	return getAccountSummaryResult{SummaryMap: summaryMap{
		{"Users", sum.Users}, {"UsersQuota", usersQuota},
		{"Groups", sum.Groups}, {"GroupsQuota", store.MaxGroupsPerAccount},
		{"ServerCertificates", 0}, {"ServerCertificatesQuota", serverCertificatesQuota},
		{"UserPolicySizeQuota", store.MaxUserInlinePolicySize}, {"GroupPolicySizeQuota", store.MaxGroupInlinePolicySize},
		{"GroupsPerUserQuota", store.MaxGroupsPerUser}, {"SigningCertificatesPerUserQuota", signingCertsPerUser},
		{"AccessKeysPerUserQuota", store.MaxAccessKeys},
		{"MFADevices", 0}, {"MFADevicesInUse", 0}, {"AccountMFAEnabled", 0},
		{"AccountAccessKeysPresent", keysPresent}, {"AccountPasswordPresent", 0}, {"AccountSigningCertificatesPresent", 0},
		{"AttachedPoliciesPerGroupQuota", store.MaxPoliciesPerGroup}, {"AttachedPoliciesPerRoleQuota", store.MaxPoliciesPerRole},
		{"AttachedPoliciesPerUserQuota", store.MaxPoliciesPerUser},
		{"Policies", sum.Policies}, {"PoliciesQuota", store.MaxPoliciesPerAccount},
		{"PolicySizeQuota", maxManagedPolicySize},
		{"PolicyVersionsInUse", sum.PolicyVersions}, {"PolicyVersionsInUseQuota", policyVersionsInUseMax},
		{"VersionsPerPolicyQuota", store.MaxPolicyVersions},
		{"GlobalEndpointTokenVersion", 1}, {"AssumeRolePolicySizeQuota", maxTrustPolicySize},
		{"InstanceProfiles", sum.InstanceProfiles}, {"InstanceProfilesQuota", store.MaxInstanceProfilesPerAccount},
		{"Providers", 0}, {"RolePolicySizeQuota", store.MaxRoleInlinePolicySize},
		{"Roles", sum.Roles}, {"RolesQuota", store.MaxRolesPerAccount},
	}}, nil
}

type xmlPolicyDetail struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type xmlUserDetail struct {
	Path                    string                          `xml:"Path"`
	UserName                string                          `xml:"UserName"`
	UserID                  string                          `xml:"UserId"`
	Arn                     string                          `xml:"Arn"`
	CreateDate              *Timestamp                      `xml:"CreateDate"`
	UserPolicyList          Members[xmlPolicyDetail]        `xml:"UserPolicyList"`
	GroupList               Members[string]                 `xml:"GroupList"`
	AttachedManagedPolicies Members[XMLAttachedPolicy]      `xml:"AttachedManagedPolicies"`
	PermissionsBoundary     *XMLAttachedPermissionsBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                    Members[XMLTag]                 `xml:"Tags"`
}

type xmlGroupDetail struct {
	Path                    string                     `xml:"Path"`
	GroupName               string                     `xml:"GroupName"`
	GroupID                 string                     `xml:"GroupId"`
	Arn                     string                     `xml:"Arn"`
	CreateDate              *Timestamp                 `xml:"CreateDate"`
	GroupPolicyList         Members[xmlPolicyDetail]   `xml:"GroupPolicyList"`
	AttachedManagedPolicies Members[XMLAttachedPolicy] `xml:"AttachedManagedPolicies"`
}

type xmlRoleDetail struct {
	Path                     string                          `xml:"Path"`
	RoleName                 string                          `xml:"RoleName"`
	RoleID                   string                          `xml:"RoleId"`
	Arn                      string                          `xml:"Arn"`
	CreateDate               *Timestamp                      `xml:"CreateDate"`
	AssumeRolePolicyDocument string                          `xml:"AssumeRolePolicyDocument"`
	InstanceProfileList      Members[XMLInstanceProfile]     `xml:"InstanceProfileList"`
	RolePolicyList           Members[xmlPolicyDetail]        `xml:"RolePolicyList"`
	AttachedManagedPolicies  Members[XMLAttachedPolicy]      `xml:"AttachedManagedPolicies"`
	PermissionsBoundary      *XMLAttachedPermissionsBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                     Members[XMLTag]                 `xml:"Tags"`
	RoleLastUsed             XMLRoleLastUsed                 `xml:"RoleLastUsed"`
}

type xmlManagedPolicyDetail struct {
	PolicyName                    string                    `xml:"PolicyName"`
	PolicyID                      string                    `xml:"PolicyId"`
	Arn                           string                    `xml:"Arn"`
	Path                          string                    `xml:"Path"`
	DefaultVersionID              string                    `xml:"DefaultVersionId"`
	AttachmentCount               int                       `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int                       `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool                      `xml:"IsAttachable"`
	Description                   string                    `xml:"Description,omitempty"`
	CreateDate                    *Timestamp                `xml:"CreateDate"`
	UpdateDate                    *Timestamp                `xml:"UpdateDate"`
	PolicyVersionList             Members[XMLPolicyVersion] `xml:"PolicyVersionList"`
}

// authDetail is one element of GetAccountAuthorizationDetails' result, in
// the order the result lists them (users, groups, then policies).
type authDetail struct {
	user   *xmlUserDetail
	group  *xmlGroupDetail
	role   *xmlRoleDetail
	policy *xmlManagedPolicyDetail
}

type getAccountAuthorizationDetailsResult struct {
	UserDetailList  Members[xmlUserDetail]          `xml:"UserDetailList"`
	GroupDetailList Members[xmlGroupDetail]         `xml:"GroupDetailList"`
	RoleDetailList  Members[xmlRoleDetail]          `xml:"RoleDetailList"`
	Policies        Members[xmlManagedPolicyDetail] `xml:"Policies"`
	IsTruncated     bool                            `xml:"IsTruncated"`
	Marker          string                          `xml:"Marker,omitempty"`
}

// getAccountAuthorizationDetails describes every user (with its inline
// and attached policies and groups), group, role and managed policy (every
// version, documents URL-encoded, no description) of the account; AWS
// managed policies only where the account uses them, as in AWS. Filter
// selects the kinds. A page reads only its own entries: the marker names
// the section (users, groups, roles, AWS managed, customer managed
// policies) and the sort key within it, so a page of MaxItems costs
// MaxItems entries whatever the account's size, and entries added or
// removed between pages shift nothing.
func (s *Service) getAccountAuthorizationDetails(ctx context.Context, r *op.Request) (any, error) {
	filter := map[string]bool{}
	for _, f := range r.Input.List("Filter") {
		filter[f] = true
	}
	sections := s.authDetailSections(r.Caller.AccountID)
	section, after := 0, ""
	if m := r.Input.String("Marker"); m != "" {
		pos, err := decodeMarker("authdetails", m)
		if err != nil {
			return nil, err
		}
		num, key, ok := strings.Cut(pos, ":")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < 0 || n >= len(sections) {
			return nil, awserr.ValidationError("Invalid Marker.")
		}
		section, after = n, key
	}
	limit := maxItems(r)
	var details []authDetail
	marker := ""
	for ; section < len(sections); section, after = section+1, "" {
		sec := sections[section]
		if len(filter) > 0 && !filter[sec.kind] {
			continue
		}
		if len(details) == limit {
			// The page is full: it is truncated if anything follows.
			next, _, _, err := sec.fetch(ctx, after, 1)
			if err != nil {
				return nil, err
			}
			if len(next) > 0 {
				marker = encodeMarker("authdetails", strconv.Itoa(section)+":"+after)
				break
			}
			continue
		}
		got, last, more, err := sec.fetch(ctx, after, limit-len(details))
		if err != nil {
			return nil, err
		}
		details = append(details, got...)
		if more {
			marker = encodeMarker("authdetails", strconv.Itoa(section)+":"+last)
			break
		}
	}
	res := getAccountAuthorizationDetailsResult{UserDetailList: Members[xmlUserDetail]{}, GroupDetailList: Members[xmlGroupDetail]{},
		RoleDetailList: Members[xmlRoleDetail]{}, Policies: Members[xmlManagedPolicyDetail]{}, IsTruncated: marker != "", Marker: marker}
	for _, d := range details {
		switch {
		case d.user != nil:
			res.UserDetailList = append(res.UserDetailList, *d.user)
		case d.group != nil:
			res.GroupDetailList = append(res.GroupDetailList, *d.group)
		case d.role != nil:
			res.RoleDetailList = append(res.RoleDetailList, *d.role)
		default:
			res.Policies = append(res.Policies, *d.policy)
		}
	}
	return res, nil
}

// authDetailSection is one kind of GetAccountAuthorizationDetails entry:
// fetch returns at most limit entries after the sort key after, the key of
// the last, and whether more follow.
type authDetailSection struct {
	kind  string // the Filter value selecting it
	fetch func(ctx context.Context, after string, limit int) ([]authDetail, string, bool, error)
}

func (s *Service) authDetailSections(acct string) []authDetailSection {
	return []authDetailSection{
		{"User", func(ctx context.Context, after string, limit int) ([]authDetail, string, bool, error) {
			users, last, more, err := s.Store.ListUsers(ctx, acct, "", store.Page{After: after, Limit: limit})
			if err != nil {
				return nil, "", false, storeErr(err)
			}
			var out []authDetail
			for _, u := range users {
				ps, err := s.Store.UserPolicySet(ctx, acct, u.ID)
				if err != nil {
					return nil, "", false, storeErr(err)
				}
				d := &xmlUserDetail{Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: arn.User(acct, u.Path, u.Name), CreateDate: TimestampPtr(u.CreatedAt),
					UserPolicyList: xmlInline(ps.Inline), GroupList: Members[string]{}, AttachedManagedPolicies: xmlAttached(ps.Attached), Tags: Members[XMLTag](xmlTags(u.Tags))}
				for _, g := range ps.Groups {
					d.GroupList = append(d.GroupList, g.Group.Name)
				}
				if u.PermissionsBoundary != "" {
					d.PermissionsBoundary = &XMLAttachedPermissionsBoundary{Type: "PermissionsBoundaryPolicy", Arn: u.PermissionsBoundary}
				}
				out = append(out, authDetail{user: d})
			}
			return out, last, more, nil
		}},
		{"Group", func(ctx context.Context, after string, limit int) ([]authDetail, string, bool, error) {
			groups, last, more, err := s.Store.ListGroups(ctx, acct, "", store.Page{After: after, Limit: limit})
			if err != nil {
				return nil, "", false, storeErr(err)
			}
			var out []authDetail
			for _, g := range groups {
				ps, err := s.Store.GroupPolicySet(ctx, acct, g.Name)
				if err != nil {
					return nil, "", false, storeErr(err)
				}
				out = append(out, authDetail{group: &xmlGroupDetail{Path: g.Path, GroupName: g.Name, GroupID: g.ID, Arn: arn.Group(acct, g.Path, g.Name),
					CreateDate: TimestampPtr(g.CreatedAt), GroupPolicyList: xmlInline(ps.Inline), AttachedManagedPolicies: xmlAttached(ps.Attached)}})
			}
			return out, last, more, nil
		}},
		{"Role", func(ctx context.Context, after string, limit int) ([]authDetail, string, bool, error) {
			roles, last, more, err := s.Store.ListRoles(ctx, acct, "", store.Page{After: after, Limit: limit})
			if err != nil {
				return nil, "", false, storeErr(err)
			}
			var out []authDetail
			for _, role := range roles {
				ps, err := s.Store.RolePolicySet(ctx, acct, role.Name)
				if err != nil {
					return nil, "", false, storeErr(err)
				}
				profiles, err := s.Store.ListInstanceProfilesForRole(ctx, acct, role.Name)
				if err != nil {
					return nil, "", false, storeErr(err)
				}
				d := &xmlRoleDetail{Path: role.Path, RoleName: role.Name, RoleID: role.ID, Arn: arn.Role(acct, role.Path, role.Name), CreateDate: TimestampPtr(role.CreatedAt),
					AssumeRolePolicyDocument: URLEncodeDocument(role.AssumeRolePolicy), InstanceProfileList: Members[XMLInstanceProfile]{},
					RolePolicyList: xmlInline(ps.Inline), AttachedManagedPolicies: xmlAttached(ps.Attached), Tags: Members[XMLTag](xmlTags(role.Tags))}
				for _, p := range profiles {
					d.InstanceProfileList = append(d.InstanceProfileList, xmlInstanceProfile(p, false))
				}
				if role.PermissionsBoundary != "" {
					d.PermissionsBoundary = &XMLAttachedPermissionsBoundary{Type: "PermissionsBoundaryPolicy", Arn: role.PermissionsBoundary}
				}
				out = append(out, authDetail{role: d})
			}
			return out, last, more, nil
		}},
		{"AWSManagedPolicy", func(ctx context.Context, after string, limit int) ([]authDetail, string, bool, error) {
			attached, bounds, err := s.Store.AttachmentCounts(ctx, acct)
			if err != nil {
				return nil, "", false, storeErr(err)
			}
			var out []authDetail
			last := ""
			for _, p := range awsmanaged.All() { // sorted by name, the sort key
				a, b := attached[p.ARN()], bounds[p.ARN()]
				if p.Name <= after || a == 0 && b == 0 {
					continue
				}
				if len(out) == limit {
					return out, last, true, nil
				}
				out = append(out, authDetail{policy: &xmlManagedPolicyDetail{PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN(), Path: p.Path,
					DefaultVersionID: p.DefaultVersionID, AttachmentCount: a, PermissionsBoundaryUsageCount: b, IsAttachable: true,
					CreateDate: TimestampPtr(p.CreateDate), UpdateDate: TimestampPtr(p.UpdateDate),
					PolicyVersionList: Members[XMLPolicyVersion]{{Document: URLEncodeDocument(p.Document), VersionID: p.DefaultVersionID, IsDefaultVersion: true, CreateDate: TimestampPtr(p.UpdateDate)}}}})
				last = p.Name
			}
			return out, last, false, nil
		}},
		{"LocalManagedPolicy", func(ctx context.Context, after string, limit int) ([]authDetail, string, bool, error) {
			local, last, more, err := s.Store.ListPolicies(ctx, acct, store.PolicyFilter{}, store.Page{After: after, Limit: limit})
			if err != nil {
				return nil, "", false, storeErr(err)
			}
			var out []authDetail
			for _, p := range local {
				versions, err := s.Store.ListPolicyVersions(ctx, acct, arn.Policy(acct, p.Path, p.Name))
				if err != nil {
					return nil, "", false, storeErr(err)
				}
				d := &xmlManagedPolicyDetail{PolicyName: p.Name, PolicyID: p.ID, Arn: arn.Policy(acct, p.Path, p.Name), Path: p.Path, DefaultVersionID: p.DefaultVersionID,
					AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: p.BoundaryUsageCount, IsAttachable: true,
					CreateDate: TimestampPtr(p.CreatedAt), UpdateDate: TimestampPtr(p.UpdatedAt), PolicyVersionList: Members[XMLPolicyVersion]{}}
				for _, v := range versions {
					d.PolicyVersionList = append(d.PolicyVersionList, XMLPolicyVersion{Document: URLEncodeDocument(v.Document), VersionID: v.VersionID, IsDefaultVersion: v.IsDefault, CreateDate: TimestampPtr(v.CreatedAt)})
				}
				out = append(out, authDetail{policy: d})
			}
			return out, last, more, nil
		}},
	}
}

func xmlInline(list []store.InlinePolicy) []xmlPolicyDetail {
	out := make([]xmlPolicyDetail, len(list))
	for i, p := range list {
		out[i] = xmlPolicyDetail{PolicyName: p.Name, PolicyDocument: URLEncodeDocument(p.Document)}
	}
	return out
}

func xmlAttached(list []store.PolicyDocument) Members[XMLAttachedPolicy] {
	out := make(Members[XMLAttachedPolicy], len(list))
	for i, p := range list {
		out[i] = XMLAttachedPolicy{PolicyName: p.PolicyName, PolicyArn: p.PolicyARN}
	}
	return out
}
