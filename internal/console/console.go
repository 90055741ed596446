// Package console serves Latchkey's web console: the page (embedded in the
// binary, at /console/) and the two calls it needs besides the IAM and STS
// API, sign-in and refresh (under /latchkey/v1/console/).
//
// The console is a client of Latchkey's own API. Sign-in turns a user's
// password (or the root's signature, made in the browser with its key
// pair, which never leaves it) into console session credentials: temporary
// credentials of the user or root, which the page keeps in memory only and
// signs every IAM and STS call with, so the page sees and does exactly what
// the signed-in principal's policies allow. A console session lives for the
// idle timeout; the page refreshes it while the person is active, up to the
// maximum session length from sign-in, and a refresh checks again that
// the sign-in still stands (the password unchanged, the user and its login
// profile still there, the root's key still Active).
//
// Every console response carries a strict Content-Security-Policy (no
// inline script or style, nothing from another origin), X-Frame-Options
// DENY, Referrer-Policy no-referrer, nosniff and no-store.
package console

import (
	"embed"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/latchkey/latchkey/internal/audit"
	"github.com/latchkey/latchkey/internal/server"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/sts"
)

//go:embed assets
var assets embed.FS

// PagePrefix is where the page is served; APIPrefix its sign-in calls.
const (
	PagePrefix = "/console/"
	APIPrefix  = "/latchkey/v1/console/"
)

// ContentSecurityPolicy is the console's: its own scripts, styles and
// images, calls to its own origin, nothing else, never framed.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Defaults of the session lengths.
const (
	DefaultIdleTimeout = 15 * time.Minute
	DefaultMaxSession  = 12 * time.Hour
)

// Handler serves the console.
type Handler struct {
	Store store.Store
	// Auth verifies the root's signed sign-in and the refresh calls.
	Auth *server.Authenticator
	// STS issues the console sessions.
	STS *sts.Service
	// Limiter bounds failing sign-ins (DefaultLimiter when nil).
	Limiter *Limiter
	// TrustedProxies are the reverse proxies whose X-Forwarded-For says
	// which client a sign-in came from (for the limiter and the audit
	// trail); a request from any other peer is that peer's.
	TrustedProxies []netip.Prefix
	// IdleTimeout is a console session's life without a refresh;
	// MaxSession the longest a sign-in lasts through refreshes.
	IdleTimeout time.Duration
	MaxSession  time.Duration
	Audit       *audit.Log
	Logger      *slog.Logger
	// SignedIn, when set, counts each sign-in: kind "password" or "root",
	// result "success" or the error's code.
	SignedIn func(kind, result string)
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	defaultLimiter sync.Once
	replays        replays
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) idle() time.Duration {
	if h.IdleTimeout > 0 {
		return h.IdleTimeout
	}
	return DefaultIdleTimeout
}

func (h *Handler) maxSession() time.Duration {
	if h.MaxSession > 0 {
		return h.MaxSession
	}
	return DefaultMaxSession
}

// securityHeaders sets the headers every console response carries.
func securityHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", ContentSecurityPolicy)
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
}

// ServeHTTP serves the page under PagePrefix (and "/console", redirected)
// and the sign-in calls under APIPrefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	switch {
	case strings.HasPrefix(r.URL.Path, APIPrefix):
		h.serveAPI(w, r)
	case r.URL.Path == strings.TrimSuffix(PagePrefix, "/"):
		http.Redirect(w, r, PagePrefix, http.StatusMovedPermanently)
	default:
		servePage(w, r)
	}
}

// servePage serves an embedded file: index.html for the prefix itself.
func servePage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, PagePrefix)
	if name == "" {
		name = "index.html"
	}
	if !fs.ValidPath(name) || strings.HasPrefix(path.Base(name), ".") {
		http.NotFound(w, r)
		return
	}
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(b)
}

// Assets lists the embedded files (for tests and the README's checks).
func Assets() ([]string, error) {
	var names []string
	err := fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, strings.TrimPrefix(p, "assets/"))
		}
		return err
	})
	return names, err
}
