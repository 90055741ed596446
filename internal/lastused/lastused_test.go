package lastused_test

import (
	"context"
	"errors"
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

// failingKeys is a store whose last-used writes fail until ok is set.
type failingKeys struct {
	store.AccessKeys
	ok bool
}

func (f *failingKeys) RecordLastUsed(context.Context, []store.LastUsedUpdate) error {
	if !f.ok {
		return errors.New("store down")
	}
	return nil
}

// TestFlushObserved: OnFlush hears of each flush, its size and the wait of
// its oldest use, which a failed flush does not reset; PendingAge grows
// while uses wait and is 0 once they are written.
func TestFlushObserved(t *testing.T) {
	st := &failingKeys{}
	tr := lastused.New(st, time.Hour, slog.New(slog.DiscardHandler))
	type flush struct {
		n   int
		lag time.Duration
		err error
	}
	var seen []flush
	tr.OnFlush = func(n int, lag time.Duration, err error) { seen = append(seen, flush{n, lag, err}) }
	if tr.PendingAge() != 0 {
		t.Fatal("pending age without uses")
	}
	tr.Record("AKIAONE", time.Now(), "sts", "us-east-1")
	time.Sleep(20 * time.Millisecond)
	tr.Record("AKIATWO", time.Now(), "sts", "us-east-1")
	if age := tr.PendingAge(); age < 20*time.Millisecond {
		t.Fatalf("pending age %v, want the first use's wait", age)
	}
	if err := tr.Flush(t.Context()); err == nil {
		t.Fatal("the flush did not fail")
	}
	if age := tr.PendingAge(); age < 20*time.Millisecond {
		t.Fatalf("pending age after a failed flush %v: the wait was reset", age)
	}
	st.ok = true
	if err := tr.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := tr.Flush(t.Context()); err != nil { // nothing to write: not observed
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0].err == nil || seen[1].err != nil || seen[1].n != 2 || seen[1].lag < 20*time.Millisecond {
		t.Fatalf("flushes observed: %+v", seen)
	}
	if tr.PendingAge() != 0 {
		t.Fatal("pending age once everything is written")
	}
}
