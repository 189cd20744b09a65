package review

import (
	"fmt"
	"net/http"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/qa"
	"github.com/tarjuma/tarjuma/store"
)

// ages are the queue's age filter: how long a translation has been waiting in its status.
var ages = []struct {
	Key string
	Age time.Duration
}{{"1h", time.Hour}, {"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}}

// langMine is the language filter's value for a translator's own languages.
const langMine tarjuma.Lang = "mine"

// queueLimit is how many rows the queue shows: a desk works from the top.
const queueLimit = 200

type queuePage struct {
	page
	Lang     tarjuma.Lang // the filter; "" for all
	Status   tarjuma.Status
	Age      string
	Langs    []tarjuma.Lang
	Ages     []string
	Tabs     []statusTab
	Items    []store.QueueItem
	Total    int // translations in the selected status under the filters
	Now      time.Time
	ShowMore bool
	// Mine is true when the list keeps to the translator's own languages (her default);
	// CanMine offers that filter.
	Mine, CanMine bool
	// Mentions are the comments that mention the user and that she has not seen yet.
	Mentions []store.Mention
}

// statusTab is one status filter with its count under the other filters.
type statusTab struct {
	Status  tarjuma.Status
	Count   int
	Current bool
	Query   string
}

// queue lists translations to work on. It opens on what needs review, in the translator's own
// languages when they have exactly one.
func (s *Server) queue(w http.ResponseWriter, r *http.Request, rc *request) error {
	q := r.URL.Query()
	f := store.QueueFilter{Lang: tarjuma.Lang(q.Get("lang")), Status: tarjuma.Status(q.Get("status")), Limit: queueLimit + 1}
	if !q.Has("status") {
		f.Status = tarjuma.StatusNeedsReview
	}
	// A translator sees her own languages unless she asks for others (lang= for all).
	canMine := rc.user.Role == tarjuma.RoleTranslator
	mine := canMine && (!q.Has("lang") || f.Lang == langMine)
	if mine {
		f.Lang, f.Langs = "", append([]tarjuma.Lang{}, rc.user.Langs...)
	}
	if (f.Lang != "" && !f.Lang.Valid()) || (f.Status != "" && !f.Status.Valid()) {
		return fmt.Errorf("queue filter %q/%q: %w", f.Lang, f.Status, tarjuma.ErrInvalid)
	}
	age := q.Get("age")
	now := time.Now()
	if age != "" {
		known := false
		for _, a := range ages {
			if a.Key == age {
				f.WaitingSince, known = now.Add(-a.Age), true
			}
		}
		if !known {
			return fmt.Errorf("queue age %q: %w", age, tarjuma.ErrInvalid)
		}
	}
	items, err := s.db.ReviewQueue(r.Context(), f)
	if err != nil {
		return err
	}
	counts, err := s.db.QueueCounts(r.Context(), f)
	if err != nil {
		return err
	}
	p := &queuePage{page: page{Nav: "review"}, Lang: f.Lang, Status: f.Status, Age: age,
		Langs: tarjuma.TargetLangs(), Now: now, Mine: mine, CanMine: canMine}
	if rc.user.ID != 0 {
		if p.Mentions, err = s.db.UnreadMentions(r.Context(), rc.user.ID); err != nil {
			return err
		}
	}
	for _, a := range ages {
		p.Ages = append(p.Ages, a.Key)
	}
	for _, st := range append([]tarjuma.Status{""}, tarjuma.Statuses()...) {
		n := counts[st]
		if st == "" {
			for _, c := range counts {
				n += c
			}
		}
		lang := f.Lang
		if mine {
			lang = langMine
		}
		v := filterQuery(lang, st, age)
		p.Tabs = append(p.Tabs, statusTab{Status: st, Count: n, Current: st == f.Status, Query: v})
		if st == f.Status {
			p.Total = n
		}
	}
	if len(items) > queueLimit {
		items, p.ShowMore = items[:queueLimit], true
	}
	p.Items = items
	s.render(w, r, rc, http.StatusOK, "queue", p)
	return nil
}

// filterQuery is the queue's query string for a set of filters; status is always present so
// that "all statuses" differs from the default of needs_review.
func filterQuery(lang tarjuma.Lang, status tarjuma.Status, age string) string {
	v := "?status=" + string(status)
	if lang != "" {
		v += "&lang=" + string(lang)
	}
	if age != "" {
		v += "&age=" + age
	}
	return v
}

// waited is how long an item has waited, in whole units for the plural messages.
type waited struct {
	ID    string // message id
	Count int
}

// waitedFor rounds how long ago t was to minutes, hours or days.
func waitedFor(now, t time.Time) waited {
	d := now.Sub(t)
	switch {
	case d < time.Hour:
		return waited{"age.minutes", int(d / time.Minute)}
	case d < 48*time.Hour:
		return waited{"age.hours", int(d / time.Hour)}
	}
	return waited{"age.days", int(d / (24 * time.Hour))}
}

// Waited is how long item i has waited, for the template.
func (p *queuePage) Waited(it store.QueueItem) waited { return waitedFor(p.Now, it.UpdatedAt) }

// OpenFlags counts the QA flags of item it's latest version that would block its approval
// and nobody dismissed (qa.OpenIssues less the unconfirmed segments).
func (p *queuePage) OpenFlags(it store.QueueItem) int {
	n := 0
	for _, is := range qa.OpenIssues(tarjuma.Version{Segments: it.Segments}, it.Dismissals) {
		if is.Kind != tarjuma.IssueUnconfirmed && !isTextIssue(is.Kind) {
			n++
		}
	}
	return n
}

// isTextIssue reports the issues of a segment's text rather than of a check: empty and
// untranslated, which the queue's segment counts already show as unconfirmed work.
func isTextIssue(k tarjuma.IssueKind) bool {
	return k == tarjuma.IssueKind(qa.Empty) || k == tarjuma.IssueKind(qa.Untranslated)
}

// MentionLink is where mention m leads: the comment in its translation's editor.
func (p *queuePage) MentionLink(m store.Mention) string { return mentionLink(m) }
