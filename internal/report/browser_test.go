package report

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// chromium finds Debian's headless-capable browser.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not on PATH: apt-get install chromium to run the browser test")
	return ""
}

var checkRE = regexp.MustCompile(`id="figure-check"[^>]*data-loaded="(\d+)" data-failed="(\d+)"`)

// loadInBrowser opens page in headless Chromium and returns the counts of
// loaded and failed images the page's own check wrote into the DOM.
func loadInBrowser(t *testing.T, bin, page string) (loaded, failed int) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	home := t.TempDir() // chromium wants a writable profile directory
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--user-data-dir="+filepath.Join(home, "profile"), "--virtual-time-budget=5000", "--dump-dom", "file://"+page)
	cmd.Env = append(os.Environ(), "HOME="+home)
	out, err := cmd.Output()
	require.NoError(t, err, "chromium: %s", out)
	m := checkRE.FindSubmatch(out)
	require.NotNil(t, m, "no figure check in the DOM (script did not run?):\n%s", out[:min(len(out), 2000)])
	loaded, _ = strconv.Atoi(string(m[1]))
	failed, _ = strconv.Atoi(string(m[2]))
	return loaded, failed
}

func TestReportOpensInBrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	doc := sampleDocument()
	require.NoError(t, Write(dir, doc))
	page := filepath.Join(dir, "report.html")
	loaded, failed := loadInBrowser(t, bin, page)
	require.Equal(t, 4, loaded, "every figure loads")
	require.Equal(t, 0, failed)

	// Negative control: the same page with one figure's SVG broken must
	// report a failed image, or the check above proves nothing.
	b, err := os.ReadFile(page)
	require.NoError(t, err)
	html := string(b)
	const prefix = `src="data:image/svg&#43;xml;base64,`
	i := strings.Index(html, prefix)
	require.GreaterOrEqual(t, i, 0)
	j := strings.IndexByte(html[i+len(prefix):], '"')
	broken := base64.StdEncoding.EncodeToString([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>unclosed`))
	html = html[:i+len(prefix)] + broken + html[i+len(prefix)+j:]
	bad := filepath.Join(dir, "broken.html")
	require.NoError(t, os.WriteFile(bad, []byte(html), 0o644))
	loaded, failed = loadInBrowser(t, bin, bad)
	require.Equal(t, 3, loaded)
	require.Equal(t, 1, failed)
}
