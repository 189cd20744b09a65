package api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/store"
)

// Page sizes of GET /api/v1/articles.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

type createRequest struct {
	Title       string           `json:"title"`
	Body        string           `json:"body"`
	ExternalID  string           `json:"external_id"`
	TargetLangs []tarjuma.Lang   `json:"target_langs"`
	Priority    tarjuma.Priority `json:"priority"`
	// EmbargoUntil is an RFC 3339 time; nothing is republished before it.
	EmbargoUntil string `json:"embargo_until"`
}

// createArticle accepts an article for translation: 202 when stored, 200 with the existing
// article when its external_id or Idempotency-Key was seen before.
func (s *Server) createArticle(w http.ResponseWriter, r *http.Request) error {
	a, created, err := s.submit(w, r)
	if err != nil {
		s.submissions.WithLabelValues("rejected").Inc()
		return err
	}
	status := http.StatusOK
	if created {
		s.submissions.WithLabelValues("created").Inc()
		status = http.StatusAccepted
	} else {
		s.submissions.WithLabelValues("duplicate").Inc()
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/articles/%d", a.ID))
	if created {
		// The translations are as the commit left them; reading them back cost a query per submission.
		return writeJSON(w, status, newArticleJSON(a, store.CreatedTranslations(a)))
	}
	return s.writeArticle(w, r, status, a)
}

// submit reads a submission and hands it to the desk.
func (s *Server) submit(w http.ResponseWriter, r *http.Request) (tarjuma.Article, bool, error) {
	key := r.Header.Get("Idempotency-Key")
	if err := desk.CheckIdempotencyKey(key); err != nil {
		return tarjuma.Article{}, false, err
	}
	var req createRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return tarjuma.Article{}, false, err
	}
	return s.desk.Submit(r.Context(), actor(r.Context()), desk.Submission{Title: req.Title, Body: req.Body,
		ExternalID: req.ExternalID, TargetLangs: req.TargetLangs, Priority: req.Priority, IdempotencyKey: key,
		EmbargoUntil: req.EmbargoUntil})
}

func (s *Server) getArticle(w http.ResponseWriter, r *http.Request, id int64) error {
	a, err := s.db.Article(r.Context(), id)
	if err != nil {
		return fmt.Errorf("article %d: %w", id, err)
	}
	return s.writeArticle(w, r, http.StatusOK, a)
}

type updateRequest struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	// BaseRevision, when given, is the revision the edit was made from: 409 conflict if
	// another was stored since.
	BaseRevision int `json:"base_revision"`
}

// updateArticle stores a new source revision and re-queues the article's translations; an
// unchanged source stores nothing.
func (s *Server) updateArticle(w http.ResponseWriter, r *http.Request, id int64) error {
	var req updateRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	a, err := s.desk.EditSource(r.Context(), actor(r.Context()), id, req.BaseRevision, req.Title, req.Body)
	if err != nil {
		return err
	}
	return s.writeArticle(w, r, http.StatusOK, a)
}

// writeArticle answers with the article and its translations' states.
func (s *Server) writeArticle(w http.ResponseWriter, r *http.Request, status int, a tarjuma.Article) error {
	ts, err := s.db.Translations(r.Context(), a.ID)
	if err != nil {
		return fmt.Errorf("translations of article %d: %w", a.ID, err)
	}
	return writeJSON(w, status, newArticleJSON(a, ts))
}

// listArticles pages through articles newest first. The cursor is opaque to clients so the
// paging key can change without breaking them.
func (s *Server) listArticles(w http.ResponseWriter, r *http.Request) error {
	f, err := parseArticleFilter(r.URL.Query())
	if err != nil {
		return err
	}
	pageSize := f.Limit
	f.Limit++ // one more than asked tells whether another page follows
	as, err := s.db.ListArticles(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list articles: %w", err)
	}
	page := articleListJSON{Articles: []articleJSON{}}
	if len(as) > pageSize {
		as = as[:pageSize]
		next := encodeCursor(as[pageSize-1].ID)
		page.NextCursor = &next
	}
	// One query per article: a page is at most maxPageSize, and the statuses are what a desk
	// scans a list for.
	for _, a := range as {
		ts, err := s.db.Translations(r.Context(), a.ID)
		if err != nil {
			return fmt.Errorf("translations of article %d: %w", a.ID, err)
		}
		item := newArticleJSON(a, ts)
		item.Body = "" // bodies are fetched one article at a time
		page.Articles = append(page.Articles, item)
	}
	return writeJSON(w, http.StatusOK, page)
}

func parseArticleFilter(q url.Values) (store.ArticleFilter, error) {
	f := store.ArticleFilter{
		Status: tarjuma.Status(q.Get("status")),
		Lang:   tarjuma.Lang(q.Get("lang")),
		Limit:  defaultPageSize,
	}
	if f.Status != "" && !f.Status.Valid() {
		return f, errorf(http.StatusBadRequest, "invalid_parameter", "status %q is not one of %v", f.Status, tarjuma.Statuses())
	}
	if f.Lang != "" && !f.Lang.Valid() {
		return f, errorf(http.StatusBadRequest, "invalid_parameter", "lang %q is not one of %v", f.Lang, tarjuma.TargetLangs())
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return f, errorf(http.StatusBadRequest, "invalid_parameter", "limit must be an integer from 1 to %d", maxPageSize)
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		before, ok := decodeCursor(v)
		if !ok {
			return f, errorf(http.StatusBadRequest, "invalid_parameter", "cursor is not one this API returned")
		}
		f.Before = before
	}
	return f, nil
}

func encodeCursor(before int64) string {
	return base64.RawURLEncoding.EncodeToString(strconv.AppendInt(nil, before, 10))
}

func decodeCursor(cursor string) (int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	before, err := strconv.ParseInt(string(b), 10, 64)
	return before, err == nil && before > 0
}

// pathInt parses a positive integer path value; anything else names no resource, hence 404.
func pathInt(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, errorf(http.StatusNotFound, "not_found", "%s %q does not exist", name, v)
	}
	return n, nil
}

type withdrawRequest struct {
	Reason string `json:"reason"`
}

// withdrawalJSON is an article's withdrawal as the API shows it.
type withdrawalJSON struct {
	ArticleID int64     `json:"article_id"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
	Reason    string    `json:"reason"`
}

// withdrawArticle takes an article down on every channel it went to; 200 with the withdrawal,
// the first one's when it was withdrawn before (nothing more is queued).
func (s *Server) withdrawArticle(w http.ResponseWriter, r *http.Request, id int64) error {
	var req withdrawRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	wd, _, err := s.desk.Withdraw(r.Context(), actor(r.Context()), id, req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, withdrawalJSON{ArticleID: id, By: wd.By, At: wd.At, Reason: wd.Reason})
}

type embargoRequest struct {
	EmbargoUntil string `json:"embargo_until"`
}

// embargoJSON is an article's embargo after a change: until when it holds the article (null
// when it holds nothing) and the last change made to it since the submission, if any.
type embargoJSON struct {
	ArticleID    int64      `json:"article_id"`
	EmbargoUntil *time.Time `json:"embargo_until"`
	ChangedBy    string     `json:"changed_by,omitempty"`
	ChangedAt    *time.Time `json:"changed_at,omitempty"`
}

func newEmbargoJSON(id int64, c store.EmbargoChange) embargoJSON {
	return embargoJSON{ArticleID: id, EmbargoUntil: optionalTime(c.Until), ChangedBy: c.By, ChangedAt: optionalTime(c.At)}
}

// setEmbargo sets or moves an article's embargo; a time already past lifts it.
func (s *Server) setEmbargo(w http.ResponseWriter, r *http.Request, id int64) error {
	var req embargoRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	c, err := s.desk.SetEmbargo(r.Context(), actor(r.Context()), id, req.EmbargoUntil)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newEmbargoJSON(id, c))
}

// liftEmbargo ends an article's embargo now; its held deliveries go out at once.
func (s *Server) liftEmbargo(w http.ResponseWriter, r *http.Request, id int64) error {
	c, err := s.desk.LiftEmbargo(r.Context(), actor(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newEmbargoJSON(id, c))
}

// articleHolds adds to a translation what holds its article back: its withdrawal and its embargo.
func (s *Server) articleHolds(r *http.Request, out *translationDetailJSON) error {
	wd, err := s.db.Withdrawn(r.Context(), out.ArticleID)
	if err != nil {
		return fmt.Errorf("withdrawal of article %d: %w", out.ArticleID, err)
	}
	if wd != nil {
		out.Withdrawn = &withdrawalJSON{ArticleID: out.ArticleID, By: wd.By, At: wd.At, Reason: wd.Reason}
	}
	until, err := s.db.Embargo(r.Context(), out.ArticleID)
	if err != nil {
		return fmt.Errorf("embargo of article %d: %w", out.ArticleID, err)
	}
	if !until.IsZero() {
		out.EmbargoUntil = &until
	}
	return nil
}
