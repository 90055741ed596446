package console

import (
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
)

// Limiter bounds sign-in attempts that fail: at most PerUser for one
// user and PerSource for one source address within Window (an IPv6
// client by its /64, and its /48 at four times PerSource). An attempt
// counts from its start, so a burst of concurrent guesses is bounded too;
// one that succeeds is forgiven (and clears its user's count). A limited
// attempt is refused before any password is hashed, so it costs the
// server almost nothing.
//
// The counts live in this process: each server of several counts the
// attempts it receives. The table is bounded: when it is full of live
// entries, the one whose last attempt is oldest is forgotten (refusing
// every new key instead would let a flood of made-up names lock everyone
// out); filling it takes MaxKeys attempts, which the per-source limits
// spread over that many sources.
type Limiter struct {
	PerUser   int
	PerSource int
	Window    time.Duration
	// MaxKeys bounds the table (users and sources together).
	MaxKeys int

	mu        sync.Mutex
	attempts  map[string][]time.Time // oldest first, at most the key's limit
	lastSweep time.Time
}

// DefaultLimiter is 5 failures a user and 20 a source in 15 minutes, in
// a table of 100,000 keys.
func DefaultLimiter() *Limiter {
	return &Limiter{PerUser: 5, PerSource: 20, Window: 15 * time.Minute, MaxKeys: 100_000}
}

// Attempt is one sign-in attempt admitted by Begin.
type Attempt struct {
	l      *Limiter
	keys   []string
	at     time.Time
	closed bool
}

// ClientAddr is the address a request came from: its peer's, or, when
// the peer is one of the trusted proxies, the nearest address in
// X-Forwarded-For that is not a trusted proxy (the last hop a trusted
// proxy saw). Entries a client wrote itself further left are ignored.
func ClientAddr(remoteAddr string, forwardedFor []string, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	isTrusted := func(h string) bool {
		a, err := netip.ParseAddr(h)
		if err != nil {
			return false
		}
		for _, p := range trusted {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	if !isTrusted(host) {
		return host
	}
	var hops []string
	for _, v := range forwardedFor {
		for h := range strings.SplitSeq(v, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		if _, err := netip.ParseAddr(hops[i]); err != nil {
			break // not an address: nothing further left can be trusted
		}
		host = hops[i]
		if !isTrusted(host) {
			break
		}
	}
	return host
}

// limited is one count an attempt is checked against.
type limited struct {
	key   string
	limit int
}

// sourceKeys are the counts of an address: the IP, an IPv6 address by
// its /64 (one host holds a whole /64) and its /48 (one site).
func (l *Limiter) sourceKeys(addr string) []limited {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return []limited{{"source:" + addr, l.PerSource}}
	}
	a = a.Unmap()
	if a.Is6() {
		p64, _ := a.Prefix(64)
		p48, _ := a.Prefix(48)
		return []limited{{"source:" + p64.String(), l.PerSource}, {"source:" + p48.String(), 4 * l.PerSource}}
	}
	return []limited{{"source:" + a.String(), l.PerSource}}
}

// Begin admits an attempt by user (a key naming the user,
// "" when unknown) from source (the client's address, ClientAddr) at
// now, or says how long until one may be made.
func (l *Limiter) Begin(user, source string, now time.Time) (*Attempt, time.Duration) {
	keys := l.sourceKeys(source)
	if user != "" {
		keys = append(keys, limited{"user:" + user, l.PerUser})
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.attempts == nil {
		l.attempts = make(map[string][]time.Time)
	}
	var wait time.Duration
	fresh := 0
	for _, k := range keys {
		list := l.live(k.key, now)
		if list == nil {
			fresh++
		}
		if len(list) >= k.limit {
			wait = max(wait, list[0].Add(l.Window).Sub(now))
		}
	}
	if wait > 0 {
		return nil, wait
	}
	if len(l.attempts)+fresh > l.MaxKeys && now.Sub(l.lastSweep) >= time.Second {
		l.lastSweep = now
		l.sweep(now)
	}
	for len(l.attempts)+fresh > l.MaxKeys {
		l.forgetOldest(keys)
	}
	a := &Attempt{l: l, at: now}
	for _, k := range keys {
		l.attempts[k.key] = append(l.attempts[k.key], now)
		a.keys = append(a.keys, k.key)
	}
	return a, 0
}

// live is key's attempts within the window at now, dropping older ones.
func (l *Limiter) live(key string, now time.Time) []time.Time {
	list := l.attempts[key]
	i := 0
	for i < len(list) && !list[i].Add(l.Window).After(now) {
		i++
	}
	if i == len(list) {
		delete(l.attempts, key)
		return nil
	}
	list = list[i:]
	l.attempts[key] = list
	return list
}

// forgetOldest drops the entry whose last attempt is oldest, but none of
// keep.
func (l *Limiter) forgetOldest(keep []limited) {
	var oldest string
	var at time.Time
	for k, list := range l.attempts {
		if slices.ContainsFunc(keep, func(x limited) bool { return x.key == k }) {
			continue
		}
		if last := list[len(list)-1]; oldest == "" || last.Before(at) {
			oldest, at = k, last
		}
	}
	delete(l.attempts, oldest)
}

func (l *Limiter) sweep(now time.Time) {
	for k := range l.attempts {
		l.live(k, now)
	}
}

// Succeeded forgives the attempt and clears its user's failures.
func (a *Attempt) Succeeded() {
	l := a.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if a.closed {
		return
	}
	a.closed = true
	for _, k := range a.keys {
		if strings.HasPrefix(k, "user:") {
			delete(l.attempts, k)
			continue
		}
		list := l.attempts[k]
		for i, t := range list {
			if t.Equal(a.at) {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(l.attempts, k)
		} else {
			l.attempts[k] = list
		}
	}
}
