package server

import (
	"io"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// The request line, encoded by hand. At --log-level info every request
// writes one, and slog's JSON handler spends more on it than the line is
// worth (its float is encoded by encoding/json, its record's attributes
// allocated); when the log is JSON, the line is built here instead, byte
// for byte as slog.NewJSONHandler would write it (TestRequestLineAsSlog
// holds the two together), into one pooled buffer and one Write.

var lineBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// writeRequestLine writes the info-level request line of rec to w.
func writeRequestLine(w io.Writer, at time.Time, rec *logRecord, latency time.Duration, remote string) error {
	bp := lineBufs.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, `{"time":"`...)
	b = at.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"request","request_id":`...)
	b = appendJSONString(b, rec.requestID)
	b = append(b, `,"service":`...)
	b = appendJSONString(b, rec.service)
	b = append(b, `,"action":`...)
	b = appendJSONString(b, rec.action)
	b = append(b, `,"caller":`...)
	b = appendJSONString(b, rec.caller)
	b = append(b, `,"access_key_id":`...)
	b = appendJSONString(b, rec.accessKeyID)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(rec.status), 10)
	b = append(b, `,"latency_ms":`...)
	b = appendLatencyMS(b, latency)
	b = append(b, `,"remote":`...)
	b = appendJSONString(b, remote)
	if rec.code != "" {
		b = append(b, `,"error_code":`...)
		b = appendJSONString(b, rec.code)
	}
	b = append(b, "}\n"...)
	_, err := w.Write(b)
	*bp = b
	lineBufs.Put(bp)
	return err
}

// appendLatencyMS appends the latency in milliseconds, to the
// microsecond, as encoding/json writes that float64 (the shortest 'f'
// form in this range).
func appendLatencyMS(b []byte, d time.Duration) []byte {
	return strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as slog's JSON handler quotes it:
// '"' and '\\' escaped, \n \r \t by name, other control characters as
// \u00XX, invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped, everything
// else (HTML's <, >, & included) as is.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
