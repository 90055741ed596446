// Package logbuf keeps the server's log off the request path: log lines are
// appended to a memory buffer and written to the destination by a goroutine
// of their own, every Interval or as soon as the buffer holds FlushBytes,
// in one write for many lines.
//
// Contract: no line is lost nor reordered. A line is either in the buffer
// or written; Flush writes everything buffered before it returns, and
// Close flushes, stops the goroutine and writes every later line through at
// once. A writer waits only when the buffer is full (MaxBytes), that is when
// the destination cannot keep up; it never drops the line. A line at
// warning level or above is written at once, before Handle returns (see
// Handler), so that what an operator must see is not held back.
package logbuf

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Defaults of New.
const (
	// Interval is how long a line waits at most before it is written.
	Interval = 100 * time.Millisecond
	// FlushBytes wakes the writer goroutine before the interval.
	FlushBytes = 64 << 10
	// MaxBytes bounds the buffer: a line that would overflow it waits
	// for the writer goroutine.
	MaxBytes = 4 << 20
)

// Writer is a buffered, asynchronous io.Writer. Safe for concurrent use;
// each Write must be one whole line (slog handlers write a record in one
// call).
type Writer struct {
	dst io.Writer

	mu     sync.Mutex
	room   *sync.Cond // signalled when the buffer was swapped out
	buf    []byte
	closed bool
	err    error // the destination's first error

	// out serializes writes to dst and owns spare.
	out   sync.Mutex
	spare []byte

	wake chan struct{} // cap 1
	stop chan struct{}
	done chan struct{}
}

// New starts a Writer in front of dst; Close stops it.
func New(dst io.Writer) *Writer {
	w := &Writer{dst: dst, buf: make([]byte, 0, FlushBytes), spare: make([]byte, 0, FlushBytes),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	w.room = sync.NewCond(&w.mu)
	go w.run()
	return w
}

// Write buffers p whole. After Close it writes p through.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	for !w.closed && len(w.buf) > 0 && len(w.buf)+len(p) > MaxBytes {
		w.signal()
		w.room.Wait()
	}
	if w.closed {
		w.mu.Unlock()
		w.out.Lock()
		defer w.out.Unlock()
		return w.dst.Write(p)
	}
	w.buf = append(w.buf, p...)
	full := len(w.buf) >= FlushBytes
	w.mu.Unlock()
	if full {
		w.signal()
	}
	return len(p), nil
}

func (w *Writer) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Flush writes everything buffered so far, and returns the destination's
// first error, if any.
func (w *Writer) Flush() error {
	w.out.Lock()
	defer w.out.Unlock()
	w.mu.Lock()
	b := w.buf
	w.buf = w.spare[:0]
	w.room.Broadcast()
	w.mu.Unlock()
	var err error
	if len(b) > 0 {
		_, err = w.dst.Write(b)
	}
	w.spare = b[:0]
	w.mu.Lock()
	if err != nil && w.err == nil {
		w.err = err
	}
	err = w.err
	w.mu.Unlock()
	return err
}

func (w *Writer) run() {
	defer close(w.done)
	tick := time.NewTicker(Interval)
	defer tick.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-tick.C:
		case <-w.wake:
		}
		_ = w.Flush()
	}
}

// Close flushes, stops the goroutine and makes later writes go straight
// to the destination. It does not close the destination.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return w.Flush()
	}
	w.mu.Unlock()
	close(w.stop)
	<-w.done
	// Flush and close under out, so that no line written through after
	// the close overtakes one still buffered.
	w.out.Lock()
	w.mu.Lock()
	w.closed = true
	b := w.buf
	w.buf = nil
	w.room.Broadcast()
	w.mu.Unlock()
	var err error
	if len(b) > 0 {
		_, err = w.dst.Write(b)
	}
	w.out.Unlock()
	w.mu.Lock()
	if err != nil && w.err == nil {
		w.err = err
	}
	err = w.err
	w.mu.Unlock()
	return err
}

// Handler wraps h, whose output goes to w, so that a record at level or
// above is flushed before Handle returns.
func Handler(h slog.Handler, w *Writer, level slog.Level) slog.Handler {
	return &handler{h: h, w: w, level: level}
}

type handler struct {
	h     slog.Handler
	w     *Writer
	level slog.Level
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	err := h.h.Handle(ctx, r)
	if r.Level >= h.level {
		if ferr := h.w.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &handler{h: h.h.WithAttrs(as), w: h.w, level: h.level}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{h: h.h.WithGroup(name), w: h.w, level: h.level}
}
