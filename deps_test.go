package tarjuma_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/tarjuma/tarjuma"

// TestImportDirection keeps the layout of DESIGN.md honest: imports flow from cmd through the
// doors (api, review) to desk, and from desk and worker down to store, translate and glossary,
// ending at the root package; only the worker side knows asynq, the doors hold no rules that
// need translate, and glossary does no I/O of its own.
func TestImportDirection(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("the go command is needed to list imports:", err)
	}
	rules := []struct {
		pkg       string
		forbidden []string // never among the package's dependencies, direct or not
		direct    []string // never imported by the package itself
	}{
		{pkg: ".", forbidden: []string{module + "/"}},
		{pkg: "store", forbidden: []string{module + "/api", module + "/worker", module + "/translate", module + "/review", "github.com/hibiken/asynq"}},
		{pkg: "translate", forbidden: []string{module + "/api", module + "/worker", module + "/store", "github.com/hibiken/asynq"}},
		{pkg: "desk", forbidden: []string{module + "/api", module + "/review", module + "/worker", "github.com/hibiken/asynq"}},
		{pkg: "api", forbidden: []string{module + "/review", module + "/worker", module + "/translate", "github.com/hibiken/asynq"}},
		{pkg: "review", forbidden: []string{module + "/api", module + "/worker", module + "/translate", "github.com/hibiken/asynq"}},
		{pkg: "worker", forbidden: []string{module + "/api", module + "/review"}},
		// publish is the publishing domain: the store persists its types, so it must never need the store.
		{pkg: "publish", forbidden: []string{module + "/store", module + "/api", module + "/worker", module + "/translate",
			module + "/review", module + "/glossary", module + "/auth", "github.com/hibiken/asynq"}},
		{pkg: "qa", forbidden: []string{module + "/store", module + "/translate", module + "/api", module + "/review", module + "/worker", module + "/publish"},
			direct: []string{"os", "net", "net/http", "database/sql"}},
		{pkg: "memory", forbidden: []string{module + "/store", module + "/translate", module + "/api", module + "/review", module + "/worker", module + "/desk"},
			direct: []string{"os", "net", "net/http", "database/sql"}},
		{pkg: "glossary", forbidden: []string{module + "/store", module + "/translate", module + "/api", module + "/worker"},
			direct: []string{"os", "net", "net/http", "database/sql"}},
	}
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			for _, dep := range goList(t, "-deps", "./"+r.pkg) {
				for _, f := range r.forbidden {
					if dep == f || (strings.HasSuffix(f, "/") && strings.HasPrefix(dep, f)) || strings.HasPrefix(dep, f+"/") {
						t.Errorf("%s depends on %s", r.pkg, dep)
					}
				}
			}
			imports := goList(t, "-f", "{{join .Imports \"\\n\"}}", "./"+r.pkg)
			for _, f := range r.direct {
				if slices.Contains(imports, f) {
					t.Errorf("%s imports %s", r.pkg, f)
				}
			}
		})
	}
}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Fields(string(out))
}
