// Package app wires Latchkey's parts together: it opens the data dir (store
// and master key), creates the first account when the store is empty, and
// builds the HTTP handler. cmd/latchkey only parses flags and calls it.
package app

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/iam"
	"github.com/latchkey/latchkey/internal/metrics"
	"github.com/latchkey/latchkey/internal/relying"
	"github.com/latchkey/latchkey/internal/secret"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
)

// Options locate the data.
type Options struct {
	DataDir string
	// Store is a PostgreSQL URL (postgres://USER@HOST:PORT/DB?sslmode=…);
	// empty for the embedded SQLite database in DataDir.
	Store string
	// StorePollOnly: on PostgreSQL, learn of other servers' writes by
	// polling alone, without LISTEN/NOTIFY (as behind a pooler in
	// transaction mode).
	StorePollOnly bool
	// MasterKeyFile defaults to DataDir/master.key, generated on first start.
	MasterKeyFile string
}

// Data is an opened data dir.
type Data struct {
	Store store.Store
	// Keys holds the master keys; its primary seals new secrets.
	Keys *secret.Keyring
	// SessionKey seals session tokens (see sessionKey).
	SessionKey *secret.MasterKey
	// Audit, when set, receives the audit trail of the handlers built on d.
	Audit *audit.Log

	// relying is the relying-service API of the last handler built, told
	// of a shutdown so that its long polls end.
	relying *relying.Handler
	// dev is set on a development server's data (OpenDev).
	dev *devMode
	// metrics, when set (Serve), is what the handlers built on d report to.
	metrics *metrics.Metrics
	// jsonLines is ServeOptions.JSONLines, for the handler Serve builds.
	jsonLines io.Writer
	// console is ServeOptions.Console, for the handler Serve builds.
	console ConsoleOptions
}

// Close closes the store, and removes a development server's folder.
func (d *Data) Close() error { return errors.Join(d.Store.Close(), d.removeDev()) }

const (
	metaMasterKeyCheck = "master_key_check"
	// metaBootstrapAccount claims the first account's id.
	metaBootstrapAccount = "bootstrap_account"
	checkPlaintext       = "latchkey master key check"
)

// Open opens the store (opts.Store, else the embedded database in
// opts.DataDir) and the master key file, generating the key when neither
// it nor any sealed data exists yet. A key file that does not open the
// store's sealed values is refused before anything changes.
func Open(ctx context.Context, opts Options) (*Data, error) {
	keyFile := opts.MasterKeyFile
	explicitKey := keyFile != ""
	if !explicitKey {
		keyFile = filepath.Join(opts.DataDir, "master.key")
	}
	st, err := openStore(ctx, opts)
	if err != nil {
		return nil, err
	}
	keys, err := openKeyring(ctx, st, keyFile, explicitKey)
	if err != nil {
		st.Close()
		return nil, err
	}
	sk, err := sessionKey(ctx, st, keys)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &Data{Store: st, Keys: keys, SessionKey: sk}, nil
}

func openKeyring(ctx context.Context, st store.Store, keyFile string, explicit bool) (*secret.Keyring, error) {
	check, err := st.GetMeta(ctx, metaMasterKeyCheck)
	sealed := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	keys, err := secret.LoadKeyring(keyFile)
	if errors.Is(err, fs.ErrNotExist) && !sealed && !explicit {
		// A new data dir: generate its master key. Never when sealed
		// values exist or the operator named a key file.
		keys, err = secret.CreateKeyring(keyFile)
	}
	if err != nil {
		return nil, err
	}
	if sealed {
		want, err := st.GetMeta(ctx, store.MetaMasterKeyID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		raw, err := base64.StdEncoding.DecodeString(check)
		if err == nil {
			if want == "" {
				// The server that recorded the check has not recorded its
				// key's id yet (they start together): the check must open
				// with this server's key.
				_, err = keys.Primary().Open(raw, []byte(metaMasterKeyCheck))
			} else {
				_, err = keys.Open(want, raw, []byte(metaMasterKeyCheck))
			}
		}
		if err != nil {
			return nil, fmt.Errorf("the master key file %s (primary key %s) does not open this data dir, which is sealed with master key %s; start with the right --master-key-file", keyFile, keys.Primary().ID(), want)
		}
		if want != "" {
			// Seal with the store's current key, wherever the file has it.
			keys.Follow(want)
		}
		return keys, nil
	}
	// A new store: this key becomes its master key, unless a node starting
	// at the same time recorded its own first; then this key must be that
	// one.
	mk := keys.Primary()
	stored, err := st.InitMeta(ctx, metaMasterKeyCheck, base64.StdEncoding.EncodeToString(mk.Seal([]byte(checkPlaintext), []byte(metaMasterKeyCheck))))
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(stored)
	if err == nil {
		_, err = mk.Open(raw, []byte(metaMasterKeyCheck))
	}
	if err != nil {
		return nil, fmt.Errorf("the master key file %s (primary key %s) does not open this store, which another server started with a different master key at the same time; give every server the same --master-key-file", keyFile, mk.ID())
	}
	if err := st.PutMeta(ctx, store.MetaMasterKeyID, mk.ID()); err != nil {
		return nil, err
	}
	return keys, nil
}

// setCurrentMasterKey records mk as the data dir's master key: the check
// value first, then the id new secrets must be sealed with.
func setCurrentMasterKey(ctx context.Context, st store.Store, mk *secret.MasterKey) error {
	if err := st.PutMeta(ctx, metaMasterKeyCheck, base64.StdEncoding.EncodeToString(mk.Seal([]byte(checkPlaintext), []byte(metaMasterKeyCheck)))); err != nil {
		return err
	}
	return st.PutMeta(ctx, store.MetaMasterKeyID, mk.ID())
}

// openStore opens the PostgreSQL store opts.Store names, or the embedded
// one in opts.DataDir.
func openStore(ctx context.Context, opts Options) (store.Store, error) {
	if opts.Store == "" {
		return sqlstore.OpenSQLite(ctx, opts.DataDir)
	}
	if !strings.HasPrefix(opts.Store, "postgres://") && !strings.HasPrefix(opts.Store, "postgresql://") {
		return nil, fmt.Errorf("--store must be a PostgreSQL URL (postgres://USER@HOST:PORT/DB?sslmode=...); leave it out for the embedded database in --data")
	}
	if opts.MasterKeyFile == "" {
		// The master key file's default place.
		if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
	}
	return sqlstore.OpenPostgres(ctx, opts.Store, sqlstore.PostgresOptions{NoNotify: opts.StorePollOnly})
}

// RootCredentials are an account's root key pair, shown once.
type RootCredentials struct {
	AccountID       string `json:"AccountId"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
}

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	rootKeyIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{3,128}$`)
)

// CreateAccount creates an account with its first root key. Empty fields are
// generated; given ones are checked (12 digits; a key id of 3 to 128
// letters and digits, since tools ship fixed test keys).
func (d *Data) CreateAccount(ctx context.Context, want RootCredentials) (RootCredentials, error) {
	if want.AccountID == "" {
		want.AccountID = secret.NewAccountID()
	}
	if !accountIDPattern.MatchString(want.AccountID) {
		return RootCredentials{}, fmt.Errorf("account id %q must be 12 digits", want.AccountID)
	}
	if (want.AccessKeyID == "") != (want.SecretAccessKey == "") {
		return RootCredentials{}, errors.New("give both the root access key id and its secret, or neither")
	}
	now := time.Now().UTC()
	var k store.AccessKey
	if want.AccessKeyID == "" {
		var plain string
		k, plain = iam.NewAccessKey(d.Keys.Primary(), store.AccessKey{CreatedAt: now})
		want.AccessKeyID, want.SecretAccessKey = k.ID, plain
	} else {
		if !rootKeyIDPattern.MatchString(want.AccessKeyID) {
			return RootCredentials{}, fmt.Errorf("root access key id must be 3 to 128 letters and digits")
		}
		if len(want.SecretAccessKey) < 8 || len(want.SecretAccessKey) > 256 {
			return RootCredentials{}, fmt.Errorf("root secret access key must be 8 to 256 characters")
		}
		k = store.AccessKey{ID: want.AccessKeyID, Status: store.StatusActive, CreatedAt: now,
			SecretCiphertext: d.Keys.Primary().Seal([]byte(want.SecretAccessKey), []byte(want.AccessKeyID)), MasterKeyID: d.Keys.Primary().ID()}
	}
	if err := d.Store.CreateAccount(ctx, store.Account{ID: want.AccountID, CreatedAt: now}, k); err != nil {
		return RootCredentials{}, err
	}
	return want, nil
}

// CreateRootKey adds a root access key to an existing account (at most two,
// as for users): the way back in for an operator who lost the root secret.
func (d *Data) CreateRootKey(ctx context.Context, accountID string) (RootCredentials, error) {
	k, plain := iam.NewAccessKey(d.Keys.Primary(), store.AccessKey{CreatedAt: time.Now().UTC()})
	if _, err := d.Store.CreateAccessKey(ctx, accountID, "", k); err != nil {
		if errors.Is(err, store.ErrLimitExceeded) {
			return RootCredentials{}, fmt.Errorf("account %s already has %d root keys; delete one first", accountID, store.MaxAccessKeys)
		}
		return RootCredentials{}, err
	}
	return RootCredentials{AccountID: accountID, AccessKeyID: k.ID, SecretAccessKey: plain}, nil
}

// Bootstrap creates the first account when the store has none. It returns
// the new credentials (nil when accounts already existed); generated
// secrets must be shown to the operator once by the caller.
func (d *Data) Bootstrap(ctx context.Context, want RootCredentials, log *slog.Logger) (*RootCredentials, error) {
	n, err := d.Store.CountAccounts(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, nil
	}
	// Servers starting together on an empty shared store: the first to
	// claim the first account's id creates it. Servers given the same id
	// (the bootstrap variables) all claim it, and all but one find it
	// created.
	if want.AccountID == "" {
		want.AccountID = secret.NewAccountID()
	}
	claimed, err := d.Store.InitMeta(ctx, metaBootstrapAccount, want.AccountID)
	if err != nil {
		return nil, err
	}
	if claimed != want.AccountID {
		if n, err := d.Store.CountAccounts(ctx); err != nil || n > 0 {
			return nil, err
		}
		// The claimer did not create it (it stopped first): create the
		// claimed account, with a fresh root key unless this server was
		// given the account's own.
		if want.AccountID != claimed {
			want = RootCredentials{AccountID: claimed}
		}
	}
	creds, err := d.CreateAccount(ctx, want)
	if errors.Is(err, store.ErrAlreadyExists) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("create first account: %w", err)
	}
	log.Info("created first account", "account_id", creds.AccountID, "root_access_key_id", creds.AccessKeyID)
	return &creds, nil
}
