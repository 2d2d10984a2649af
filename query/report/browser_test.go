package report

import (
	"bytes"
	"context"
	"encoding/json"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// These tests open the report in a real browser, Debian's chromium in
// headless mode, from disk as a user would. Locally they skip when
// chromium is missing; in CI (CI set) they fail, since .ci/install-browser.sh
// installs it. The screenshots and the PDF are kept in
// $CTATTRIB_TEST_ARTIFACTS, or in ctattrib-report-artifacts under the
// temporary folder, and the test logs where.

// chromium returns the browser's path.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: .ci/install-browser.sh installs it")
	}
	t.Skip("chromium is not installed (apt-get install chromium); the browser tests need it")
	return ""
}

// artifacts is the folder the browser tests leave their output in.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CTATTRIB_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "ctattrib-report-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browse runs headless chromium on the file at path with args, with a
// profile of its own, and returns its standard output and the page's
// console messages (from its log on standard error).
func browse(t *testing.T, path string, args ...string) (stdout []byte, console []string) {
	t.Helper()
	ctx := context.Background()
	base := []string{"--headless", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
		// Tests run as root in CI containers, where the sandbox cannot start.
		"--no-sandbox",
		"--user-data-dir=" + t.TempDir(),
		"--enable-logging=stderr", "--v=1"}
	cmd := exec.CommandContext(ctx, chromium(t), append(append(base, args...), "file://"+path)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, tail(errb.String()))
	}
	return out.Bytes(), consoleMessages(errb.String())
}

// consoleLine is how chromium logs a page's console message:
// [pid:tid:time:LEVEL:CONSOLE:line] "message", source: URL (line)
var consoleLine = regexp.MustCompile(`:CONSOLE[(:]\d*[)\]]*\]? (.*)`)

func consoleMessages(log string) []string {
	var msgs []string
	for _, line := range strings.Split(log, "\n") {
		if m := consoleLine.FindStringSubmatch(line); m != nil {
			msgs = append(msgs, m[1])
		}
	}
	return msgs
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// TestBrowserConsoleCheck shows that browse sees a page's console
// errors: without it, an empty console proves nothing.
func TestBrowserConsoleCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.html")
	if err := os.WriteFile(path, []byte(`<!DOCTYPE html><p>x</p><script>console.error("report-check-boom")</script>`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, console := browse(t, path, "--dump-dom")
	if len(console) != 1 || !strings.Contains(console[0], "report-check-boom") {
		t.Errorf("console = %q, want the page's one error", console)
	}
}

// TestReportInBrowser opens the demo's report from disk: the screenshot
// is not blank, every section has a size, text and (for those with
// charts) drawn shapes, the console is empty, dark mode is dark, and the
// page prints to PDF.
func TestReportInBrowser(t *testing.T) {
	chromium(t)
	_, r, html := demoReport(t)
	dir := artifacts(t)
	page := filepath.Join(dir, "demo-report.html")
	if err := os.WriteFile(page, html, 0o644); err != nil {
		t.Fatal(err)
	}

	shot := filepath.Join(dir, "demo-report.png")
	_, console := browse(t, page, "--window-size=1200,2400", "--screenshot="+shot)
	t.Logf("screenshot: %s", shot)
	if len(console) > 0 {
		t.Errorf("console messages: %q", console)
	}
	if colours, inked := look(t, shot, color.RGBA{0xff, 0xff, 0xff, 0xff}); colours < 16 || inked < 0.05 {
		t.Errorf("screenshot looks blank: %d colours, %.1f%% of pixels not background", colours, 100*inked)
	}

	// Dark mode: the page follows the system's preference.
	dark := filepath.Join(dir, "demo-report-dark.png")
	browse(t, page, "--window-size=1200,900", "--force-dark-mode", "--screenshot="+dark)
	t.Logf("dark screenshot: %s", dark)
	if _, inked := look(t, dark, color.RGBA{0x15, 0x18, 0x1c, 0xff}); inked > 0.5 {
		t.Errorf("dark screenshot: %.0f%% of pixels are not the dark background", 100*inked)
	}

	// Each section's layout, measured by a page that frames the report.
	harness := filepath.Join(dir, "measure.html")
	if err := os.WriteFile(harness, []byte(measurePage), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, console := browse(t, harness, "--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom")
	if len(console) > 0 {
		t.Errorf("console messages: %q", console)
	}
	m := regexp.MustCompile(`<pre id="out">(.*)</pre>`).FindSubmatch(dom)
	if m == nil {
		t.Fatalf("the measuring page wrote nothing:\n%s", tail(string(dom)))
	}
	var sections map[string]struct{ Height, Width, Shapes, Text int }
	if err := json.Unmarshal(bytes.ReplaceAll(m[1], []byte("&#34;"), []byte(`"`)), &sections); err != nil {
		t.Fatalf("%v: %s", err, m[1])
	}
	charts := map[string]bool{"headline": true, "coverage": true, "computes": true}
	for _, id := range r.Sections() {
		s, ok := sections[id]
		switch {
		case !ok:
			t.Errorf("section %s not in the page", id)
		case s.Height < 50 || s.Width < 300 || s.Text < 50:
			t.Errorf("section %s rendered %dx%d px with %d characters", id, s.Width, s.Height, s.Text)
		case charts[id] && s.Shapes == 0:
			t.Errorf("section %s drew no chart", id)
		}
	}
	if len(sections) != len(r.Sections()) {
		t.Errorf("sections rendered %v, want %v", sections, r.Sections())
	}

	pdf := filepath.Join(dir, "demo-report.pdf")
	browse(t, page, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
	t.Logf("PDF: %s", pdf)
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(b, -1))
	if !bytes.HasPrefix(b, []byte("%PDF")) || pages < 2 {
		t.Errorf("PDF of %d bytes, %d pages; want a report of several pages", len(b), pages)
	}
}

// measurePage frames the report and writes each section's size, text
// length and visible chart shapes as JSON into <pre id="out">.
const measurePage = `<!DOCTYPE html><html><body>
<iframe id="f" src="demo-report.html" style="width:1200px;height:900px"></iframe><pre id="out"></pre>
<script>
window.addEventListener("load", function () {
  var d = document.getElementById("f").contentDocument, out = {};
  d.querySelectorAll("section").forEach(function (s) {
    var r = s.getBoundingClientRect(), shapes = 0;
    s.querySelectorAll("svg rect, svg path").forEach(function (e) {
      var b = e.getBoundingClientRect();
      if (b.width > 0 && b.height > 0) shapes++;
    });
    out[s.id] = {height: Math.round(r.height), width: Math.round(r.width), shapes: shapes, text: s.innerText.length};
  });
  document.getElementById("out").textContent = JSON.stringify(out);
});
</script></body></html>`

// look reads a PNG and returns how many distinct colours it has and the
// share of its pixels that are not bg.
func look(t *testing.T, path string, bg color.RGBA) (colours int, inked float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	seen := map[color.RGBA]bool{}
	var other, all int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			seen[c] = true
			all++
			if c != bg {
				other++
			}
		}
	}
	if all == 0 {
		return 0, 0
	}
	return len(seen), float64(other) / float64(all)
}
