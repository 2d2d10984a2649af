package lifecycle

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/internal/fakeaws"
	"github.com/ctattrib/ctattrib/internal/golden"
)

func TestStudio(t *testing.T) {
	srv := fakeaws.New(t)
	srv.AddRole(fakeaws.Role{Name: "StudioRole", TrustPolicy: sageMakerTrust})
	srv.AddDomain(fakeaws.Domain{ID: "d-abc123", ExecutionRole: srv.RoleARN("/", "StudioRole")})
	sm, ic := testClients(srv)

	plan, err := NewStudioPlan(t.Context(), sm, ic, "d-abc123", true)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := plan.Write(&buf); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "studio-plan.golden"), buf.Bytes())
	if err := plan.Apply(t.Context(), sm, ic); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"IAM.UpdateAssumeRolePolicy", "SageMaker.UpdateDomain"}, srv.Mutations()); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	d, _ := srv.Domain("d-abc123")
	if d.ExecutionRoleIdentityConfig != StudioIdentity {
		t.Errorf("domain identity config = %s, want %s", d.ExecutionRoleIdentityConfig, StudioIdentity)
	}
	role, _ := srv.Role("StudioRole")
	if ok, _ := trustGrants([]byte(role.TrustPolicy), StudioTrustStatement()); !ok {
		t.Errorf("trust policy lacks sts:SetSourceIdentity:\n%s", role.TrustPolicy)
	}

	srv.ResetCalls()
	again, err := NewStudioPlan(t.Context(), sm, ic, "d-abc123", true)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Apply(t.Context(), sm, ic); err != nil {
		t.Fatal(err)
	}
	if m := srv.Mutations(); len(m) != 0 || again.Changes() != 0 {
		t.Errorf("second run: %d planned changes, made %v", again.Changes(), m)
	}
}
