package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/secret"
)

func newMasterKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "master-key",
		Short: "Manage the master key that seals secrets at rest",
	}
	var (
		data   dataFlags
		output string
	)
	rotate := &cobra.Command{
		Use:   "rotate",
		Short: "Re-seal every secret under a new master key, online",
		Long: `Generate a new master key and re-seal every secret with it, in batches, while
the server keeps running and keys keep authenticating. When it finishes, the
master key file holds only the new key and the old one can be destroyed
(including any copy of the old key file).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return data.with(cmd, func(d *app.Data) error {
				next, err := secret.NewRandomMasterKey()
				if err != nil {
					return err
				}
				rep, err := d.RotateMasterKey(cmd.Context(), next)
				if err != nil {
					return err
				}
				if output == "json" {
					return json.NewEncoder(cmd.OutOrStdout()).Encode(rep)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "master key %s replaced by %s in %s: %d secrets re-sealed in %d batches; the old key can be destroyed\n",
					rep.OldKeyID, rep.NewKeyID, rep.KeyFile, rep.Resealed, rep.Batches)
				return nil
			})
		},
	}
	data.register(rotate)
	rotate.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	cmd.AddCommand(rotate)
	return cmd
}
