package query

import (
	"errors"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/awserr"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want Values
	}{
		{"empty", "", Values{}},
		{"one", "Action=ListUsers", Values{"Action": "ListUsers"}},
		{"several", "Action=CreateUser&UserName=alice&Version=2010-05-08",
			Values{"Action": "CreateUser", "UserName": "alice", "Version": "2010-05-08"}},
		{"plus is space", "Path=%2Fa+b%2F", Values{"Path": "/a b/"}},
		{"escaped plus stays", "Tag=a%2Bb", Values{"Tag": "a+b"}},
		{"lower and upper hex", "V=%2f%2F%c3%a9", Values{"V": "//é"}},
		{"escaped name", "Tags%2Emember%2E1%2EKey=k", Values{"Tags.member.1.Key": "k"}},
		{"no equals is empty value", "TagKeys&Action=UntagUser", Values{"TagKeys": "", "Action": "UntagUser"}},
		{"empty value", "TagKeys=", Values{"TagKeys": ""}},
		{"equals in value", "PolicyDocument=a=b", Values{"PolicyDocument": "a=b"}},
		{"empty fields skipped", "&&A=1&&B=2&", Values{"A": "1", "B": "2"}},
		{"empty name skipped", "=x&A=1", Values{"A": "1"}},
		{"semicolon is ordinary", "A=1;B=2", Values{"A": "1;B=2"}},
		{"escaped ampersand", "A=1%262", Values{"A": "1&2"}},
		{"NUL byte", "A=%00", Values{"A": "\x00"}},
		// Invalid UTF-8 passes decoding; validation decides (see awsmodel).
		{"invalid UTF-8 kept", "UserName=%FF%FE", Values{"UserName": "\xff\xfe"}},
		{"non-ASCII raw bytes", "UserName=é", Values{"UserName": "é"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.raw)
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.raw, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decode(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		code   string
		status int
		msg    string
	}{
		{"bad hex", "A=%zz", "MalformedQueryString", 404, `The query string contains a syntax error: invalid percent-encoding "%zz".`},
		{"one hex digit", "A=%4", "MalformedQueryString", 404, `The query string contains a syntax error: invalid percent-encoding "%4".`},
		{"trailing percent", "A=b%", "MalformedQueryString", 404, `The query string contains a syntax error: invalid percent-encoding "%".`},
		{"bad escape in name", "A%G1=b", "MalformedQueryString", 404, `The query string contains a syntax error: invalid percent-encoding "%G1".`},
		{"invalid UTF-8 after percent", "A=%\xff\xfe", "MalformedQueryString", 404, "The query string contains a syntax error: invalid percent-encoding \"%\ufffd\"."},
		{"duplicate", "UserName=a&UserName=b", "InvalidQueryParameter", 400, `The parameter "UserName" is given more than once.`},
		{"duplicate same value", "UserName=a&UserName=a", "InvalidQueryParameter", 400, `The parameter "UserName" is given more than once.`},
		{"duplicate after decoding", "UserName=a&User%4Eame=b", "InvalidQueryParameter", 400, `The parameter "UserName" is given more than once.`},
		{"duplicate long name bounded", strings.Repeat("n", 300) + "=1&" + strings.Repeat("n", 300) + "=2", "InvalidQueryParameter", 400,
			`The parameter "` + strings.Repeat("n", 128) + `..." is given more than once.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Decode(tt.raw)
			if err == nil {
				t.Fatalf("Decode(%q) = %q, want error", tt.raw, v)
			}
			checkErr(t, err, tt.code, tt.status, tt.msg)
		})
	}
}

func checkErr(t *testing.T, err error, code string, status int, msg string) {
	t.Helper()
	var e *awserr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *awserr.Error", err, err)
	}
	if e.Code != code || e.Status != status || !e.Sender {
		t.Errorf("error = %s/%d sender=%t, want %s/%d sender", e.Code, e.Status, e.Sender, code, status)
	}
	if msg != "" && e.Message != msg {
		t.Errorf("message = %q\nwant      %q", e.Message, msg)
	}
}

// fields returns n distinct fields joined by '&'.
func fields(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString("P")
		b.WriteString(strconv.Itoa(i))
		b.WriteString("=v")
	}
	return b.String()
}

func TestDecodeLimits(t *testing.T) {
	t.Run("at the limit", func(t *testing.T) {
		v, err := Decode(fields(MaxFields))
		if err != nil || len(v) != MaxFields {
			t.Fatalf("Decode(%d fields) = %d values, %v", MaxFields, len(v), err)
		}
	})
	t.Run("one past the limit", func(t *testing.T) {
		_, err := Decode(fields(MaxFields + 1))
		checkErr(t, err, "InvalidQueryParameter", 400, "The request has more than 10000 parameters.")
	})
	t.Run("empty fields do not count", func(t *testing.T) {
		v, err := Decode(strings.Repeat("&", 3*MaxFields) + "A=1")
		if err != nil || v["A"] != "1" {
			t.Fatalf("Decode = %q, %v", v, err)
		}
	})
	t.Run("100k fields refused quickly", func(t *testing.T) {
		raw := fields(100_000)
		start := time.Now()
		_, err := Decode(raw)
		elapsed := time.Since(start)
		checkErr(t, err, "InvalidQueryParameter", 400, "")
		// Decode stops at field MaxFields+1: the cost is that of a legal
		// request, not of the 100k fields. The bound is loose for -race on
		// a busy machine.
		if elapsed > 2*time.Second {
			t.Errorf("refusing 100k fields took %v", elapsed)
		}
	})
}

func TestMerge(t *testing.T) {
	q := Values{"Action": "CreateUser", "Version": "2010-05-08"}
	body := Values{"UserName": "alice"}
	got, err := Merge(q, body)
	if err != nil {
		t.Fatal(err)
	}
	want := Values{"Action": "CreateUser", "Version": "2010-05-08", "UserName": "alice"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge = %q, want %q", got, want)
	}
	if len(q) != 2 || len(body) != 1 {
		t.Errorf("Merge modified its arguments: %q %q", q, body)
	}
	for _, tt := range []struct {
		name   string
		a, b   Values
		expect Values
	}{
		{"empty query", Values{}, body, body},
		{"nil body", q, nil, q},
		{"both empty", nil, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Merge(tt.a, tt.b)
			if err != nil || !reflect.DeepEqual(got, tt.expect) {
				t.Errorf("Merge = %q, %v; want %q", got, err, tt.expect)
			}
		})
	}
	t.Run("conflict", func(t *testing.T) {
		_, err := Merge(Values{"Action": "ListUsers"}, Values{"Action": "ListUsers"})
		checkErr(t, err, "InvalidQueryParameter", 400, `The parameter "Action" is given both in the URL and in the request body.`)
	})
	t.Run("too many together", func(t *testing.T) {
		a, _ := Decode(fields(MaxFields))
		_, err := Merge(a, Values{"Extra": "1"})
		checkErr(t, err, "InvalidQueryParameter", 400, "")
	})
}

func TestAccessors(t *testing.T) {
	v, err := Decode(strings.Join([]string{
		"UserName=alice", "Empty=", "MaxItems=100", "Neg=-5", "Plus=%2B7", "NaN=abc", "Big=99999999999999999999",
		"T=true", "F=FALSE", "Yes=yes",
		"TagKeys.member.2=b", "TagKeys.member.1=a", "TagKeys.member.3=c",
		"Gap.member.1=a", "Gap.member.3=c",
		"Tags.member.2.Key=k2", "Tags.member.2.Value=v2", "Tags.member.1.Key=k1", "Tags.member.1.Value=v1",
		"Ctx.member.1.ContextKeyName=aws:x", "Ctx.member.1.ContextKeyValues.member.1=p", "Ctx.member.1.ContextKeyValues.member.2=q",
		"M.entry.1.key=a", "M.entry.1.value=1", "M.entry.2.key=b", "M.entry.2.value=2",
	}, "&"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("String and Has", func(t *testing.T) {
		if v.String("UserName") != "alice" || v.String("Missing") != "" {
			t.Error("String")
		}
		if !v.Has("Empty") || v.Has("Missing") {
			t.Error("Has")
		}
	})
	t.Run("Int", func(t *testing.T) {
		for name, want := range map[string]struct {
			n  int
			ok bool
		}{"MaxItems": {100, true}, "Neg": {-5, true}, "Plus": {7, true}, "NaN": {0, false}, "Big": {0, false}, "Missing": {0, false}, "Empty": {0, false}} {
			if n, ok := v.Int(name); n != want.n || ok != want.ok {
				t.Errorf("Int(%s) = %d, %t; want %d, %t", name, n, ok, want.n, want.ok)
			}
		}
	})
	t.Run("Bool", func(t *testing.T) {
		for name, want := range map[string][2]bool{"T": {true, true}, "F": {false, true}, "Yes": {false, false}, "Missing": {false, false}} {
			if b, ok := v.Bool(name); b != want[0] || ok != want[1] {
				t.Errorf("Bool(%s) = %t, %t; want %v", name, b, ok, want)
			}
		}
	})
	t.Run("List", func(t *testing.T) {
		if got := v.List("TagKeys"); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
			t.Errorf("List = %q", got)
		}
		if got := v.List("Gap"); !reflect.DeepEqual(got, []string{"a"}) {
			t.Errorf("List with a gap = %q, want the run from 1", got)
		}
		if got := v.List("Missing"); got != nil {
			t.Errorf("List(Missing) = %q", got)
		}
	})
	t.Run("Structs and Tags", func(t *testing.T) {
		want := []Tag{{"k1", "v1"}, {"k2", "v2"}}
		if got := v.Tags("Tags"); !reflect.DeepEqual(got, want) {
			t.Errorf("Tags = %q, want %q", got, want)
		}
		ctx := v.Structs("Ctx")
		if len(ctx) != 1 || ctx[0].String("ContextKeyName") != "aws:x" || !reflect.DeepEqual(ctx[0].List("ContextKeyValues"), []string{"p", "q"}) {
			t.Errorf("Structs(Ctx) = %q", ctx)
		}
		if got := v.Tags("Missing"); got != nil {
			t.Errorf("Tags(Missing) = %q", got)
		}
	})
	t.Run("Map", func(t *testing.T) {
		if got := v.Map("M"); !reflect.DeepEqual(got, map[string]string{"a": "1", "b": "2"}) {
			t.Errorf("Map = %q", got)
		}
		if got := v.Map("Missing"); got != nil {
			t.Errorf("Map(Missing) = %q", got)
		}
	})
}

func TestIndex(t *testing.T) {
	for s, want := range map[string]int{"1": 1, "9": 9, "10": 10, "10000": 10000} {
		if n, ok := Index(s); !ok || n != want {
			t.Errorf("Index(%q) = %d, %t", s, n, ok)
		}
	}
	for _, s := range []string{"", "0", "01", "-1", "+1", "1a", "a", "10001", "99999999999999999999", "1.5", " 1"} {
		if n, ok := Index(s); ok {
			t.Errorf("Index(%q) = %d, want refused", s, n)
		}
	}
}

// encode renders v as a form body, names sorted.
func encode(v Values) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v[k]))
	}
	return b.String()
}

// FuzzDecode checks that Decode never panics, stays within MaxFields,
// fails only with AWS errors, and agrees with the standard encoder: what it
// decodes, re-encoded, decodes to the same values.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"", "Action=CreateAccessKey&UserName=alice&Version=2010-05-08",
		"A=%zz", "A=1&A=2", "Tags.member.1.Key=k&Tags.member.1.Value=v", "=&&=", "%", "A=%FF+%2B",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := Decode(raw)
		if err != nil {
			var e *awserr.Error
			if !errors.As(err, &e) || e.Status < 400 || e.Status > 499 {
				t.Fatalf("Decode(%q): error %v is not a 4xx *awserr.Error", raw, err)
			}
			return
		}
		if len(v) > MaxFields {
			t.Fatalf("Decode returned %d values", len(v))
		}
		again, err := Decode(encode(v))
		if err != nil {
			t.Fatalf("re-decoding %q: %v", encode(v), err)
		}
		if !reflect.DeepEqual(again, v) && !(len(again) == 0 && len(v) == 0) {
			t.Fatalf("round trip changed values:\n%q\n%q", v, again)
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	// A CreateAccessKey form as the AWS CLI sends it.
	body := "Action=CreateAccessKey&UserName=build-bot%40example.com&Version=2010-05-08"
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}
