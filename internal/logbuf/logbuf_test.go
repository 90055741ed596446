package logbuf

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a destination safe to read while written, counting its
// writes.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
	// gate, when set, holds every write until closed.
	gate chan struct{}
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	if l.gate != nil {
		<-l.gate
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestNoLineLostNorReordered: lines written by many goroutines up to Close
// all reach the destination, each goroutine's in its order, in far fewer
// writes than lines; a line written after Close goes through at once.
func TestNoLineLostNorReordered(t *testing.T) {
	dst := &lockedBuffer{}
	w := New(dst)
	const writers, lines = 8, 5000
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(w, "g%d %d\n", g, i)
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(w, "after close\n")
	got := strings.Split(strings.TrimSuffix(dst.String(), "\n"), "\n")
	if len(got) != writers*lines+1 || got[len(got)-1] != "after close" {
		t.Fatalf("%d lines, last %q; want %d, the last after close", len(got), got[len(got)-1], writers*lines+1)
	}
	next := make([]int, writers)
	for _, l := range got[:len(got)-1] {
		var g, i int
		if _, err := fmt.Sscanf(l, "g%d %d", &g, &i); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if i != next[g] {
			t.Fatalf("writer %d: line %d after %d", g, i, next[g]-1)
		}
		next[g]++
	}
	if dst.writes > writers*lines/10 {
		t.Errorf("%d writes for %d lines: not buffered", dst.writes, writers*lines)
	}
}

// TestFlushedOnTimer: a line reaches the destination within the interval
// without any flush asked.
func TestFlushedOnTimer(t *testing.T) {
	dst := &lockedBuffer{}
	w := New(dst)
	defer w.Close()
	fmt.Fprintf(w, "one\n")
	deadline := time.Now().Add(10 * Interval)
	for dst.String() != "one\n" {
		if time.Now().After(deadline) {
			t.Fatalf("not written after %v", 10*Interval)
		}
		time.Sleep(Interval / 10)
	}
}

// TestFullBufferWaits: when the destination stalls, writers wait once the
// buffer is full rather than drop lines, and go on when it drains.
func TestFullBufferWaits(t *testing.T) {
	dst := &lockedBuffer{gate: make(chan struct{})}
	w := New(dst)
	line := []byte(strings.Repeat("x", 1023) + "\n")
	wrote := make(chan int)
	go func() {
		n := 0
		for range 3 * MaxBytes / len(line) {
			if _, err := w.Write(line); err != nil {
				t.Error(err)
			}
			n++
		}
		wrote <- n
	}()
	select {
	case n := <-wrote:
		t.Fatalf("%d lines (3 buffers' worth) written while the destination stalled", n)
	case <-time.After(200 * time.Millisecond):
	}
	close(dst.gate)
	n := <-wrote
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(dst.String(), "\n"); got != n {
		t.Fatalf("%d lines reached the destination, %d written", got, n)
	}
}

// TestHandlerFlushesWarnings: through Handler, a warning is at the
// destination when the call returns; an info line waits for the timer.
func TestHandlerFlushesWarnings(t *testing.T) {
	dst := &lockedBuffer{}
	w := New(dst)
	defer w.Close()
	log := slog.New(Handler(slog.NewJSONHandler(w, nil), w, slog.LevelWarn)).With("k", "v")
	log.Info("first")
	log.Warn("second")
	got := dst.String()
	if !strings.Contains(got, `"msg":"first"`) || !strings.Contains(got, `"msg":"second","k":"v"`) {
		t.Fatalf("after a warning, the destination holds %q", got)
	}
}
