// Package tmpfs mounts small, size-limited file systems for tests that
// need a disk to fill.
package tmpfs

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Mount mounts a tmpfs of size (mount's -o size=, like "64m") on a new
// folder for the test and unmounts it when the test ends. Where mounting
// is not permitted (it needs root or CAP_SYS_ADMIN) the test is skipped,
// unless the environment variable CI is set: then it fails.
func Mount(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		msg := "cannot mount a tmpfs to fill (needs root or CAP_SYS_ADMIN): " + strings.TrimSpace(string(out))
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}
