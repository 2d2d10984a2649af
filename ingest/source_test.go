package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
)

// newSourceFunc makes a source holding files (key relative to the
// source's root -> content). Implementations put decoy objects next to
// the root, where the source must not see them.
type newSourceFunc func(t *testing.T, files map[string][]byte) Source

// cloudTrailTree is a small tree in CloudTrail's layout: an organization
// trail, an account trail, digest files and an object outside the layout.
// "CloudTrail-Digest/" sorts before "CloudTrail/" in key order ('-' <
// '/'), which a walk that visits folder names in order gets wrong.
func cloudTrailTree() map[string][]byte {
	keys := []string{
		"AWSLogs/o-abc123defg/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_20261101T0005Z_aaaa.json.gz",
		"AWSLogs/o-abc123defg/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_20261101T0010Z_bbbb.json.gz",
		"AWSLogs/o-abc123defg/111122223333/CloudTrail/us-east-1/2026/11/02/111122223333_CloudTrail_us-east-1_20261102T0005Z_cccc.json.gz",
		"AWSLogs/o-abc123defg/444455556666/CloudTrail/eu-west-1/2026/11/01/444455556666_CloudTrail_eu-west-1_20261101T0005Z_dddd.json.gz",
		"AWSLogs/o-abc123defg/111122223333/CloudTrail-Digest/us-east-1/2026/11/01/111122223333_CloudTrail-Digest_us-east-1_org_us-east-1_20261101T010000Z.json.gz",
		"AWSLogs/777788889999/CloudTrail/us-east-1/2026/11/01/777788889999_CloudTrail_us-east-1_20261101T0005Z_eeee.json.gz",
		"AWSLogs/777788889999/CloudTrail/us-east-1/2026/11/10/777788889999_CloudTrail_us-east-1_20261110T0005Z_ffff.json.gz",
		"AWSLogs/777788889999/CloudTrail-Digest/us-east-1/2026/11/01/777788889999_CloudTrail-Digest_us-east-1_trail_us-east-1_20261101T010000Z.json.gz",
		"AWSLogs/777788889999/CloudTrail-Insight/us-east-1/2026/11/01/777788889999_CloudTrail-Insight_us-east-1_20261101T0005Z_gggg.json.gz",
		"AWSLogs/777788889999/empty.json.gz",
		"README.txt",
	}
	files := make(map[string][]byte, len(keys))
	for _, k := range keys {
		files[k] = []byte("content of " + k)
	}
	files["AWSLogs/777788889999/empty.json.gz"] = nil
	return files
}

// manyObjectsTree is more than one ListObjectsV2 page (1000 keys) of log
// files in one day folder, plus a few sub-folders next to them.
func manyObjectsTree() map[string][]byte {
	files := map[string][]byte{}
	const day = "AWSLogs/o-abc123defg/111122223333/CloudTrail/us-east-1/2026/11/01/"
	for i := range 1100 {
		files[fmt.Sprintf("%s111122223333_CloudTrail_us-east-1_20261101T%04dZ_%04x.json.gz", day, i, i)] = fmt.Appendf(nil, "object %d", i)
	}
	for _, d := range []string{"a", "b", "z"} {
		files[day+d+"/x.json.gz"] = []byte(d)
	}
	return files
}

// sortedKeys returns the keys of files in S3's key order (bytewise).
func sortedKeys(files map[string][]byte) []string {
	return slices.Sorted(maps.Keys(files))
}

// listKeys lists src under prefix and returns the keys in the order given.
func listKeys(t *testing.T, src Source, prefix string) []string {
	t.Helper()
	var keys []string
	err := src.List(t.Context(), prefix, func(o Object) error {
		keys = append(keys, o.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q) = %v", prefix, err)
	}
	return keys
}

// wantListDirs computes what ListDirs(prefix) should return for keys.
func wantListDirs(keys []string, prefix string) (dirs, objs []string) {
	for _, k := range keys {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			if d := prefix + rest[:i+1]; !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
			continue
		}
		objs = append(objs, k)
	}
	slices.Sort(dirs)
	return dirs, objs
}

// testSource is the conformance suite every Source passes.
func testSource(t *testing.T, newSource newSourceFunc) {
	t.Run("List", func(t *testing.T) {
		files := cloudTrailTree()
		src := newSource(t, files)
		var got []Object
		err := src.List(t.Context(), "", func(o Object) error {
			got = append(got, o)
			return nil
		})
		if err != nil {
			t.Fatalf("List = %v", err)
		}
		var keys []string
		for _, o := range got {
			keys = append(keys, o.Key)
			if o.Size != int64(len(files[o.Key])) {
				t.Errorf("List: %s Size = %d, want %d", o.Key, o.Size, len(files[o.Key]))
			}
			if o.ETag == "" || strings.Contains(o.ETag, `"`) {
				t.Errorf("List: %s ETag = %q, want a value without quotes", o.Key, o.ETag)
			}
			if o.LastModified.IsZero() {
				t.Errorf("List: %s LastModified is zero", o.Key)
			}
			if !strings.HasSuffix(filepath.ToSlash(o.URI), "/"+o.Key) {
				t.Errorf("List: %s URI = %q, want it to end in the key", o.Key, o.URI)
			}
		}
		if diff := cmp.Diff(sortedKeys(files), keys); diff != "" {
			t.Errorf("List keys mismatch, want all in key order (-want +got):\n%s", diff)
		}
	})

	t.Run("ListPrefix", func(t *testing.T) {
		files := cloudTrailTree()
		src := newSource(t, files)
		for _, prefix := range []string{
			"AWSLogs/",
			"AWSLogs/777788889999/",
			"AWSLogs/777788889999/CloudTrail",                     // also CloudTrail-Digest and -Insight
			"AWSLogs/777788889999/CloudTrail/",                    // only CloudTrail
			"AWSLogs/777788889999/CloudTrail/us-east-1/2026/11/1", // part of a folder name
			"AWSLogs/o-abc123defg/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_20261101T0010Z_bbbb.json.gz", // a whole key
			"AWSLogs/o-abc123defg/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_2026110",                     // part of a file name
			"READ",
			"nothing/",
			"AWSLogs/nothing",
		} {
			var want []string
			for _, k := range sortedKeys(files) {
				if strings.HasPrefix(k, prefix) {
					want = append(want, k)
				}
			}
			if diff := cmp.Diff(want, listKeys(t, src, prefix)); diff != "" {
				t.Errorf("List(%q) keys mismatch (-want +got):\n%s", prefix, diff)
			}
		}
	})

	t.Run("ListStopsAtError", func(t *testing.T) {
		src := newSource(t, cloudTrailTree())
		errStop := errors.New("stop")
		calls := 0
		err := src.List(t.Context(), "", func(Object) error {
			calls++
			if calls == 3 {
				return errStop
			}
			return nil
		})
		if !errors.Is(err, errStop) || calls != 3 {
			t.Errorf("List with fn failing at the 3rd object = %v after %d calls, want %v after 3", err, calls, errStop)
		}
	})

	t.Run("ListDirs", func(t *testing.T) {
		files := cloudTrailTree()
		src := newSource(t, files)
		for _, prefix := range []string{
			"",
			"AWSLogs/",
			"AWSLogs/777788889999/", // folders and a file
			"AWSLogs/o-abc123defg/111122223333/CloudTrail/us-east-1/2026/11/01/",
			"nothing/",
		} {
			wantDirs, wantObjs := wantListDirs(sortedKeys(files), prefix)
			dirs, objs, err := src.ListDirs(t.Context(), prefix)
			if err != nil {
				t.Fatalf("ListDirs(%q) = %v", prefix, err)
			}
			if diff := cmp.Diff(wantDirs, dirs); diff != "" {
				t.Errorf("ListDirs(%q) dirs mismatch (-want +got):\n%s", prefix, diff)
			}
			var keys []string
			for _, o := range objs {
				keys = append(keys, o.Key)
				if o.Size != int64(len(files[o.Key])) || o.ETag == "" {
					t.Errorf("ListDirs(%q): %s Size, ETag = %d, %q, want %d and an ETag", prefix, o.Key, o.Size, o.ETag, len(files[o.Key]))
				}
			}
			if diff := cmp.Diff(wantObjs, keys); diff != "" {
				t.Errorf("ListDirs(%q) objects mismatch (-want +got):\n%s", prefix, diff)
			}
		}
	})

	t.Run("Open", func(t *testing.T) {
		files := cloudTrailTree()
		src := newSource(t, files)
		for _, key := range sortedKeys(files) {
			got, err := readAll(t.Context(), src, key)
			if err != nil {
				t.Errorf("Open(%q) = %v", key, err)
				continue
			}
			if string(got) != string(files[key]) {
				t.Errorf("Open(%q) content = %q, want %q", key, got, files[key])
			}
		}
		for _, key := range []string{"AWSLogs/missing.json.gz", "nothing/at/all.json.gz"} {
			rc, err := src.Open(t.Context(), key)
			if err == nil {
				rc.Close()
				t.Errorf("Open(%q) of a missing key succeeded", key)
				continue
			}
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Open(%q) = %v, want an error matching fs.ErrNotExist", key, err)
			}
			if !strings.Contains(err.Error(), key) {
				t.Errorf("Open(%q) = %v, want the error to name the key", key, err)
			}
		}
	})

	t.Run("ManyObjects", func(t *testing.T) {
		files := manyObjectsTree()
		src := newSource(t, files)
		if diff := cmp.Diff(sortedKeys(files), listKeys(t, src, "")); diff != "" {
			t.Errorf("List of %d objects mismatch (-want +got):\n%s", len(files), diff)
		}
		const day = "AWSLogs/o-abc123defg/111122223333/CloudTrail/us-east-1/2026/11/01/"
		wantDirs, wantObjs := wantListDirs(sortedKeys(files), day)
		dirs, objs, err := src.ListDirs(t.Context(), day)
		if err != nil {
			t.Fatalf("ListDirs(%q) = %v", day, err)
		}
		var keys []string
		for _, o := range objs {
			keys = append(keys, o.Key)
		}
		if diff := cmp.Diff(wantDirs, dirs); diff != "" {
			t.Errorf("ListDirs(%q) dirs mismatch (-want +got):\n%s", day, diff)
		}
		if diff := cmp.Diff(wantObjs, keys); diff != "" {
			t.Errorf("ListDirs(%q) objects mismatch (-want +got):\n%s", day, diff)
		}

		// Cancelling stops the listing at once, even in the middle of a
		// page of 1000 keys.
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		calls := 0
		err = src.List(ctx, "", func(Object) error {
			calls++
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) || calls != 1 {
			t.Errorf("List cancelled in the first callback = %v after %d calls, want %v after 1", err, calls, context.Canceled)
		}
	})

	t.Run("Cancelled", func(t *testing.T) {
		src := newSource(t, cloudTrailTree())
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		calls := 0
		err := src.List(ctx, "", func(Object) error { calls++; return nil })
		if !errors.Is(err, context.Canceled) || calls != 0 {
			t.Errorf("List with a cancelled context = %v after %d calls, want %v after 0", err, calls, context.Canceled)
		}
		if _, _, err := src.ListDirs(ctx, "AWSLogs/"); !errors.Is(err, context.Canceled) {
			t.Errorf("ListDirs with a cancelled context = %v, want %v", err, context.Canceled)
		}
	})
}

// newDirSourceFunc writes the files below sub (a folder path, or "" for
// the temporary folder itself) and opens that folder.
func newDirSourceFunc(sub string) newSourceFunc {
	return func(t *testing.T, files map[string][]byte) Source {
		t.Helper()
		tmp := t.TempDir()
		root := filepath.Join(tmp, filepath.FromSlash(sub))
		write := func(dir string, files map[string][]byte) {
			for key, data := range files {
				p := filepath.Join(dir, filepath.FromSlash(key))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		write(root, files)
		if sub != "" {
			write(tmp, decoys(sub))
		}
		src, err := OpenSource(t.Context(), root, SourceOptions{})
		if err != nil {
			t.Fatalf("OpenSource(%q) = %v", root, err)
		}
		return src
	}
}

// decoys are objects next to a source rooted at sub, which it must not
// list: one whose key shares the root's name without the '/'.
func decoys(sub string) map[string][]byte {
	sub = strings.TrimSuffix(sub, "/")
	return map[string][]byte{
		sub + "-old/AWSLogs/decoy.json.gz": []byte("decoy"),
		sub + "-decoy.txt":                 []byte("decoy"),
		"zz-decoy.txt":                     []byte("decoy"),
	}
}

// newS3SourceFunc uploads the files to a new bucket below prefix (with
// decoys next to it) and opens s3://bucket/prefix.
func newS3SourceFunc(endpoint string, client *s3.Client, prefix string) newSourceFunc {
	return func(t *testing.T, files map[string][]byte) Source {
		t.Helper()
		bucket := newBucketName()
		all := map[string][]byte{}
		root := prefix
		if root != "" {
			root = strings.TrimSuffix(root, "/") + "/"
			maps.Copy(all, decoys(root))
		}
		for k, v := range files {
			all[root+k] = v
		}
		putObjects(t, client, bucket, all)
		return openTestS3Source(t, endpoint, "s3://"+bucket+"/"+prefix)
	}
}

func TestDirSource(t *testing.T) {
	t.Run("Root", func(t *testing.T) { testSource(t, newDirSourceFunc("")) })
	t.Run("SubFolder", func(t *testing.T) { testSource(t, newDirSourceFunc("trail/logs")) })
}

func TestS3Source(t *testing.T) {
	endpoint, client := newFakeS3(t)
	t.Run("Bucket", func(t *testing.T) { testSource(t, newS3SourceFunc(endpoint, client, "")) })
	t.Run("Prefix", func(t *testing.T) { testSource(t, newS3SourceFunc(endpoint, client, "trail/logs")) })
	t.Run("PrefixSlash", func(t *testing.T) { testSource(t, newS3SourceFunc(endpoint, client, "trail/logs/")) })
}
