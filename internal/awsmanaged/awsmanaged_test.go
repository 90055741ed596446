package awsmanaged

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The shapes AWS gives these fields (IAM API reference: Policy, and the
// PolicyId form of unique IDs).
var (
	policyID  = regexp.MustCompile(`^ANPA[A-Z2-7]{17}$`)
	versionID = regexp.MustCompile(`^v[1-9][0-9]*$`)
	path      = regexp.MustCompile(`^/([\x21-\x2e\x30-\x7e]+/)*$`)
	name      = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
)

// TestCatalogNotEmpty keeps the other tests from passing on an empty table.
func TestCatalogNotEmpty(t *testing.T) {
	if len(All()) < 5 {
		t.Fatalf("All() has %d policies, want at least the 5 the package promises", len(All()))
	}
}

func TestFieldsHaveAWSShape(t *testing.T) {
	for _, p := range All() {
		t.Run(p.Name, func(t *testing.T) {
			if !name.MatchString(p.Name) {
				t.Errorf("Name %q is not an IAM policy name", p.Name)
			}
			if !path.MatchString(p.Path) {
				t.Errorf("Path %q is not an IAM path", p.Path)
			}
			if !policyID.MatchString(p.ID) {
				t.Errorf("ID %q is not ANPA followed by 17 of [A-Z2-7]", p.ID)
			}
			if !versionID.MatchString(p.DefaultVersionID) {
				t.Errorf("DefaultVersionID %q is not a version id", p.DefaultVersionID)
			}
			if p.Description == "" || len(p.Description) > 1000 {
				t.Errorf("Description has %d bytes, want 1 to 1000", len(p.Description))
			}
			if p.CreateDate.IsZero() || p.CreateDate.Location().String() != "UTC" {
				t.Errorf("CreateDate %v is not set in UTC", p.CreateDate)
			}
			if p.UpdateDate.Before(p.CreateDate) || p.UpdateDate.Location().String() != "UTC" {
				t.Errorf("UpdateDate %v is before CreateDate %v or not in UTC", p.UpdateDate, p.CreateDate)
			}
			// A policy never versioned was last updated when it was made.
			if p.DefaultVersionID == "v1" && !p.UpdateDate.Equal(p.CreateDate) {
				t.Errorf("v1 policy has UpdateDate %v, want CreateDate %v", p.UpdateDate, p.CreateDate)
			}
		})
	}
}

func TestIDsAreUnique(t *testing.T) {
	seen := map[string]string{}
	for _, p := range All() {
		if other, dup := seen[p.ID]; dup {
			t.Errorf("%s and %s share the ID %s", other, p.Name, p.ID)
		}
		seen[p.ID] = p.Name
	}
}

func TestDocumentsAreValidPolicies(t *testing.T) {
	for _, p := range All() {
		t.Run(p.Name, func(t *testing.T) {
			if strings.TrimSpace(p.Document) != p.Document {
				t.Errorf("document has leading or trailing space")
			}
			var doc struct {
				Version   string
				Statement json.RawMessage
			}
			if err := json.Unmarshal([]byte(p.Document), &doc); err != nil {
				t.Fatalf("document is not JSON: %v", err)
			}
			if doc.Version != "2012-10-17" {
				t.Errorf("Version = %q, want 2012-10-17", doc.Version)
			}
			if len(statements(t, p.Document)) == 0 {
				t.Errorf("document has no statement")
			}
		})
	}
}

// TestDocumentFilesMatchTable checks that documents/ holds one file per
// policy and nothing else, and that each policy's Document is its file.
func TestDocumentFilesMatchTable(t *testing.T) {
	entries, err := os.ReadDir("documents")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	var want []string
	for _, p := range All() {
		want = append(want, p.Name+".json")
		b, err := os.ReadFile(filepath.Join("documents", p.Name+".json"))
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		if got := strings.TrimSuffix(string(b), "\n"); got != p.Document {
			t.Errorf("%s: Document is not documents/%s.json", p.Name, p.Name)
		}
	}
	if !slices.Equal(files, want) {
		t.Errorf("documents/ holds %q, want %q", files, want)
	}
}

func TestAllIsSortedByName(t *testing.T) {
	all := All()
	if !slices.IsSortedFunc(all, func(a, b Policy) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("All() is not sorted by name: %v", names(all))
	}
}

func TestAllReturnsACopy(t *testing.T) {
	first := All()
	before := first[0]
	first[0].Document = "changed"
	first[0] = Policy{}
	if got := All()[0]; got != before {
		t.Errorf("changing All()'s result changed the catalog: got %+v", got)
	}
	if got, ok := Get(before.ARN()); !ok || got != before {
		t.Errorf("changing All()'s result changed Get: got %+v, %v", got, ok)
	}
}

func TestARNsAreUniqueAndWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range All() {
		arn := p.ARN()
		if want := "arn:aws:iam::aws:policy" + p.Path + p.Name; arn != want {
			t.Errorf("ARN() = %q, want %q", arn, want)
		}
		if seen[arn] {
			t.Errorf("ARN %s appears twice", arn)
		}
		seen[arn] = true
	}
}

func TestIndexRefusesDuplicateARNs(t *testing.T) {
	p := Policy{Name: "X", Path: "/"}
	defer func() {
		if recover() == nil {
			t.Errorf("index accepted two policies with one ARN")
		}
	}()
	index([]Policy{p, p})
}

func TestGetFindsEachPolicyByARN(t *testing.T) {
	for _, p := range All() {
		got, ok := Get(p.ARN())
		if !ok {
			t.Errorf("Get(%q) found nothing", p.ARN())
			continue
		}
		if got != p {
			t.Errorf("Get(%q) = %s, want %s", p.ARN(), got.Name, p.Name)
		}
	}
}

func TestGetFindsNothingElse(t *testing.T) {
	const admin = "arn:aws:iam::aws:policy/AdministratorAccess"
	if _, ok := Get(admin); !ok {
		t.Fatalf("Get(%q) found nothing; the cases below would pass vacuously", admin)
	}
	for _, tc := range []struct{ name, arn string }{
		{"empty", ""},
		{"name alone", "AdministratorAccess"},
		{"lower-case name", "arn:aws:iam::aws:policy/administratoraccess"},
		{"upper-case name", "arn:aws:iam::aws:policy/ADMINISTRATORACCESS"},
		{"upper-case prefix", "ARN:AWS:IAM::AWS:POLICY/AdministratorAccess"},
		{"account in place of aws", "arn:aws:iam::123456789012:policy/AdministratorAccess"},
		{"other partition", "arn:aws-cn:iam::aws:policy/AdministratorAccess"},
		{"wrong path", "arn:aws:iam::aws:policy/job-function/AdministratorAccess"},
		{"no slash", "arn:aws:iam::aws:policyAdministratorAccess"},
		{"trailing slash", admin + "/"},
		{"trailing space", admin + " "},
		{"leading space", " " + admin},
		{"prefix of a name", "arn:aws:iam::aws:policy/Administrator"},
		{"unknown policy", "arn:aws:iam::aws:policy/NoSuchPolicy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p, ok := Get(tc.arn); ok {
				t.Errorf("Get(%q) found %s", tc.arn, p.Name)
			}
		})
	}
}

// TestAdministratorAccessAllowsEverything checks the one document whose
// meaning everything else leans on: Allow, Action "*", Resource "*".
func TestAdministratorAccessAllowsEverything(t *testing.T) {
	p, ok := Get("arn:aws:iam::aws:policy/AdministratorAccess")
	if !ok {
		t.Fatal("AdministratorAccess is missing")
	}
	for _, s := range statements(t, p.Document) {
		var st struct {
			Effect, Condition      any
			Action, Resource       json.RawMessage
			NotAction, NotResource json.RawMessage
		}
		if err := json.Unmarshal(s, &st); err != nil {
			t.Fatal(err)
		}
		if st.Effect == "Allow" && st.Condition == nil && st.NotAction == nil && st.NotResource == nil &&
			slices.Contains(stringOrList(t, st.Action), "*") && slices.Contains(stringOrList(t, st.Resource), "*") {
			return
		}
	}
	t.Errorf("AdministratorAccess has no unconditional statement allowing \"*\" on \"*\":\n%s", p.Document)
}

// TestImports keeps awsmanaged pure data (STYLE.md, convention 1): its code
// imports only the standard library.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s, outside the standard library", file, p)
			}
		}
	}
}

// statements returns a document's statements; a lone statement object
// counts as a list of one, as IAM reads it.
func statements(t *testing.T, document string) []json.RawMessage {
	t.Helper()
	var doc struct{ Statement json.RawMessage }
	if err := json.Unmarshal([]byte(document), &doc); err != nil {
		t.Fatal(err)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(doc.Statement, &list); err == nil {
		return list
	}
	var one map[string]any
	if err := json.Unmarshal(doc.Statement, &one); err != nil {
		t.Fatalf("Statement is neither an object nor a list: %s", doc.Statement)
	}
	return []json.RawMessage{doc.Statement}
}

func stringOrList(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	if raw == nil {
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return []string{s}
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatalf("%s is neither a string nor a list of strings", raw)
	}
	return list
}

func names(ps []Policy) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}
