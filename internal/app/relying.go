package app

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/store"
)

var (
	relyingNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	scopePartPattern   = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)
	hostPattern        = regexp.MustCompile(`^[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$`)
)

// AddRelyingService registers a relying service: name, the principal it
// calls as (a user's or a role's ARN in the account, or the account's
// root), the credential scopes ("REGION/SERVICE") and hosts its clients'
// requests may carry (no hosts: any).
func (d *Data) AddRelyingService(ctx context.Context, account, name, principalARN string, scopes, hosts []string) (store.RelyingService, error) {
	rs := store.RelyingService{AccountID: account, Name: name, Principal: principalARN, Hosts: []string{}, Scopes: []store.Scope{}, CreatedAt: time.Now().UTC()}
	if !arn.IsAccountID(account) {
		return rs, fmt.Errorf("--account must be a 12-digit account id")
	}
	if !relyingNamePattern.MatchString(name) {
		return rs, fmt.Errorf("--name must be 1 to 64 letters, digits and +=,.@_-")
	}
	kind, owner, _, _, ok := arn.ParseEntity(principalARN)
	switch {
	case principalARN == arn.Root(account):
	case ok && (kind == "user" || kind == "role") && owner == account:
	default:
		return rs, fmt.Errorf("--principal must be the ARN of a user or a role of account %s, or %s", account, arn.Root(account))
	}
	if len(scopes) == 0 {
		return rs, fmt.Errorf("give at least one --scope REGION/SERVICE")
	}
	for _, sc := range scopes {
		region, service, ok := strings.Cut(sc, "/")
		if !ok || !scopePartPattern.MatchString(region) || !scopePartPattern.MatchString(service) {
			return rs, fmt.Errorf("--scope %q: want REGION/SERVICE, e.g. objects-1/s3 (lower-case letters, digits and -)", sc)
		}
		rs.Scopes = append(rs.Scopes, store.Scope{Region: region, Service: service})
	}
	for _, h := range hosts {
		if !hostPattern.MatchString(h) {
			return rs, fmt.Errorf("--host %q: want a host name, optionally with :PORT", h)
		}
		rs.Hosts = append(rs.Hosts, strings.ToLower(h))
	}
	return rs, d.Store.CreateRelyingService(ctx, rs)
}
