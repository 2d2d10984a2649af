package attribution_test

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFindingsSamples checks the findings on the public captures in
// ../../shared/cloudtrail-samples against what an analyst concludes: the
// OTRF EC2 instance credentials, used from 1.2.3.4 (IAM user pedro's
// console address) by a macOS CLI, and Stratus Red Team's
// ec2-steal-instance-credentials, used from the address IAM user
// christophe ran the attack from, are off-compute findings on every call
// made with the stolen keys. Nothing else is a finding: the samples that
// share AWS's documentation key ASIAIOSFODNN7EXAMPLE across unrelated
// principals are not one session used from many places.
func TestFindingsSamples(t *testing.T) {
	db := samplesDB(t)

	got := queryLines(t, db, `SELECT concat_ws(' ', kind, severity, actor_kind, actor, access_key_id, events,
		array_to_string(source_ips, ','))
		FROM findings ORDER BY ALL`)
	want := []string{
		"credentials-used-off-compute high ec2-instance i-0317f6c6b66ae9c40 ASIA5FLZVX4OPVKKVBMX 11 1.2.3.4",
		"credentials-used-off-compute high ec2-instance i-786a3A8B5C0d92eF4 ASIAP5CT9NN8EYVU1FXV 2 18.236.253.47",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings mismatch (-want +got):\n%s", diff)
	}

	// Every call made with the stolen keys, and no other, is marked.
	marked := queryLines(t, db, `SELECT concat_ws(' ', e.access_key_id, count(*)) FROM attributions a
		JOIN events e USING (event_id) WHERE a.finding = 'credentials-used-off-compute'
		GROUP BY e.access_key_id ORDER BY 1`)
	if diff := cmp.Diff([]string{"ASIA5FLZVX4OPVKKVBMX 11", "ASIAP5CT9NN8EYVU1FXV 2"}, marked); diff != "" {
		t.Errorf("attributions.finding mismatch (-want +got):\n%s", diff)
	}
	var other int64
	if err := db.SQL.QueryRowContext(t.Context(), `SELECT count(*) FROM attributions
		WHERE finding IS NOT NULL AND finding <> 'credentials-used-off-compute'`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if other != 0 {
		t.Errorf("%d events carry another finding, want none", other)
	}
}

// TestFindingsShipped checks the findings on the fixtures shipped with
// the project: none on the demo corpus (notebooks, Studio, EC2, Lambda,
// ECS, people, KMS calls S3 makes on a session's behalf, S3 calls through
// a VPC endpoint), and on the attribution scenario only its one call made
// with an EC2 instance's key from the admin's address (event
// a-22-ec2-linked-from-admin-ip), which classify used to note.
func TestFindingsShipped(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		want []string
	}{
		{filepath.Join("..", "testdata", "demo"), nil},
		{filepath.Join("..", "testdata", "scenario"), []string{"a-22-ec2-linked-from-admin-ip credentials-used-off-compute ec2-instance i-0abc1234def567890"}},
	} {
		t.Run(filepath.Base(tc.dir), func(t *testing.T) {
			db := openDB(t)
			load(t, db, tc.dir)
			attribute(t, db, true)
			got := queryLines(t, db, `SELECT concat_ws(' ', event_id, finding, actor_kind, actor) FROM attributions
				WHERE finding IS NOT NULL ORDER BY 1`)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("calls with findings on %s (-want +got):\n%s", tc.dir, diff)
			}
			var findings int
			if err := db.SQL.QueryRowContext(t.Context(), `SELECT count(*) FROM findings`).Scan(&findings); err != nil {
				t.Fatal(err)
			}
			if findings != len(tc.want) {
				t.Errorf("%d findings on %s, want %d", findings, tc.dir, len(tc.want))
			}
		})
	}
}
