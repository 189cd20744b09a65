package worker

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/qa"
	"github.com/tarjuma/tarjuma/store"
	"github.com/tarjuma/tarjuma/translate"
)

// TypeTranslate is the task that makes the machine version of one translation for one source
// revision.
const TypeTranslate = "translate:article"

// Defaults of the translate task's options.
const (
	// DefaultRetention keeps a finished task in Redis for a day so its TaskID still dedups a
	// repeated enqueue; without Retention asynq forgets the id the moment the task succeeds.
	DefaultRetention = 24 * time.Hour
	// DefaultTranslateTimeout bounds one attempt; its context is cancelled and the task re-queued after it.
	DefaultTranslateTimeout = 5 * time.Minute
	// maxRetry spreads the attempts over half an hour to an hour with retryDelay's backoff
	// before the translation is marked failed.
	maxRetry = 12
	// failWriteTimeout bounds recording a failure once the task's own context may be over.
	failWriteTimeout = 5 * time.Second
)

// translatePayload names the work by ids only: the handler reads the article from the
// database, which is the truth, and Redis never holds article text.
type translatePayload struct {
	ArticleID      int64        `json:"article_id"`
	Lang           tarjuma.Lang `json:"lang"`
	SourceRevision int          `json:"source_revision"`
}

// NewTranslateTask builds the task for an outbox job. Its TaskID names the (article, language,
// revision), so the same job enqueued twice is refused by Redis rather than done twice, for as
// long as retention keeps the finished task (DefaultRetention when retention is not positive).
// The queue follows the article's priority.
func NewTranslateTask(j store.OutboxJob, retention time.Duration) (*asynq.Task, error) {
	payload, err := json.Marshal(translatePayload{ArticleID: j.ArticleID, Lang: j.Lang, SourceRevision: j.SourceRevision})
	if err != nil {
		return nil, fmt.Errorf("translate task payload: %w", err)
	}
	if retention <= 0 {
		retention = DefaultRetention
	}
	return asynq.NewTask(TypeTranslate, payload,
		asynq.TaskID(fmt.Sprintf("translate:%d:%s:r%d", j.ArticleID, j.Lang, j.SourceRevision)),
		asynq.Queue(queueFor(j.Priority)),
		asynq.Retention(retention),
		asynq.MaxRetry(maxRetry),
		asynq.Timeout(DefaultTranslateTimeout),
	), nil
}

// queueFor maps a priority to its queue; an unknown one goes to the default queue rather than
// to a queue no server listens on.
func queueFor(p tarjuma.Priority) string {
	if p.Valid() {
		return string(p)
	}
	return string(tarjuma.PriorityDefault)
}

// TranslateHandlerConfig holds a TranslateHandler's dependencies.
type TranslateHandlerConfig struct {
	DB         *store.DB
	Translator *translate.Translator
	// Glossary is the cached current glossary. cmd passes the one the API uses, so a process
	// builds each glossary version's matcher once; nil: the handler keeps its own over DB.
	Glossary *glossary.Cache
	Logger   *slog.Logger
}

// TranslateHandler processes TypeTranslate tasks. It is safe to run twice for the same task:
// the store refuses to start a translation that already has its version and stores at most one
// machine version per source revision.
type TranslateHandler struct {
	db         *store.DB
	translator *translate.Translator
	terms      *glossary.Cache
	log        *slog.Logger
}

// NewTranslateHandler builds the handler.
func NewTranslateHandler(cfg TranslateHandlerConfig) *TranslateHandler {
	log := cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	terms := cfg.Glossary
	if terms == nil {
		terms = cfg.DB.NewGlossaryCache()
	}
	return &TranslateHandler{db: cfg.DB, translator: cfg.Translator, terms: terms, log: log}
}

// ProcessTask makes the machine version. It returns nil when there is nothing (left) to do:
// the task is for a superseded revision, or the version is already stored. A permanent failure,
// or any failure on the last attempt, marks the translation failed with a reason for a person;
// permanent ones also stop asynq from retrying.
func (h *TranslateHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p translatePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("%w: decode payload: %w", asynq.SkipRetry, err)
	}
	if p.ArticleID < 1 || !p.Lang.Valid() || p.SourceRevision < 1 {
		return fmt.Errorf("%w: invalid payload %s", asynq.SkipRetry, t.Payload())
	}
	taskID, _ := asynq.GetTaskID(ctx)
	log := h.log.With("task_id", taskID, "article_id", p.ArticleID, "lang", p.Lang, "source_revision", p.SourceRevision)

	err := h.translate(ctx, log, p)
	if err == nil || errors.Is(err, asynq.SkipRetry) {
		return err
	}
	permanent := translate.IsPermanent(err)
	if !permanent && !lastAttempt(ctx) {
		return err // asynq retries it; the error handler logs it
	}
	// The task's context may be what ran out on this last attempt, and an unrecorded failure
	// would leave the translation waiting for a task that is gone.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), failWriteTimeout)
	defer cancel()
	reason := fmt.Sprintf("machine translation failed: %v", err)
	if ferr := h.db.FailTranslation(fctx, p.ArticleID, p.Lang, p.SourceRevision, reason); ferr != nil && !errors.Is(ferr, tarjuma.ErrStale) {
		return errors.Join(err, fmt.Errorf("recording the failure: %w", ferr))
	}
	if permanent {
		return fmt.Errorf("%w: %w", asynq.SkipRetry, err)
	}
	return err
}

// translate does the work of one attempt; every call gets ctx so nothing is written after
// asynq gave the task up.
func (h *TranslateHandler) translate(ctx context.Context, log *slog.Logger, p translatePayload) error {
	tr, rev, err := h.db.StartTranslating(ctx, p.ArticleID, p.Lang, p.SourceRevision)
	switch {
	case errors.Is(err, tarjuma.ErrStale):
		log.InfoContext(ctx, "skipping task for a superseded source revision")
		return nil
	case errors.Is(err, tarjuma.ErrConflict):
		log.InfoContext(ctx, "translation already done or moved on; nothing to do")
		return nil
	case errors.Is(err, tarjuma.ErrNotFound):
		// Retrying cannot make it appear; archived, the task stays visible to whoever operates asynq.
		return fmt.Errorf("%w: translation not found", asynq.SkipRetry)
	case err != nil:
		return fmt.Errorf("start translating: %w", err)
	}

	terms, glossaryVersion, err := h.terms.Current(ctx)
	if err != nil {
		return err
	}
	segs := tarjuma.SplitSource(rev.Title, rev.Body)
	if terms != nil {
		terms.MarkTerms(segs)
	}
	reused, err := h.reuse(ctx, tr, segs)
	if err != nil {
		return err
	}
	job := translate.Job{ArticleID: p.ArticleID, Source: tarjuma.Arabic, Target: p.Lang, Terms: terms, GlossaryVersion: glossaryVersion}
	if segs, err = h.translator.Translate(ctx, job, segs); err != nil {
		return err
	}
	qa.Check(terms, segs, p.Lang)

	v, created, err := h.db.SaveMachineVersion(ctx, tarjuma.Version{
		ArticleID:       p.ArticleID,
		Lang:            p.Lang,
		Segments:        segs,
		Author:          tarjuma.MachineAuthor,
		Machine:         true,
		SourceRevision:  p.SourceRevision,
		GlossaryVersion: glossaryVersion,
	})
	switch {
	case errors.Is(err, tarjuma.ErrStale):
		log.InfoContext(ctx, "source revised while translating; dropping this version")
		return nil
	case err != nil:
		return fmt.Errorf("save machine version: %w", err)
	case !created:
		log.InfoContext(ctx, "machine version already stored by an earlier run", "version", v.Number)
		return nil
	}
	log.InfoContext(ctx, "machine version stored", "version", v.Number, "segments", len(segs), "reused", reused)
	return nil
}

// reuse fills the segments whose source is unchanged since the latest version with that
// version's text and origin, human edits included, so only changed segments are translated
// again. Segments left untranslated then are tried again: the memory or the engines may know
// them now. It returns how many it filled. A translation without versions, the common case,
// costs no query.
func (h *TranslateHandler) reuse(ctx context.Context, tr tarjuma.Translation, segs []tarjuma.Segment) (int, error) {
	if tr.LatestVersion == 0 {
		return 0, nil
	}
	prev, err := h.db.LatestVersion(ctx, tr.ArticleID, tr.Lang)
	if err != nil {
		return 0, fmt.Errorf("load latest version: %w", err)
	}
	known := make(map[string]tarjuma.Segment, len(prev.Segments))
	for _, s := range prev.Segments {
		if _, dup := known[s.Source]; !dup && s.Origin != "" && s.Origin != tarjuma.OriginUntranslated {
			known[s.Source] = s
		}
	}
	n := 0
	for i := range segs {
		if old, ok := known[segs[i].Source]; ok {
			segs[i].Text, segs[i].Origin = old.Text, old.Origin
			n++
		}
	}
	return n, nil
}

// lastAttempt reports whether asynq will not retry the task after this attempt.
func lastAttempt(ctx context.Context) bool {
	retried, ok := asynq.GetRetryCount(ctx)
	limit, ok2 := asynq.GetMaxRetry(ctx)
	return ok && ok2 && retried >= limit
}
