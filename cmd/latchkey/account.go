package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/latchkey/latchkey/internal/app"
)

func newAccountCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "account",
		Short: "Administer accounts in a data dir (works while the server runs)",
		Example: `  latchkey account create --data ./latchkey-data
  latchkey account root-key --data ./latchkey-data --account 123456789012`,
	}
	cmd.AddCommand(newAccountCreateCmd(), newRootKeyCmd())
	return cmd
}

func newAccountCreateCmd() *cobra.Command {
	var (
		data dataFlags
		id   string
		out  outputFlag
	)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create an account and its root access key; prints the secret once",
		Example: `  latchkey account create --data ./latchkey-data
  latchkey account create --data ./latchkey-data --account-id 210987654321 --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			return data.with(cmd, func(d *app.Data) error {
				creds, err := d.CreateAccount(cmd.Context(), app.RootCredentials{AccountID: id})
				if err != nil {
					return err
				}
				return printCreds(cmd.OutOrStdout(), out, creds)
			})
		},
	}
	data.register(cmd)
	// Not LATCHKEY_ACCOUNT_ID: that is serve's bootstrap account.
	const idEnv = "LATCHKEY_NEW_ACCOUNT_ID"
	cmd.Flags().StringVar(&id, "account-id", "", "12-digit account id (default: random) (env "+idEnv+")")
	withEnv(cmd, "account-id", idEnv)
	out.register(cmd)
	return cmd
}

func newRootKeyCmd() *cobra.Command {
	var (
		data    dataFlags
		account string
		out     outputFlag
	)
	cmd := &cobra.Command{
		Use:   "root-key",
		Short: "Add a root access key to an account (at most 2); prints the secret once",
		Example: `  latchkey account root-key --data ./latchkey-data --account 123456789012
  latchkey account root-key --store postgres://latchkey@db/latchkey --account 123456789012 --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			return data.with(cmd, func(d *app.Data) error {
				creds, err := d.CreateRootKey(cmd.Context(), account)
				if err != nil {
					return err
				}
				return printCreds(cmd.OutOrStdout(), out, creds)
			})
		},
	}
	data.register(cmd)
	cmd.Flags().StringVar(&account, "account", "", "account id (env "+envName("account")+")")
	_ = cmd.MarkFlagRequired("account")
	out.register(cmd)
	return cmd
}

func printCreds(w io.Writer, out outputFlag, c app.RootCredentials) error {
	return out.print(w, c, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "AccountId        %s\nAccessKeyId      %s\nSecretAccessKey  %s\n", c.AccountID, c.AccessKeyID, c.SecretAccessKey)
		return err
	})
}
