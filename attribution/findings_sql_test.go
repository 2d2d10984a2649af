package attribution

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctattrib/ctattrib/internal/golden"
)

// TestFindingsSQL golden-tests the rendered statements of Findings, in
// the order they run, so that a change to a shared pattern shows in every
// statement that uses it.
func TestFindingsSQL(t *testing.T) {
	var b strings.Builder
	for _, st := range findingsSteps {
		q, err := findingsSQL(st.file)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("-- " + st.file + "\n" + strings.TrimSpace(q) + ";\n\n")
	}
	golden.Check(t, filepath.Join("testdata", "findings_sql.golden"), []byte(b.String()))
}
