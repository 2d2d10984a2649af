package attribution

import (
	"strings"
	"testing"

	"github.com/ctattrib/ctattrib/internal/awsid"
)

func TestClassifySession(t *testing.T) {
	tests := []struct {
		name string
		want SessionClass
	}{
		{"SageMaker", SessionSageMakerDefault},
		{"sagemaker", SessionOther},
		{"i-0317f6c6b66ae9c40", SessionEC2Instance},
		{"i-786a3A8B5C0d92eF4", SessionEC2Instance}, // Stratus' anonymised mixed case
		{"i-1234abcd", SessionEC2Instance},
		{"i-1234abc", SessionOther},
		{"i-0317f6c6b66ae9c40x", SessionOther},
		{"0123456789abcdef0123456789abcdef", SessionECSTask},
		{"0123456789ABCDEF0123456789ABCDEF", SessionOther},
		{"0123456789abcdef0123456789abcde", SessionOther},
		{"botocore-session-1714554000", SessionBotocoreDefault},
		{"botocore-session-", SessionOther},
		{"aws-go-sdk-1722455550269043000", SessionSDKDefault},
		{"aws-sdk-java-1714554000123", SessionSDKDefault},
		{"aws-sdk-js-session-1714554000123", SessionSDKDefault},
		{"dave@example.com", SessionEmail},
		{"firstname.lastname@example.com", SessionEmail},
		{"nb-alice", SessionOther},
		{"process-orders", SessionOther},
		{"", SessionInvalid},
		{"x", SessionInvalid},
		{"has space", SessionInvalid},
		{"a/b", SessionInvalid},
		{strings.Repeat("a", 65), SessionInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classifySession(tt.name); got != tt.want {
				t.Errorf("classifySession(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestIsSSORole(t *testing.T) {
	tests := []struct {
		role string
		want bool
	}{
		{"AWSReservedSSO_AdministratorAccess_0123456789abcdef", true},
		{"AWSReservedSSO_DataScientist_a1b2", true},
		{"AWSReservedSSO_", false},
		{"AWSReservedSSOrandoml3I7nL6f7BmB@gmail.com", false}, // Stratus' anonymiser ate the separator
		{"awsreservedsso_Admin_1", false},
		{"MyAWSReservedSSO_Admin", false},
	}
	for _, tt := range tests {
		if got := IsSSORole(tt.role); got != tt.want {
			t.Errorf("IsSSORole(%q) = %v, want %v", tt.role, got, tt.want)
		}
	}
}

func TestRoleNameFromARN(t *testing.T) {
	tests := []struct{ arn, role, account string }{
		{"arn:aws:iam::111111111111:role/service-role/AmazonSageMaker-ExecutionRole-DS", "AmazonSageMaker-ExecutionRole-DS", "111111111111"},
		{"arn:aws-us-gov:iam::333333333333:role/GovSageMakerRole", "GovSageMakerRole", "333333333333"},
		{"arn:aws-cn:iam::123456789012:role/a/b/c/R", "R", "123456789012"},
		{"arn:aws:iam::111111111111:user/admin", "", "111111111111"},
		{"arn:aws:iam::1:role/R", "", "1"},                                   // not an account
		{"arn:aws-foo:iam::111111111111:role/R", "", "111111111111"},         // not a partition
		{"arn:aws:iam::111111111111:role/R x", "", "111111111111"},           // not a role name
		{"arn:aws:iam::111111111111:role/service-role/", "", "111111111111"}, // no name
		{"role/R", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := RoleNameFromARN(tt.arn); got != tt.role {
			t.Errorf("RoleNameFromARN(%q) = %q, want %q", tt.arn, got, tt.role)
		}
		if got := AccountFromARN(tt.arn); got != tt.account {
			t.Errorf("AccountFromARN(%q) = %q, want %q", tt.arn, got, tt.account)
		}
	}
}

// FuzzClassifySession checks that classification never panics, that only
// names STS accepts get a class other than invalid, and that the classes
// agree with the patterns the SQL uses.
func FuzzClassifySession(f *testing.F) {
	for _, s := range []string{"SageMaker", "i-786a3A8B5C0d92eF4", "0123456789abcdef0123456789abcdef",
		"botocore-session-1", "aws-go-sdk-1", "a@b.c", "nb-alice", "", "é", "i-0317f6c6b66ae9c40"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		c := classifySession(name)
		valid := awsid.IsSessionName(name)
		if (c == SessionInvalid) == valid {
			t.Fatalf("classifySession(%q) = %v, but valid name = %v", name, c, valid)
		}
		if c == SessionEC2Instance && !awsid.IsEC2InstanceID(name) {
			t.Fatalf("classifySession(%q) = %v without matching the EC2 pattern", name, c)
		}
		if c == SessionEC2Instance && !strings.HasPrefix(name, "i-") {
			t.Fatalf("classifySession(%q) = %v for a name not starting with i-", name, c)
		}
		if c == SessionECSTask && len(name) != 32 {
			t.Fatalf("classifySession(%q) = %v for a name of %d bytes", name, c, len(name))
		}
		if r := RoleNameFromARN(name); strings.Contains(r, "/") {
			t.Fatalf("RoleNameFromARN(%q) = %q contains '/'", name, r)
		}
	})
}
