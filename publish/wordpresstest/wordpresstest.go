// Package wordpresstest is an in-process stand-in for a WordPress site's REST API, for tests:
// posts under /wp-json/wp/v2/posts (create with POST, update with POST /posts/{id}),
// /wp/v2/users/me, application passwords over HTTP Basic, and optionally Polylang — the free
// edition's /pll/v1/languages route, or Polylang Pro's "lang" and "translations" post fields.
// Errors are WordPress's: {"code": …, "message": …, "data": {"status": …}} with its codes
// (incorrect_password, rest_post_invalid_id, rest_cannot_publish, rest_no_route, …). Faults
// (status codes with Retry-After, HTML error pages, hangs) can be injected. It is written from
// the REST API handbook and Polylang's documentation, not from the client it tests.
package wordpresstest

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tarjuma/tarjuma/internal/inmemhttp"
)

// Polylang editions the stand-in can run.
const (
	PolylangNone = iota // no Polylang: /pll/v1/languages is rest_no_route
	PolylangFree        // the languages route, but posts take no "lang" or "translations"
	PolylangPro         // the route and the post fields
)

// User is a user of the site with an application password.
type User struct {
	ID          int64
	Login       string
	Name        string
	AppPassword string          // as WordPress shows it, in groups of four; spaces are ignored
	Caps        map[string]bool // capabilities, e.g. publish_posts
}

// Language is a Polylang language.
type Language struct {
	Slug   string `json:"slug"`
	Locale string `json:"locale"`
	Name   string `json:"name"`
}

// Post is a post as the site holds it.
type Post struct {
	ID         int64
	Title      string // as sent (raw)
	Content    string
	Status     string
	Author     int64
	Categories []int64
	Lang       string // Polylang Pro only
	group      int
}

// Fault is an answer to force on the next request matching Route ("" for any): a "METHOD
// /path" prefix such as "POST /wp-json/wp/v2/posts".
type Fault struct {
	Route      string
	Status     int
	RetryAfter string // the Retry-After header, when set
	HTML       bool   // an HTML page instead of WordPress's JSON error, as a proxy or a maintenance page sends
	Hang       bool   // never answer
	Code       string // WordPress error code; a default for the status when empty
	// Commit makes the request take effect before the fault answers: a post saved, then a
	// timeout or a plugin's fatal error.
	Commit bool
	// Hold keeps the request waiting until it is closed (or the caller gives up), then answers
	// as the site does, or as the fault's Status says when set: a slow site, for a test to act
	// while a request is in flight.
	Hold <-chan struct{}
}

// Server is the stand-in. Create it with New.
type Server struct {
	Polylang  int
	Languages []Language

	mu      sync.Mutex
	users   map[string]*User
	posts   map[int64]*Post
	nextID  int64
	groups  map[int]map[string]int64 // Polylang translation groups: lang → post id
	nextGrp int
	faults  []Fault
	calls   []string
	url     string
}

// Editor is the user New creates: an editor (publish_posts, edit_others_posts).
var Editor = User{ID: 2, Login: "desk", Name: "Desk", AppPassword: "abcd EFGH 1234 ijkl MNOP 5678",
	Caps: map[string]bool{"edit_posts": true, "publish_posts": true, "edit_others_posts": true}}

// New makes a site with Editor and user 3 ("author", who may publish own posts only), no
// Polylang, and Russian, Tajik and English among its Polylang languages for when it is turned on.
func New() *Server {
	s := &Server{users: map[string]*User{}, posts: map[int64]*Post{}, nextID: 40, groups: map[int]map[string]int64{},
		Languages: []Language{{"ru", "ru_RU", "Русский"}, {"tg", "tg_TJ", "Тоҷикӣ"}, {"en", "en_GB", "English"}}}
	s.AddUser(Editor)
	s.AddUser(User{ID: 3, Login: "author", Name: "Author", AppPassword: "zzzz zzzz zzzz zzzz zzzz zzzz",
		Caps: map[string]bool{"edit_posts": true, "publish_posts": true}})
	return s
}

// AddUser adds a user.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.Login] = &u
}

// Start serves the stand-in on a local port until the test ends, and returns the site root.
func (s *Server) Start(t testing.TB) string {
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.mu.Lock()
	s.url = srv.URL
	s.mu.Unlock()
	return srv.URL
}

// Client is an HTTP client that hands requests straight to the stand-in, without sockets, for
// tests inside a synctest bubble; the site root is then SiteURL.
func (s *Server) Client() *http.Client { return inmemhttp.Client(s) }

// SiteURL is the site root to use with Client.
const SiteURL = "http://wordpress.test"

// Inject queues a fault; faults are used in order, each once.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// Posts returns the site's posts by id.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Post
	for _, id := range slices.Sorted(maps.Keys(s.posts)) {
		out = append(out, *s.posts[id])
	}
	return out
}

// Translations is Polylang's translation group of a post (lang → post id), as the "translations"
// field shows it; nil when the post has none.
func (s *Server) Translations(id int64) map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.posts[id]; p != nil && p.group != 0 {
		return maps.Clone(s.groups[p.group])
	}
	return nil
}

// SetStatus changes a post's status, as an editor of the site would in its admin.
func (s *Server) SetStatus(id int64, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posts[id].Status = status
}

// DeletePost deletes a post for good, as an editor emptying the trash would.
func (s *Server) DeletePost(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.posts, id)
}

// Calls lists the requests made, as "METHOD /path", faults and refusals included.
func (s *Server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// wpError is a WordPress REST error.
type wpError struct {
	status  int
	code    string
	message string
}

func writeError(w http.ResponseWriter, e wpError) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": e.code, "message": e.message, "data": map[string]int{"status": e.status}})
}

var defaultCodes = map[int]wpError{
	429: {429, "too_many_requests", "Too many requests."},
	500: {500, "internal_server_error", "There has been a critical error on this website."},
	503: {503, "service_unavailable", "Service unavailable."},
}

var postRoute = regexp.MustCompile(`^/wp-json/wp/v2/posts/(\d+)$`)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := r.Method + " " + r.URL.Path
	s.mu.Lock()
	s.calls = append(s.calls, call)
	var fault *Fault
	for i := range s.faults {
		if strings.HasPrefix(call, s.faults[i].Route) {
			fault = new(s.faults[i])
			s.faults = slices.Delete(s.faults, i, i+1)
			break
		}
	}
	s.mu.Unlock()
	if fault != nil && fault.Hold != nil {
		select {
		case <-fault.Hold:
		case <-r.Context().Done():
			return
		}
		if fault.Status == 0 {
			fault = nil
		}
	}
	if fault != nil && fault.Commit {
		s.serve(httptest.NewRecorder(), r)
	}
	if fault != nil {
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		switch {
		case fault.Hang:
			<-r.Context().Done()
		case fault.HTML:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(fault.Status)
			fmt.Fprint(w, "<!DOCTYPE html><html><body><p>Briefly unavailable for scheduled maintenance. Check back in a minute.</p></body></html>")
		default:
			e, ok := defaultCodes[fault.Status]
			if !ok {
				e = wpError{fault.Status, "error", http.StatusText(fault.Status)}
			}
			if fault.Code != "" {
				e.code = fault.Code
			}
			writeError(w, e)
		}
		return
	}
	s.serve(w, r)
}

// serve answers a request as the site does.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	user, aerr := s.authenticate(r)
	if aerr != nil {
		writeError(w, *aerr)
		return
	}
	var body map[string]json.RawMessage
	if r.Method == http.MethodPost {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeError(w, wpError{400, "rest_invalid_json", "Invalid JSON body passed."})
			return
		}
	}
	s.mu.Lock()
	status, result, werr := s.route(r, user, body)
	s.mu.Unlock()
	if werr != nil {
		writeError(w, *werr)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(result)
}

// authenticate checks application-password Basic credentials; no credentials is an anonymous
// request, which the routes refuse as WordPress does.
func (s *Server) authenticate(r *http.Request) (*User, *wpError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
	login, pass, ok := strings.Cut(string(raw), ":")
	if err != nil || !ok || !strings.HasPrefix(h, "Basic ") {
		return nil, &wpError{401, "rest_not_logged_in", "You are not currently logged in."}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[login]
	switch {
	case u == nil:
		return nil, &wpError{401, "invalid_username", "Unknown username. Check again or try your email address."}
	case strings.ReplaceAll(pass, " ", "") != strings.ReplaceAll(u.AppPassword, " ", ""):
		return nil, &wpError{401, "incorrect_password", "The provided password is an invalid application password."}
	}
	return u, nil
}

var statuses = []string{"publish", "future", "draft", "pending", "private"}

func (s *Server) route(r *http.Request, u *User, body map[string]json.RawMessage) (int, any, *wpError) {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/wp-json/pll/v1/languages" && s.Polylang != PolylangNone:
		return 200, s.Languages, nil
	case r.Method == http.MethodGet && path == "/wp-json/wp/v2/users/me":
		if u == nil {
			return 0, nil, &wpError{401, "rest_not_logged_in", "You are not currently logged in."}
		}
		me := map[string]any{"id": u.ID, "name": u.Name, "slug": u.Login}
		if r.URL.Query().Get("context") == "edit" {
			me["capabilities"] = u.Caps
			me["username"] = u.Login
		}
		return 200, me, nil
	case r.Method == http.MethodGet && path == "/wp-json/wp/v2/posts":
		return s.list(r, u)
	case r.Method == http.MethodPost && path == "/wp-json/wp/v2/posts":
		if u == nil {
			return 0, nil, &wpError{401, "rest_cannot_create", "Sorry, you are not allowed to create posts as this user."}
		}
		s.nextID++
		p := &Post{ID: s.nextID, Status: "draft", Author: u.ID}
		if werr := s.apply(p, u, body, true); werr != nil {
			s.nextID--
			return 0, nil, werr
		}
		s.posts[p.ID] = p
		return 201, s.render(p), nil
	case r.Method == http.MethodPost && postRoute.MatchString(path):
		if u == nil {
			return 0, nil, &wpError{401, "rest_cannot_edit", "Sorry, you are not allowed to edit this post."}
		}
		id, _ := strconv.ParseInt(postRoute.FindStringSubmatch(path)[1], 10, 64)
		p := s.posts[id]
		if p == nil {
			return 0, nil, &wpError{404, "rest_post_invalid_id", "Invalid post ID."}
		}
		if p.Author != u.ID && !u.Caps["edit_others_posts"] {
			return 0, nil, &wpError{403, "rest_cannot_edit", "Sorry, you are not allowed to edit this post."}
		}
		next := *p
		if werr := s.apply(&next, u, body, false); werr != nil {
			return 0, nil, werr
		}
		*p = next
		return 200, s.render(p), nil
	}
	return 0, nil, &wpError{404, "rest_no_route", "No route was found matching the URL and request method."}
}

// list answers a posts query: search (in title and content, case-insensitive), status (a comma
// list, publish by default; others need a user who may edit posts), and the edit context, which
// adds the raw content and needs such a user too.
func (s *Server) list(r *http.Request, u *User) (int, any, *wpError) {
	q := r.URL.Query()
	edit := q.Get("context") == "edit"
	if edit && (u == nil || !u.Caps["edit_posts"]) {
		return 0, nil, &wpError{401, "rest_forbidden_context", "Sorry, you are not allowed to edit posts in this post type."}
	}
	wanted := strings.Split(cmp.Or(q.Get("status"), "publish"), ",")
	if !slices.Equal(wanted, []string{"publish"}) && (u == nil || !u.Caps["edit_posts"]) {
		return 0, nil, &wpError{400, "rest_forbidden_status", "Status is forbidden."}
	}
	search := strings.ToLower(q.Get("search"))
	out := []map[string]any{}
	for _, id := range slices.Sorted(maps.Keys(s.posts)) {
		p := s.posts[id]
		if !slices.Contains(wanted, p.Status) || !strings.Contains(strings.ToLower(p.Title+" "+p.Content), search) {
			continue
		}
		post := s.render(p)
		if edit {
			post["content"] = map[string]any{"raw": p.Content, "rendered": p.Content, "protected": false}
		}
		out = append(out, post)
	}
	return 200, out, nil
}

// apply sets the fields of body on p, checking them as WordPress does.
func (s *Server) apply(p *Post, u *User, body map[string]json.RawMessage, create bool) *wpError {
	str := func(k string) (string, bool) {
		var v string
		raw, ok := body[k]
		return v, ok && json.Unmarshal(raw, &v) == nil
	}
	if v, ok := str("title"); ok {
		p.Title = v
	}
	if v, ok := str("content"); ok {
		p.Content = v
	}
	if v, ok := str("status"); ok {
		if !slices.Contains(statuses, v) {
			return &wpError{400, "rest_invalid_param", "Invalid parameter(s): status"}
		}
		if (v == "publish" || v == "private") && !u.Caps["publish_posts"] {
			return &wpError{403, "rest_cannot_publish", "Sorry, you are not allowed to publish posts in this post type."}
		}
		p.Status = v
	}
	if raw, ok := body["author"]; ok {
		var a int64
		if json.Unmarshal(raw, &a) != nil || !s.userExists(a) {
			return &wpError{400, "rest_invalid_author", "Invalid author ID."}
		}
		if a != u.ID && !u.Caps["edit_others_posts"] {
			return &wpError{403, "rest_cannot_edit_others", "Sorry, you are not allowed to create posts as this user."}
		}
		p.Author = a
	}
	if raw, ok := body["categories"]; ok {
		if json.Unmarshal(raw, &p.Categories) != nil {
			return &wpError{400, "rest_invalid_param", "Invalid parameter(s): categories"}
		}
	}
	if s.Polylang != PolylangPro {
		return nil // WordPress ignores fields it does not know
	}
	if lang, ok := str("lang"); ok {
		if !slices.ContainsFunc(s.Languages, func(l Language) bool { return l.Slug == lang }) {
			return &wpError{400, "rest_invalid_param", "Invalid parameter(s): lang"}
		}
		p.Lang = lang
	}
	if raw, ok := body["translations"]; ok {
		var tr map[string]int64
		if json.Unmarshal(raw, &tr) != nil {
			return &wpError{400, "rest_invalid_param", "Invalid parameter(s): translations"}
		}
		s.link(p, tr)
	}
	return nil
}

// link puts p in one translation group with the posts tr names, as Polylang does: each named
// post must exist and be in the language it is named for (Polylang's documentation: "you must
// first make sure that the post is in" that language), others are left out.
func (s *Server) link(p *Post, tr map[string]int64) {
	group := map[string]int64{}
	for lang, id := range tr {
		if q := s.posts[id]; q != nil && q.Lang == lang && lang != p.Lang {
			if q.group != 0 {
				maps.Copy(group, s.groups[q.group])
			}
			group[lang] = id
		}
	}
	if p.Lang != "" {
		group[p.Lang] = p.ID
	}
	s.nextGrp++
	for _, id := range group {
		if q := s.posts[id]; q != nil {
			q.group = s.nextGrp
		}
	}
	p.group = s.nextGrp
	s.groups[s.nextGrp] = group
}

func (s *Server) userExists(id int64) bool {
	for _, u := range s.users {
		if u.ID == id {
			return true
		}
	}
	return false
}

func (s *Server) render(p *Post) map[string]any {
	out := map[string]any{"id": p.ID, "status": p.Status, "type": "post", "author": p.Author,
		"categories": p.Categories, "link": fmt.Sprintf("%s/?p=%d", cmp.Or(s.url, SiteURL), p.ID),
		"title": map[string]string{"rendered": p.Title}, "content": map[string]any{"rendered": p.Content, "protected": false}}
	if s.Polylang == PolylangPro {
		out["lang"] = p.Lang
		tr := map[string]int64{}
		if p.group != 0 {
			tr = s.groups[p.group]
		} else if p.Lang != "" {
			tr[p.Lang] = p.ID
		}
		out["translations"] = tr
	}
	return out
}
