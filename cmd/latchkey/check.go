package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/latchkey/latchkey/internal/app"
)

// checkResult is `check --output json`.
type checkResult struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

func newCheckCmd() *cobra.Command {
	var (
		data dataFlags
		out  outputFlag
	)
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check a data dir's integrity (database and invariants); exit 1 on a problem",
		Example: `  latchkey check --data ./latchkey-data
  latchkey check --store postgres://latchkey@db/latchkey --master-key-file master.key --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			return data.with(cmd, func(d *app.Data) error {
				if err := d.Store.Check(cmd.Context()); err != nil {
					if out.format == "json" {
						_ = out.print(cmd.OutOrStdout(), checkResult{Error: err.Error()}, nil)
					}
					return err
				}
				return out.print(cmd.OutOrStdout(), checkResult{OK: true}, func(w io.Writer) error {
					_, err := fmt.Fprintln(w, "ok")
					return err
				})
			})
		},
	}
	data.register(cmd)
	out.register(cmd)
	return cmd
}
