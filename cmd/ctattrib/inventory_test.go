package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctattrib/ctattrib/internal/fakeaws"
)

func TestInventoryImportAndList(t *testing.T) {
	a, out, errb := testApp(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	writeFile(t, good, `account_id,region,name,role_arn,lifecycle_config_name,created_at,deleted_at
111111111111,us-east-1,nb-one,arn:aws:iam::111111111111:role/service-role/DS,session-name,2024-05-01T08:00:00Z,
111111111111,us-east-1,nb-old,,,2024-01-01,2024-02-01
`)
	if code := executeDB(t, a, "inventory", "import", good); code != exitOK {
		t.Fatalf("import exit = %d; stderr:\n%s", code, errb)
	}
	if !strings.Contains(out.String(), "imported 2 notebook instances") {
		t.Errorf("import output:\n%s", out)
	}
	out.Reset()
	if code := executeDB(t, a, "inventory", "list"); code != exitOK {
		t.Fatalf("list exit = %d; stderr:\n%s", code, errb)
	}
	for _, want := range []string{"nb-one", "DS", "session-name", "2024-05-01T08:00:00Z", "nb-old", "2024-02-01T00:00:00Z", "csv"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("list output lacks %q:\n%s", want, out)
		}
	}

	bad := filepath.Join(dir, "bad.csv")
	writeFile(t, bad, `account_id,region,name,role_arn,lifecycle_config_name,created_at,deleted_at
11111111111,us-east-1,nb,,,,
111111111111,us-east-1,nb_bad,,,,
111111111111,us-east-1,nb-ok,,,,
111111111111,us-east-1,nb-t,,,yesterday,
111111111111,us-east-1,nb-r,arn:aws:iam::222222222222:role/X,,,
`)
	a2, _, errb2 := testApp(t)
	a2.DBPath = a.DBPath
	if code := executeDB(t, a2, "inventory", "import", bad); code != exitError {
		t.Fatalf("import bad exit = %d, want %d", code, exitError)
	}
	for _, want := range []string{"4 bad lines", "line 2: account_id", "line 3: name", "line 5: created_at", "line 6: role_arn"} {
		if !strings.Contains(errb2.String(), want) {
			t.Errorf("import bad stderr lacks %q:\n%s", want, errb2)
		}
	}
}

func TestInventorySync(t *testing.T) {
	fake := fakeaws.New(t)
	fake.Account = "444455556666"
	created := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	for _, name := range []string{"nb-a", "nb-b", "nb-c"} {
		fake.AddNotebook(fakeaws.Notebook{Name: name, RoleARN: "arn:aws:iam::444455556666:role/DS",
			LifecycleConfigName: "session-name", CreationTime: created})
	}
	a, out, errb := testApp(t)
	opts := inventorySyncOptions{Regions: []string{"us-east-1"}, AWS: awsFlags{EndpointURL: fake.URL}}
	if err := runInventorySync(t.Context(), a, opts); err != nil {
		t.Fatalf("runInventorySync: %v; stderr:\n%s", err, errb)
	}
	if got, want := out.String(), "444455556666 us-east-1: 3 notebook instances\n"; got != want {
		t.Errorf("sync output = %q, want %q", got, want)
	}
	out.Reset()
	if code := executeDB(t, a, "inventory", "list"); code != exitOK {
		t.Fatalf("list exit = %d; stderr:\n%s", code, errb)
	}
	if n := strings.Count(out.String(), " api\n"); n != 3 {
		t.Errorf("list shows %d api rows, want 3:\n%s", n, out)
	}
	if !strings.Contains(out.String(), "2024-05-01T08:00:00Z") {
		t.Errorf("list lacks the creation time:\n%s", out)
	}
}
