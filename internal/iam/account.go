package iam

import (
	"context"
	"encoding/xml"

	"github.com/latchkey/latchkey/internal/arn"
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
// and attached policies and groups), group and managed policy (every
// version, documents URL-encoded, no description) of the account; AWS
// managed policies only where the account uses them, as in AWS. Filter
// selects the kinds.
func (s *Service) getAccountAuthorizationDetails(ctx context.Context, r *op.Request) (any, error) {
	filter := map[string]bool{}
	for _, f := range r.Input.List("Filter") {
		filter[f] = true
	}
	want := func(kind string) bool { return len(filter) == 0 || filter[kind] }
	acct := r.Caller.AccountID
	var details []authDetail
	if want("User") {
		for after := ""; ; {
			users, last, more, err := s.Store.ListUsers(ctx, acct, "", store.Page{After: after, Limit: 1000})
			if err != nil {
				return nil, storeErr(err)
			}
			for _, u := range users {
				ps, err := s.Store.UserPolicySet(ctx, acct, u.ID)
				if err != nil {
					return nil, storeErr(err)
				}
				d := &xmlUserDetail{Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: arn.User(acct, u.Path, u.Name), CreateDate: TimestampPtr(u.CreatedAt),
					GroupList: Members[string]{}, AttachedManagedPolicies: xmlAttached(ps.Attached), Tags: Members[XMLTag](xmlTags(u.Tags))}
				d.UserPolicyList = xmlInline(ps.Inline)
				for _, g := range ps.Groups {
					d.GroupList = append(d.GroupList, g.Group.Name)
				}
				if u.PermissionsBoundary != "" {
					d.PermissionsBoundary = &XMLAttachedPermissionsBoundary{Type: "PermissionsBoundaryPolicy", Arn: u.PermissionsBoundary}
				}
				details = append(details, authDetail{user: d})
			}
			if !more {
				break
			}
			after = last
		}
	}
	if want("Group") {
		for after := ""; ; {
			groups, last, more, err := s.Store.ListGroups(ctx, acct, "", store.Page{After: after, Limit: 1000})
			if err != nil {
				return nil, storeErr(err)
			}
			for _, g := range groups {
				ps, err := s.Store.GroupPolicySet(ctx, acct, g.Name)
				if err != nil {
					return nil, storeErr(err)
				}
				details = append(details, authDetail{group: &xmlGroupDetail{Path: g.Path, GroupName: g.Name, GroupID: g.ID, Arn: arn.Group(acct, g.Path, g.Name),
					CreateDate: TimestampPtr(g.CreatedAt), GroupPolicyList: xmlInline(ps.Inline), AttachedManagedPolicies: xmlAttached(ps.Attached)}})
			}
			if !more {
				break
			}
			after = last
		}
	}
	if want("Role") {
		for after := ""; ; {
			roles, last, more, err := s.Store.ListRoles(ctx, acct, "", store.Page{After: after, Limit: 1000})
			if err != nil {
				return nil, storeErr(err)
			}
			for _, role := range roles {
				ps, err := s.Store.RolePolicySet(ctx, acct, role.Name)
				if err != nil {
					return nil, storeErr(err)
				}
				profiles, err := s.Store.ListInstanceProfilesForRole(ctx, acct, role.Name)
				if err != nil {
					return nil, storeErr(err)
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
				details = append(details, authDetail{role: d})
			}
			if !more {
				break
			}
			after = last
		}
	}
	if want("AWSManagedPolicy") {
		attached, bounds, err := s.Store.AttachmentCounts(ctx, acct)
		if err != nil {
			return nil, storeErr(err)
		}
		for _, p := range awsmanaged.All() {
			a, b := attached[p.ARN()], bounds[p.ARN()]
			if a == 0 && b == 0 {
				continue
			}
			details = append(details, authDetail{policy: &xmlManagedPolicyDetail{PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN(), Path: p.Path,
				DefaultVersionID: p.DefaultVersionID, AttachmentCount: a, PermissionsBoundaryUsageCount: b, IsAttachable: true,
				CreateDate: TimestampPtr(p.CreateDate), UpdateDate: TimestampPtr(p.UpdateDate),
				PolicyVersionList: Members[XMLPolicyVersion]{{Document: URLEncodeDocument(p.Document), VersionID: p.DefaultVersionID, IsDefaultVersion: true, CreateDate: TimestampPtr(p.UpdateDate)}}}})
		}
	}
	if want("LocalManagedPolicy") {
		local, _, _, err := s.Store.ListPolicies(ctx, acct, store.PolicyFilter{}, store.Page{Limit: store.MaxPoliciesPerAccount + 1})
		if err != nil {
			return nil, storeErr(err)
		}
		for _, p := range local {
			versions, err := s.Store.ListPolicyVersions(ctx, acct, arn.Policy(acct, p.Path, p.Name))
			if err != nil {
				return nil, storeErr(err)
			}
			d := &xmlManagedPolicyDetail{PolicyName: p.Name, PolicyID: p.ID, Arn: arn.Policy(acct, p.Path, p.Name), Path: p.Path, DefaultVersionID: p.DefaultVersionID,
				AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: p.BoundaryUsageCount, IsAttachable: true,
				CreateDate: TimestampPtr(p.CreatedAt), UpdateDate: TimestampPtr(p.UpdatedAt), PolicyVersionList: Members[XMLPolicyVersion]{}}
			for _, v := range versions {
				d.PolicyVersionList = append(d.PolicyVersionList, XMLPolicyVersion{Document: URLEncodeDocument(v.Document), VersionID: v.VersionID, IsDefaultVersion: v.IsDefault, CreateDate: TimestampPtr(v.CreatedAt)})
			}
			details = append(details, authDetail{policy: d})
		}
	}
	page, truncated, marker, err := pageSlice(r, "authdetails", details)
	if err != nil {
		return nil, err
	}
	res := getAccountAuthorizationDetailsResult{UserDetailList: Members[xmlUserDetail]{}, GroupDetailList: Members[xmlGroupDetail]{},
		RoleDetailList: Members[xmlRoleDetail]{}, Policies: Members[xmlManagedPolicyDetail]{}, IsTruncated: truncated, Marker: marker}
	for _, d := range page {
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
