package review

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/memory"
)

// suggestPage lists what the translator of one segment may insert (desk.Suggestions). It is a
// page of its own, so it works without script; suggest.js fetches it for the focused segment
// and shows its #suggestions section in the editor, where Ctrl+1…9 insert them.
type suggestPage struct {
	page
	ArticleID int64
	Lang      tarjuma.Lang
	Segment   string
	Items     []suggestionView
	Repeats   string // the segments with the same source sentence, space-separated
	NRepeats  int
}

// suggestionView is a suggestion as the panel shows it.
type suggestionView struct {
	desk.Suggestion
	// Key is the digit of its Ctrl+digit shortcut, 0 past the ninth.
	Key int
	// Whole says that inserting it replaces the segment's text (a sentence); a glossary
	// entry is inserted at the cursor instead.
	Whole bool
}

// AdaptedNumbers and AdaptedTerms split the adaptations for the panel's wording.
func (v suggestionView) AdaptedNumbers() []memory.Replacement {
	return adaptedOf(v.Adapted, memory.AdaptedNumber)
}
func (v suggestionView) AdaptedTerms() []memory.Replacement {
	return adaptedOf(v.Adapted, memory.AdaptedTerm)
}

func adaptedOf(rs []memory.Replacement, kind string) []memory.Replacement {
	var out []memory.Replacement
	for _, r := range rs {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// maxKeyed is how many suggestions have a shortcut: Ctrl+1 to Ctrl+9.
const maxKeyed = 9

func (s *Server) suggestions(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, lang, err := translationRef(r)
	if err != nil {
		return err
	}
	segment := r.PathValue("segment")
	sugs, err := s.desk.Suggestions(r.Context(), id, lang, segment)
	if err != nil {
		return err
	}
	p := &suggestPage{page: page{Nav: "review"}, ArticleID: id, Lang: lang, Segment: segment,
		Repeats: strings.Join(sugs.Repeats, " "), NRepeats: len(sugs.Repeats)}
	for i, sg := range sugs.Suggestions {
		v := suggestionView{Suggestion: sg, Whole: sg.Origin != desk.SuggestGlossary}
		if i < maxKeyed {
			v.Key = i + 1
		}
		p.Items = append(p.Items, v)
	}
	s.render(w, r, rc, http.StatusOK, "suggest", p)
	return nil
}

// memoryPage is the concordance: approved translations holding the words looked for, in the
// Arabic or in the translation (desk.SearchMemory).
type memoryPage struct {
	page
	Query    string
	Lang     tarjuma.Lang
	Langs    []tarjuma.Lang
	Hits     []memory.Hit
	Total    int
	Offset   int
	Next     int // the offset of the next page, 0 when this is the last
	Prev     int // the offset of the previous page, -1 on the first
	Searched bool
}

// concordancePage is how many hits a page of the concordance shows.
const concordancePage = 50

func (s *Server) concordance(w http.ResponseWriter, r *http.Request, rc *request) error {
	q := r.URL.Query()
	p := &memoryPage{page: page{Nav: "memory"}, Query: q.Get("q"), Langs: tarjuma.TargetLangs(), Prev: -1}
	if l := tarjuma.Lang(q.Get("lang")); l.Valid() {
		p.Lang = l
	}
	if off, err := strconv.Atoi(q.Get("offset")); err == nil && off > 0 {
		p.Offset = off
	}
	if strings.TrimSpace(p.Query) != "" && tarjuma.CheckText("q", p.Query) == nil {
		hits, total, err := s.desk.SearchMemory(r.Context(), p.Query, p.Lang, p.Offset, concordancePage)
		if err != nil {
			return err
		}
		p.Hits, p.Total, p.Searched = hits, total, true
		if p.Offset+len(hits) < total {
			p.Next = p.Offset + concordancePage
		}
		if p.Offset > 0 {
			p.Prev = max(0, p.Offset-concordancePage)
		}
	}
	s.render(w, r, rc, http.StatusOK, "memory", p)
	return nil
}
