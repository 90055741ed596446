package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/latchkey/latchkey/internal/app"
)

// devFlags are serve's development-server flags, and --ready-file, which
// test harnesses use with them.
type devFlags struct {
	dev           bool
	authorization string
	readyFile     string
	// noConsole is serve's --no-console, for the banner.
	noConsole bool
}

func (f *devFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.dev, "dev", false, "run a development server, in place of an emulator in a test suite: its data lives in a temporary folder removed at exit; the first account is the bootstrap variables' or account "+app.DevAccountID+" with root key "+app.DevAccessKeyID+"; text logs; POST "+app.ResetPath+" (signed by that root key) empties it back to that account. Never for real use (env "+envName("dev")+")")
	cmd.Flags().StringVar(&f.authorization, "authorization", "on", "on, or off with --dev only: every authenticated caller may then do everything in its own account, whatever its policies (env "+envName("authorization")+")")
	cmd.Flags().StringVar(&f.readyFile, "ready-file", "", "once serving, write the address listened on (HOST:PORT) to this file, removed at exit: how a harness learns the port of --listen 127.0.0.1:0 (env "+envName("ready-file")+")")
}

// devRefused are the flags a development server refuses: it has no data
// of its own to locate.
var devRefused = []string{"data", "store", "store-poll-only", "master-key-file", "bootstrap-credentials-file"}

// check refuses contradictory flags before anything starts, and gives a
// development server text logs unless told otherwise.
func (f *devFlags) check(cmd *cobra.Command, logFormat *string) error {
	switch f.authorization {
	case "on", "off":
	default:
		return fmt.Errorf("--authorization must be on or off, not %q", f.authorization)
	}
	if !f.dev {
		if f.authorization == "off" {
			return errors.New("--authorization=off needs --dev: only a development server may run without authorization")
		}
		return nil
	}
	for _, name := range devRefused {
		if cmd.Flags().Changed(name) {
			return fmt.Errorf("--dev keeps its data in a temporary folder removed at exit: it takes no --%s (nor %s)", name, envName(name))
		}
	}
	if !cmd.Flags().Changed("log-format") {
		*logFormat = "text"
	}
	return nil
}

// open opens the server's data: a development server's temporary one, or
// the data flags'.
func (f *devFlags) open(ctx context.Context, data *dataFlags) (*app.Data, error) {
	if !f.dev {
		return app.Open(ctx, data.options())
	}
	return app.OpenDev(ctx, app.DevOptions{AuthorizationOff: f.authorization == "off"})
}

// root fills a development server's first account with the defaults
// where the bootstrap variables leave it empty.
func (f *devFlags) root(want app.RootCredentials) app.RootCredentials {
	if !f.dev {
		return want
	}
	if want.AccountID == "" {
		want.AccountID = app.DevAccountID
	}
	if want.AccessKeyID == "" && want.SecretAccessKey == "" {
		want.AccessKeyID, want.SecretAccessKey = app.DevAccessKeyID, app.DevSecretAccessKey
	}
	return want
}

// serving returns what serve runs under: a context that also ends when
// the ready file cannot be written, the function to call once serving
// (writing the ready file, showing a development server's banner on w
// after the log lines before it),
// and the function to pass serve's outcome through at exit, which removes
// the ready file and adds why the context ended, if the ready file did.
func (f *devFlags) serving(ctx context.Context, w io.Writer, flushLog func() error, d *app.Data, root app.RootCredentials) (context.Context, func(net.Addr), func(error) error) {
	ctx, cancel := context.WithCancelCause(ctx)
	var failed error
	wrote := false
	ready := func(addr net.Addr) {
		if f.dev {
			_ = flushLog() // the banner comes after the lines before it
			devBanner(w, addr, d.DevDir(), root, f.authorization == "off", !f.noConsole)
		}
		if f.readyFile == "" {
			return
		}
		if err := writeReadyFile(f.readyFile, addr.String()); err != nil {
			failed = fmt.Errorf("--ready-file: %w", err)
			cancel(failed)
			return
		}
		wrote = true
	}
	done := func(err error) error {
		cancel(nil)
		if wrote {
			_ = os.Remove(f.readyFile)
		}
		return errors.Join(err, failed)
	}
	return ctx, ready, done
}

// writeReadyFile writes addr to path whole or not at all (a temporary
// file renamed into place), so that a harness polling for it never reads
// half of it.
func writeReadyFile(path, addr string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".latchkey-ready-*")
	if err != nil {
		return err
	}
	_, err = tmp.WriteString(addr + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// devBanner says, outside the structured log, what a development server
// is and how to reach it. The secret is shown when it is the documented
// default; one given in the environment stays there.
func devBanner(w io.Writer, addr net.Addr, dir string, root app.RootCredentials, authorizationOff, console bool) {
	secret := root.SecretAccessKey
	if secret != app.DevSecretAccessKey {
		secret = "(from LATCHKEY_ROOT_SECRET_ACCESS_KEY)"
	}
	authz := "on: callers need policies, as in AWS"
	if authorizationOff {
		authz = "off: every authenticated caller may do everything in its own account"
	}
	consoleLine := ""
	if console {
		consoleLine = fmt.Sprintf("Web console: http://%s/console/ (the root signs in with the key above).\n", addr)
	}
	line := strings.Repeat("=", 78)
	fmt.Fprintf(w, `%s
Latchkey DEVELOPMENT server: not for real use.
Its data lives in %s and vanishes when it exits.
Authorization is %s.

    AWS_ENDPOINT_URL=http://%s
    AWS_ACCESS_KEY_ID=%s
    AWS_SECRET_ACCESS_KEY=%s
    account %s

%sReset to this account alone: POST %s, signed by its root key
(SigV4, service latchkey, any region).
%s
`, line, dir, authz, addr, root.AccessKeyID, secret, root.AccountID, consoleLine, app.ResetPath, line)
}
