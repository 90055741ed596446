package main

import (
	"slices"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestNoFlagTakesBootstrapVariables: serve's bootstrap variables feed no
// flag of any command, and account create's --account-id has a variable
// of its own.
func TestNoFlagTakesBootstrapVariables(t *testing.T) {
	for _, v := range bootstrapVars {
		t.Setenv(v, "123456789012")
	}
	t.Setenv("LATCHKEY_NEW_ACCOUNT_ID", "210987654321")
	var walk func(*cobra.Command)
	n := 0
	walk = func(cmd *cobra.Command) {
		if err := bindEnv(cmd.Flags()); err != nil {
			t.Errorf("%s: %v", cmd.CommandPath(), err)
		}
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			n++
			if env := flagEnv(f); slices.Contains(bootstrapVars, env) {
				t.Errorf("%s --%s is fed by %s, a bootstrap variable", cmd.CommandPath(), f.Name, env)
			}
			if f.Value.String() == "123456789012" {
				t.Errorf("%s --%s took a bootstrap variable's value", cmd.CommandPath(), f.Name)
			}
		})
		for _, c := range cmd.Commands() {
			walk(c)
		}
	}
	root := newRootCmd()
	walk(root)
	if n < 20 {
		t.Fatalf("only %d flags visited", n)
	}
	create, _, err := root.Find([]string{"account", "create"})
	if err != nil {
		t.Fatal(err)
	}
	if f := create.Flags().Lookup("account-id"); flagEnv(f) != "LATCHKEY_NEW_ACCOUNT_ID" || f.Value.String() != "210987654321" {
		t.Errorf("account create --account-id: env %s, value %q; want LATCHKEY_NEW_ACCOUNT_ID's 210987654321", flagEnv(f), f.Value.String())
	}
}

// TestAdminCommandsHaveOutputAndExample: every admin command takes
// --output table|json and shows an example in its help.
func TestAdminCommandsHaveOutputAndExample(t *testing.T) {
	root := newRootCmd()
	for _, path := range [][]string{
		{"account", "create"}, {"account", "root-key"}, {"master-key", "rotate"}, {"check"},
		{"store", "copy"}, {"backup"}, {"version"},
	} {
		cmd, _, err := root.Find(path)
		if err != nil || cmd.Name() != path[len(path)-1] {
			t.Errorf("%v: no such command (%v)", path, err)
			continue
		}
		if f := cmd.Flags().Lookup("output"); f == nil || f.DefValue != "table" || f.Shorthand != "o" {
			t.Errorf("%s: no --output/-o defaulting to table", cmd.CommandPath())
		}
		if cmd.Example == "" {
			t.Errorf("%s: no Example", cmd.CommandPath())
		}
	}
}

func TestOutputFlagRefusesUnknownFormats(t *testing.T) {
	for format, ok := range map[string]bool{"table": true, "json": true, "text": true, "yaml": false, "": false} {
		if err := (&outputFlag{format: format}).check(); (err == nil) != ok {
			t.Errorf("check(%q) = %v", format, err)
		}
	}
}
