package relying

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/store"
)

var (
	namePattern      = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	scopePartPattern = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)
	hostPattern      = regexp.MustCompile(`^[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$`)
)

// NewRecord checks and builds a relying-service record: name, the
// principal it calls as (a user's or a role's ARN in the account, or the
// account's root), the credential scopes ("REGION/SERVICE") and hosts its
// clients' requests may carry (none: any host). The error says what is
// wrong in words meant for the operator.
func NewRecord(account, name, principalARN string, scopes, hosts []string, now time.Time) (store.RelyingService, error) {
	rs := store.RelyingService{AccountID: account, Name: name, Principal: principalARN, Hosts: []string{}, Scopes: []store.Scope{}, CreatedAt: now.UTC()}
	if !arn.IsAccountID(account) {
		return rs, errors.New("the account must be a 12-digit account id")
	}
	if !namePattern.MatchString(name) {
		return rs, errors.New("the name must be 1 to 64 letters, digits and +=,.@_-")
	}
	kind, owner, _, _, ok := arn.ParseEntity(principalARN)
	switch {
	case principalARN == arn.Root(account):
	case ok && (kind == "user" || kind == "role") && owner == account:
	default:
		return rs, fmt.Errorf("the principal must be the ARN of a user or a role of account %s, or %s", account, arn.Root(account))
	}
	if len(scopes) == 0 {
		return rs, errors.New("give at least one scope, REGION/SERVICE")
	}
	for _, sc := range scopes {
		region, service, ok := strings.Cut(sc, "/")
		if !ok || !scopePartPattern.MatchString(region) || !scopePartPattern.MatchString(service) {
			return rs, fmt.Errorf("scope %q: want REGION/SERVICE, e.g. objects-1/s3 (lower-case letters, digits and -)", sc)
		}
		rs.Scopes = append(rs.Scopes, store.Scope{Region: region, Service: service})
	}
	for _, h := range hosts {
		if !hostPattern.MatchString(h) {
			return rs, fmt.Errorf("host %q: want a host name, optionally with :PORT", h)
		}
		rs.Hosts = append(rs.Hosts, strings.ToLower(h))
	}
	return rs, nil
}

// Record is the JSON shape of a relying-service record.
type Record struct {
	Name      string        `json:"name"`
	ARN       string        `json:"arn"`
	Account   string        `json:"account"`
	Principal string        `json:"principal"`
	Scopes    []store.Scope `json:"scopes"`
	Hosts     []string      `json:"hosts"`
	CreatedAt time.Time     `json:"created_at"`
}

// RecordOf is rs as the API and the admin commands show it.
func RecordOf(rs store.RelyingService) Record {
	return Record{Name: rs.Name, ARN: RecordARN(rs.AccountID, rs.Name), Account: rs.AccountID, Principal: rs.Principal,
		Scopes: rs.Scopes, Hosts: rs.Hosts, CreatedAt: rs.CreatedAt}
}

type createInput struct {
	Name      string   `json:"name"`
	Principal string   `json:"principal"`
	Scopes    []string `json:"scopes"`
	Hosts     []string `json:"hosts,omitempty"`
}

// manage serves the records of the caller's account, for administrators
// (any principal its policies allow, not a relying service):
// POST relying-services creates one (latchkey:CreateRelyingService), GET
// lists them (latchkey:ListRelyingServices, on relying-service/*), GET
// and DELETE relying-services/NAME read and remove one
// (latchkey:GetRelyingService, latchkey:DeleteRelyingService).
func (h *Handler) manage(w http.ResponseWriter, r *http.Request, rec *record, now time.Time, name string) (any, error) {
	var permission, method string
	switch {
	case name == "" && r.Method == http.MethodPost:
		permission, method = "latchkey:CreateRelyingService", http.MethodPost
	case name == "":
		permission, method = "latchkey:ListRelyingServices", http.MethodGet
	case r.Method == http.MethodDelete:
		permission, method = "latchkey:DeleteRelyingService", http.MethodDelete
	default:
		permission, method = "latchkey:GetRelyingService", http.MethodGet
	}
	p, sr, body, err := h.authenticate(w, r, rec, now, method, permission)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	account := p.AccountID
	switch permission {
	case "latchkey:CreateRelyingService":
		var in createInput
		if err := decodeJSON(body, &in); err != nil {
			return nil, err
		}
		rs, err := NewRecord(account, in.Name, in.Principal, in.Scopes, in.Hosts, now)
		if err != nil {
			return nil, awserr.InvalidInput("%s", err.Error())
		}
		if err := h.authorizeCall(r, rec, sr, p, permission, RecordARN(account, rs.Name), account, now); err != nil {
			return nil, err
		}
		if err := h.Store.CreateRelyingService(ctx, rs); err != nil {
			return nil, storeError(err, rs.Name)
		}
		return RecordOf(rs), nil
	case "latchkey:ListRelyingServices":
		if err := h.authorizeCall(r, rec, sr, p, permission, RecordARN(account, "*"), account, now); err != nil {
			return nil, err
		}
		list, err := h.Store.ListRelyingServices(ctx, account)
		if err != nil {
			return nil, awserr.InternalFailure(err)
		}
		out := make([]Record, len(list))
		for i, rs := range list {
			out[i] = RecordOf(rs)
		}
		return map[string]any{"relying_services": out}, nil
	}
	if err := h.authorizeCall(r, rec, sr, p, permission, RecordARN(account, name), account, now); err != nil {
		return nil, err
	}
	if permission == "latchkey:DeleteRelyingService" {
		if err := h.Store.DeleteRelyingService(ctx, account, name); err != nil {
			return nil, storeError(err, name)
		}
		return map[string]string{"removed": name}, nil
	}
	rs, err := h.Store.GetRelyingService(ctx, account, name)
	if err != nil {
		return nil, storeError(err, name)
	}
	return RecordOf(rs), nil
}

// storeError words the store's refusals as IAM words its own.
func storeError(err error, name string) error {
	var le *store.LimitError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return awserr.NoSuchEntity("The relying service with name %s cannot be found.", name)
	case errors.Is(err, store.ErrAlreadyExists):
		return awserr.EntityAlreadyExists("A relying service with name %s, or one calling as its principal, already exists.", name)
	case errors.As(err, &le):
		return awserr.LimitExceeded("Cannot exceed quota for %s: %d", le.Quota, le.Max)
	}
	return awserr.InternalFailure(err)
}

// keyPolicy answers the caller's account's key policy
// (latchkey:GetKeyPolicy on arn:aws:latchkey::ACCOUNT:key-policy):
// {"account", "max_key_age_days"}, 0 when keys never expire.
func (h *Handler) keyPolicy(w http.ResponseWriter, r *http.Request, rec *record, now time.Time) (any, error) {
	p, sr, _, err := h.authenticate(w, r, rec, now, http.MethodGet, "latchkey:GetKeyPolicy")
	if err != nil {
		return nil, err
	}
	if err := h.authorizeCall(r, rec, sr, p, "latchkey:GetKeyPolicy", "arn:aws:latchkey::"+p.AccountID+":key-policy", p.AccountID, now); err != nil {
		return nil, err
	}
	kp, err := h.Store.GetKeyPolicy(r.Context(), p.AccountID)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	return map[string]any{"account": p.AccountID, "max_key_age_days": int(kp.MaxAge / (24 * time.Hour))}, nil
}

// QuarantinedKey is one key of GET quarantined-keys.
type QuarantinedKey struct {
	AccessKeyID string `json:"access_key_id"`
	// UserName is the key's user, absent for the root's keys.
	UserName      string `json:"user_name,omitempty"`
	Status        string `json:"status"`
	QuarantinedAt string `json:"quarantined_at"`
	Reason        string `json:"reason"`
}

// quarantinedKeys answers the keys of the caller's account that a
// quarantine rule deactivated and that have not changed since
// (latchkey:ListQuarantinedKeys on arn:aws:latchkey::ACCOUNT:key-policy):
// {"account", "keys": [QuarantinedKey…]}, oldest key first.
func (h *Handler) quarantinedKeys(w http.ResponseWriter, r *http.Request, rec *record, now time.Time) (any, error) {
	p, sr, _, err := h.authenticate(w, r, rec, now, http.MethodGet, "latchkey:ListQuarantinedKeys")
	if err != nil {
		return nil, err
	}
	if err := h.authorizeCall(r, rec, sr, p, "latchkey:ListQuarantinedKeys", "arn:aws:latchkey::"+p.AccountID+":key-policy", p.AccountID, now); err != nil {
		return nil, err
	}
	keys, err := h.Store.ListQuarantinedKeys(r.Context(), p.AccountID)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	out := []QuarantinedKey{}
	for _, k := range keys {
		if k.Quarantine == nil {
			continue
		}
		out = append(out, QuarantinedKey{AccessKeyID: k.ID, UserName: k.UserName, Status: k.Status,
			QuarantinedAt: k.Quarantine.At.UTC().Format(time.RFC3339), Reason: k.Quarantine.Reason})
	}
	return map[string]any{"account": p.AccountID, "keys": out}, nil
}
