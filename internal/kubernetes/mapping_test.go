package kubernetes

import (
	"reflect"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/principal"
)

// configMap is an aws-auth ConfigMap as EKS documents it.
const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::123456789012:role/teams/Developer
      username: dev:{{SessionName}}
      groups:
        - developers
        - account-{{AccountID}}
  mapUsers: |
    - userarn: arn:aws:iam::123456789012:user/ops/alice
      username: alice
      groups:
        - system:masters
    - userArn: arn:aws:iam::123456789012:root
      username: root-of-{{AccountID}}
  mapAccounts: |
    - "210987654321"
`

func TestMapping(t *testing.T) {
	asJSON := `{"mapUsers": [{"userarn": "arn:aws:iam::123456789012:user/ops/alice", "username": "alice", "groups": ["system:masters"]}],
		"mapRoles": [{"rolearn": "arn:aws:iam::123456789012:role/teams/Developer", "username": "dev:{{SessionName}}", "groups": ["developers", "account-{{AccountID}}"]}],
		"mapAccounts": ["210987654321"]}`
	for name, doc := range map[string]string{"ConfigMap": configMap, "JSON": asJSON} {
		t.Run(name, func(t *testing.T) {
			m, err := ParseMapping([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name     string
				p        principal.Principal
				username string
				groups   []string
			}{
				{"user", principal.Principal{Kind: principal.User, AccountID: "123456789012", ID: "AIDAEXAMPLE", Name: "alice", Path: "/ops/", AccessKeyID: "AKIAEXAMPLE"},
					"alice", []string{"system:masters"}},
				{"user ARN in other case", principal.Principal{Kind: principal.User, AccountID: "123456789012", ID: "AIDAEXAMPLE", Name: "Alice", Path: "/ops/"},
					"alice", []string{"system:masters"}},
				{"role session, path dropped, @ made -", principal.Principal{Kind: principal.AssumedRole, AccountID: "123456789012", ID: "AROAEXAMPLE", Name: "Developer", Path: "/teams/", SessionName: "bob@example.com"},
					"dev:bob-example.com", []string{"developers", "account-123456789012"}},
				{"account", principal.Principal{Kind: principal.User, AccountID: "210987654321", ID: "AIDAOTHER", Name: "carol", Path: "/"},
					"arn:aws:iam::210987654321:user/carol", []string{}},
				{"unmapped user", principal.Principal{Kind: principal.User, AccountID: "123456789012", ID: "AIDAX", Name: "mallory", Path: "/"}, "", nil},
				{"unmapped role", principal.Principal{Kind: principal.AssumedRole, AccountID: "123456789012", ID: "AROAX", Name: "Other", Path: "/", SessionName: "s"}, "", nil},
			} {
				t.Run(tc.name, func(t *testing.T) {
					u, ok := m.Map(&tc.p)
					if tc.username == "" {
						if ok {
							t.Fatalf("Map = %+v, want none", u)
						}
						return
					}
					if !ok || u.Username != tc.username || !reflect.DeepEqual(u.Groups, tc.groups) || u.UID != "latchkey:"+tc.p.AccountID+":"+tc.p.ID {
						t.Fatalf("Map = %+v, %v; want %s %v", u, ok, tc.username, tc.groups)
					}
					if got := u.Extra["arn"]; len(got) != 1 || got[0] != tc.p.ARN() {
						t.Fatalf("extra arn = %v", got)
					}
				})
			}
		})
	}
	m, err := ParseMapping([]byte(configMap))
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := m.Map(&principal.Principal{Kind: principal.Root, AccountID: "123456789012", ID: "123456789012"}); !ok || u.Username != "root-of-123456789012" {
		t.Fatalf("root: %+v %v", u, ok)
	}
}

func TestParseMappingRefuses(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", ``, "empty"},
		{"no sections", `kind: ConfigMap`, "none of"},
		{"unknown key", `mapUsers: [{userarn: "arn:aws:iam::123456789012:user/a", username: a, group: [x]}]`, "unexpected key"},
		{"role in mapUsers", `mapUsers: [{userarn: "arn:aws:iam::123456789012:role/a", username: a}]`, "not the ARN of a user"},
		{"no username", `mapRoles: [{rolearn: "arn:aws:iam::123456789012:role/a"}]`, "username is required"},
		{"unsupported template", `mapRoles: [{rolearn: "arn:aws:iam::123456789012:role/a", username: "system:node:{{EC2PrivateDNSName}}"}]`, "not supported"},
		{"bad account", `mapAccounts: ["12345"]`, "account id"},
		{"not a list", `mapUsers: {a: b}`, "not a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseMapping([]byte(tc.doc)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseMapping = %v, want an error about %q", err, tc.want)
			}
		})
	}
}
