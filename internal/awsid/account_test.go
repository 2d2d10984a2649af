package awsid

import (
	"strings"
	"testing"
)

func TestIsAccount(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"111122223333", true},
		{"000000000000", true},
		{"11112222333", false},
		{"1111222233334", false},
		{"12948575929274", false}, // anonymised sample
		{"xxx", false},
		{"", false},
		{"11112222333a", false},
		{"111122223333\n", false},
	}
	for _, tt := range tests {
		if got := IsAccount(tt.in); got != tt.want {
			t.Errorf("IsAccount(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestIsAccessKeyID(t *testing.T) {
	tests := []struct {
		in              string
		want, temporary bool
	}{
		{"AKIAIOSFODNN7EXAMPLE", true, false},
		{"ASIAIOSFODNN7EXAMPLE", true, true},
		{"ASIAFAKEINSTANCE", true, true}, // 16, the shortest IAM allows
		{"ASIA" + strings.Repeat("Z", 124), true, true},
		{"ASIA" + strings.Repeat("Z", 125), false, false},
		{"ASIAFAKEINSTANC", false, false},
		{"asiaiosfodnn7example", false, false},
		{"AROAIOSFODNN7EXAMPLE", false, false}, // a role's unique id, not a key
		{"AIDAIOSFODNN7EXAMPLE", false, false}, // a user's unique id
		// Placeholders of redacted and sample logs.
		{"REDACTED", false, false},
		{"SAMPLE_ACCESS_KEY", false, false},
		{"HIDDEN_DUE_TO_SECURITY_REASONS", false, false},
		{"EXAMPLEACCESSKEYID", false, false},
		{"ASIA-MOCKACCESSKEYID-1", false, false},
		{"1111", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		if got := IsAccessKeyID(tt.in); got != tt.want {
			t.Errorf("IsAccessKeyID(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if got := IsTemporaryAccessKeyID(tt.in); got != tt.temporary {
			t.Errorf("IsTemporaryAccessKeyID(%q) = %v, want %v", tt.in, got, tt.temporary)
		}
	}
}
