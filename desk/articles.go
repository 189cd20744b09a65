package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
)

// Limits on caller-chosen keys; both are stored and indexed, so they must stay short.
const (
	MaxExternalIDLen     = 255
	MaxIdempotencyKeyLen = 255
)

// Submission is an article handed to the desk for translation.
type Submission struct {
	Title, Body string
	ExternalID  string
	TargetLangs []tarjuma.Lang   // nil: every target language; empty: refused
	Priority    tarjuma.Priority // "": tarjuma.PriorityDefault
	// IdempotencyKey, when set, makes a resent submission return the first one's article.
	IdempotencyKey string
	// EmbargoUntil, when set, is an RFC 3339 time before which nothing of the article is
	// republished on any channel, even once approved; a time already past is no embargo.
	EmbargoUntil string

	embargo time.Time // EmbargoUntil parsed by normalize
}

// CheckIdempotencyKey refuses a key that is not printable ASCII without spaces or is longer
// than MaxIdempotencyKeyLen. Submit checks it too; the API asks first, since the key comes in a
// header it refuses before reading the body.
func CheckIdempotencyKey(key string) error {
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] > '~' {
			return keyError()
		}
	}
	if len(key) > MaxIdempotencyKeyLen {
		return keyError()
	}
	return nil
}

func keyError() *Error {
	return refuse(ErrMalformed, "invalid_idempotency_key", "idempotency_key",
		"Idempotency-Key must be printable ASCII without spaces, at most %d bytes", MaxIdempotencyKeyLen)
}

// normalize checks s against the submission rules, every one of them, and fills in the defaults.
func (s *Submission) normalize() error {
	var ps problems
	if s.IdempotencyKey != "" {
		if err := CheckIdempotencyKey(s.IdempotencyKey); err != nil {
			return err
		}
	}
	src := checkSource(s.Title, s.Body)
	ps.add(src)
	if src != nil && src.Code == "empty_field" && src.Field == "title" && tarjuma.Blank(s.Body) {
		ps.add(invalid("empty_field", "body", "body must not be empty"))
	}
	if len(s.ExternalID) > MaxExternalIDLen {
		ps.add(invalid("invalid_external_id", "external_id", "external_id is longer than %d bytes", MaxExternalIDLen))
	}
	ps.add(checkText("external_id", s.ExternalID))
	switch {
	case s.TargetLangs == nil:
		s.TargetLangs = tarjuma.TargetLangs()
	case len(s.TargetLangs) == 0:
		ps.add(invalid("invalid_lang", "target_langs", "target_langs must name at least one language; leave it out for %v", tarjuma.TargetLangs()))
	}
	ps.add(checkLangs("target_langs", s.TargetLangs))
	if s.EmbargoUntil != "" {
		var e *Error
		s.embargo, e = parseEmbargo(s.EmbargoUntil)
		ps.add(e)
	}
	if s.Priority == "" {
		s.Priority = tarjuma.PriorityDefault
	}
	if !s.Priority.Valid() {
		ps.add(invalid("invalid_priority", "priority", "priority %q is not one of urgent, default, bulk", s.Priority))
	}
	return ps.err()
}

// checkLangs refuses a list of target languages with an unknown or a repeated one.
func checkLangs(field string, langs []tarjuma.Lang) *Error {
	for i, l := range langs {
		if !l.Valid() {
			return invalid("invalid_lang", field, "target language %q is not one of %v", l, tarjuma.TargetLangs())
		}
		if slices.Contains(langs[:i], l) {
			return invalid("invalid_lang", field, "target language %q is listed twice", l)
		}
	}
	return nil
}

// requestHash is the one fingerprint of a submission that an idempotency key is held to: the
// submission's fields after defaults, so the same article sent through either door, or with a
// default spelled out, is the same request.
func (s Submission) requestHash() string {
	// The embargo is hashed as the instant given, however spelt, and before a past one is
	// dropped, so a retry after the time passed is still the same request.
	var embargo string
	if !s.embargo.IsZero() {
		embargo = s.embargo.Format(time.RFC3339Nano)
	}
	b, _ := json.Marshal([]any{s.Title, s.Body, s.ExternalID, s.TargetLangs, s.Priority, embargo}) // strings only: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Submit stores an article with its queued translations and wakes the relay. created is false
// when the external id or the idempotency key was seen before: the existing article is returned
// (tarjuma.ErrIdempotencyMismatch when the key came with another submission).
func (d *Desk) Submit(ctx context.Context, a Actor, s Submission) (art tarjuma.Article, created bool, err error) {
	if err := allow(isEditor(a), a, "submit articles"); err != nil {
		return tarjuma.Article{}, false, err
	}
	if err := s.normalize(); err != nil {
		return tarjuma.Article{}, false, err
	}
	embargo := s.embargo
	if !embargo.After(d.now()) {
		embargo = time.Time{}
	}
	art, created, err = d.db.CreateArticle(ctx, store.NewArticle{
		ExternalID: s.ExternalID, IdempotencyKey: s.IdempotencyKey, RequestHash: s.requestHash(),
		Title: s.Title, Body: s.Body, TargetLangs: s.TargetLangs, Priority: s.Priority, Author: a.Name,
		EmbargoUntil: embargo,
	})
	if errors.Is(err, tarjuma.ErrIdempotencyMismatch) {
		return tarjuma.Article{}, false, &Error{Code: "idempotency_mismatch", Field: "idempotency_key",
			Message: "this Idempotency-Key was already used with a different request body", Kind: tarjuma.ErrIdempotencyMismatch, Err: err}
	}
	if err != nil {
		return tarjuma.Article{}, false, fmt.Errorf("submit article: %w", err)
	}
	if created {
		d.wake()
	}
	return art, created, nil
}

// EditSource stores a new source revision of an article and re-queues its translations (the
// worker re-translates only the segments whose Arabic changed); an unchanged source stores
// nothing. base is the revision the editor started from: tarjuma.ErrConflict, storing nothing,
// when another revision was stored since, so a correction made on a stale form never undoes a
// colleague's; 0 skips the check, for a client that replaces the source whatever it was.
func (d *Desk) EditSource(ctx context.Context, a Actor, id int64, base int, title, body string) (tarjuma.Article, error) {
	if err := allow(isEditor(a), a, "edit articles"); err != nil {
		return tarjuma.Article{}, err
	}
	if base < 0 {
		return tarjuma.Article{}, invalid("invalid_revision", "base_revision", "base_revision must be a revision number, from 1")
	}
	if err := checkSource(title, body); err != nil {
		return tarjuma.Article{}, err
	}
	art, err := d.db.UpdateArticleSource(ctx, id, base, title, body, a.Name)
	if err != nil {
		return tarjuma.Article{}, fmt.Errorf("update article %d: %w", id, err)
	}
	// Also after an unchanged source: a spurious wake-up costs the relay one empty sweep.
	d.wake()
	return art, nil
}

// checkSource answers tarjuma.CheckSource's verdict on a title and body.
func checkSource(title, body string) *Error {
	var p *tarjuma.SourceProblem
	if !errors.As(tarjuma.CheckSource(title, body), &p) {
		return nil
	}
	switch p.Code {
	case tarjuma.SourceEmpty:
		return invalid("empty_field", p.Field, "%s must not be empty", p.Field)
	case tarjuma.SourceNUL:
		return refuse(ErrMalformed, "invalid_text", p.Field, "%s", p.Error())
	}
	return invalid("not_arabic", p.Field, "%s", p.Error())
}
