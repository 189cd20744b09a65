package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// chromiumEnv names a Chromium binary other than Debian's, for machines that put it elsewhere.
const chromiumEnv = "TARJUMA_TEST_CHROMIUM"

// Chromium returns the path of the Chromium binary browser tests drive: $TARJUMA_TEST_CHROMIUM,
// else Debian's /usr/bin/chromium, else chromium on PATH. Without one it skips the test with
// how to install it (fails in CI, which installs it: .ci/run).
func Chromium(t testing.TB) string {
	t.Helper()
	candidates := []string{os.Getenv(chromiumEnv), "/usr/bin/chromium"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if path, err := exec.LookPath(c); err == nil {
			return path
		}
	}
	if path, err := exec.LookPath("chromium"); err == nil {
		return path
	}
	absent(t, "testenv: no Chromium for browser tests: run `apt-get install chromium` (Debian) or set %s", chromiumEnv)
	t.SkipNow()
	return ""
}
