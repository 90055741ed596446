package iam

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/store"
)

// The credential report, as AWS documents it (IAM User Guide, "Generate
// credential reports for your AWS account"): a CSV of the account's root
// and users with the state of their credentials, generated at most every
// four hours. GenerateCredentialReport answers STARTED when it makes a new
// report and COMPLETE while the one held is under four hours old;
// GetCredentialReport answers ReportNotPresent before the first and
// ReportExpired once the report held is four hours old. Latchkey makes the
// report within GenerateCredentialReport's call, so a report is never in
// progress (AWS's ReportInProgress is never answered): a client polling
// for COMPLETE finds it on its next call.
//
// AWS's wording recorded for these: "No report exists. Starting a new
// report generation task" (the STARTED answer's Description, none with
// COMPLETE) and "Credential report not present"; ReportExpired's message is
// Latchkey's own.

// credentialReportMaxAge is how long a report is current: AWS generates
// one at most this often, and a report this old is expired.
const credentialReportMaxAge = 4 * time.Hour

// credentialReportColumns is AWS's header, in AWS's order.
var credentialReportColumns = []string{
	"user", "arn", "user_creation_time",
	"password_enabled", "password_last_used", "password_last_changed", "password_next_rotation",
	"mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// The values AWS writes where a column does not apply.
const (
	notApplicable = "N/A"
	notSupported  = "not_supported"
	noInformation = "no_information"
	rootUser      = "<root_account>"
)

type generateCredentialReportResult struct {
	State       string `xml:"State"`
	Description string `xml:"Description,omitempty"`
}

type getCredentialReportResult struct {
	Content       string     `xml:"Content"`
	ReportFormat  string     `xml:"ReportFormat"`
	GeneratedTime *Timestamp `xml:"GeneratedTime"`
}

func (s *Service) generateCredentialReport(ctx context.Context, r *op.Request) (any, error) {
	account := r.Caller.AccountID
	now := s.now().Truncate(time.Second)
	held, err := s.Store.GetCredentialReport(ctx, account)
	switch {
	case err == nil && now.Sub(held.GeneratedAt) < credentialReportMaxAge:
		return generateCredentialReportResult{State: "COMPLETE"}, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return nil, storeErr(err)
	}
	first := err != nil
	snap, err := s.Store.CredentialSnapshot(ctx, account)
	if err != nil {
		return nil, storeErr(err)
	}
	content, err := s.credentialReportCSV(snap)
	if err != nil {
		return nil, awserr.ServiceFailure(err)
	}
	_, stored, err := s.Store.PutCredentialReport(ctx, store.CredentialReport{AccountID: account, GeneratedAt: now, Content: content}, now.Add(-credentialReportMaxAge))
	if err != nil {
		return nil, storeErr(err)
	}
	if !stored { // another request made one meanwhile
		return generateCredentialReportResult{State: "COMPLETE"}, nil
	}
	res := generateCredentialReportResult{State: "STARTED"}
	if first {
		res.Description = "No report exists. Starting a new report generation task"
	}
	return res, nil
}

func (s *Service) getCredentialReport(ctx context.Context, r *op.Request) (any, error) {
	rep, err := s.Store.GetCredentialReport(ctx, r.Caller.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, awserr.ReportNotPresent("Credential report not present")
	}
	if err != nil {
		return nil, storeErr(err)
	}
	if s.now().Sub(rep.GeneratedAt) >= credentialReportMaxAge {
		return nil, awserr.ReportExpired("Credential report expired")
	}
	return getCredentialReportResult{
		Content:       base64.StdEncoding.EncodeToString(rep.Content),
		ReportFormat:  "text/csv",
		GeneratedTime: TimestampPtr(rep.GeneratedAt),
	}, nil
}

// credentialReportCSV renders the report: the header, then a row for the
// root and one for each user, lines ending in "\n" and none after the last
// row, as AWS's reports. A field holding a comma or a quote (a user name
// or path may) is quoted, as CSV asks.
func (s *Service) credentialReportCSV(snap store.CredentialSnapshot) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(credentialReportColumns); err != nil {
		return nil, err
	}
	for _, h := range snap.Holders {
		if err := w.Write(s.credentialReportRow(snap.Account, h, snap.PasswordPolicy)); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// credentialReportRow is one holder's row. A user's password columns are
// passwordColumns'. Latchkey has no MFA devices or signing certificates:
// their columns are what AWS writes for a user without them (false, and
// N/A for their dates), and for the root
// what AWS writes for it (not_supported for the password's state, whose
// use AWS reports as no_information when there was none). An access key's
// columns are N/A when the holder has no such key; its last-used ones are
// N/A while it was never used. Last use includes uses not yet flushed to
// the store, as GetAccessKeyLastUsed's answer.
func (s *Service) credentialReportRow(a store.Account, h store.CredentialHolder, policy *store.PasswordPolicy) []string {
	var row []string
	if h.Root {
		row = []string{rootUser, arn.Root(a.ID), reportTime(a.CreatedAt), notSupported, noInformation, notSupported, notSupported}
	} else {
		u := h.User
		row = []string{u.Name, arn.User(u.AccountID, u.Path, u.Name), reportTime(u.CreatedAt)}
		row = append(row, passwordColumns(h.LoginProfile, u.PasswordLastUsed, policy)...)
	}
	row = append(row, "false") // mfa_active
	for i := range 2 {
		if i >= len(h.Keys) {
			row = append(row, "false", notApplicable, notApplicable, notApplicable, notApplicable)
			continue
		}
		k := h.Keys[i]
		row = append(row, reportBool(k.Status == store.StatusActive), reportTime(k.CreatedAt))
		if last := s.lastUsed(k); last != nil {
			row = append(row, reportTime(last.Time), orNA(last.Region), orNA(last.Service))
		} else {
			row = append(row, notApplicable, notApplicable, notApplicable)
		}
	}
	return append(row, "false", notApplicable, "false", notApplicable) // signing certificates
}

// passwordColumns are password_enabled, password_last_used,
// password_last_changed and password_next_rotation for a user with login
// profile p (nil: none) whose password last signed in at used (nil:
// never), as AWS writes them: without a profile, false and N/A; with one,
// true, the last sign-in (no_information when there was none), the date
// it was last set, and that date plus the policy's MaxPasswordAge days
// (N/A when the passwords do not expire).
func passwordColumns(p *store.LoginProfile, used *time.Time, policy *store.PasswordPolicy) []string {
	if p == nil {
		return []string{"false", notApplicable, notApplicable, notApplicable}
	}
	next := notApplicable
	if policy != nil && policy.MaxPasswordAge > 0 {
		next = reportTime(p.PasswordChangedAt.AddDate(0, 0, policy.MaxPasswordAge))
	}
	lastUsed := noInformation
	if used != nil {
		lastUsed = reportTime(*used)
	}
	return []string{"true", lastUsed, reportTime(p.PasswordChangedAt), next}
}

// reportTime is a date as the report writes it: ISO 8601 to the second,
// UTC as +00:00.
func reportTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05+00:00")
}

func reportBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func orNA(v string) string {
	if strings.TrimSpace(v) == "" {
		return notApplicable
	}
	return v
}
