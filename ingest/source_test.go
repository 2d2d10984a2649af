package ingest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
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

	t.Run("ListAfter", func(t *testing.T) {
		files := cloudTrailTree()
		src := newSource(t, files)
		const region = "AWSLogs/777788889999/CloudTrail/us-east-1/"
		for _, tt := range []struct{ prefix, after string }{
			{"", ""},
			{region, region + "2026/11/02"},                // a resume point: day folder 10 on
			{region, region + "2026/11/01"},                // day 01 itself
			{"", "AWSLogs/777788889999/CloudTrail-Digest"}, // '-' sorts before '/'
			{"AWSLogs/", "AWSLogs/o-abc123defg/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_20261101T0005Z_aaaa.json.gz"}, // a whole key: not itself
			{"AWSLogs/o-abc123defg/", "AWSLogs/777788889999/"}, // before the prefix: all of it
			{"AWSLogs/777788889999/", "AWSLogs/o"},             // after the prefix: nothing
		} {
			var want []string
			for _, k := range sortedKeys(files) {
				if strings.HasPrefix(k, tt.prefix) && k > tt.after {
					want = append(want, k)
				}
			}
			var got []string
			err := src.ListAfter(t.Context(), tt.prefix, tt.after, func(o Object) error {
				got = append(got, o.Key)
				return nil
			})
			if err != nil {
				t.Fatalf("ListAfter(%q, %q) = %v", tt.prefix, tt.after, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ListAfter(%q, %q) keys mismatch (-want +got):\n%s", tt.prefix, tt.after, diff)
			}
		}
	})

	t.Run("URI", func(t *testing.T) {
		files := cloudTrailTree()
		src := newSource(t, files)
		var got []Object
		if err := src.List(t.Context(), "", func(o Object) error { got = append(got, o); return nil }); err != nil {
			t.Fatal(err)
		}
		for _, o := range got {
			if u := src.URI(o.Key); u != o.URI {
				t.Errorf("URI(%q) = %q, want the object's URI %q", o.Key, u, o.URI)
			}
			folder := o.Key[:strings.LastIndexByte(o.Key, '/')+1]
			if u := src.URI(folder); !strings.HasPrefix(o.URI, u) || !strings.HasSuffix(u, "/") {
				t.Errorf("URI(%q) = %q: not a folder URI holding %q", folder, u, o.URI)
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

func TestDirSourceSingleFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "one.json.gz")
	for name, data := range map[string]string{"one.json.gz": "one", "other.json.gz": "other", "sub/x.json.gz": "x"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := OpenSource(t.Context(), path, SourceOptions{})
	if err != nil {
		t.Fatalf("OpenSource(%q) = %v", path, err)
	}
	if got := src.String(); got != path {
		t.Errorf("String() = %q, want %q", got, path)
	}
	for prefix, want := range map[string][]string{
		"":            {"one.json.gz"},
		"o":           {"one.json.gz"},
		"one.json.gz": {"one.json.gz"},
		"other":       nil,
		"sub/":        nil,
	} {
		if diff := cmp.Diff(want, listKeys(t, src, prefix)); diff != "" {
			t.Errorf("List(%q) keys mismatch (-want +got):\n%s", prefix, diff)
		}
	}
	dirs, objs, err := src.ListDirs(t.Context(), "")
	if err != nil || len(dirs) != 0 || len(objs) != 1 {
		t.Fatalf("ListDirs(\"\") = %v, %v, %v, want no folders and the file", dirs, objs, err)
	}
	if o := objs[0]; o.Key != "one.json.gz" || o.URI != path || o.Size != 3 || o.ETag == "" {
		t.Errorf("ListDirs(\"\") object = %+v, want key one.json.gz, URI %s, size 3 and an ETag", o, path)
	}
	if got, err := readAll(t.Context(), src, "one.json.gz"); err != nil || string(got) != "one" {
		t.Errorf("Open(one.json.gz) = %q, %v, want \"one\"", got, err)
	}
}

func TestOpenSourceUnsupported(t *testing.T) {
	_, err := OpenSource(t.Context(), "gs://bucket/logs", SourceOptions{})
	if !errors.Is(err, ErrUnsupportedSource) {
		t.Errorf("OpenSource(gs://...) = %v, want %v", err, ErrUnsupportedSource)
	}
}

func TestParseS3URI(t *testing.T) {
	for _, tc := range []struct {
		uri, bucket, root string
		wantErr           bool
	}{
		{uri: "s3://b", bucket: "b"},
		{uri: "s3://b/", bucket: "b"},
		{uri: "s3://b/logs", bucket: "b", root: "logs/"},
		{uri: "s3://b/logs/", bucket: "b", root: "logs/"},
		{uri: "s3://b/trail/logs", bucket: "b", root: "trail/logs/"},
		{uri: "s3://", wantErr: true},
		{uri: "s3:///logs", wantErr: true},
	} {
		bucket, root, err := parseS3URI(tc.uri)
		if (err != nil) != tc.wantErr || bucket != tc.bucket || root != tc.root {
			t.Errorf("parseS3URI(%q) = %q, %q, %v, want %q, %q, error %v", tc.uri, bucket, root, err, tc.bucket, tc.root, tc.wantErr)
		}
	}
}

// TestS3SourceObject checks what the conformance suite cannot know: the
// exact URI and ETag, and that console "folder" objects are skipped.
func TestS3SourceObject(t *testing.T) {
	endpoint, client := newFakeS3(t)
	bucket := newBucketName()
	data := []byte("log data")
	putObjects(t, client, bucket, map[string][]byte{
		"logs/AWSLogs/a.json.gz": data,
		"logs/AWSLogs/":          nil, // a folder made in the S3 console
		"logs/":                  nil,
	})
	src := openTestS3Source(t, endpoint, "s3://"+bucket+"/logs")
	if got, want := src.String(), "s3://"+bucket+"/logs/"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	sum := md5.Sum(data)
	want := Object{
		Key:  "AWSLogs/a.json.gz",
		URI:  "s3://" + bucket + "/logs/AWSLogs/a.json.gz",
		ETag: hex.EncodeToString(sum[:]),
		Size: int64(len(data)),
	}
	var got []Object
	if err := src.List(t.Context(), "", func(o Object) error { got = append(got, o); return nil }); err != nil {
		t.Fatalf("List = %v", err)
	}
	if len(got) != 1 || got[0].LastModified.IsZero() {
		t.Fatalf("List = %+v, want one object with LastModified set", got)
	}
	got[0].LastModified = want.LastModified
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("List object mismatch (-want +got):\n%s", diff)
	}
	dirs, objs, err := src.ListDirs(t.Context(), "AWSLogs/")
	if err != nil || len(dirs) != 0 || len(objs) != 1 || objs[0].Key != want.Key {
		t.Errorf("ListDirs(AWSLogs/) = %v, %+v, %v, want only %s", dirs, objs, err, want.Key)
	}
}

// TestS3SourceEndpointFromEnv checks that the SDK's config loading honours
// AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL, and that such an endpoint gets
// path-style addressing as --endpoint-url does (the fake serves no
// virtual-hosted buckets, so listing fails without it).
func TestS3SourceEndpointFromEnv(t *testing.T) {
	endpoint, client := newFakeS3(t)
	bucket := newBucketName()
	files := map[string][]byte{"AWSLogs/a.json.gz": []byte("a"), "AWSLogs/b.json.gz": []byte("b")}
	putObjects(t, client, bucket, files)
	for _, env := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
		t.Run(env, func(t *testing.T) {
			setS3TestEnv(t)
			t.Setenv(env, endpoint)
			src, err := OpenSource(t.Context(), "s3://"+bucket, SourceOptions{Region: testRegion})
			if err != nil {
				t.Fatalf("OpenSource = %v", err)
			}
			if diff := cmp.Diff(sortedKeys(files), listKeys(t, src, "")); diff != "" {
				t.Errorf("List keys mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// countingClient is an HTTP client that counts its requests.
type countingClient struct{ n atomic.Int64 }

func (c *countingClient) Do(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultClient.Do(r)
}

func TestS3SourceOptions(t *testing.T) {
	endpoint, client := newFakeS3(t)
	bucket := newBucketName()
	putObjects(t, client, bucket, map[string][]byte{"a.json.gz": []byte("a")})

	t.Run("HTTPClient", func(t *testing.T) {
		setS3TestEnv(t)
		hc := &countingClient{}
		src, err := OpenSource(t.Context(), "s3://"+bucket, SourceOptions{EndpointURL: endpoint, Region: testRegion, HTTPClient: hc})
		if err != nil {
			t.Fatalf("OpenSource = %v", err)
		}
		listKeys(t, src, "")
		if hc.n.Load() == 0 {
			t.Error("List made no request through SourceOptions.HTTPClient")
		}
	})

	t.Run("Profile", func(t *testing.T) {
		setS3TestEnv(t)
		cfgFile := filepath.Join(t.TempDir(), "config")
		if err := os.WriteFile(cfgFile, []byte("[profile logs]\nregion = eu-west-1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("AWS_CONFIG_FILE", cfgFile)
		src, err := OpenSource(t.Context(), "s3://"+bucket, SourceOptions{EndpointURL: endpoint, Profile: "logs"})
		if err != nil {
			t.Fatalf("OpenSource = %v", err)
		}
		if got := src.(*s3Source).client.Options().Region; got != "eu-west-1" {
			t.Errorf("region with profile logs = %q, want eu-west-1 from the profile", got)
		}
		if _, err := OpenSource(t.Context(), "s3://"+bucket, SourceOptions{EndpointURL: endpoint, Profile: "nope"}); err == nil {
			t.Error("OpenSource with a missing profile succeeded")
		}
	})

	t.Run("Retries", func(t *testing.T) {
		src := openTestS3Source(t, endpoint, "s3://"+bucket)
		if got := src.(*s3Source).client.Options().Retryer.MaxAttempts(); got != s3MaxAttempts {
			t.Errorf("Retryer.MaxAttempts() = %d, want %d", got, s3MaxAttempts)
		}
	})
}

// regionalS3 answers for the buckets in regions (name -> region) the way
// S3 does: every answer names the bucket's region in x-amz-bucket-region,
// and a request signed for another region gets a 301 PermanentRedirect.
func regionalS3(regions map[string]string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bucket, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
			region, ok := regions[bucket]
			if !ok {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("X-Amz-Bucket-Region", region)
			// Authorization: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/s3/aws4_request, ...
			_, cred, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
			if parts := strings.Split(cred, "/"); len(parts) < 3 || parts[2] != region {
				s3ErrorReply(w, r, http.StatusMovedPermanently, "PermanentRedirect",
					"The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// denyS3 answers every request for bucket with 403 AccessDenied.
func denyS3(bucket string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if b, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); b == bucket {
				s3ErrorReply(w, r, http.StatusForbidden, "AccessDenied", "Access Denied")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// s3ErrorReply writes an S3 error answer; like S3, it has no body for HEAD.
func s3ErrorReply(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Error><Code>%s</Code><Message>%s</Message><RequestId>1</RequestId></Error>`, code, msg)
	}
}

func TestS3SourceRegion(t *testing.T) {
	endpoint, client := newFakeS3Wrapped(t, regionalS3(map[string]string{"eu-bucket": "eu-west-1"}))
	euClient := s3.New(client.Options(), func(o *s3.Options) { o.Region = "eu-west-1" })
	files := map[string][]byte{"logs/a.json.gz": []byte("a")}
	putObjects(t, euClient, "eu-bucket", files)
	putObjects(t, client, "us-bucket", files)

	for _, tc := range []struct {
		name, bucket, region string
		wantRegion           string // of the client after OpenSource
		wantErr              string // from OpenSource or List
	}{
		{name: "DiscoveredElsewhere", bucket: "eu-bucket", wantRegion: "eu-west-1"},
		{name: "DiscoveredDefault", bucket: "us-bucket", wantRegion: "us-east-1"},
		{name: "Configured", bucket: "eu-bucket", region: "eu-west-1", wantRegion: "eu-west-1"},
		{name: "ConfiguredWrong", bucket: "eu-bucket", region: "us-east-1", wantRegion: "us-east-1",
			wantErr: "list s3://eu-bucket/: bucket is in region eu-west-1, not us-east-1 (PermanentRedirect)"},
		{name: "MissingBucket", bucket: "no-such-bucket",
			wantErr: "open s3://no-such-bucket/: NoSuchBucket: The specified bucket does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setS3TestEnv(t)
			src, err := OpenSource(t.Context(), "s3://"+tc.bucket, SourceOptions{EndpointURL: endpoint, Region: tc.region})
			if err == nil {
				if got := src.(*s3Source).client.Options().Region; got != tc.wantRegion {
					t.Errorf("client region = %q, want %q", got, tc.wantRegion)
				}
				err = src.List(t.Context(), "", func(Object) error { return nil })
			}
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.wantErr {
				t.Errorf("OpenSource+List error = %q, want %q", got, tc.wantErr)
			}
		})
	}
}

func TestS3SourceErrors(t *testing.T) {
	endpoint, client := newFakeS3Wrapped(t, denyS3("denied"))
	bucket := newBucketName()
	putObjects(t, client, bucket, map[string][]byte{"logs/a.json.gz": []byte("a")})

	t.Run("AccessDenied", func(t *testing.T) {
		src := openTestS3Source(t, endpoint, "s3://denied/logs")
		err := src.List(t.Context(), "AWSLogs/", func(Object) error { return nil })
		if want := "list s3://denied/logs/AWSLogs/: AccessDenied: Access Denied"; err == nil || err.Error() != want {
			t.Errorf("List = %v, want %q", err, want)
		}
		if !errors.Is(err, fs.ErrPermission) {
			t.Errorf("List = %v, want an error matching fs.ErrPermission", err)
		}
		_, err = src.Open(t.Context(), "a.json.gz")
		if want := "get s3://denied/logs/a.json.gz: AccessDenied: Access Denied"; err == nil || err.Error() != want {
			t.Errorf("Open = %v, want %q", err, want)
		}
	})

	t.Run("NoSuchKey", func(t *testing.T) {
		src := openTestS3Source(t, endpoint, "s3://"+bucket+"/logs")
		_, err := src.Open(t.Context(), "missing.json.gz")
		if want := "get s3://" + bucket + "/logs/missing.json.gz: NoSuchKey: The specified key does not exist"; err == nil || err.Error() != want {
			t.Errorf("Open = %v, want %q", err, want)
		}
		var nsk *types.NoSuchKey
		if !errors.As(err, &nsk) {
			t.Errorf("Open = %v, want it to wrap the SDK's *types.NoSuchKey", err)
		}
	})

	t.Run("NoSuchBucket", func(t *testing.T) {
		src := openTestS3Source(t, endpoint, "s3://no-such-bucket")
		err := src.List(t.Context(), "", func(Object) error { return nil })
		if want := "list s3://no-such-bucket/: NoSuchBucket: The specified bucket does not exist"; err == nil || err.Error() != want {
			t.Errorf("List = %v, want %q", err, want)
		}
		if errors.Is(err, fs.ErrNotExist) {
			t.Errorf("List = %v, which matches fs.ErrNotExist; only a missing key should", err)
		}
	})

	t.Run("Cancelled", func(t *testing.T) {
		src := openTestS3Source(t, endpoint, "s3://"+bucket+"/logs")
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := src.Open(ctx, "a.json.gz")
		if want := "get s3://" + bucket + "/logs/a.json.gz: context canceled"; err == nil || err.Error() != want || !errors.Is(err, context.Canceled) {
			t.Errorf("Open with a cancelled context = %v, want %q", err, want)
		}
	})
}
