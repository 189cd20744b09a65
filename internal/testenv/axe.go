package testenv

import (
	"os"
	"testing"
)

// axeEnv names an axe.min.js other than the one npm installs globally.
const axeEnv = "TARJUMA_TEST_AXE"

// axePaths are where `npm install -g axe-core` puts the script on Debian and on a Node from
// nodejs.org.
var axePaths = []string{"/usr/lib/node_modules/axe-core/axe.min.js", "/usr/local/lib/node_modules/axe-core/axe.min.js"}

// AxeCore returns the source of axe-core (axe.min.js), the accessibility engine browser tests
// inject into pages: $TARJUMA_TEST_AXE, else npm's global install. Without it it skips the test
// with how to install it (fails in CI, which installs it: .ci/run).
func AxeCore(t testing.TB) string {
	t.Helper()
	for _, p := range append([]string{os.Getenv(axeEnv)}, axePaths...) {
		if p == "" {
			continue
		}
		if src, err := os.ReadFile(p); err == nil {
			return string(src)
		}
	}
	absent(t, "testenv: no axe-core for accessibility checks: run `npm install -g axe-core@4.14.1` or set %s", axeEnv)
	t.SkipNow()
	return ""
}
