// Command latchkey is a self-hosted identity service speaking the AWS IAM
// and STS APIs. `latchkey serve` runs it; the other subcommands administer a
// data dir directly.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "latchkey:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "latchkey",
		Short: "Latchkey: IAM users and access keys over the AWS IAM and STS APIs",
		Long: `Latchkey serves the AWS IAM and STS APIs (latchkey serve); the other
commands administer its data dir or PostgreSQL store directly, also while
the server runs. Every flag can be given by its environment variable,
LATCHKEY_<FLAG> (--master-key-file is LATCHKEY_MASTER_KEY_FILE). The
bootstrap variables
  ` + strings.Join(bootstrapVars, ", ") + `
configure serve's first account only and feed no flag.`,
		Example: `  latchkey serve --data ./latchkey-data
  latchkey account create --data ./latchkey-data --output json
  latchkey completion bash > /etc/bash_completion.d/latchkey`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return bindEnv(cmd.Flags())
		},
	}
	root.AddCommand(newServeCmd(), newAccountCmd(), newMasterKeyCmd(), newCheckCmd(), newVersionCmd())
	root.AddCommand(newStoreCmd(), newBackupCmd(), newRelyingServiceCmd(), newKeysCmd())
	// cobra's own `completion bash|zsh|fish|powershell`, listed in --help.
	root.InitDefaultCompletionCmd()
	return root
}

func newVersionCmd() *cobra.Command {
	var out outputFlag
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Print the version",
		Example: "  latchkey version\n  latchkey version --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			return out.print(cmd.OutOrStdout(), map[string]string{"version": version, "go": runtime.Version()}, func(w io.Writer) error {
				_, err := fmt.Fprintln(w, version)
				return err
			})
		},
	}
	out.register(cmd)
	return cmd
}

// bootstrapVars are read by serve alone, when it creates the first account
// of an empty store. They must feed no flag: `account create --account-id`
// taking LATCHKEY_ACCOUNT_ID, exported for serve as the README shows, would
// try to create serve's account again.
var bootstrapVars = []string{"LATCHKEY_ACCOUNT_ID", "LATCHKEY_ROOT_ACCESS_KEY_ID", "LATCHKEY_ROOT_SECRET_ACCESS_KEY"}

// envAnnotation, set on a flag, names its environment variable instead of
// the default LATCHKEY_<FLAG> (see withEnv).
const envAnnotation = "latchkey_env"

// bindEnv gives every flag not set on the command line the value of its
// environment variable: --master-key-file <- LATCHKEY_MASTER_KEY_FILE.
func bindEnv(flags *pflag.FlagSet) error {
	var err error
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Changed || err != nil {
			return
		}
		name := flagEnv(f)
		if name == "" {
			return
		}
		if v, ok := os.LookupEnv(name); ok {
			if e := flags.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
	})
	return err
}

// flagEnv is the variable that feeds f, or "" for none: its annotation when
// it has one, else LATCHKEY_<FLAG> unless that is a bootstrap variable.
func flagEnv(f *pflag.Flag) string {
	if v, ok := f.Annotations[envAnnotation]; ok {
		if len(v) == 0 {
			return ""
		}
		return v[0]
	}
	name := envName(f.Name)
	if slices.Contains(bootstrapVars, name) {
		return ""
	}
	return name
}

// withEnv makes env, instead of LATCHKEY_<FLAG>, the variable of cmd's
// flag (defined already).
func withEnv(cmd *cobra.Command, flag, env string) {
	if err := cmd.Flags().SetAnnotation(flag, envAnnotation, []string{env}); err != nil {
		panic(err) // a flag name mistyped in this package
	}
}

// envName is the variable mirroring a flag, for help texts.
func envName(flag string) string {
	return "LATCHKEY_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}
