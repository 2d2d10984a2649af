package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ingestS3 serves the corpus folder as a bucket from versitygw's posix
// backend on loopback (no copy: the gateway reads the same files) and
// ingests it through the AWS SDK, as from a trail bucket.
func (b *bench) ingestS3(ctx context.Context, gw string, c corpusInfo) (result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	addr := ln.Addr().String()
	ln.Close()
	sidecar := filepath.Join(b.work, "versitygw-meta")
	if err := os.MkdirAll(sidecar, 0o755); err != nil {
		return result{}, err
	}
	const key, secret, region = "ctbenchaccesskey", "ctbenchsecretkey", "us-east-1"
	cmd := exec.Command(gw, "--port", addr, "--quiet", "posix", "--sidecar", sidecar, c.Root)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+key, "ROOT_SECRET_KEY="+secret, "VGW_REGION="+region)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return result{}, fmt.Errorf("start versitygw: %w", err)
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	endpoint := "http://" + addr
	if err := waitHTTP(ctx, endpoint); err != nil {
		return result{}, fmt.Errorf("versitygw: %w\n%s", err, out.String())
	}
	env := []string{
		"AWS_ACCESS_KEY_ID=" + key, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_REGION=" + region,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
	r, err := b.child(ctx, "ingest, loopback S3 (versitygw), with attribution", env, b.ctattrib,
		"ingest", "--db", b.db("s3"), "--endpoint-url", endpoint, "--region", region, "s3://"+c.Bucket)
	r.Events, r.Bytes = int64(c.Events), c.GzipBytes
	os.Remove(b.db("s3"))
	return r, err
}

// waitHTTP waits until something answers HTTP at endpoint: any status,
// even 403 to an unsigned request, means the gateway is serving.
func waitHTTP(ctx context.Context, endpoint string) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("no answer on %s: %v", endpoint, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// findVersityGW looks where .ci/install-s3.sh installs the gateway.
func findVersityGW() (string, error) {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		for _, d := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(d, "bin", "versitygw")
			if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
				return p, nil
			}
		}
	}
	return "", errors.New("versitygw not found on PATH or in $(go env GOPATH)/bin")
}
