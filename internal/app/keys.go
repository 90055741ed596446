package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/store"
)

// KeyInfo is an access key as the operators' commands show it.
type KeyInfo struct {
	AccessKeyID string     `json:"access_key_id"`
	Owner       string     `json:"owner"` // the user's name, or <root_account>
	OwnerARN    string     `json:"owner_arn"`
	Status      string     `json:"status"`
	CreatedAt   time.Time  `json:"created_at"`
	AgeDays     int        `json:"age_days"`
	LastUsed    *time.Time `json:"last_used,omitempty"`
	LastService string     `json:"last_used_service,omitempty"`
	LastRegion  string     `json:"last_used_region,omitempty"`
	// QuarantinedAt and QuarantineReason: a key a quarantine rule
	// deactivated (until its status changes again).
	QuarantinedAt    *time.Time `json:"quarantined_at,omitempty"`
	QuarantineReason string     `json:"quarantine_reason,omitempty"`
	root             bool
	user             string
}

// ListKeys is every access key of the account, the root's first, then by
// user name, each oldest first. Last use is as stored: a server writes its
// uses every --last-used-interval.
func (d *Data) ListKeys(ctx context.Context, account string, now time.Time) ([]KeyInfo, error) {
	snap, err := d.Store.CredentialSnapshot(ctx, account)
	if err != nil {
		return nil, err
	}
	var out []KeyInfo
	for _, h := range snap.Holders {
		owner, ownerARN := "<root_account>", arn.Root(account)
		if !h.Root {
			owner, ownerARN = h.User.Name, arn.User(account, h.User.Path, h.User.Name)
		}
		for _, k := range h.Keys {
			ki := KeyInfo{AccessKeyID: k.ID, Owner: owner, OwnerARN: ownerARN, Status: k.Status, CreatedAt: k.CreatedAt.UTC(),
				AgeDays: int(now.Sub(k.CreatedAt).Hours() / 24), root: h.Root, user: h.User.Name}
			if k.LastUsed != nil {
				t := k.LastUsed.Time.UTC()
				ki.LastUsed, ki.LastService, ki.LastRegion = &t, k.LastUsed.Service, k.LastUsed.Region
			}
			if q := k.Quarantine; q != nil {
				at := q.At.UTC()
				ki.QuarantinedAt, ki.QuarantineReason = &at, q.Reason
			}
			out = append(out, ki)
		}
	}
	return out, nil
}

// QuarantineRule says which Active keys to deactivate: unused (never, or
// last) for UnusedFor, and, when OlderThan is set, created longer ago.
type QuarantineRule struct {
	UnusedFor   time.Duration
	OlderThan   time.Duration
	IncludeRoot bool // the root's last Active key too
	DryRun      bool
}

// reason is how a quarantined key's note words the rule.
func (r QuarantineRule) reason() string {
	why := "unused for " + formatAge(r.UnusedFor)
	if r.OlderThan > 0 {
		why += ", older than " + formatAge(r.OlderThan)
	}
	return why
}

// formatAge words an age as ParseAge reads it: whole days as "90d".
func formatAge(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}

// QuarantineResult is what the rule did, or would do, to one key.
type QuarantineResult struct {
	KeyInfo
	// Action is "deactivated", "would deactivate" (dry run), or "kept"
	// with Reason (the root's last Active key).
	Action string `json:"action"`
	Reason string `json:"reason,omitempty"`
}

// Quarantine deactivates in bulk the account's keys the rule matches,
// writing an audit record for each it deactivates (to audit, when set).
func (d *Data) Quarantine(ctx context.Context, account string, rule QuarantineRule, now time.Time, log *audit.Log) ([]QuarantineResult, error) {
	if rule.UnusedFor <= 0 {
		return nil, errors.New("--unused-for must be a positive duration, e.g. 90d")
	}
	keys, err := d.ListKeys(ctx, account, now)
	if err != nil {
		return nil, err
	}
	rootActive := 0
	for _, k := range keys {
		if k.root && k.Status == store.StatusActive {
			rootActive++
		}
	}
	var out []QuarantineResult
	for _, k := range keys {
		if k.Status != store.StatusActive {
			continue
		}
		since := k.CreatedAt
		if k.LastUsed != nil {
			since = *k.LastUsed
		}
		if now.Sub(since) < rule.UnusedFor || (rule.OlderThan > 0 && now.Sub(k.CreatedAt) < rule.OlderThan) {
			continue
		}
		r := QuarantineResult{KeyInfo: k, Action: "deactivated"}
		if k.root && rootActive == 1 && !rule.IncludeRoot {
			r.Action, r.Reason = "kept", "the root's last Active key (--include-root to deactivate it)"
			out = append(out, r)
			continue
		}
		if k.root {
			rootActive--
		}
		switch {
		case rule.DryRun:
			r.Action = "would deactivate"
		default:
			q := store.Quarantine{At: now.UTC(), Reason: rule.reason()}
			err := d.Store.QuarantineAccessKey(ctx, account, k.user, k.AccessKeyID, q)
			if errors.Is(err, store.ErrKeyNotActive) || errors.Is(err, store.ErrNotFound) {
				// Deactivated or deleted since the listing: nothing to do.
				r.Action, r.Reason = "kept", "no longer Active"
				break
			}
			if err != nil {
				return out, fmt.Errorf("deactivate %s: %w", k.AccessKeyID, err)
			}
			if err := log.Write(audit.Record{Time: time.Now().UTC(), AccountID: account, Caller: "latchkey keys quarantine", Service: "iam",
				Action: "UpdateAccessKey", Target: k.AccessKeyID, Result: "success", Decision: "quarantine: " + q.Reason}); err != nil {
				return out, fmt.Errorf("audit %s: %w", k.AccessKeyID, err)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// ParseAge reads an age as the operators' commands take it: a number of
// days ("90d") or a Go duration ("36h").
func ParseAge(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 {
			return 0, fmt.Errorf("%q: want a number of days such as 90d, or a duration such as 36h", v)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q: want a number of days such as 90d, or a duration such as 36h", v)
	}
	return d, nil
}
