package sqlstore

import (
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/pgtest"
)

// TestResetCoversSchema: every table of either schema is one Reset
// empties or one it keeps on purpose (untouchedByReset), so that a table
// added later cannot keep a reset store's rows unnoticed.
func TestResetCoversSchema(t *testing.T) {
	var handled []string
	for _, stmt := range resetStatements {
		table, _, _ := strings.Cut(strings.TrimPrefix(stmt, "DELETE FROM "), " ")
		handled = append(handled, table)
	}
	handled = append(handled, untouchedByReset...)
	for name, c := range map[string]struct {
		open  func(t *testing.T) (*Store, error)
		query string
	}{
		"sqlite": {func(t *testing.T) (*Store, error) { return OpenSQLite(t.Context(), t.TempDir()) },
			`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`},
		"postgres": {func(t *testing.T) (*Store, error) { return OpenPostgres(t.Context(), pgtest.Database(t)) },
			`SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := c.open(t)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			rows, err := s.read.QueryContext(t.Context(), c.query)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var table string
				if err := rows.Scan(&table); err != nil {
					t.Fatal(err)
				}
				n++
				if !slices.Contains(handled, table) {
					t.Errorf("table %s is neither emptied by Reset (resetStatements) nor kept on purpose (untouchedByReset)", table)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n < len(handled) {
				t.Errorf("the schema has %d tables, fewer than the %d Reset names: the query reads it wrongly", n, len(handled))
			}
		})
	}
}
