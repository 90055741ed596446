package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/console"
	"github.com/latchkey/latchkey/internal/lastused"
	"github.com/latchkey/latchkey/internal/logbuf"
)

// DefaultListen is the address `latchkey serve` listens on by default.
const DefaultListen = "127.0.0.1:7480"

type dataFlags struct {
	dataDir       string
	store         string
	storePollOnly bool
	masterKeyFile string
}

func (f *dataFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dataDir, "data", "./latchkey-data", "data directory (env "+envName("data")+")")
	cmd.Flags().StringVar(&f.store, "store", "", "PostgreSQL URL, postgres://USER@HOST:PORT/DB?sslmode=...; default the embedded database in DATA (env "+envName("store")+")")
	cmd.Flags().BoolVar(&f.storePollOnly, "store-poll-only", false, "PostgreSQL: learn of other servers' writes by polling alone, without LISTEN/NOTIFY (env "+envName("store-poll-only")+")")
	cmd.Flags().StringVar(&f.masterKeyFile, "master-key-file", "", "master key file; default DATA/master.key, generated on first start (env "+envName("master-key-file")+")")
}

func (f *dataFlags) options() app.Options {
	return app.Options{DataDir: f.dataDir, Store: f.store, StorePollOnly: f.storePollOnly, MasterKeyFile: f.masterKeyFile}
}

// with opens the data dir, runs fn on it and closes it: the shape of every
// admin command.
func (f *dataFlags) with(cmd *cobra.Command, fn func(*app.Data) error) error {
	d, err := app.Open(cmd.Context(), f.options())
	if err != nil {
		return err
	}
	defer d.Close()
	return fn(d)
}

func newServeCmd() *cobra.Command {
	var (
		data             dataFlags
		listen           string
		logLevel         string
		logFormat        string
		lastUsedInterval time.Duration
		keyExpiry        time.Duration
		credsFile        string
		auditDest        string
		metricsListen    string
		dev              devFlags
		integrations     app.IntegrationFiles
		consoleOpts      app.ConsoleOptions
		noConsole        bool
		trustedProxies   []string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve IAM and STS on one HTTP endpoint",
		Long: `Serve IAM (2010-05-08) and STS (2011-06-15) over the AWS Query protocol.

On first start with an empty data dir, the first account is created: with the id
and root key in LATCHKEY_ACCOUNT_ID, LATCHKEY_ROOT_ACCESS_KEY_ID and
LATCHKEY_ROOT_SECRET_ACCESS_KEY when set, otherwise a random account and root
key whose secret is printed once to standard error (and written to
--bootstrap-credentials-file when given).

With --dev, a development server for test suites, in place of an emulator:
its data lives in a temporary folder removed at exit, and
--authorization=off lets every caller do everything in its own account.`,
		Example: `  latchkey serve --data ./latchkey-data
  LATCHKEY_ACCOUNT_ID=123456789012 LATCHKEY_ROOT_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE \
      LATCHKEY_ROOT_SECRET_ACCESS_KEY=... latchkey serve --listen 0.0.0.0:7480
  latchkey serve --store postgres://latchkey@db:5432/latchkey?sslmode=verify-full --master-key-file /etc/latchkey/master.key
  latchkey serve --dev --authorization=off --listen 127.0.0.1:0 --ready-file ./latchkey.addr`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := dev.check(cmd, &logFormat); err != nil {
				return err
			}
			logOut := logbuf.New(cmd.ErrOrStderr())
			defer logOut.Close()
			log, err := newLogger(logOut, logLevel, logFormat)
			if err != nil {
				return err
			}
			log = slog.New(logbuf.Handler(log.Handler(), logOut, slog.LevelWarn))
			if consoleOpts.IdleTimeout < 10*time.Second || consoleOpts.MaxSession < consoleOpts.IdleTimeout {
				return fmt.Errorf("--console-idle-timeout must be at least 10s, and --console-max-session at least as long")
			}
			consoleOpts.Disabled, dev.noConsole = noConsole, noConsole
			for _, v := range trustedProxies {
				p, err := netip.ParsePrefix(strings.TrimSpace(v))
				if err != nil {
					return fmt.Errorf("--trusted-proxies: %q is not a CIDR prefix such as 10.0.0.0/8: %w", v, err)
				}
				consoleOpts.TrustedProxies = append(consoleOpts.TrustedProxies, p.Masked())
			}
			hooks, err := app.LoadIntegrations(integrations)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			d, err := dev.open(ctx, &data)
			if err != nil {
				return err
			}
			defer d.Close()
			if d.Audit, err = audit.Open(auditDest); err != nil {
				return err
			}
			defer d.Audit.Close()
			want := dev.root(app.RootCredentials{
				AccountID:       os.Getenv("LATCHKEY_ACCOUNT_ID"),
				AccessKeyID:     os.Getenv("LATCHKEY_ROOT_ACCESS_KEY_ID"),
				SecretAccessKey: os.Getenv("LATCHKEY_ROOT_SECRET_ACCESS_KEY"),
			})
			created, err := d.Bootstrap(ctx, want, log)
			if err != nil {
				return err
			}
			if created != nil && want.SecretAccessKey == "" {
				_ = logOut.Flush() // the banner comes after the lines before it
				if err := announceRoot(cmd.ErrOrStderr(), *created, credsFile, data.dataDir); err != nil {
					return err
				}
			}
			ctx, ready, served := dev.serving(ctx, cmd.ErrOrStderr(), logOut.Flush, d, want)
			return served(d.Serve(ctx, app.ServeOptions{Listen: listen, LastUsedInterval: lastUsedInterval, Logger: log, Integrations: hooks, KeyExpiryInterval: keyExpiry,
				MetricsListen: metricsListen, Version: version, FlushLog: logOut.Flush, Ready: ready, JSONLines: jsonLines(logFormat, logOut),
				Console: consoleOpts}))
		},
	}
	data.register(cmd)
	dev.register(cmd)
	cmd.Flags().StringVar(&listen, "listen", DefaultListen, "address to listen on (env "+envName("listen")+")")
	cmd.Flags().StringVar(&logLevel, "log-level", "info", "debug, info, warn or error (env "+envName("log-level")+")")
	cmd.Flags().StringVar(&logFormat, "log-format", "json", "json or text (env "+envName("log-format")+")")
	cmd.Flags().DurationVar(&lastUsedInterval, "last-used-interval", lastused.DefaultInterval, "how often key last-used dates are flushed to the store (env "+envName("last-used-interval")+")")
	cmd.Flags().DurationVar(&keyExpiry, "key-expiry-interval", time.Minute, "how often keys past their account's key policy are marked Expired, each with an audit record; they are refused from the moment they pass it (env "+envName("key-expiry-interval")+")")
	cmd.Flags().StringVar(&metricsListen, "metrics-listen", "", "serve the Prometheus metrics on this address only, instead of at /metrics of --listen (env "+envName("metrics-listen")+")")
	cmd.Flags().StringVar(&auditDest, "audit-log", "", "append the audit trail (JSON lines) to this file, or - for standard output (env "+envName("audit-log")+")")
	cmd.Flags().StringVar(&integrations.KubernetesClusterID, "kubernetes-cluster-id", "", "serve Kubernetes webhook token authentication for tokens of this cluster id (aws eks get-token --cluster-name ID); with --kubernetes-mapping and --kubernetes-webhook-token-file (env "+envName("kubernetes-cluster-id")+")")
	cmd.Flags().StringVar(&integrations.KubernetesMappingFile, "kubernetes-mapping", "", "aws-auth ConfigMap (YAML or JSON: mapUsers, mapRoles, mapAccounts) mapping principals to Kubernetes users (env "+envName("kubernetes-mapping")+")")
	cmd.Flags().StringVar(&integrations.KubernetesWebhookTokenFile, "kubernetes-webhook-token-file", "", "file holding the bearer token kube-apiserver's webhook kubeconfig presents (env "+envName("kubernetes-webhook-token-file")+")")
	cmd.Flags().StringVar(&integrations.MinIOPluginTokenFile, "minio-plugin-token-file", "", "serve MinIO's access-management plugin, for callers presenting the bearer token in this file (env "+envName("minio-plugin-token-file")+")")
	cmd.Flags().BoolVar(&noConsole, "no-console", false, "do not serve the web console (/console/) and its sign-in (env "+envName("no-console")+")")
	cmd.Flags().DurationVar(&consoleOpts.IdleTimeout, "console-idle-timeout", console.DefaultIdleTimeout, "a console session ends after this long without activity (env "+envName("console-idle-timeout")+")")
	cmd.Flags().DurationVar(&consoleOpts.MaxSession, "console-max-session", console.DefaultMaxSession, "a console sign-in lasts at most this long, active or not (env "+envName("console-max-session")+")")
	cmd.Flags().StringSliceVar(&trustedProxies, "trusted-proxies", nil, "reverse proxies (CIDR prefixes, comma-separated) whose X-Forwarded-For names the client of a console sign-in, for its rate limits and audit record (env "+envName("trusted-proxies")+")")
	cmd.Flags().StringVar(&credsFile, "bootstrap-credentials-file", "", "on first start, also write the generated root credentials to this file, mode 0600 (env "+envName("bootstrap-credentials-file")+")")
	return cmd
}

// jsonLines is the writer under newLogger's JSON handler, nil for text:
// the server writes its request lines there itself (server.Config).
func jsonLines(format string, w io.Writer) io.Writer {
	if strings.ToLower(format) == "json" {
		return w
	}
	return nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be json or text, not %q", format)
}

// announceRoot shows generated root credentials once, outside the
// structured log, where an operator starting the server sees them.
func announceRoot(w io.Writer, c app.RootCredentials, credsFile, dataDir string) error {
	if credsFile != "" {
		b, _ := json.MarshalIndent(c, "", "  ")
		f, err := os.OpenFile(credsFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("write bootstrap credentials: %w", err)
		}
		if _, err := f.Write(append(b, '\n')); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	line := strings.Repeat("=", 78)
	fmt.Fprintf(w, `%s
Latchkey created account %s and its root access key.
The secret is shown this once; Latchkey keeps it only encrypted.

    AWS_ACCESS_KEY_ID=%s
    AWS_SECRET_ACCESS_KEY=%s

Lost it? With the server's data dir, make a new root key:
    latchkey account root-key --data %s --account %s
%s
`, line, c.AccountID, c.AccessKeyID, c.SecretAccessKey, dataDir, c.AccountID, line)
	return nil
}
