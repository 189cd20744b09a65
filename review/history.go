package review

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/diff"
	"github.com/tarjuma/tarjuma/store"
)

type historyPage struct {
	page
	Article  tarjuma.Article
	Lang     tarjuma.Lang
	Versions []tarjuma.Version // newest first
	// Events are the reviewers' decisions, oldest first, overrides of open issues with them.
	Events []store.ReviewEvent
	// Dismissals are the flags dismissed as false positives, by version: a reviewer sees who
	// judged which flag wrong and why.
	Dismissals []store.VersionDismissal
	From, To   int // the versions compared; 0 when there are fewer than two
	Segments   []segmentDiff
	Changed    int // segments that differ
	// CanRevert shows a revert button beside each earlier version of the current source that the
	// person may bring back; the route and the desk check again.
	CanRevert bool
	// Latest is the latest version, which a revert is made from, and SourceRevision the current
	// source's, the only one whose versions can come back.
	Latest, SourceRevision int
	Notice                 string // message id of the last revert's outcome
	Error                  string // message id of a refused revert
}

// historyNotices are the outcomes a redirect after a revert reports in ?done=.
var historyNotices = map[string]string{"reverted": "history.reverted", "unchanged": "editor.unchanged"}

// segmentDiff is one segment's word-level change between From and To.
type segmentDiff struct {
	ID      string
	Source  string
	Spans   []diff.Span
	Changed bool
}

// history lists every version and compares two of them word by word: by default the latest
// with the one before it, which is what a reviewer checks after a translator's save.
func (s *Server) history(w http.ResponseWriter, r *http.Request, rc *request) error {
	p, err := s.loadHistory(r, rc)
	if err != nil {
		return err
	}
	p.Notice = historyNotices[r.URL.Query().Get("done")]
	s.render(w, r, rc, http.StatusOK, "history", p)
	return nil
}

// loadHistory reads what the history page shows.
func (s *Server) loadHistory(r *http.Request, rc *request) (*historyPage, error) {
	id, lang, err := translationRef(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	p := &historyPage{page: page{Nav: "review"}, Lang: lang}
	if p.Article, err = s.db.Article(ctx, id); err != nil {
		return nil, err
	}
	t, err := s.db.Translation(ctx, id, lang)
	if err != nil {
		return nil, err
	}
	p.Latest, p.SourceRevision = t.LatestVersion, t.SourceRevision
	// As the editor's save: only while a person may save a version (not while the translation
	// is queued or being translated).
	p.CanRevert = desk.MayEdit(rc.actor(), lang) == nil && t.Status.CanBecome(tarjuma.StatusNeedsReview)
	versions, err := s.db.Versions(ctx, id, lang)
	if err != nil {
		return nil, err
	}
	if p.Events, err = s.db.ReviewEvents(ctx, id, lang); err != nil {
		return nil, err
	}
	if p.Dismissals, err = s.db.Dismissals(ctx, id, lang); err != nil {
		return nil, err
	}
	for i := len(versions) - 1; i >= 0; i-- {
		p.Versions = append(p.Versions, versions[i])
	}
	if len(versions) >= 2 {
		p.From, p.To = len(versions)-1, len(versions)
		q := r.URL.Query()
		if q.Has("from") || q.Has("to") {
			p.From, err = versionParam(q.Get("from"), len(versions))
			if err != nil {
				return nil, err
			}
			if p.To, err = versionParam(q.Get("to"), len(versions)); err != nil {
				return nil, err
			}
		}
		from, to := versions[p.From-1], versions[p.To-1]
		p.Segments, p.Changed = compareVersions(from, to)
	}
	return p, nil
}

// revert asks the desk to store version n's content as the next version, made from the latest
// version the history page showed (base_version), and comes back to the history. A newer save
// meanwhile (409) or a version of an older source (422) shows the history with the message.
func (s *Server) revert(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, lang, err := translationRef(r)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		return fmt.Errorf("version %q: %w", r.PathValue("n"), tarjuma.ErrNotFound)
	}
	base, err := versionField(r, "base_version")
	if err != nil {
		return err
	}
	v, created, err := s.desk.Revert(r.Context(), rc.actor(), id, lang, n, base)
	status, msg := http.StatusConflict, "history.revert_conflict"
	if code(err) == "source_revised" {
		status, msg = http.StatusUnprocessableEntity, "history.revert_source_revised"
	}
	switch {
	case errors.Is(err, tarjuma.ErrConflict) || code(err) == "source_revised":
		p, err := s.loadHistory(r, rc)
		if err != nil {
			return err
		}
		p.Error = msg
		s.render(w, r, rc, status, "history", p)
		return nil
	case err != nil:
		return err
	}
	done := "reverted"
	if !created {
		done = "unchanged"
	}
	http.Redirect(w, r, fmt.Sprintf("/review/%d/%s/history?done=%s#v%d", id, lang, done, v.Number), http.StatusSeeOther)
	return nil
}

// versionParam parses a version number of a translation with n versions (numbered from 1).
func versionParam(v string, n int) (int, error) {
	k, err := strconv.Atoi(v)
	if err != nil || k < 1 || k > n {
		return 0, fmt.Errorf("version %q: %w", v, tarjuma.ErrNotFound)
	}
	return k, nil
}

// compareVersions diffs the segments the two versions share by id, in to's order. Versions of
// different source revisions may differ in segments; those only in from are shown as deleted.
func compareVersions(from, to tarjuma.Version) ([]segmentDiff, int) {
	old := make(map[string]string, len(from.Segments))
	for _, seg := range from.Segments {
		old[seg.ID] = seg.Text
	}
	var out []segmentDiff
	changed := 0
	seen := map[string]bool{}
	for _, seg := range to.Segments {
		seen[seg.ID] = true
		d := segmentDiff{ID: seg.ID, Source: seg.Source, Spans: diff.Words(old[seg.ID], seg.Text), Changed: old[seg.ID] != seg.Text}
		if d.Changed {
			changed++
		}
		out = append(out, d)
	}
	for _, seg := range from.Segments {
		if !seen[seg.ID] {
			changed++
			out = append(out, segmentDiff{ID: seg.ID, Source: seg.Source, Spans: diff.Words(seg.Text, ""), Changed: true})
		}
	}
	return out, changed
}
