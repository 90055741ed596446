package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindLatchkey(t *testing.T) {
	bin := t.TempDir()
	self := filepath.Join(bin, "latchkey-bench")
	beside := filepath.Join(bin, "latchkey")
	onPath := t.TempDir()
	inPath := filepath.Join(onPath, "latchkey")
	for _, p := range []string{self, inPath} {
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", onPath)

	if got, err := findLatchkey("", self); err != nil || got != inPath {
		t.Fatalf("nothing beside: %q, %v; want %s from PATH", got, err, inPath)
	}
	if err := os.WriteFile(beside, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := findLatchkey("", self); err != nil || got != beside {
		t.Fatalf("latchkey beside: %q, %v; want %s", got, err, beside)
	}
	if got, err := findLatchkey(inPath, self); err != nil || got != inPath {
		t.Fatalf("--latchkey: %q, %v; want %s", got, err, inPath)
	}
	if _, err := findLatchkey(filepath.Join(bin, "absent"), self); err == nil {
		t.Fatal("a --latchkey that does not exist was taken")
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := findLatchkey("", filepath.Join(t.TempDir(), "latchkey-bench")); err == nil || !strings.Contains(err.Error(), "--latchkey") {
		t.Fatalf("no latchkey anywhere: %v, want an error naming --latchkey", err)
	}
}

// TestFlagsMirrorBenchVariables: the bench's variables are its own, so the
// LATCHKEY_ variables that configure latchkey (LATCHKEY_STORE…) feed none
// of its flags.
func TestFlagsMirrorBenchVariables(t *testing.T) {
	t.Setenv("LATCHKEY_STORE", "postgres://not-this")
	t.Setenv("LATCHKEY_BENCH_ROUNDS", "7")
	root := newRootCmd()
	compare, _, err := root.Find([]string{"compare"})
	if err != nil {
		t.Fatal(err)
	}
	if err := bindEnv(compare.Flags()); err != nil {
		t.Fatal(err)
	}
	if v := compare.Flags().Lookup("store").Value.String(); v != "" {
		t.Errorf("--store took LATCHKEY_STORE: %q", v)
	}
	if v := compare.Flags().Lookup("rounds").Value.String(); v != "7" {
		t.Errorf("--rounds = %q, want 7 from LATCHKEY_BENCH_ROUNDS", v)
	}
}

// TestCommandsKept: the subcommands and flags `latchkey bench` had.
func TestCommandsKept(t *testing.T) {
	root := newRootCmd()
	want := map[string][]string{
		"":        {"op", "endpoint", "access-key", "secret-key", "requests", "duration", "max-duration", "concurrency", "warmup", "users", "page-size", "prefix", "output", "latchkey"},
		"compare": {"op", "rounds", "moto", "no-ceiling", "store", "requests", "duration", "concurrency", "output"},
		"scale":   {"users", "data-root", "concurrency", "samples", "page-samples", "batch", "max-duration", "list-max-duration", "output"},
		"ceiling": {"listen"},
	}
	for sub, flags := range want {
		cmd := root
		if sub != "" {
			var err error
			if cmd, _, err = root.Find([]string{sub}); err != nil || cmd.Name() != sub {
				t.Errorf("no %s command", sub)
				continue
			}
		}
		for _, f := range flags {
			if cmd.Flags().Lookup(f) == nil && cmd.PersistentFlags().Lookup(f) == nil && cmd.InheritedFlags().Lookup(f) == nil {
				t.Errorf("%s: no --%s", cmd.CommandPath(), f)
			}
		}
	}
}
