package authz

import (
	"strconv"
	"time"

	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/principal"
)

// RequestInfo is what a request says about itself, for the global
// condition keys.
type RequestInfo struct {
	Time            time.Time
	SourceIP        string
	SecureTransport bool
	Region          string
	UserAgent       string
	// RequestTags are the tags the request sets (aws:RequestTag/…), and
	// TagKeys the keys it names (aws:TagKeys: the tags set, or the keys an
	// Untag… removes).
	RequestTags map[string]string
	TagKeys     []string
}

// InfoOf is what a request says about itself for the global condition
// keys: its time, connection, region, user agent, and the tags it sets
// (Tags) or names (TagKeys).
func InfoOf(r *op.Request) RequestInfo {
	info := RequestInfo{Time: r.Time, SourceIP: r.SourceIP, SecureTransport: r.SecureTransport, Region: r.Region, UserAgent: r.UserAgent}
	if tags := r.Input.Tags("Tags"); len(tags) > 0 {
		info.RequestTags = make(map[string]string, len(tags))
		for _, t := range tags {
			info.RequestTags[t.Key] = t.Value
			info.TagKeys = append(info.TagKeys, t.Key)
		}
	}
	if keys := r.Input.List("TagKeys"); len(keys) > 0 {
		info.TagKeys = append(info.TagKeys, keys...)
	}
	return info
}

// Context builds the condition keys AWS provides on an IAM or STS call by
// p: aws:username (users only), aws:userid, aws:PrincipalArn,
// aws:TokenIssueTime and aws:SourceIdentity (sessions),
// aws:PrincipalAccount, aws:PrincipalType, aws:PrincipalTag/… (from the
// set's tags), aws:CurrentTime, aws:EpochTime, aws:SourceIp,
// aws:SecureTransport, aws:RequestedRegion, aws:UserAgent,
// aws:RequestTag/… and aws:TagKeys, then the target's keys
// (aws:ResourceTag/…, iam:PolicyARN, iam:PermissionsBoundary …). A key the
// request does not have is absent, never empty, so ...IfExists and Null
// behave as in AWS.
func Context(p *principal.Principal, set *Set, info RequestInfo, target map[string][]string) map[string][]string {
	ctx := make(map[string][]string, 16+len(target))
	put := func(k, v string) {
		if v != "" {
			ctx[k] = []string{v}
		}
	}
	if p.IsUser() {
		put("aws:username", p.Name)
	}
	put("aws:userid", p.UserID())
	// A role session's principal ARN, as policies see it, is its role's.
	put("aws:PrincipalArn", p.PrincipalARN())
	if p.Session != nil {
		put("aws:TokenIssueTime", p.Session.IssuedAt.UTC().Format("2006-01-02T15:04:05Z"))
		put("aws:SourceIdentity", p.Session.SourceIdentity)
	}
	put("aws:PrincipalAccount", p.AccountID)
	put("aws:PrincipalType", p.Type())
	if set != nil {
		for k, v := range set.Tags {
			ctx["aws:PrincipalTag/"+k] = []string{v}
		}
	}
	if !info.Time.IsZero() {
		put("aws:CurrentTime", info.Time.UTC().Format("2006-01-02T15:04:05Z"))
		put("aws:EpochTime", strconv.FormatInt(info.Time.Unix(), 10))
	}
	put("aws:SourceIp", info.SourceIP)
	put("aws:SecureTransport", strconv.FormatBool(info.SecureTransport))
	put("aws:RequestedRegion", info.Region)
	put("aws:UserAgent", info.UserAgent)
	for k, v := range info.RequestTags {
		ctx["aws:RequestTag/"+k] = []string{v}
	}
	if len(info.TagKeys) > 0 {
		ctx["aws:TagKeys"] = info.TagKeys
	}
	for k, v := range target {
		if len(v) > 0 {
			ctx[k] = v
		}
	}
	return ctx
}
