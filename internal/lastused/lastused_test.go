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
}
