// Package audit writes Latchkey's audit trail: one JSON line per mutating
// call and per authentication or authorization failure, in the spirit of
// CloudTrail. A record never holds a secret: requests carry none, and the
// record is built from named fields, never from the raw request.
package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Record is one audit event.
type Record struct {
	Time        time.Time `json:"time"`
	RequestID   string    `json:"request_id"`
	AccountID   string    `json:"account_id,omitempty"`
	Caller      string    `json:"caller,omitempty"` // ARN
	AccessKeyID string    `json:"access_key_id,omitempty"`
	SourceIP    string    `json:"source_ip"`
	Service     string    `json:"service"`
	Action      string    `json:"action"`
	Target      string    `json:"target,omitempty"` // ARN or key id acted on
	Result      string    `json:"result"`           // "success" or "failure"
	ErrorCode   string    `json:"error_code,omitempty"`
	// Decision explains an authorization: the statement that denied (or
	// allowed) the call, or that none matched; "root" for the root.
	Decision string `json:"decision,omitempty"`
}

// Log appends records to a writer, one line each, serialized.
type Log struct {
	mu sync.Mutex
	w  io.Writer
	c  io.Closer
}

// Open opens the audit destination: "-" is standard output, "" disables
// auditing (nil Log), anything else a file opened for appending (0600).
func Open(dest string) (*Log, error) {
	switch dest {
	case "":
		return nil, nil
	case "-":
		return &Log{w: os.Stdout}, nil
	}
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	return &Log{w: f, c: f}, nil
}

// New writes records to w.
func New(w io.Writer) *Log { return &Log{w: w} }

// Write appends r. A nil Log discards it.
func (l *Log) Write(r Record) error {
	if l == nil {
		return nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err = l.w.Write(b)
	return err
}

// Close closes the destination file.
func (l *Log) Close() error {
	if l == nil || l.c == nil {
		return nil
	}
	return l.c.Close()
}
