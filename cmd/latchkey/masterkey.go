package main

import (
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
		data    dataFlags
		output  outputFlag
		newFile string
	)
	rotate := &cobra.Command{
		Use:   "rotate",
		Short: "Re-seal every secret under a new master key, online",
		Long: `Generate a new master key (or take the one --new-key-file holds) and re-seal
every secret with it, in batches, while the servers keep running and keys keep
authenticating. When it finishes, the master key file holds only the new key
and the old one can be destroyed (including any copy of the old key file).

Servers that share one key file follow the rotation by themselves. Servers
that each hold a copy: make the new key with 'master-key generate', add it to
every copy as a later line, rotate with --new-key-file, then remove the old
line from every copy.`,
		Example: `  latchkey master-key rotate --data /var/lib/latchkey
  latchkey master-key generate --out new.key
  latchkey master-key rotate --store postgres://latchkey@db/latchkey --master-key-file master.key --new-key-file new.key`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := output.check(); err != nil {
				return err
			}
			return data.with(cmd, func(d *app.Data) error {
				next, err := secret.NewRandomMasterKey()
				if newFile != "" {
					next, err = readOneKey(newFile)
				}
				if err != nil {
					return err
				}
				rep, err := d.RotateMasterKey(cmd.Context(), next)
				if err != nil {
					return err
				}
				if output.format == "json" {
					return output.print(cmd.OutOrStdout(), rep, nil)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "master key %s replaced by %s in %s: %d secrets re-sealed in %d batches; the old key can be destroyed\n",
					rep.OldKeyID, rep.NewKeyID, rep.KeyFile, rep.Resealed, rep.Batches)
				return nil
			})
		},
	}
	data.register(rotate)
	output.register(rotate)
	rotate.Flags().StringVar(&newFile, "new-key-file", "", "rotate to the key this file holds (one key, as 'master-key generate' writes it) instead of a new one")
	cmd.AddCommand(rotate)

	var out string
	generate := &cobra.Command{
		Use:   "generate",
		Short: "Write a new master key to a file of its own",
		Long: `Write a new random master key to --out (mode 0600; an existing file is never
replaced) and print its id. Add the file's line to every server's copy of the
master key file, after the current key, before 'master-key rotate
--new-key-file'.`,
		Example: `  latchkey master-key generate --out new.key
  cat new.key >> /etc/latchkey/master.key   # on every server`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("--out is required")
			}
			k, err := secret.CreateKeyring(out)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "master key %s written to %s\n", k.Primary().ID(), out)
			return nil
		},
	}
	generate.Flags().StringVar(&out, "out", "", "file to write the key to (must not exist)")
	cmd.AddCommand(generate)
	return cmd
}

// readOneKey reads a key file holding exactly one key.
func readOneKey(path string) (*secret.MasterKey, error) {
	k, err := secret.LoadKeyring(path)
	if err != nil {
		return nil, err
	}
	if n := k.Len(); n != 1 {
		return nil, fmt.Errorf("%s holds %d keys; --new-key-file takes a file of one key ('master-key generate')", path, n)
	}
	return k.Primary(), nil
}
