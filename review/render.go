package review

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/glossary/inflect"
	"github.com/tarjuma/tarjuma/locale"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/qa"
)

// pages holds one parsed template set per page: the layout plus the page's own file, so every
// page can define its "content" block. They are parsed once, at start-up.
type pages struct {
	byName map[string]*template.Template
}

// pageNames are the files in templates/ other than the layout.
var pageNames = []string{"login", "queue", "editor", "history", "glossary", "term", "submit", "subscribers", "error", "accounts", "account", "source", "suggest", "memory"}

func mustParsePages(assets *assets) *pages {
	funcs := template.FuncMap{
		"static":  assets.url,
		"visible": visible,
		"when":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		// preferred is a term's published form in a language.
		"preferred": func(t glossary.Term, lang string) string { return t.Targets[tarjuma.Lang(lang)].Preferred },
		// undecided reports whether a spelling of the term has forms the generator left to the
		// terminologist.
		"undecided": func(t glossary.Term, lang string) bool {
			return slices.ContainsFunc(t.Paradigms(tarjuma.Lang(lang)), func(p inflect.Paradigm) bool { return p.Undecided != "" })
		},
		// webhookID is what a receiver logs of a delivery, so an admin can match its reports.
		"webhookID": publish.WebhookID,
		// issue words an open issue (of an override the history shows) as the editor does.
		"issue":  func(is tarjuma.Issue) flag { return flagView(tarjuma.FlagKind(is.Kind), is.Args) },
		"flagOf": func(f tarjuma.Flag) flag { return flagView(f.Kind, f.Args) },
		"heads":  func(l *locale.Localizer, ids ...string) columnHeads { return columnHeads{L: l, IDs: ids} },
	}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html", "templates/help.html"))
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		p.byName[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, "templates/"+name+".html"))
	}
	return p
}

// columnHeads is what the "thead" partial shows: a table's column heads, by message id.
type columnHeads struct {
	L   *locale.Localizer
	IDs []string
}

// page is what the layout needs; every page's data embeds it.
type page struct {
	L *locale.Localizer
	// UILang and UIDir are the interface's language and direction; pages use Lang for the
	// language of the content they show.
	UILang   string
	UIDir    string
	User     tarjuma.User
	SignedIn bool
	CSRF     string
	Here     string // the current path, where the language switcher comes back to
	// UILangs are the switcher's languages; not "Langs", which pages use for their content's
	// languages and which would hide this field from the layout.
	UILangs []string
	Nav     string // the navigation entry to mark current
	// CanSubmit, CanManageSubscribers and CanManageAccounts show those entries; the routes
	// check them again.
	CanSubmit, CanManageSubscribers, CanManageAccounts bool
}

// pageData is implemented by every page's data through the embedded page.
type pageData interface{ base() *page }

func (p *page) base() *page { return p }

// render executes a page into a buffer first, so a template error becomes a clean 500 instead
// of half a page, then writes it with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, rc *request, status int, name string, data pageData) {
	b := data.base()
	b.L, b.UILang, b.UIDir = rc.l, rc.lang, rc.dir
	b.User, b.SignedIn = rc.user, rc.signedIn
	b.CSRF = auth.CSRFToken(r.Context())
	b.Here = localPath(r.URL.RequestURI())
	b.UILangs = s.locale.Langs()
	b.CanSubmit = rc.signedIn && editors(rc.user, r)
	b.CanManageSubscribers = rc.signedIn && admins(rc.user, r)
	b.CanManageAccounts = rc.signedIn && admins(rc.user, r)
	var buf bytes.Buffer
	if err := s.pages.byName[name].ExecuteTemplate(&buf, "layout.html", data); err != nil {
		s.log.ErrorContext(r.Context(), "render page", "page", name, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // the browser has gone if this fails
}

// visible escapes user text for HTML and shows each bidi control as a marker like ⟨U+202E⟩
// instead of letting it act, so a hostile title cannot reorder what a reviewer reads. Callers
// still wrap the result in <bdi> or dir="auto" so that its direction stays its own.
func visible(s string) template.HTML {
	var b strings.Builder
	start := 0
	for i, r := range s {
		if !qa.IsBidiControl(r) {
			continue
		}
		b.WriteString(template.HTMLEscapeString(s[start:i]))
		fmt.Fprintf(&b, `<span class="bidi-control" title="U+%04X">⟨U+%04X⟩</span>`, r, r)
		start = i + len(string(r))
	}
	b.WriteString(template.HTMLEscapeString(s[start:]))
	return template.HTML(b.String())
}

// errorPage shows a failure as a message id.
type errorPage struct {
	page
	Message string
}
