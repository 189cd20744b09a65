// Package translate owns machine translation: the Provider seam every MT engine sits behind, the
// translation memory of approved segments, and the Translator that fills an article's segments
// from memory first and then from the engine chain configured for the target language. Engines
// themselves live in subpackages, one each.
package translate

import (
	"context"
	"errors"
	"time"

	"github.com/tarjuma/tarjuma"
)

// Provider is the seam every MT engine sits behind, so the pipeline can route languages to
// different engines, fall back from one to the next, and be tested with a stub. It is built for
// batching: engines bill and throttle per request, so one call carries all of an article's
// segments that need an engine.
type Provider interface {
	// Name identifies the engine in configuration, metrics and segment origins ("mt:<name>").
	Name() string
	// Translate returns exactly one text per element of req.Texts, in order, or an error;
	// errors that retrying cannot fix are an *Error with Permanent set.
	Translate(ctx context.Context, req Request) ([]string, error)
	// Supports reports whether the provider translates source to target, and how, so the
	// Translator can pass over it without spending a request it would refuse.
	Supports(source, target tarjuma.Lang) (Capabilities, bool)
}

// Request is one batch of texts in one language pair.
type Request struct {
	Source, Target tarjuma.Lang
	Texts          []string
	// HTML says the texts are HTML in which some glossary terms sit in <span translate="no">
	// elements holding the desk's target form: the engine must translate in its HTML mode, which
	// keeps such spans as they are, and answer in HTML.
	HTML bool
	// Glossary holds the desk's glossary terms found in Texts, as spelled there, with their
	// preferred target forms (and every form of them, for an engine that follows instructions
	// into a language whose terms inflect); it is set only for a provider whose Capabilities for
	// the pair include Glossary or Instructions.
	Glossary []GlossaryEntry
	// GlossaryVersion is the version of the desk's glossary that Glossary comes from, so an
	// engine that keeps a glossary of its own can tell when to rebuild it.
	GlossaryVersion int64
	// ArticleID is the article the texts come from, for cost accounting per article; 0 when
	// they come from none (a health check).
	ArticleID int64
}

// Error is a failure of an engine that says whether trying again can help, so the worker knows
// whether to retry the task or mark the translation failed for a person to look at.
type Error struct {
	Provider   string        // the engine; empty when the error is about the chain as a whole
	Permanent  bool          // retrying the same request cannot succeed (credentials, unsupported language, text refused)
	RetryAfter time.Duration // how long the engine asked us to wait, when it said
	Err        error
}

func (e *Error) Error() string {
	if e.Provider == "" {
		return e.Err.Error()
	}
	return "mt " + e.Provider + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// IsPermanent reports whether err says retrying cannot help. Errors that say nothing count as
// retryable, and so does a cancelled or expired context: the task will run again later.
func IsPermanent(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var e *Error
	return errors.As(err, &e) && e.Permanent
}
