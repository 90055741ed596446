package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/latchkey/latchkey/internal/store/sqlstore"
)

func newStoreCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "store", Short: "Move a store between backends"}
	var from, to, output string
	copyCmd := &cobra.Command{
		Use:   "copy",
		Short: "Copy everything from an embedded data dir to an empty PostgreSQL database",
		Long: `Copy every account, user, key, policy, group, role and provider, and the
store's own values, from the embedded database in --from to the empty
PostgreSQL database --to, in one transaction. Secrets stay sealed: serve
the copy with the data dir's master key file. Stop the server on --from
first, so that nothing is written there during the copy.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" || to == "" {
				return errors.New("give --from DATA_DIR and --to postgres://...")
			}
			ctx := cmd.Context()
			src, err := sqlstore.OpenSQLite(ctx, from)
			if err != nil {
				return err
			}
			defer src.Close()
			dst, err := sqlstore.OpenPostgres(ctx, to)
			if err != nil {
				return err
			}
			defer dst.Close()
			counts, err := src.CopyTo(ctx, dst)
			if err != nil {
				return err
			}
			if output == "json" {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(counts)
			}
			tables := make([]string, 0, len(counts))
			for t := range counts {
				tables = append(tables, t)
			}
			sort.Strings(tables)
			for _, t := range tables {
				fmt.Fprintf(cmd.OutOrStdout(), "%-24s %d\n", t, counts[t])
			}
			return nil
		},
	}
	copyCmd.Flags().StringVar(&from, "from", "", "the data dir to copy from")
	copyCmd.Flags().StringVar(&to, "to", "", "the PostgreSQL URL to copy to")
	copyCmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	cmd.AddCommand(copyCmd)
	return cmd
}

func newBackupCmd() *cobra.Command {
	var dataDir, out string
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Write a consistent copy of the embedded database, online",
		Long: `Write a consistent copy of the embedded database in --data to --out (a new
file) while the server runs; writes wait while it is made. Restore by
putting the file as latchkey.db in an empty data dir together with the
master key file, which the backup does not hold. PostgreSQL stores are
backed up with PostgreSQL's own tools.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("give --out FILE")
			}
			s, err := sqlstore.OpenSQLite(cmd.Context(), dataDir)
			if err != nil {
				return err
			}
			defer s.Close()
			return s.Backup(cmd.Context(), out)
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "./latchkey-data", "the data dir to back up (env "+envName("data")+")")
	cmd.Flags().StringVar(&out, "out", "", "the file to write")
	return cmd
}
