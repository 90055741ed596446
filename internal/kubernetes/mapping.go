package kubernetes

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/latchkey/latchkey/internal/arn"
	"github.com/latchkey/latchkey/internal/principal"
)

// Mapping maps principals to Kubernetes users, in the shape of EKS's
// aws-auth ConfigMap: mapUsers (by user ARN), mapRoles (by role ARN,
// for the role's sessions) and mapAccounts (every principal of the
// account, as its ARN, in no group).
type Mapping struct {
	Users    []Entry
	Roles    []Entry
	Accounts []string
}

// Entry maps one ARN. Username and each group may hold the templates
// {{AccountID}}, {{SessionName}} (the session name with '@' made '-'),
// {{SessionNameRaw}} and {{AccessKeyID}}, as aws-iam-authenticator's.
type Entry struct {
	ARN      string
	Username string
	Groups   []string
}

// User is a Kubernetes user, as a TokenReview's status.user.
type User struct {
	Username string              `json:"username"`
	UID      string              `json:"uid"`
	Groups   []string            `json:"groups"`
	Extra    map[string][]string `json:"extra,omitempty"`
}

var (
	templatePattern = regexp.MustCompile(`\{\{[^}]*\}\}`)
	knownTemplates  = map[string]bool{"{{AccountID}}": true, "{{SessionName}}": true, "{{SessionNameRaw}}": true, "{{AccessKeyID}}": true}
)

// LoadMapping reads a mapping file (see ParseMapping).
func LoadMapping(path string) (*Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := ParseMapping(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ParseMapping parses a mapping, YAML or JSON: either an aws-auth
// ConfigMap (its data's mapUsers, mapRoles and mapAccounts are YAML
// text), or a document with those three keys at the top, as lists or as
// text. Entries take userarn or rolearn, username and groups (key names
// in any case); an entry with an unknown key, no username, an ARN of the
// wrong kind or an unsupported template is refused, so a mistake stops the
// server from starting rather than mapping someone wrongly.
func ParseMapping(b []byte) (*Mapping, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("the mapping is empty")
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, errors.New("the mapping is not a YAML or JSON object")
	}
	sections := map[string]*yaml.Node{}
	collect := func(n *yaml.Node) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := strings.ToLower(n.Content[i].Value); k == "mapusers" || k == "maproles" || k == "mapaccounts" {
				sections[k] = n.Content[i+1]
			}
		}
	}
	collect(top)
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "data" && top.Content[i+1].Kind == yaml.MappingNode {
			collect(top.Content[i+1])
		}
	}
	if len(sections) == 0 {
		return nil, errors.New("the mapping has none of mapUsers, mapRoles and mapAccounts")
	}
	m := &Mapping{}
	var err error
	if m.Users, err = entries(sections["mapusers"], "userarn", "user"); err != nil {
		return nil, fmt.Errorf("mapUsers: %w", err)
	}
	if m.Roles, err = entries(sections["maproles"], "rolearn", "role"); err != nil {
		return nil, fmt.Errorf("mapRoles: %w", err)
	}
	accounts, err := list(sections["mapaccounts"])
	if err != nil {
		return nil, fmt.Errorf("mapAccounts: %w", err)
	}
	for _, a := range accounts.Content {
		if a.Kind != yaml.ScalarNode || !arn.IsAccountID(a.Value) {
			return nil, fmt.Errorf("mapAccounts: %q is not a 12-digit account id", a.Value)
		}
		m.Accounts = append(m.Accounts, a.Value)
	}
	return m, nil
}

// list is a section as a sequence node: given as a list, or as YAML text
// (the ConfigMap's form).
func list(n *yaml.Node) (*yaml.Node, error) {
	if n == nil {
		return &yaml.Node{Kind: yaml.SequenceNode}, nil
	}
	if n.Kind == yaml.ScalarNode {
		if strings.TrimSpace(n.Value) == "" {
			return &yaml.Node{Kind: yaml.SequenceNode}, nil
		}
		var inner yaml.Node
		if err := yaml.Unmarshal([]byte(n.Value), &inner); err != nil {
			return nil, err
		}
		if len(inner.Content) == 0 {
			return &yaml.Node{Kind: yaml.SequenceNode}, nil
		}
		n = inner.Content[0]
	}
	if n.Kind != yaml.SequenceNode {
		return nil, errors.New("not a list")
	}
	return n, nil
}

func entries(n *yaml.Node, arnKey, kind string) ([]Entry, error) {
	seq, err := list(n)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for i, item := range seq.Content {
		if item.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("entry %d is not an object", i+1)
		}
		var e Entry
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, v := strings.ToLower(item.Content[j].Value), item.Content[j+1]
			switch {
			case k == arnKey && v.Kind == yaml.ScalarNode:
				e.ARN = v.Value
			case k == "username" && v.Kind == yaml.ScalarNode:
				e.Username = v.Value
			case k == "groups" && v.Kind == yaml.SequenceNode:
				for _, g := range v.Content {
					if g.Kind != yaml.ScalarNode || g.Value == "" {
						return nil, fmt.Errorf("entry %d: groups must be names", i+1)
					}
					e.Groups = append(e.Groups, g.Value)
				}
			default:
				return nil, fmt.Errorf("entry %d: unexpected key %q (want %s, username, groups)", i+1, item.Content[j].Value, arnKey)
			}
		}
		ek, _, _, _, ok := arn.ParseEntity(e.ARN)
		if a, aok := arn.Account(e.ARN); kind == "user" && aok && e.ARN == arn.Root(a) {
			ek, ok = "user", true // an account's root maps as a user
		}
		if !ok || ek != kind {
			return nil, fmt.Errorf("entry %d: %s %q is not the ARN of a %s", i+1, arnKey, e.ARN, kind)
		}
		if e.Username == "" {
			return nil, fmt.Errorf("entry %d (%s): username is required", i+1, e.ARN)
		}
		for _, s := range append([]string{e.Username}, e.Groups...) {
			for _, t := range templatePattern.FindAllString(s, -1) {
				if !knownTemplates[t] {
					return nil, fmt.Errorf("entry %d (%s): template %s is not supported (only {{AccountID}}, {{SessionName}}, {{SessionNameRaw}}, {{AccessKeyID}})", i+1, e.ARN, t)
				}
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// canonicalARN is the ARN a principal is mapped by, as
// aws-iam-authenticator canonicalizes it: an assumed role's session by
// its role's ARN without the role's path; others by their own ARN.
func canonicalARN(p *principal.Principal) string {
	if p.Kind == principal.AssumedRole {
		return "arn:aws:iam::" + p.AccountID + ":role/" + p.Name
	}
	return p.ARN()
}

// withoutRolePath drops the path of a role ARN: aws-auth's rolearn is
// matched against the session's role without it.
func withoutRolePath(a string) string {
	head, name, ok := strings.Cut(a, ":role/")
	if !ok {
		return a
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return head + ":role/" + name
}

// Map is the Kubernetes user of p: its mapUsers or mapRoles entry (ARNs
// compared without regard to case), else its account's mapAccounts entry;
// false when it has none.
func (m *Mapping) Map(p *principal.Principal) (User, bool) {
	canonical := canonicalARN(p)
	userID, session, _ := strings.Cut(p.UserID(), ":")
	u := User{UID: "latchkey:" + p.AccountID + ":" + userID, Extra: map[string][]string{
		"arn":          {p.ARN()},
		"canonicalArn": {canonical},
		"sessionName":  {session},
		"accessKeyId":  {p.AccessKeyID},
		"principalId":  {userID},
	}}
	render := func(s string) string {
		return strings.NewReplacer(
			"{{AccountID}}", p.AccountID,
			"{{SessionNameRaw}}", session,
			"{{SessionName}}", strings.ReplaceAll(session, "@", "-"),
			"{{AccessKeyID}}", p.AccessKeyID,
		).Replace(s)
	}
	use := func(e Entry) (User, bool) {
		u.Username = render(e.Username)
		u.Groups = make([]string, 0, len(e.Groups))
		for _, g := range e.Groups {
			u.Groups = append(u.Groups, render(g))
		}
		return u, true
	}
	switch p.Kind {
	case principal.User, principal.Root:
		for _, e := range m.Users {
			if strings.EqualFold(e.ARN, canonical) {
				return use(e)
			}
		}
	case principal.AssumedRole:
		for _, e := range m.Roles {
			if strings.EqualFold(withoutRolePath(e.ARN), canonical) {
				return use(e)
			}
		}
	}
	for _, a := range m.Accounts {
		if a == p.AccountID {
			u.Username, u.Groups = canonical, []string{}
			return u, true
		}
	}
	return User{}, false
}
