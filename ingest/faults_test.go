//go:build unix

package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ctattrib/ctattrib/store"
)

// A fault is what faultProxy does to the requests it matches.
type fault int

const (
	// cutBody answers with the first half of the body's lines, a
	// Content-Length that matches what is sent, and an ETag that is no
	// MD5 (as of a multipart upload).
	cutBody fault = iota + 1
	// flipByte changes one byte of the body, leaving it valid JSON.
	flipByte
	// stallBody sends half of the body, then nothing until the client
	// gives up.
	stallBody
	// slowDown answers 503 SlowDown to every request.
	slowDown
	// cutListing answers a listing request with half its XML, and a
	// Content-Length that matches.
	cutListing
	// listingNoToken says a listing page is truncated but gives no
	// continuation token.
	listingNoToken
	// listingDropKey leaves the first key out of a listing page, which
	// still counts it in KeyCount.
	listingDropKey
)

// faultProxy is a reverse proxy on loopback in front of an S3 server that
// injects faults into the answers for some object keys and listing
// prefixes. Requests are passed on unchanged, so the SDK's signatures
// still hold.
type faultProxy struct {
	mu     sync.Mutex
	faults map[string]fault // by URL path (/bucket/key), or "list:" + prefix
	hits   map[string]int
}

func newFaultProxy(t *testing.T, upstream string) (*faultProxy, string) {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	fp := &faultProxy{faults: map[string]fault{}, hits: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.FlushInterval = -1 // a stalled body's first half reaches the client
	rp.ModifyResponse = fp.modify
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f, _ := fp.match(r); f == slowDown {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`) //nolint:errcheck // the client sees what it gets
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return fp, srv.URL
}

// set makes the proxy apply f to target: "/bucket/key" or "list:prefix".
func (fp *faultProxy) set(target string, f fault) {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	fp.faults[target] = f
}

func (fp *faultProxy) clear() {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	clear(fp.faults)
}

func (fp *faultProxy) hitCount(target string) int {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	return fp.hits[target]
}

// match returns the fault for a request, and its target.
func (fp *faultProxy) match(r *http.Request) (fault, string) {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	target := r.URL.Path
	if q := r.URL.Query(); q.Get("list-type") == "2" {
		target = "list:" + q.Get("prefix")
	}
	f := fp.faults[target]
	if f != 0 {
		fp.hits[target]++
	}
	return f, target
}

func (fp *faultProxy) modify(resp *http.Response) error {
	f, _ := fp.match(resp.Request)
	switch f {
	case cutBody, cutListing:
		body, err := readBody(resp)
		if err != nil {
			return err
		}
		cut := len(body) / 2
		if f == cutBody {
			cut = bytes.LastIndexByte(body[:cut], '\n') + 1
		}
		resp.Body = io.NopCloser(bytes.NewReader(body[:cut]))
		stripChecksums(resp.Header)
		resp.ContentLength = int64(cut)
		resp.Header.Set("Content-Length", strconv.Itoa(cut))
		if f == cutBody {
			resp.Header.Set("ETag", `"0123456789abcdef0123456789abcdef-2"`)
		}
	case listingNoToken, listingDropKey:
		body, err := readBody(resp)
		if err != nil {
			return err
		}
		if f == listingNoToken {
			body = bytes.Replace(body, []byte("<IsTruncated>false</IsTruncated>"), []byte("<IsTruncated>true</IsTruncated>"), 1)
		} else if i, j := bytes.Index(body, []byte("<Contents>")), bytes.Index(body, []byte("</Contents>")); i >= 0 && j > i {
			body = append(body[:i:i], body[j+len("</Contents>"):]...)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	case flipByte:
		body, err := readBody(resp)
		if err != nil {
			return err
		}
		// A change that leaves the JSON valid: only the ETag tells.
		if i := bytes.Index(body[len(body)/2:], []byte("GetObject")); i >= 0 {
			body[len(body)/2+i] = 'P'
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		stripChecksums(resp.Header)
	case stallBody:
		body, err := readBody(resp)
		if err != nil {
			return err
		}
		ctx := resp.Request.Context()
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body[:len(body)/2]), stalled{ctx}))
	}
	return nil
}

// readBody reads and closes an answer's body.
func readBody(resp *http.Response) ([]byte, error) {
	body, err := io.ReadAll(resp.Body)
	return body, errors.Join(err, resp.Body.Close())
}

// stripChecksums makes an answer look like one from a server, or for an
// object, without checksums: the SDK has nothing to check the body against.
func stripChecksums(h http.Header) {
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
			h.Del(k)
		}
	}
}

// stalled is a body that sends nothing until its request ends.
type stalled struct{ ctx context.Context }

func (s stalled) Read([]byte) (int, error) {
	<-s.ctx.Done()
	return 0, s.ctx.Err()
}

// linesObject returns n CloudTrail events as plain JSON lines, the form
// in which a cut at a line boundary still decodes.
func linesObject(prefix string, n int, at time.Time, acct string) []byte {
	var b bytes.Buffer
	for i := range n {
		b.WriteString(event(fmt.Sprintf("%s-%03d", prefix, i), at, acct))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// dbState is what a database holds, to compare runs: each event ID and,
// per object, its status and event count.
func dbState(t *testing.T, db *store.DB) string {
	t.Helper()
	var events, objects string
	err := db.SQL.QueryRowContext(t.Context(), `SELECT
		(SELECT coalesce(string_agg(event_id, ',' ORDER BY event_id), '') FROM events),
		(SELECT coalesce(string_agg(uri || ' ' || status || ' ' || events, E'\n' ORDER BY uri), '') FROM objects)`).Scan(&events, &objects)
	if err != nil {
		t.Fatal(err)
	}
	return objects + "\n" + events
}

// TestS3Faults loads a bucket through a proxy that cuts, stalls or
// refuses some objects and listing pages, and checks that each affected
// object (or listing) is named as failed, that the rest is committed,
// and that a later run without the fault ends where a clean run does.
func TestS3Faults(t *testing.T) {
	endpoint := startVersityGW(t)
	client := newTestS3Client(endpoint)
	proxy, proxyURL := newFaultProxy(t, endpoint)
	const readTimeout = 2 * time.Second

	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	accounts := []string{"111122223333", "444455556666"}
	files := map[string][]byte{}
	var keys []string
	for _, acct := range accounts {
		for i := range 5 {
			key := "trail/" + ctKey(acct, "us-east-1", day, i)
			files[key] = linesObject(fmt.Sprintf("%s-%d", acct, i), 100, day.Add(time.Hour), acct)
			keys = append(keys, key)
		}
	}
	bucket := newBucketName()
	putObjects(t, client, bucket, files)
	setS3TestEnv(t)
	open := func(t *testing.T, endpoint string) Source {
		t.Helper()
		src, err := OpenSource(t.Context(), "s3://"+bucket+"/trail", SourceOptions{
			EndpointURL: endpoint, Region: testRegion, ReadTimeout: readTimeout})
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	// Listing by account, so that a broken listing of one account's
	// folder leaves the other's to load.
	opts := Options{Workers: 2, Filter: Filter{Accounts: accounts}}

	clean := openTestDB(t)
	if _, err := Load(t.Context(), clean, open(t, endpoint), opts); err != nil {
		t.Fatalf("clean Load() = %v", err)
	}
	want := dbState(t, clean)

	objectPath := func(key string) string { return "/" + bucket + "/" + key }
	listPrefix := "list:trail/AWSLogs/" + accounts[1] + "/CloudTrail/"
	tests := []struct {
		name   string
		faults map[string]fault
		// failed are the URIs (objects or listed folders) the run
		// must name as failed; loaded is how many objects it loads.
		failed  []string
		loaded  int
		wantErr error
	}{
		{
			name:    "CutAtLineWithMatchingLength",
			faults:  map[string]fault{objectPath(keys[1]): cutBody, objectPath(keys[7]): cutBody},
			failed:  []string{"s3://" + bucket + "/" + keys[1], "s3://" + bucket + "/" + keys[7]},
			loaded:  8,
			wantErr: ErrObjectsFailed,
		},
		{
			name:    "FlippedByte",
			faults:  map[string]fault{objectPath(keys[4]): flipByte},
			failed:  []string{"s3://" + bucket + "/" + keys[4]},
			loaded:  9,
			wantErr: ErrObjectsFailed,
		},
		{
			name:    "StalledBody",
			faults:  map[string]fault{objectPath(keys[2]): stallBody},
			failed:  []string{"s3://" + bucket + "/" + keys[2]},
			loaded:  9,
			wantErr: ErrObjectsFailed,
		},
		{
			name:    "EndlessSlowDown",
			faults:  map[string]fault{objectPath(keys[3]): slowDown},
			failed:  []string{"s3://" + bucket + "/" + keys[3]},
			loaded:  9,
			wantErr: ErrObjectsFailed,
		},
		{
			name:    "CutListingPage",
			faults:  map[string]fault{listPrefix: cutListing},
			failed:  []string{"s3://" + bucket + "/trail/AWSLogs/" + accounts[1] + "/CloudTrail/"},
			loaded:  5,
			wantErr: ErrListingFailed,
		},
		{
			name:    "ListingTruncatedWithoutToken",
			faults:  map[string]fault{listPrefix: listingNoToken},
			failed:  []string{"s3://" + bucket + "/trail/AWSLogs/" + accounts[1] + "/CloudTrail/"},
			loaded:  5,
			wantErr: ErrListingFailed,
		},
		{
			name:    "ListingWithoutAKey",
			faults:  map[string]fault{listPrefix: listingDropKey},
			failed:  []string{"s3://" + bucket + "/trail/AWSLogs/" + accounts[1] + "/CloudTrail/"},
			loaded:  5,
			wantErr: ErrListingFailed,
		},
		{
			name:    "EndlessSlowDownListing",
			faults:  map[string]fault{listPrefix: slowDown},
			failed:  []string{"s3://" + bucket + "/trail/AWSLogs/" + accounts[1] + "/CloudTrail/"},
			loaded:  5,
			wantErr: ErrListingFailed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTestDB(t)
			src := open(t, proxyURL)
			for target, f := range tt.faults {
				proxy.set(target, f)
			}
			t.Cleanup(proxy.clear)
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			sum, err := Load(ctx, db, src, opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Load() = %+v, %v; want %v", sum, err, tt.wantErr)
			}
			for target := range tt.faults {
				if proxy.hitCount(target) == 0 {
					t.Errorf("the fault on %s was never hit", target)
				}
			}
			var failed []string
			for _, f := range sum.Failures {
				failed = append(failed, f.URI)
			}
			if got, want := strings.Join(sorted(failed), " "), strings.Join(sorted(tt.failed), " "); got != want {
				t.Errorf("Load() failed %q, want %q (failures %+v)", got, want, sum.Failures)
			}
			if sum.ObjectsLoaded != tt.loaded {
				t.Errorf("Load() loaded %d objects, want %d", sum.ObjectsLoaded, tt.loaded)
			}
			if n := count(t, db, `SELECT count(*) FROM objects WHERE status = 'loaded'`); n != int64(tt.loaded) {
				t.Errorf("manifest holds %d loaded objects, want %d", n, tt.loaded)
			}
			if n := count(t, db, `SELECT count(*) FROM events`); n != int64(tt.loaded*100) {
				t.Errorf("events = %d, want %d", n, tt.loaded*100)
			}

			proxy.clear()
			if _, err := Load(t.Context(), db, src, opts); err != nil {
				t.Fatalf("Load() without the fault = %v", err)
			}
			if diff := cmp.Diff(want, dbState(t, db)); diff != "" {
				t.Errorf("after the fault, a run without it ends elsewhere than a clean run:\n%s", diff)
			}
		})
	}
}

// cuttingSource cuts a local file at a line boundary after it is listed
// and before it is read: a file that changes while a run reads it.
type cuttingSource struct {
	Source
	root, key string
}

func (c *cuttingSource) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if key == c.key {
		p := filepath.Join(c.root, filepath.FromSlash(key))
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, data[:bytes.LastIndexByte(data[:len(data)/2], '\n')+1], 0o644); err != nil {
			return nil, err
		}
	}
	return c.Source.Open(ctx, key)
}

// TestLoadFileChangedWhileRead checks that a local file whose size is not
// the listed one when read is failed, not loaded with the events it
// holds at that moment.
func TestLoadFileChangedWhileRead(t *testing.T) {
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	const acct = "111122223333"
	key := ctKey(acct, "us-east-1", day, 1)
	root := writeTree(t, map[string][]byte{
		key:                              linesObject("a", 100, day.Add(time.Hour), acct),
		ctKey(acct, "us-east-1", day, 2): linesObject("b", 100, day.Add(time.Hour), acct),
	})
	dir, err := OpenSource(t.Context(), root, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	db := openTestDB(t)
	sum, err := Load(t.Context(), db, &cuttingSource{Source: dir, root: root, key: key}, Options{})
	if !errors.Is(err, ErrObjectsFailed) {
		t.Fatalf("Load() = %+v, %v; want ErrObjectsFailed", sum, err)
	}
	if len(sum.Failures) != 1 || sum.Failures[0].URI != filepath.Join(root, filepath.FromSlash(key)) || !strings.Contains(sum.Failures[0].Err, "listed as") {
		t.Errorf("Failures = %+v, want %s failed for its size", sum.Failures, key)
	}
	if n := count(t, db, `SELECT count(*) FROM events`); n != 100 {
		t.Errorf("events = %d, want the other file's 100", n)
	}
}
