// Package pgtest runs a real PostgreSQL server for tests: initdb into a
// temporary directory (as the postgres user when the tests run as root,
// since PostgreSQL refuses to run as root), on a free loopback port, with
// trust authentication, stopped when the test binary ends. The binaries
// (initdb, pg_ctl) are found on PATH at run time; a machine without them
// fails the tests that need them, with how to install them: they never
// skip.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver for database/sql
)

// Server is a running PostgreSQL cluster.
type Server struct {
	dir  string // the cluster's data directory
	port int
	as   []string // the command prefix that runs a binary as the postgres user
	opts string   // the postgres options it was started with
}

var (
	once    sync.Once
	shared  *Server
	sharedE error
	dbSeq   atomic.Int64
)

// Shared starts the binary's one server, once, and returns it. Call Stop
// from TestMain after the tests.
func Shared() (*Server, error) {
	once.Do(func() { shared, sharedE = Start() })
	return shared, sharedE
}

// StopShared stops the shared server if it was started.
func StopShared() {
	if shared != nil {
		shared.Stop()
	}
}

// Main runs a test binary's tests with the shared server stopped after
// them: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	StopShared()
	return code
}

// binary finds a PostgreSQL program on PATH, else in Debian's
// /usr/lib/postgresql/VERSION/bin (the newest there).
func binary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(found) > 0 {
		return found[len(found)-1], nil
	}
	return "", fmt.Errorf("%s is not installed: install PostgreSQL 15 (apt-get install postgresql-15, or scripts/test-deps.sh); the PostgreSQL tests never skip", name)
}

// Start initializes and starts a new cluster.
func Start() (*Server, error) {
	initdb, err := binary("initdb")
	if err != nil {
		return nil, err
	}
	if _, err := binary("pg_ctl"); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "latchkey-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: filepath.Join(dir, "data")}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL needs the postgres user to run as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		s.as = []string{"runuser", "-u", "postgres", "--"}
	}
	if out, err := s.run(initdb, "-D", s.dir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s.port = port
	s.opts = fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200", port, dir)
	if err := s.Up(); err != nil {
		return nil, err
	}
	return s, nil
}

// Up starts the server (again, after Down).
func (s *Server) Up() error {
	pgctl, err := binary("pg_ctl")
	if err != nil {
		return err
	}
	logFile := filepath.Join(filepath.Dir(s.dir), "postgres.log")
	if out, err := s.run(pgctl, "-D", s.dir, "-l", logFile, "-o", s.opts, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(logFile)
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return nil
}

// Down stops the server at once (-m immediate), as a crash would.
func (s *Server) Down() error {
	pgctl, err := binary("pg_ctl")
	if err != nil {
		return err
	}
	if out, err := s.run(pgctl, "-D", s.dir, "-m", "immediate", "-w", "-t", "60", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return nil
}

func (s *Server) run(bin string, args ...string) ([]byte, error) {
	full := append(append(append([]string{}, s.as...), bin), args...)
	cmd := exec.Command(full[0], full[1:]...)
	cmd.Dir = os.TempDir()
	return cmd.CombinedOutput()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// DSN is the URL of database db on the server.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// Port is the server's TCP port.
func (s *Server) Port() int { return s.port }

// NewDatabase creates an empty database and returns its URL.
func (s *Server) NewDatabase(ctx context.Context) (string, error) {
	admin, err := sql.Open("pgx", s.DSN("postgres"))
	if err != nil {
		return "", err
	}
	defer admin.Close()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return s.DSN(name), nil
}

// Database is NewDatabase on the shared server for a test, failing it if
// PostgreSQL cannot be started.
func Database(t testing.TB) string {
	t.Helper()
	s, err := Shared()
	if err != nil {
		t.Fatal(err)
	}
	dsn, err := s.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// Own starts a server of the test's own (for a test that stops or
// restarts it, which the shared one must not be), stopped when the test
// ends, and returns it with the URL of a new database on it.
func Own(t testing.TB) (*Server, string) {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	dsn, err := s.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s, dsn
}

// Restart restarts the server immediately (pg_ctl restart -m immediate):
// a crash and recovery, as a fault test needs.
func (s *Server) Restart() error {
	pgctl, err := binary("pg_ctl")
	if err != nil {
		return err
	}
	// -l again: without it the new postmaster would write to (and hold
	// open) this process's output.
	if out, err := s.run(pgctl, "-D", s.dir, "-l", filepath.Join(filepath.Dir(s.dir), "postgres.log"), "-m", "immediate", "-w", "-t", "60", "restart"); err != nil {
		return fmt.Errorf("pg_ctl restart: %v\n%s", err, out)
	}
	return nil
}

// Stop stops the server and removes its files.
func (s *Server) Stop() {
	if pgctl, err := binary("pg_ctl"); err == nil {
		_, _ = s.run(pgctl, "-D", s.dir, "-m", "fast", "-w", "-t", "30", "stop")
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Join(s.dir, "postmaster.pid")); errors.Is(err, os.ErrNotExist) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = os.RemoveAll(strings.TrimSuffix(s.dir, "/data"))
}
