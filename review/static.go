package review

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
)

// Static files are served under a name that carries a hash of their content
// (review.3f2a9c1b07de.css), computed once at start-up from the embedded file, so a browser
// may keep them for a year without asking again: a new build changes the name the pages link
// to. The plain names still answer, for pages cached before a deploy, but with a short max-age.
const (
	immutableCache = "public, max-age=31536000, immutable"
	plainCache     = "public, max-age=300"
)

// assets are the embedded static files by the names they are served under.
type assets struct {
	hashed map[string]string // plain name → hashed name
	files  map[string]asset  // plain and hashed name → the file
}

type asset struct {
	body      []byte
	etag      string
	immutable bool // served under its hashed name
}

// loadAssets reads every file of dir and names it by its content hash.
func loadAssets(dir fs.FS) (*assets, error) {
	a := &assets{hashed: map[string]string{}, files: map[string]asset{}}
	err := fs.WalkDir(dir, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(dir, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:6])
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hash + ext
		etag := `"` + hash + `"`
		a.hashed[name] = hashed
		a.files[name] = asset{body: body, etag: etag}
		a.files[hashed] = asset{body: body, etag: etag, immutable: true}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("review: static files: %w", err)
	}
	return a, nil
}

// url is the address pages link a static file by; templates call it as {{static "review.css"}}.
// An unknown name is an error, so a template naming one fails its tests.
func (a *assets) url(name string) (string, error) {
	hashed, ok := a.hashed[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + hashed, nil
}

// serveStatic serves a static file by its plain or hashed name; any other path under /static/
// (a directory, a missing or stale hashed name) is the desk's not-found page.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request, _ *request) error {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	f, ok := s.assets.files[name]
	if !ok {
		return fmt.Errorf("static file %q: %w", name, tarjuma.ErrNotFound)
	}
	cache := plainCache
	if f.immutable {
		cache = immutableCache
	}
	w.Header().Set("Cache-Control", cache)
	w.Header().Set("ETag", f.etag)
	// ServeContent sets the type from the extension and answers If-None-Match and ranges.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
	return nil
}
