package awsid

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
)

// sha8 is the first 8 hex digits of s's SHA-256.
func sha8(s string) string { return fmt.Sprintf("%x", sha256.Sum256([]byte(s)))[:8] }

var hyperPodClusterTests = []struct {
	name  string
	valid bool
}{
	{"ml-cluster", true},
	{"a", true},
	{"A1--b2", true},
	{strings.Repeat("c", 63), true},
	{strings.Repeat("c", 64), false},
	{"", false},
	{"-lead", false},
	{"trail-", false},
	{"has.dot", false},
	{"has_underscore", false},
	{"naïve", false},
}

func TestIsHyperPodClusterName(t *testing.T) {
	for _, tt := range hyperPodClusterTests {
		if got := IsHyperPodClusterName(tt.name); got != tt.valid {
			t.Errorf("IsHyperPodClusterName(%q) = %v, want %v", tt.name, got, tt.valid)
		}
	}
}

// long35 fits exactly; long36 is one character too long and is truncated.
var (
	long35 = "team-a-llm-pretraining-cluster-0001"
	long36 = "team-a-llm-pretraining-cluster-00012"
	long63 = "research-" + strings.Repeat("x", 50) + "-end"
)

var hyperPodSessionTests = []struct {
	cluster, instance string
	want              string // "" when HyperPodSessionName refuses
	truncated         bool
}{
	{"ml-cluster", "i-0123456789abcdef0", "hyperpod.ml-cluster.i-0123456789abcdef0", false},
	{"ml-cluster", "i-1234abcd", "hyperpod.ml-cluster.i-1234abcd", false},
	{long35, "i-0123456789abcdef0", "hyperpod." + long35 + ".i-0123456789abcdef0", false},
	{long36, "i-0123456789abcdef0", "hyperpod.team-a-llm-pretraining-clu=" + sha8(long36) + ".i-0123456789abcdef0", true},
	{long63, "i-0123456789abcdef0", "hyperpod.research-xxxxxxxxxxxxxxxxx=" + sha8(long63) + ".i-0123456789abcdef0", true},
	{"ml-cluster", "i-123", "", false},
	{"ml-cluster", "i-0123456789abcdef0; reboot", "", false},
	{"bad.name", "i-0123456789abcdef0", "", false},
	{"", "i-0123456789abcdef0", "", false},
	{strings.Repeat("c", 64), "i-0123456789abcdef0", "", false},
}

func TestHyperPodSessionName(t *testing.T) {
	for _, tt := range hyperPodSessionTests {
		t.Run(tt.cluster+"/"+tt.instance, func(t *testing.T) {
			got, ok := HyperPodSessionName(tt.cluster, tt.instance)
			if got != tt.want || ok != (tt.want != "") {
				t.Fatalf("HyperPodSessionName(%q, %q) = %q, %v, want %q", tt.cluster, tt.instance, got, ok, tt.want)
			}
			if !ok {
				return
			}
			if !IsSessionName(got) {
				t.Errorf("HyperPodSessionName(%q, %q) = %q, which STS refuses", tt.cluster, tt.instance, got)
			}
			s, ok := ParseHyperPodSessionName(got)
			if !ok || s.InstanceID != tt.instance || !s.IsCluster(tt.cluster) || s.Truncated() != tt.truncated || s.String() != got {
				t.Errorf("ParseHyperPodSessionName(%q) = %+v, %v (truncated %v); want instance %s of cluster %s, truncated %v",
					got, s, ok, s.Truncated(), tt.instance, tt.cluster, tt.truncated)
			}
		})
	}
}

func TestHyperPodClusterPartUnique(t *testing.T) {
	// Names that share their first 26 characters stay apart.
	a, b := long36, long36[:35]+"3"
	if HyperPodClusterPart(a) == HyperPodClusterPart(b) {
		t.Errorf("HyperPodClusterPart(%q) = HyperPodClusterPart(%q) = %q", a, b, HyperPodClusterPart(a))
	}
	s, _ := ParseHyperPodSessionName("hyperpod." + HyperPodClusterPart(a) + ".i-1234abcd")
	if s.IsCluster(b) {
		t.Errorf("session of %q matches cluster %q", a, b)
	}
}

func TestParseHyperPodSessionName(t *testing.T) {
	tests := []struct {
		name    string
		ok      bool
		cluster string
	}{
		{"hyperpod.ml-cluster.i-0123456789abcdef0", true, "ml-cluster"},
		{"hyperpod.ML1.i-786A3A8B5C0D92EF4", true, "ML1"},
		{"hyperpod.abcdefghijklmnopqrstuvwxyz=0123abcd.i-1234abcd", true, "abcdefghijklmnopqrstuvwxyz=0123abcd"},
		{"hyperpod.ml-cluster.i-123", false, ""},
		{"hyperpod..i-1234abcd", false, ""},
		{"hyperpod.-x.i-1234abcd", false, ""},
		{"hyperpod.ml.cluster.i-1234abcd", false, ""},
		{"hyperpod.short=0123abcd.i-1234abcd", false, ""},
		{"hyperpod." + strings.Repeat("a", 36) + ".i-1234abcd", false, ""},
		{"HyperPod.ml-cluster.i-1234abcd", false, ""},
		{"ml-cluster.i-1234abcd", false, ""},
		{"i-1234abcd", false, ""},
		{"SageMaker", false, ""},
	}
	for _, tt := range tests {
		s, ok := ParseHyperPodSessionName(tt.name)
		if ok != tt.ok || s.ClusterPart != tt.cluster {
			t.Errorf("ParseHyperPodSessionName(%q) = %+v, %v, want cluster part %q, %v", tt.name, s, ok, tt.cluster, tt.ok)
		}
	}
}

// hyperPodSessionInputs are the names the pattern tests try the HyperPod
// patterns on.
func hyperPodSessionInputs() []string {
	var out []string
	for _, tt := range hyperPodSessionTests {
		if s, ok := HyperPodSessionName(tt.cluster, tt.instance); ok {
			out = append(out, s)
		}
		out = append(out, "hyperpod."+tt.cluster+"."+tt.instance)
	}
	return append(out, "hyperpod.short=0123abcd.i-1234abcd", "hyperpod.ml.cluster.i-1234abcd", "SageMaker")
}

func hyperPodClusterInputs() []string {
	var out []string
	for _, tt := range hyperPodClusterTests {
		out = append(out, tt.name)
	}
	return out
}

// FuzzHyperPodSessionName: every valid cluster name and instance id give a
// session name STS accepts, which parses back to them.
func FuzzHyperPodSessionName(f *testing.F) {
	for _, tt := range hyperPodSessionTests {
		f.Add(tt.cluster, tt.instance)
	}
	f.Fuzz(func(t *testing.T, cluster, instance string) {
		name, ok := HyperPodSessionName(cluster, instance)
		if ok != (IsHyperPodClusterName(cluster) && IsEC2InstanceID(instance)) {
			t.Fatalf("HyperPodSessionName(%q, %q) ok = %v", cluster, instance, ok)
		}
		if !ok {
			return
		}
		if !IsSessionName(name) {
			t.Fatalf("HyperPodSessionName(%q, %q) = %q, which STS refuses", cluster, instance, name)
		}
		s, ok := ParseHyperPodSessionName(name)
		if !ok || s.InstanceID != instance || !s.IsCluster(cluster) || s.Truncated() != (len(cluster) > 35) {
			t.Fatalf("ParseHyperPodSessionName(%q) = %+v, %v; built from %q, %q", name, s, ok, cluster, instance)
		}
		if !s.Truncated() && s.ClusterPart != cluster {
			t.Fatalf("ParseHyperPodSessionName(%q).ClusterPart = %q, want %q", name, s.ClusterPart, cluster)
		}
	})
}

// FuzzParseHyperPodSessionName: what parses rebuilds the input and is a
// session name STS accepts.
func FuzzParseHyperPodSessionName(f *testing.F) {
	for _, s := range hyperPodSessionInputs() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		s, ok := ParseHyperPodSessionName(name)
		if !ok {
			return
		}
		if s.String() != name || !IsSessionName(name) || !IsEC2InstanceID(s.InstanceID) {
			t.Fatalf("ParseHyperPodSessionName(%q) = %+v", name, s)
		}
		if !s.Truncated() && IsHyperPodClusterName(s.ClusterPart) {
			if again, _ := HyperPodSessionName(s.ClusterPart, s.InstanceID); again != name {
				t.Fatalf("HyperPodSessionName(%q, %q) = %q, want %q", s.ClusterPart, s.InstanceID, again, name)
			}
		}
	})
}
