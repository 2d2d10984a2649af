package lifecycle

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/ctattrib/ctattrib/internal/golden"
)

const sageMakerTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestMergeTrust(t *testing.T) {
	self, err := SelfTrustStatement(testRole)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		doc         string
		stmt        Statement
		wantChanged bool
	}{
		{"adds self trust", sageMakerTrust, self, true},
		{"single statement object", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}}`, self, true},
		{"already granted by a list", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","` + testRole + `"]},"Action":["sts:AssumeRole","sts:TagSession"]}]}`, self, false},
		{"already granted by sts:*", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + testRole + `"},"Action":"sts:*"}]}`, self, false},
		{"conditional grant does not count", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + testRole + `"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`, self, true},
		{"our earlier statement is replaced", `{"Version":"2012-10-17","Statement":[{"Sid":"CtattribSelfAssume","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Old"},"Action":"sts:AssumeRole"}]}`, self, true},
		{"our statement, unchanged", `{"Version":"2012-10-17","Statement":[{"Sid":"CtattribSelfAssume","Effect":"Allow","Principal":{"AWS":"` + testRole + `"},"Action":"sts:AssumeRole"}]}`, self, false},
		{"studio source identity", sageMakerTrust, StudioTrustStatement(), true},
		{"studio already allowed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`, StudioTrustStatement(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed, err := MergeTrust([]byte(tt.doc), tt.stmt)
			if err != nil {
				t.Fatal(err)
			}
			if changed != tt.wantChanged {
				t.Errorf("MergeTrust changed = %v, want %v\n%s", changed, tt.wantChanged, got)
			}
			var doc Policy
			if err := json.Unmarshal(got, &doc); err != nil {
				t.Fatalf("merged document is not a policy: %v\n%s", err, got)
			}
			if ok, _ := trustGrants(got, tt.stmt); !ok {
				t.Errorf("merged document does not grant the statement:\n%s", got)
			}
			again, changedAgain, err := MergeTrust(got, tt.stmt)
			if err != nil || changedAgain || string(again) != string(got) {
				t.Errorf("merging twice changed the document again (%v, %v):\n%s", changedAgain, err, again)
			}
		})
	}
	if _, _, err := MergeTrust([]byte("not json"), self); err == nil {
		t.Errorf("MergeTrust(not json) = nil error")
	}
}

func TestPolicyGolden(t *testing.T) {
	self, _ := SelfTrustStatement(testRole)
	merged, _, err := MergeTrust([]byte(sageMakerTrust), self)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "trust-merged.json.golden"), merged)
	for _, generic := range []bool{false, true} {
		p, err := IdentityPolicy(testRole, generic)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := json.MarshalIndent(p, "", "  ")
		name := "identity-policy.json.golden"
		if generic {
			name = "identity-policy-generic.json.golden"
		}
		golden.Check(t, filepath.Join("testdata", name), append(out, '\n'))
	}
	if _, err := IdentityPolicy("arn:aws:iam::1:role/x", false); err == nil {
		t.Errorf("IdentityPolicy accepted a bad ARN")
	}
}
