package awsid

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
)

// readLines returns the lines of a testdata file, without blank lines and
// # comments.
func readLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestRealRegions: every region AWS lists is a region, in its partition.
func TestRealRegions(t *testing.T) {
	for _, l := range readLines(t, "testdata/regions.txt") {
		region, want, _ := strings.Cut(l, " ")
		t.Run(region, func(t *testing.T) {
			if !IsRegion(region) {
				t.Errorf("IsRegion(%q) = false, want true", region)
			}
			if got, ok := PartitionOfRegion(region); !ok || got != want {
				t.Errorf("PartitionOfRegion(%q) = %q, %v, want %q, true", region, got, ok, want)
			}
		})
	}
}

func TestNotRegions(t *testing.T) {
	for _, s := range append(readLines(t, "testdata/not-regions.txt"), "", "us-east-1\n", "us-east-1;id", " us-east-1") {
		t.Run(s, func(t *testing.T) {
			if IsRegion(s) {
				t.Errorf("IsRegion(%q) = true, want false", s)
			}
			if p, ok := PartitionOfRegion(s); ok {
				t.Errorf("PartitionOfRegion(%q) = %q, true, want false", s, p)
			}
		})
	}
}

// alternatives returns the alternatives of the first group of a pattern.
func alternatives(p string) []string {
	p = p[strings.IndexByte(p, '(')+1:]
	return strings.Split(p[:strings.IndexByte(p, ')')], "|")
}

// TestPartitionsTable: the patterns name exactly the partitions and
// region prefixes of Partitions.
func TestPartitionsTable(t *testing.T) {
	var ids, prefixes []string
	for _, p := range Partitions {
		if !IsPartition(p.ID) {
			t.Errorf("IsPartition(%q) = false", p.ID)
		}
		ids = append(ids, p.ID)
		for _, prefix := range p.RegionPrefixes {
			prefixes = append(prefixes, prefix)
			if got, ok := PartitionOfRegion(prefix + "-east-1"); !ok || got != p.ID {
				t.Errorf("PartitionOfRegion(%q) = %q, %v, want %q", prefix+"-east-1", got, ok, p.ID)
			}
		}
	}
	for _, c := range []struct {
		pattern string
		want    []string
	}{{PartitionPattern, ids}, {RegionPattern, prefixes}} {
		got := alternatives(c.pattern)
		slices.Sort(got)
		slices.Sort(c.want)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s names %q, Partitions %q", c.pattern, got, c.want)
		}
	}
	for _, s := range []string{"aws", "aws-cn", "aws-us-gov", "aws-iso-f", "aws-eusc"} {
		if !IsPartition(s) {
			t.Errorf("IsPartition(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"", "AWS", "aws-", "aws-foo", "aws-iso-x", "aws-cn ", "aws|aws-cn"} {
		if IsPartition(s) {
			t.Errorf("IsPartition(%q) = true, want false", s)
		}
	}
}

// FuzzPartitionOfRegion: a region has a partition exactly when it is a
// region, and the partition is a known one whose prefix starts the region.
func FuzzPartitionOfRegion(f *testing.F) {
	for _, l := range readLines(f, "testdata/regions.txt") {
		region, _, _ := strings.Cut(l, " ")
		f.Add(region)
	}
	for _, l := range readLines(f, "testdata/not-regions.txt") {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := PartitionOfRegion(s)
		if ok != IsRegion(s) {
			t.Fatalf("PartitionOfRegion(%q) ok = %v, IsRegion = %v", s, ok, IsRegion(s))
		}
		if !ok {
			return
		}
		i := slices.IndexFunc(Partitions, func(q Partition) bool { return q.ID == p })
		if i < 0 || !slices.ContainsFunc(Partitions[i].RegionPrefixes, func(prefix string) bool { return strings.HasPrefix(s, prefix+"-") }) {
			t.Fatalf("PartitionOfRegion(%q) = %q, whose prefixes do not start it", s, p)
		}
		if strings.ContainsAny(s, "'\"`$;&|<>\\ \t\n(){}") {
			t.Fatalf("IsRegion(%q) accepted a shell metacharacter", s)
		}
	})
}
