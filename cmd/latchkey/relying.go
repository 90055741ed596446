package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/relying"
	"github.com/latchkey/latchkey/internal/store"
)

func newRelyingServiceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "relying-service",
		Short: "Register the services that verify their callers through Latchkey (works while the server runs)",
		Example: `  latchkey relying-service add --data ./latchkey-data --account 123456789012 --name objects \
      --principal arn:aws:iam::123456789012:user/objects --scope objects-1/s3 --host objects.example
  latchkey relying-service list --data ./latchkey-data --account 123456789012`,
	}
	cmd.AddCommand(newRelyingAddCmd(), newRelyingListCmd(), newRelyingRemoveCmd())
	return cmd
}

func relyingOut(rs store.RelyingService) relying.Record { return relying.RecordOf(rs) }

func relyingTable(w io.Writer, list []store.RelyingService) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPRINCIPAL\tSCOPES\tHOSTS")
	for _, rs := range list {
		scopes := make([]string, len(rs.Scopes))
		for i, s := range rs.Scopes {
			scopes[i] = s.Region + "/" + s.Service
		}
		hosts := strings.Join(rs.Hosts, ",")
		if hosts == "" {
			hosts = "(any)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", rs.Name, rs.Principal, strings.Join(scopes, ","), hosts)
	}
	return tw.Flush()
}

func newRelyingAddCmd() *cobra.Command {
	var (
		data                      dataFlags
		out                       outputFlag
		account, name, principalA string
		scopes, hosts             []string
	)
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Register a relying service: the principal it calls as, and the scopes and hosts it may verify",
		Example: `  latchkey relying-service add --data ./latchkey-data --account 123456789012 --name objects \
      --principal arn:aws:iam::123456789012:user/objects --scope objects-1/s3 --host objects.example --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			return data.with(cmd, func(d *app.Data) error {
				rs, err := d.AddRelyingService(cmd.Context(), account, name, principalA, scopes, hosts)
				if err != nil {
					return err
				}
				return out.print(cmd.OutOrStdout(), relyingOut(rs), func(w io.Writer) error {
					return relyingTable(w, []store.RelyingService{rs})
				})
			})
		},
	}
	data.register(cmd)
	cmd.Flags().StringVar(&account, "account", "", "account id")
	cmd.Flags().StringVar(&name, "name", "", "the service's name, unique in the account")
	cmd.Flags().StringVar(&principalA, "principal", "", "the ARN the service calls as: a user, a role, or the account root")
	cmd.Flags().StringArrayVar(&scopes, "scope", nil, "REGION/SERVICE its clients sign for (repeatable); give each service a region of its own")
	cmd.Flags().StringArrayVar(&hosts, "host", nil, "Host its clients address (repeatable; none: any)")
	for _, f := range []string{"account", "name", "principal", "scope"} {
		_ = cmd.MarkFlagRequired(f)
	}
	out.register(cmd)
	return cmd
}

func newRelyingListCmd() *cobra.Command {
	var (
		data    dataFlags
		out     outputFlag
		account string
	)
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List an account's relying services",
		Example: `  latchkey relying-service list --data ./latchkey-data --account 123456789012 --output json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			return data.with(cmd, func(d *app.Data) error {
				list, err := d.Store.ListRelyingServices(cmd.Context(), account)
				if err != nil {
					return err
				}
				js := make([]relying.Record, len(list))
				for i, rs := range list {
					js[i] = relyingOut(rs)
				}
				return out.print(cmd.OutOrStdout(), js, func(w io.Writer) error { return relyingTable(w, list) })
			})
		},
	}
	data.register(cmd)
	cmd.Flags().StringVar(&account, "account", "", "account id")
	_ = cmd.MarkFlagRequired("account")
	out.register(cmd)
	return cmd
}

func newRelyingRemoveCmd() *cobra.Command {
	var (
		data          dataFlags
		out           outputFlag
		account, name string
	)
	cmd := &cobra.Command{
		Use:     "remove",
		Short:   "Remove a relying service: its calls are refused from then on",
		Example: `  latchkey relying-service remove --data ./latchkey-data --account 123456789012 --name objects`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.check(); err != nil {
				return err
			}
			return data.with(cmd, func(d *app.Data) error {
				if err := d.Store.DeleteRelyingService(cmd.Context(), account, name); err != nil {
					return err
				}
				return out.print(cmd.OutOrStdout(), map[string]string{"removed": name}, func(w io.Writer) error {
					_, err := fmt.Fprintf(w, "relying service %s removed\n", name)
					return err
				})
			})
		},
	}
	data.register(cmd)
	cmd.Flags().StringVar(&account, "account", "", "account id")
	cmd.Flags().StringVar(&name, "name", "", "the service's name")
	_ = cmd.MarkFlagRequired("account")
	_ = cmd.MarkFlagRequired("name")
	out.register(cmd)
	return cmd
}
