package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/spf13/cobra"

	"github.com/latchkey/latchkey/internal/store/sqlstore"
)

func newStoreCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "store",
		Short:   "Move a store between backends",
		Example: "  latchkey store copy --from ./latchkey-data --to postgres://latchkey@db:5432/latchkey?sslmode=verify-full",
	}
	var (
		from, to string
		out      outputFlag
	)
	copyCmd := &cobra.Command{
		Use:   "copy",
		Short: "Copy everything from an embedded data dir to an empty PostgreSQL database",
		Long: `Copy every account, user, key, policy, group, role and provider, and the
store's own values, from the embedded database in --from to the empty
PostgreSQL database --to, in one transaction. Secrets stay sealed: serve
the copy with the data dir's master key file. Stop the server on --from
first, so that nothing is written there during the copy.`,
		Example: `  latchkey store copy --from ./latchkey-data --to postgres://latchkey@db:5432/latchkey?sslmode=verify-full
  latchkey store copy --from ./latchkey-data --to "$DATABASE_URL" --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
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
			return out.print(cmd.OutOrStdout(), counts, func(w io.Writer) error {
				tables := make([]string, 0, len(counts))
				for t := range counts {
					tables = append(tables, t)
				}
				sort.Strings(tables)
				for _, t := range tables {
					fmt.Fprintf(w, "%-24s %d\n", t, counts[t])
				}
				return nil
			})
		},
	}
	copyCmd.Flags().StringVar(&from, "from", "", "the data dir to copy from")
	copyCmd.Flags().StringVar(&to, "to", "", "the PostgreSQL URL to copy to")
	out.register(copyCmd)
	cmd.AddCommand(copyCmd)
	return cmd
}

// backupResult is `backup --output json`.
type backupResult struct {
	File  string `json:"file"`
	Bytes int64  `json:"bytes"`
}

func newBackupCmd() *cobra.Command {
	var (
		dataDir, file string
		out           outputFlag
	)
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Write a consistent copy of the embedded database, online",
		Long: `Write a consistent copy of the embedded database in --data to --out (a new
file) while the server runs; writes wait while it is made. Restore by
putting the file as latchkey.db in an empty data dir together with the
master key file, which the backup does not hold. PostgreSQL stores are
backed up with PostgreSQL's own tools.`,
		Example: `  latchkey backup --data ./latchkey-data --out latchkey-$(date +%F).db
  latchkey backup --data ./latchkey-data --out backup.db --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			if file == "" {
				return errors.New("give --out FILE")
			}
			s, err := sqlstore.OpenSQLite(cmd.Context(), dataDir)
			if err != nil {
				return err
			}
			defer s.Close()
			if err := s.Backup(cmd.Context(), file); err != nil {
				return err
			}
			fi, err := os.Stat(file)
			if err != nil {
				return err
			}
			res := backupResult{File: file, Bytes: fi.Size()}
			return out.print(cmd.OutOrStdout(), res, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "backup of %s written to %s (%d bytes); keep the master key file apart from it\n", dataDir, file, fi.Size())
				return err
			})
		},
	}
	cmd.Flags().StringVar(&dataDir, "data", "./latchkey-data", "the data dir to back up (env "+envName("data")+")")
	cmd.Flags().StringVar(&file, "out", "", "the file to write (env "+envName("out")+")")
	out.register(cmd)
	return cmd
}
