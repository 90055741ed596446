package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestBoto3 runs testdata/boto3_access_keys.py: seed 003's create_access_key,
// its response shape, and the modeled exceptions boto3 raises.
func TestBoto3(t *testing.T) {
	t.Parallel() // Python's start-up dominates; it overlaps with the other suites
	s := e2etest.Start(t, e2etest.Options{})
	stdout, stderr, err := s.Python(t, e2etest.Root, "testdata/boto3_access_keys.py")
	if err != nil {
		t.Fatalf("boto3_access_keys.py: %v\n%s%s", err, stdout, stderr)
	}
	type botoError struct {
		Class, Code, Message string
		Status               int
		RequestID            string `json:"request_id"`
	}
	var out struct {
		CreateAccessKey struct {
			Keys                 []string
			CreateDateIsDatetime bool              `json:"create_date_is_datetime"`
			CreateDateIsAware    bool              `json:"create_date_is_aware"`
			AccessKey            map[string]string `json:"access_key"`
			HTTPStatus           int               `json:"http_status"`
			RequestID            string            `json:"request_id"`
		} `json:"create_access_key"`
		NoSuchEntity   *botoError `json:"no_such_entity"`
		LimitExceeded  *botoError `json:"limit_exceeded"`
		Caller         map[string]string
		LastUsed       map[string]any `json:"last_used"`
		LastUsedIsDate bool           `json:"last_used_date_is_datetime"`
		Listed         []string
		Inactive       *botoError
	}
	jsonDecode(t, stdout, &out)

	t.Run("CreateAccessKeyShape", func(t *testing.T) {
		c := out.CreateAccessKey
		if strings.Join(c.Keys, ",") != "AccessKeyId,CreateDate,SecretAccessKey,Status,UserName" {
			t.Fatalf("AccessKey holds %v", c.Keys)
		}
		k := c.AccessKey
		if k["UserName"] != "Bob" || k["Status"] != "Active" || !keyIDPattern.MatchString(k["AccessKeyId"]) || len(k["SecretAccessKey"]) != 40 {
			t.Fatalf("AccessKey %v", k)
		}
		if !c.CreateDateIsDatetime || !c.CreateDateIsAware {
			t.Fatalf("CreateDate is not a timezone-aware datetime: %q", k["CreateDate"])
		}
		cliDate(t, "CreateDate", k["CreateDate"])
		if c.HTTPStatus != 200 || c.RequestID == "" {
			t.Fatalf("ResponseMetadata: status %d, request id %q", c.HTTPStatus, c.RequestID)
		}
	})

	t.Run("NoSuchEntityException", func(t *testing.T) {
		e := out.NoSuchEntity
		if e == nil || e.Class != "NoSuchEntityException" || e.Code != "NoSuchEntity" || e.Status != 404 || e.RequestID == "" {
			t.Fatalf("create_access_key(UserName='Nobody') raised %+v", e)
		}
		wantMessage(t, e.Message, "The user with name Nobody cannot be found.")
	})

	t.Run("LimitExceededException", func(t *testing.T) {
		e := out.LimitExceeded
		if e == nil || e.Class != "LimitExceededException" || e.Code != "LimitExceeded" || e.Status != 409 {
			t.Fatalf("third create_access_key raised %+v", e)
		}
		wantMessage(t, e.Message, "Cannot exceed quota for AccessKeysPerUser: 2")
	})

	t.Run("NewKeySigns", func(t *testing.T) {
		if out.Caller["Arn"] != "arn:aws:iam::123456789012:user/Bob" || out.Caller["Account"] != e2etest.AccountID {
			t.Fatalf("get_caller_identity with the new key: %v", out.Caller)
		}
		lu, _ := out.LastUsed["AccessKeyLastUsed"].(map[string]any)
		if out.LastUsed["UserName"] != "Bob" || lu["ServiceName"] != "sts" || lu["Region"] != "eu-west-1" || !out.LastUsedIsDate {
			t.Fatalf("get_access_key_last_used: %v", out.LastUsed)
		}
		d, _ := lu["LastUsedDate"].(string)
		if parsed, err := time.Parse(time.RFC3339, d); err != nil || time.Since(parsed) > time.Minute {
			t.Fatalf("LastUsedDate %q (%v)", d, err)
		}
	})

	t.Run("Paginator", func(t *testing.T) {
		if len(out.Listed) != 2 || out.Listed[0] == out.Listed[1] {
			t.Fatalf("list_access_keys paginator (PageSize 1) saw %v", out.Listed)
		}
	})

	t.Run("InactiveKeyRefused", func(t *testing.T) {
		e := out.Inactive
		if e == nil || e.Code != "InvalidClientTokenId" || e.Status != 403 {
			t.Fatalf("get_caller_identity with the deactivated key: %+v", e)
		}
	})
}
