package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/latchkey/latchkey/internal/app"
)

func newAccountCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "account",
		Short: "Administer accounts in a data dir (works while the server runs)",
	}
	cmd.AddCommand(newAccountCreateCmd(), newRootKeyCmd())
	return cmd
}

func newAccountCreateCmd() *cobra.Command {
	var (
		data   dataFlags
		id     string
		output string
	)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create an account and its root access key; prints the secret once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return data.with(cmd, func(d *app.Data) error {
				creds, err := d.CreateAccount(cmd.Context(), app.RootCredentials{AccountID: id})
				if err != nil {
					return err
				}
				return printCreds(cmd.OutOrStdout(), output, creds)
			})
		},
	}
	data.register(cmd)
	cmd.Flags().StringVar(&id, "account-id", "", "12-digit account id (default: random)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

func newRootKeyCmd() *cobra.Command {
	var (
		data    dataFlags
		account string
		output  string
	)
	cmd := &cobra.Command{
		Use:   "root-key",
		Short: "Add a root access key to an account (at most 2); prints the secret once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return data.with(cmd, func(d *app.Data) error {
				creds, err := d.CreateRootKey(cmd.Context(), account)
				if err != nil {
					return err
				}
				return printCreds(cmd.OutOrStdout(), output, creds)
			})
		},
	}
	data.register(cmd)
	cmd.Flags().StringVar(&account, "account", "", "account id")
	_ = cmd.MarkFlagRequired("account")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

func printCreds(w io.Writer, output string, c app.RootCredentials) error {
	switch output {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	case "text":
		_, err := fmt.Fprintf(w, "AccountId        %s\nAccessKeyId      %s\nSecretAccessKey  %s\n", c.AccountID, c.AccessKeyID, c.SecretAccessKey)
		return err
	}
	return fmt.Errorf("--output must be text or json, not %q", output)
}
