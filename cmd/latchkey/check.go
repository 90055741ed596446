package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/latchkey/latchkey/internal/app"
)

func newCheckCmd() *cobra.Command {
	var data dataFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check a data dir's integrity (database and invariants); exit 1 on a problem",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return data.with(cmd, func(d *app.Data) error {
				if err := d.Store.Check(cmd.Context()); err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), "ok")
				return nil
			})
		},
	}
	data.register(cmd)
	return cmd
}
