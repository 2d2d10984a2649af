//go:build unix

package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// versityGWInstall is how to install the gateway the integration tests
// run; .ci/install-s3.sh does the same.
const versityGWInstall = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// findVersityGW returns the path of the versitygw binary: on PATH, or
// where go install puts it.
func findVersityGW() (string, error) {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		for _, p := range filepath.SplitList(strings.TrimSpace(string(out))) {
			dirs = append(dirs, filepath.Join(p, "bin"))
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "versitygw")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New("versitygw not found on PATH or in $(go env GOPATH)/bin")
}

// startVersityGW starts a versitygw S3 gateway with its posix backend in a
// temporary folder, listening on a free loopback port, and returns its
// endpoint URL (http://127.0.0.1:PORT). Its root account has the test
// credentials (testAccessKey, testSecretKey) and region testRegion, so
// newTestS3Client(endpoint) and openTestS3Source work against it. The
// gateway is stopped when the test ends.
//
// Without the versitygw binary the test is skipped, with how to install
// it; when $CI is set it fails instead, because CI must run these tests.
func startVersityGW(t *testing.T) (endpoint string) {
	t.Helper()
	bin, err := findVersityGW()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v; CI must run the S3 integration tests: run .ci/install-s3.sh (%s)", err, versityGWInstall)
		}
		t.Skipf("%v; install it with .ci/install-s3.sh or %s", err, versityGWInstall)
	}
	// The port is found free and then handed to the gateway, so another
	// process could take it in between; the start is retried if so.
	var lastErr error
	for range 3 {
		endpoint, err := runVersityGW(t, bin)
		if err == nil {
			return endpoint
		}
		lastErr = err
	}
	t.Fatal(lastErr)
	return ""
}

// runVersityGW starts the gateway once and waits until it answers HTTP.
func runVersityGW(t *testing.T, bin string) (string, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return "", err
	}
	dir := memTempDir(t)
	root, sidecar := filepath.Join(dir, "buckets"), filepath.Join(dir, "meta")
	for _, d := range []string{root, sidecar} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return "", err
		}
	}
	var out lockedBuffer
	// Object metadata (ETags) goes to a sidecar folder rather than
	// extended attributes, which not every file system has (older tmpfs).
	args := []string{"--port", addr, "--quiet", "posix", "--sidecar", sidecar, root}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(),
		"ROOT_ACCESS_KEY="+testAccessKey,
		"ROOT_SECRET_KEY="+testSecretKey,
		"VGW_REGION="+testRegion,
	)
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group, so stopping it stops anything it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start versitygw: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait() // the exit status is reported when it matters
		close(exited)
	}()
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}

	endpoint := "http://" + addr
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-exited:
			return "", fmt.Errorf("versitygw exited before answering: %s\n%s", cmd.ProcessState, out.String())
		default:
		}
		// Any HTTP answer, even 403 to this unsigned request, means the
		// gateway is serving.
		resp, err := client.Get(endpoint + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			return "", fmt.Errorf("versitygw did not answer on %s: %v\n%s", addr, err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("versitygw output:\n%s", out.String())
		}
	})
	return endpoint, nil
}

// memTempDir returns a temporary folder in memory (in /dev/shm) where the
// system has one, else in the usual temporary folder. The gateway syncs
// every object it writes, which on a disk makes uploading the thousand
// objects a listing test needs take seconds rather than a fraction of one.
func memTempDir(t *testing.T) string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "ctattrib-versitygw-"); err == nil {
			t.Cleanup(func() { _ = os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}

// freeLoopbackAddr returns a loopback address with a port no one listens on.
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// lockedBuffer collects a process's output, written from exec's copying
// goroutines and read by the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestVersityGWSource runs the Source conformance suite against a real S3
// gateway, through the same SDK client and options as with real S3.
func TestVersityGWSource(t *testing.T) {
	endpoint := startVersityGW(t)
	client := newTestS3Client(endpoint)
	t.Run("Bucket", func(t *testing.T) { testSource(t, newS3SourceFunc(endpoint, client, "")) })
	t.Run("Prefix", func(t *testing.T) { testSource(t, newS3SourceFunc(endpoint, client, "trail/logs")) })

	// A bucket with every CloudTrail key shape in one tree, more than a
	// page of it, opened without a region as a user would.
	t.Run("CloudTrailTree", func(t *testing.T) {
		files := cloudTrailTree()
		for k, v := range manyObjectsTree() {
			files[k] = v
		}
		bucket := newBucketName()
		putObjects(t, client, bucket, files)
		setS3TestEnv(t)
		src, err := OpenSource(t.Context(), "s3://"+bucket, SourceOptions{EndpointURL: endpoint})
		if err != nil {
			t.Fatalf("OpenSource without a region = %v", err)
		}
		if got, want := len(listKeys(t, src, "")), len(files); got != want {
			t.Errorf("List returned %d keys, want %d", got, want)
		}
		dirs, _, err := src.ListDirs(t.Context(), "AWSLogs/")
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"AWSLogs/777788889999/", "AWSLogs/o-abc123defg/"}; strings.Join(dirs, " ") != strings.Join(want, " ") {
			t.Errorf("ListDirs(AWSLogs/) = %q, want %q", dirs, want)
		}
	})

	// A second run lists each region folder from the day before the
	// latest it saw, with StartAfter: the old day folders cost nothing.
	// An object that failed is retried from its day folder alone.
	t.Run("ListingResumes", func(t *testing.T) {
		d := func(day int) time.Time { return time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC) }
		const acct = "111122223333"
		files := map[string][]byte{}
		for day := 1; day <= 20; day++ {
			files["trail/"+ctKey(acct, "us-east-1", d(day), 1)] = logFile(t, event(fmt.Sprint("e", day), d(day).Add(time.Hour), acct))
		}
		broken := "trail/" + ctKey(acct, "us-east-1", d(5), 2)
		files[broken] = []byte("not gzip, not json")
		bucket := newBucketName()
		putObjects(t, client, bucket, files)
		setS3TestEnv(t)
		src, err := OpenSource(t.Context(), "s3://"+bucket+"/trail", SourceOptions{EndpointURL: endpoint})
		if err != nil {
			t.Fatal(err)
		}
		db := openTestDB(t)
		if sum, err := Load(t.Context(), db, src, Options{}); !errors.Is(err, ErrObjectsFailed) || sum.ObjectsLoaded != 20 {
			t.Fatalf("first Load() = %+v, %v; want 20 loaded and the broken object failed", sum, err)
		}
		putObjects(t, client, bucket, map[string][]byte{
			"trail/" + ctKey(acct, "us-east-1", d(21), 1): logFile(t, event("new", d(21).Add(time.Hour), acct)),
			broken: logFile(t, event("fixed", d(5).Add(time.Hour), acct)),
		})
		sum, err := Load(t.Context(), db, src, Options{})
		if err != nil {
			t.Fatal(err)
		}
		// The fixed object of day 5, and days 19 to 21: two unchanged, one new.
		if sum.ObjectsListed != 4 || sum.ObjectsLoaded != 2 || sum.FoldersResumed != 1 {
			t.Errorf("second Load() listed %d, loaded %d, resumed %d folders; want 4, 2, 1", sum.ObjectsListed, sum.ObjectsLoaded, sum.FoldersResumed)
		}
	})
}
