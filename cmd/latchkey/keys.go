package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/store"
)

func newKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "List and quarantine an account's access keys (works while the server runs)",
		Example: `  latchkey keys list --data ./latchkey-data --account 123456789012
  latchkey keys quarantine --data ./latchkey-data --account 123456789012 --unused-for 90d --dry-run`,
	}
	cmd.AddCommand(newKeysListCmd(), newKeysQuarantineCmd(), newKeysPolicyCmd())
	return cmd
}

func lastUsedText(k app.KeyInfo) string {
	if k.LastUsed == nil {
		return "never"
	}
	return fmt.Sprintf("%s %s %s", k.LastUsed.Format(time.RFC3339), k.LastService, k.LastRegion)
}

func newKeysListCmd() *cobra.Command {
	var (
		data    dataFlags
		out     outputFlag
		account string
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Every access key of an account: owner, status, age, last use",
		Long: `Every access key of an account, the root's first, then by user: its owner,
status, age in days and last use (as stored: a server writes the uses it saw
every --last-used-interval).`,
		Example: `  latchkey keys list --data ./latchkey-data --account 123456789012 --output json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			return data.with(cmd, func(d *app.Data) error {
				keys, err := d.ListKeys(cmd.Context(), account, time.Now())
				if err != nil {
					return err
				}
				if keys == nil {
					keys = []app.KeyInfo{}
				}
				return out.print(cmd.OutOrStdout(), keys, func(w io.Writer) error {
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ACCESS KEY\tOWNER\tSTATUS\tAGE (DAYS)\tLAST USED")
					for _, k := range keys {
						status := k.Status
						if k.QuarantinedAt != nil {
							status += " (quarantined " + k.QuarantinedAt.Format(time.DateOnly) + ")"
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", k.AccessKeyID, k.Owner, status, k.AgeDays, lastUsedText(k))
					}
					return tw.Flush()
				})
			})
		},
	}
	data.register(cmd)
	cmd.Flags().StringVar(&account, "account", "", "account id")
	_ = cmd.MarkFlagRequired("account")
	out.register(cmd)
	return cmd
}

func newKeysQuarantineCmd() *cobra.Command {
	var (
		data                        dataFlags
		out                         outputFlag
		account, unused, older, dst string
		rule                        app.QuarantineRule
	)
	cmd := &cobra.Command{
		Use:   "quarantine",
		Short: "Deactivate in bulk the keys unused for a while (never the root's last key without --include-root)",
		Long: `Deactivate every Active key of the account unused for --unused-for (never used
and created that long ago, or last used that long ago) and, with --older-than,
created longer ago than that. The root's last Active key is kept unless
--include-root. Each deactivation is an audit record (--audit-log, the file the
server writes, or - for standard output). Last use is as stored: a use in the
last --last-used-interval of a running server may not be counted yet.`,
		Example: `  latchkey keys quarantine --data ./latchkey-data --account 123456789012 --unused-for 90d --dry-run
  latchkey keys quarantine --store postgres://latchkey@db/latchkey --account 123456789012 \
      --unused-for 90d --older-than 365d --audit-log /var/log/latchkey/audit.jsonl --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			var err error
			if rule.UnusedFor, err = app.ParseAge(unused); err != nil {
				return fmt.Errorf("--unused-for %w", err)
			}
			if older != "" {
				if rule.OlderThan, err = app.ParseAge(older); err != nil {
					return fmt.Errorf("--older-than %w", err)
				}
			}
			log, err := audit.Open(dst)
			if err != nil {
				return err
			}
			defer log.Close()
			return data.with(cmd, func(d *app.Data) error {
				res, err := d.Quarantine(cmd.Context(), account, rule, time.Now(), log)
				if res == nil {
					res = []app.QuarantineResult{}
				}
				if perr := out.print(cmd.OutOrStdout(), res, func(w io.Writer) error {
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ACCESS KEY\tOWNER\tACTION\tAGE (DAYS)\tLAST USED")
					for _, r := range res {
						action := r.Action
						if r.Reason != "" {
							action += ": " + r.Reason
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", r.AccessKeyID, r.Owner, action, r.AgeDays, lastUsedText(r.KeyInfo))
					}
					if len(res) == 0 {
						fmt.Fprintln(tw, "(no key matches)")
					}
					return tw.Flush()
				}); perr != nil && err == nil {
					err = perr
				}
				return err
			})
		},
	}
	data.register(cmd)
	cmd.Flags().StringVar(&account, "account", "", "account id")
	cmd.Flags().StringVar(&unused, "unused-for", "", "deactivate keys unused for this long: days (90d) or a duration (36h)")
	cmd.Flags().StringVar(&older, "older-than", "", "and created longer ago than this: days or a duration")
	cmd.Flags().BoolVar(&rule.IncludeRoot, "include-root", false, "deactivate the root's last Active key too")
	cmd.Flags().BoolVar(&rule.DryRun, "dry-run", false, "say what would be deactivated, change nothing")
	cmd.Flags().StringVar(&dst, "audit-log", "", "append an audit record per deactivation to this file (- for standard output)")
	_ = cmd.MarkFlagRequired("account")
	_ = cmd.MarkFlagRequired("unused-for")
	out.register(cmd)
	return cmd
}

func newKeysPolicyCmd() *cobra.Command {
	var (
		data            dataFlags
		out             outputFlag
		account, maxAge string
		clear           bool
	)
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Show or set an account's key policy: the age past which its access keys expire",
		Long: `Show the account's key policy, or set its maximum key age (--max-age, in days)
or remove it (--clear). A key older than the maximum shows Status Expired in
ListAccessKeys, is refused at authentication as InvalidClientTokenId, cannot be
made Active again, only deleted; each expiry is an audit record of the server.
The API answers it at GET /latchkey/v1/key-policy.`,
		Example: `  latchkey keys policy --data ./latchkey-data --account 123456789012 --max-age 90d
  latchkey keys policy --data ./latchkey-data --account 123456789012 --output json
  latchkey keys policy --data ./latchkey-data --account 123456789012 --clear`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			if clear && maxAge != "" {
				return fmt.Errorf("give --max-age or --clear, not both")
			}
			return data.with(cmd, func(d *app.Data) error {
				ctx := cmd.Context()
				if maxAge != "" || clear {
					age := time.Duration(0)
					if maxAge != "" {
						var err error
						if age, err = app.ParseAge(maxAge); err != nil || age <= 0 || age%(24*time.Hour) != 0 {
							return fmt.Errorf("--max-age must be a whole number of days, such as 90d")
						}
					}
					if err := d.Store.PutKeyPolicy(ctx, store.KeyPolicy{AccountID: account, MaxAge: age}); err != nil {
						return err
					}
				}
				p, err := d.Store.GetKeyPolicy(ctx, account)
				if err != nil {
					return err
				}
				days := int(p.MaxAge / (24 * time.Hour))
				return out.print(cmd.OutOrStdout(), map[string]any{"account": account, "max_key_age_days": days}, func(w io.Writer) error {
					if days == 0 {
						_, err := fmt.Fprintf(w, "account %s: keys never expire\n", account)
						return err
					}
					_, err := fmt.Fprintf(w, "account %s: keys expire %d days after their creation\n", account, days)
					return err
				})
			})
		},
	}
	data.register(cmd)
	cmd.Flags().StringVar(&account, "account", "", "account id")
	cmd.Flags().StringVar(&maxAge, "max-age", "", "the age past which keys expire, in days (90d)")
	cmd.Flags().BoolVar(&clear, "clear", false, "remove the policy: keys never expire")
	_ = cmd.MarkFlagRequired("account")
	out.register(cmd)
	return cmd
}
