package lastused_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/lastused"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
)

func TestCoalesceAndFlush(t *testing.T) {
	ctx := t.Context()
	s, err := sqlstore.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	k := store.AccessKey{ID: "AKIAROOT", Status: store.StatusActive, CreatedAt: now, SecretCiphertext: []byte("x"), MasterKeyID: "m"}
	if err := s.CreateAccount(ctx, store.Account{ID: "123456789012", CreatedAt: now}, k); err != nil {
		t.Fatal(err)
	}
	tr := lastused.New(s, time.Hour, slog.New(slog.DiscardHandler))
	tr.Record("AKIAROOT", now.Add(2*time.Second), "sts", "eu-west-1")
	tr.Record("AKIAROOT", now.Add(1*time.Second), "iam", "us-east-1") // older: ignored
	tr.Record("AKIAGONE", now, "iam", "us-east-1")                    // deleted key: skipped
	if p, ok := tr.Pending("AKIAROOT"); !ok || p.Service != "sts" {
		t.Fatalf("pending = %+v, %v", p, ok)
	}
	if got, _ := s.GetAccessKey(ctx, "AKIAROOT"); got.LastUsed != nil {
		t.Fatal("a use reached the store before a flush")
	}
	if err := tr.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := tr.Pending("AKIAROOT"); ok {
		t.Fatal("still pending after a flush")
	}
	got, _ := s.GetAccessKey(ctx, "AKIAROOT")
	if got.LastUsed == nil || !got.LastUsed.Time.Equal(now.Add(2*time.Second)) || got.LastUsed.Region != "eu-west-1" {
		t.Fatalf("stored = %+v", got.LastUsed)
	}

	// Roles are tracked apart from keys, and flushed in the same batch.
	role := store.Role{AccountID: "123456789012", ID: "AROADEPLOY", Name: "deploy", Path: "/", AssumeRolePolicy: "{}", MaxSessionDuration: 3600, CreatedAt: now}
	if err := s.CreateRole(ctx, role); err != nil {
		t.Fatal(err)
	}
	tr.RecordRole("AROADEPLOY", now.Add(time.Minute), "ap-south-1")
	tr.Record("AKIAROOT", now.Add(time.Minute), "iam", "us-west-2")
	if p, ok := tr.PendingRole("AROADEPLOY"); !ok || p.Region != "ap-south-1" {
		t.Fatalf("pending role use = %+v, %v", p, ok)
	}
	if _, ok := tr.Pending("AROADEPLOY"); ok {
		t.Fatal("a role's use is pending as a key's")
	}
	if err := tr.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := s.GetRole(ctx, "123456789012", "deploy")
	if err != nil || r.LastUsed == nil || !r.LastUsed.Time.Equal(now.Add(time.Minute)) || r.LastUsed.Region != "ap-south-1" {
		t.Fatalf("stored role use = %+v, %v", r.LastUsed, err)
	}
	if got, _ := s.GetAccessKey(ctx, "AKIAROOT"); got.LastUsed.Region != "us-west-2" {
		t.Fatalf("key use in the same flush = %+v", got.LastUsed)
	}
}
