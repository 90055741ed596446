package iam

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/awserr"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/principal"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
)

// pendingUses is a LastUsedSource holding uses not yet flushed.
type pendingUses map[string]store.LastUsed

func (p pendingUses) Pending(id string) (store.LastUsed, bool)  { u, ok := p[id]; return u, ok }
func (p pendingUses) PendingRole(string) (store.LastUsed, bool) { return store.LastUsed{}, false }

// TestCredentialReportCSV pins the report's text: AWS's header, the root
// first, then users with no key, one key, and two keys (one inactive, one
// used: stored, or pending and newer than the stored use).
func TestCredentialReportCSV(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 3, 4, h, 5, 6, 0, time.UTC) }
	const account = "123456789012"
	key := func(id string, root bool, h int, status string, used *store.LastUsed) store.AccessKey {
		return store.AccessKey{ID: id, AccountID: account, Root: root, Status: status, CreatedAt: at(h), LastUsed: used}
	}
	snap := store.CredentialSnapshot{
		Account: store.Account{ID: account, CreatedAt: at(0)},
		Holders: []store.CredentialHolder{
			{Root: true, Keys: []store.AccessKey{key("AKIAROOT", true, 1, store.StatusActive, &store.LastUsed{Time: at(2), Service: "sts", Region: "us-east-1"})}},
			{User: store.User{AccountID: account, Name: "alice", Path: "/", CreatedAt: at(3)}},
			{User: store.User{AccountID: account, Name: "bob", Path: "/eng/", CreatedAt: at(4)}, Keys: []store.AccessKey{key("AKIABOB1", false, 5, store.StatusActive, nil)}},
			{User: store.User{AccountID: account, Name: "carol,x", Path: "/", CreatedAt: at(6)}, Keys: []store.AccessKey{
				key("AKIACAROL1", false, 7, store.StatusInactive, nil),
				key("AKIACAROL2", false, 8, store.StatusActive, &store.LastUsed{Time: at(9), Service: "iam", Region: "eu-west-1"}),
			}},
		},
	}
	s := &Service{LastUsed: pendingUses{
		"AKIACAROL2": {Time: at(10), Service: "sts", Region: "eu-central-1"}, // newer than stored: shown
		"AKIAROOT":   {Time: at(1), Service: "iam", Region: "us-west-2"},     // older than stored: not shown
	}}
	got, err := s.credentialReportCSV(snap)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
			"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
			"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
			"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated",
		"<root_account>,arn:aws:iam::123456789012:root,2026-03-04T00:05:06+00:00,not_supported,no_information,not_supported,not_supported,false," +
			"true,2026-03-04T01:05:06+00:00,2026-03-04T02:05:06+00:00,us-east-1,sts,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
		"alice,arn:aws:iam::123456789012:user/alice,2026-03-04T03:05:06+00:00,false,N/A,N/A,N/A,false," +
			"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
		"bob,arn:aws:iam::123456789012:user/eng/bob,2026-03-04T04:05:06+00:00,false,N/A,N/A,N/A,false," +
			"true,2026-03-04T05:05:06+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
		`"carol,x","arn:aws:iam::123456789012:user/carol,x",2026-03-04T06:05:06+00:00,false,N/A,N/A,N/A,false,` +
			"false,2026-03-04T07:05:06+00:00,N/A,N/A,N/A,true,2026-03-04T08:05:06+00:00,2026-03-04T10:05:06+00:00,eu-central-1,sts,false,N/A,false,N/A",
	}, "\n")
	if string(got) != want {
		t.Fatalf("report\n%s\nwant\n%s", got, want)
	}
	if n := len(credentialReportColumns); n != 22 {
		t.Fatalf("%d columns", n)
	}
}

// TestCredentialReportAge: a report is made on the first request, kept
// (COMPLETE) while under four hours old, expired at four hours, and made
// again then (STARTED, without the first report's Description).
func TestCredentialReportAge(t *testing.T) {
	ctx := t.Context()
	st, err := sqlstore.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	const account = "123456789012"
	if err := st.CreateAccount(ctx, store.Account{ID: account, CreatedAt: t0}, store.AccessKey{ID: "AKIAROOTEXAMPLE", Status: store.StatusActive, CreatedAt: t0, SecretCiphertext: []byte("x"), MasterKeyID: "m"}); err != nil {
		t.Fatal(err)
	}
	now := t0
	s := &Service{Store: st, Now: func() time.Time { return now }}
	r := &op.Request{Caller: &principal.Principal{Kind: principal.Root, AccountID: account, ID: account}}
	wantErr := func(what string, err error, code string, status int) {
		t.Helper()
		var ae *awserr.Error
		if !errors.As(err, &ae) || ae.Code != code || ae.Status != status {
			t.Fatalf("%s: %v, want %s (HTTP %d)", what, err, code, status)
		}
	}
	generate := func(want generateCredentialReportResult) {
		t.Helper()
		got, err := s.generateCredentialReport(ctx, r)
		if err != nil || got != want {
			t.Fatalf("GenerateCredentialReport at %v = %+v, %v; want %+v", now, got, err, want)
		}
	}
	get := func(generated time.Time) {
		t.Helper()
		got, err := s.getCredentialReport(ctx, r)
		if err != nil {
			t.Fatalf("GetCredentialReport at %v: %v", now, err)
		}
		res := got.(getCredentialReportResult)
		csv, err := base64.StdEncoding.DecodeString(res.Content)
		if err != nil || !strings.HasPrefix(string(csv), "user,arn,") || res.ReportFormat != "text/csv" || !time.Time(*res.GeneratedTime).Equal(generated) {
			t.Fatalf("GetCredentialReport at %v: %+v (%v)", now, res, err)
		}
	}

	_, err = s.getCredentialReport(ctx, r)
	wantErr("GetCredentialReport before any", err, "ReportNotPresent", 410)
	generate(generateCredentialReportResult{State: "STARTED", Description: "No report exists. Starting a new report generation task"})
	get(t0)
	now = t0.Add(4*time.Hour - time.Second)
	generate(generateCredentialReportResult{State: "COMPLETE"})
	get(t0)
	now = t0.Add(4 * time.Hour)
	_, err = s.getCredentialReport(ctx, r)
	wantErr("GetCredentialReport at four hours", err, "ReportExpired", 410)
	generate(generateCredentialReportResult{State: "STARTED"})
	get(now)
	generate(generateCredentialReportResult{State: "COMPLETE"})
}
