package console

import (
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"
)

func testLimiter() *Limiter {
	return &Limiter{PerUser: 3, PerSource: 5, Window: time.Minute, MaxKeys: 100}
}

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// TestLimiterPerUser: the fourth failure of one user within the window is
// refused, from any source, until the first failure leaves the window.
func TestLimiterPerUser(t *testing.T) {
	l := testLimiter()
	for i := range 3 {
		if a, wait := l.Begin("acct/alice", fmt.Sprintf("10.0.0.%d", i+1), t0.Add(time.Duration(i)*time.Second)); a == nil {
			t.Fatalf("attempt %d refused (wait %s)", i+1, wait)
		}
	}
	a, wait := l.Begin("acct/alice", "10.9.9.9", t0.Add(10*time.Second))
	if a != nil {
		t.Fatal("fourth failure of alice admitted")
	}
	if wait != 50*time.Second {
		t.Fatalf("wait = %s, want 50s (until the first failure is a minute old)", wait)
	}
	if a, _ := l.Begin("acct/bob", "10.9.9.9", t0.Add(10*time.Second)); a == nil {
		t.Fatal("another user refused for alice's failures")
	}
	if a, _ := l.Begin("acct/alice", "10.9.9.9", t0.Add(time.Minute)); a == nil {
		t.Fatal("alice still refused once her first failure left the window")
	}
}

// TestLimiterPerSource: one source is refused after PerSource failures,
// whatever user names it tries.
func TestLimiterPerSource(t *testing.T) {
	l := testLimiter()
	for i := range 5 {
		if a, _ := l.Begin(fmt.Sprintf("acct/user%d", i), "192.0.2.7", t0); a == nil {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if a, _ := l.Begin("acct/other", "192.0.2.7", t0); a != nil {
		t.Fatal("sixth failure from one source admitted")
	}
	if a, _ := l.Begin("acct/other", "192.0.2.8", t0); a == nil {
		t.Fatal("another source refused")
	}
	// An IPv6 host holds its whole /64.
	for i := range 5 {
		if a, _ := l.Begin("", fmt.Sprintf("2001:db8:1:2::%d", i+1), t0); a == nil {
			t.Fatalf("IPv6 attempt %d refused", i+1)
		}
	}
	if a, _ := l.Begin("", "2001:db8:1:2:ffff::1", t0); a != nil {
		t.Fatal("another address of the same /64 admitted past the limit")
	}
	if a, _ := l.Begin("", "2001:db8:1:3::1", t0); a == nil {
		t.Fatal("another /64 refused")
	}
}

// TestLimiterSuccessForgives: a sign-in that succeeds does not count, and
// clears its user's earlier failures (its source's stay).
func TestLimiterSuccessForgives(t *testing.T) {
	l := testLimiter()
	for range 2 {
		l.Begin("acct/alice", "10.0.0.1", t0)
	}
	a, _ := l.Begin("acct/alice", "10.0.0.1", t0)
	a.Succeeded()
	a.Succeeded() // twice is once
	for i := range 3 {
		if a, _ := l.Begin("acct/alice", "10.0.0.2", t0); a == nil {
			t.Fatalf("failure %d after a success refused", i+1)
		}
	}
	// Source 10.0.0.1 holds its two failures: three more reach its limit.
	for i := range 3 {
		if a, _ := l.Begin("", "10.0.0.1", t0); a == nil {
			t.Fatalf("source attempt %d refused", i+1)
		}
	}
	if a, _ := l.Begin("", "10.0.0.1", t0); a != nil {
		t.Fatal("source limit forgot the failures before the success")
	}
}

// TestLimiterConcurrentBurst: attempts count from their start, so a burst
// of concurrent guesses for one user admits exactly PerUser.
func TestLimiterConcurrentBurst(t *testing.T) {
	l := &Limiter{PerUser: 5, PerSource: 1000, Window: time.Minute, MaxKeys: 1000}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		admitted int
	)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if a, _ := l.Begin("acct/alice", fmt.Sprintf("10.1.0.%d", i%10), t0); a != nil {
				mu.Lock()
				admitted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if admitted != 5 {
		t.Fatalf("%d of 50 concurrent attempts admitted, want 5", admitted)
	}
}

// TestLimiterFullTable: a full table forgets the entry whose last
// attempt is oldest, never the attempt's own, so new names are still
// admitted; a busy source keeps its count.
func TestLimiterFullTable(t *testing.T) {
	l := &Limiter{PerUser: 5, PerSource: 3, Window: time.Minute, MaxKeys: 4}
	for range 3 {
		l.Begin("acct/a", "10.0.0.1", t0)
	}
	l.Begin("acct/b", "10.0.0.2", t0.Add(time.Second))
	if a, _ := l.Begin("acct/c", "10.0.0.3", t0.Add(2*time.Second)); a == nil {
		t.Fatal("a full table refused a new key")
	}
	if len(l.attempts) > 4 {
		t.Fatalf("the table holds %d keys, more than its 4", len(l.attempts))
	}
	// 10.0.0.1's entry was the oldest: forgotten, it may try again; the
	// table never grows past its bound.
	if a, _ := l.Begin("acct/d", "10.0.0.2", t0.Add(3*time.Second)); a == nil {
		t.Fatal("10.0.0.2 refused before its limit")
	}
	if len(l.attempts) > 4 {
		t.Fatalf("the table holds %d keys, more than its 4", len(l.attempts))
	}
}

// TestLimiterIPv6Site: the /64s of one /48 share a larger count.
func TestLimiterIPv6Site(t *testing.T) {
	l := &Limiter{PerUser: 100, PerSource: 2, Window: time.Minute, MaxKeys: 1000}
	admitted := 0
	for i := range 20 {
		if a, _ := l.Begin("", fmt.Sprintf("2001:db8:7:%x::1", i), t0); a != nil {
			admitted++
		}
	}
	if admitted != 8 {
		t.Fatalf("%d attempts from 20 /64s of one /48 admitted, want 8 (four times PerSource)", admitted)
	}
}

// TestClientAddr: a peer that is not a trusted proxy is the client
// whatever X-Forwarded-For says; behind trusted proxies the client is the
// nearest untrusted hop, never what a client wrote further left.
func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	for _, tc := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"direct", "192.0.2.1:5000", nil, "192.0.2.1"},
		{"direct, claiming a forward", "192.0.2.1:5000", []string{"198.51.100.7"}, "192.0.2.1"},
		{"one proxy", "10.1.2.3:443", []string{"198.51.100.7"}, "198.51.100.7"},
		{"a client's own entry, then the proxy's", "10.1.2.3:443", []string{"203.0.113.9, 198.51.100.7"}, "198.51.100.7"},
		{"two proxies", "10.1.2.3:443", []string{"198.51.100.7, 10.9.9.9"}, "198.51.100.7"},
		{"two headers", "10.1.2.3:443", []string{"198.51.100.7", "10.9.9.9"}, "198.51.100.7"},
		{"IPv6 proxy", "[fd00::1]:443", []string{"2001:db8::5"}, "2001:db8::5"},
		{"proxy without the header", "10.1.2.3:443", nil, "10.1.2.3"},
		{"garbage left of the proxies", "10.1.2.3:443", []string{"not-an-ip, 10.9.9.9"}, "10.9.9.9"},
	} {
		if got := ClientAddr(tc.remote, tc.xff, trusted); got != tc.want {
			t.Errorf("%s: ClientAddr(%s, %q) = %s, want %s", tc.name, tc.remote, tc.xff, got, tc.want)
		}
	}
	if got := ClientAddr("10.1.2.3:443", []string{"198.51.100.7"}, nil); got != "10.1.2.3" {
		t.Errorf("no trusted proxies: %s", got)
	}
}
