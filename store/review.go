package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/qa"
)

// HumanEdit is a person's new version of a translation, made from BaseVersion.
type HumanEdit struct {
	ArticleID   int64
	Lang        tarjuma.Lang
	BaseVersion int // the version the person edited; it must still be the latest
	// Segments is the full list, title first, with the base's ids and sources, and Terms and
	// Checks already computed against the glossary of GlossaryVersion.
	Segments        []tarjuma.Segment
	Author          string
	GlossaryVersion int64
}

// ReviewEvent is a reviewer's decision on one version of a translation.
type ReviewEvent struct {
	ArticleID int64
	Lang      tarjuma.Lang
	Version   int
	Actor     string
	Action    tarjuma.Status // StatusApproved or StatusRejected: the status the decision set
	Comment   string
	// Override is set when the reviewer approved the version despite its open issues.
	Override *Override
	At       time.Time
}

// Override is a reviewer's decision to approve a version with open issues (qa.OpenIssues:
// untranslated, empty or unconfirmed segments, blocking QA flags not dismissed), and why. Reason is the reviewer's; Issues are filled in by Approve with the
// issues the version had, so the record says what was approved anyway.
type Override struct {
	Reason string
	Issues []tarjuma.Issue
}

// storedIssue is an overridden issue as review_events.override_issues holds it.
type storedIssue struct {
	Segment string            `json:"segment"`
	Kind    tarjuma.IssueKind `json:"kind"`
	Args    []string          `json:"args,omitempty"`
}

// lockTranslation reads a translation inside tx and, on PostgreSQL, locks its row until tx
// ends; SQLite's immediate transactions already hold the only write lock. Every check made on
// the row then still holds when the transaction writes.
func (db *DB) lockTranslation(ctx context.Context, tx *sql.Tx, articleID int64, lang tarjuma.Lang) (tarjuma.Translation, error) {
	t, err := scanTranslation(tx.QueryRowContext(ctx, `SELECT `+translationColumns+` FROM translations
		WHERE article_id = $1 AND lang = $2`+db.dialect.forUpdate, articleID, lang))
	return t, notFound(err, "translation %d/%s", articleID, lang)
}

func versionIn(ctx context.Context, q querier, articleID int64, lang tarjuma.Lang, n int) (tarjuma.Version, error) {
	v, err := scanVersion(q.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM versions
		WHERE article_id = $1 AND lang = $2 AND number = $3`, articleID, lang, n))
	return v, notFound(err, "version %d of %d/%s", n, articleID, lang)
}

// SaveHumanVersion stores e as the translation's next version (latest+1, not machine) and moves
// the translation to needs_review, so an edit after approval goes back to a reviewer. The
// base's flag dismissals carry over to the segments whose text and flag are unchanged. It stores
// nothing and returns tarjuma.ErrConflict when e.BaseVersion is no longer the latest (two
// translators never overwrite each other), when the translation's state cannot become
// needs_review, or when the source was revised since the base was made (a machine version of the
// new source is on its way). tarjuma.ErrInvalid when the segments are not the base's.
func (db *DB) SaveHumanVersion(ctx context.Context, e HumanEdit) (tarjuma.Version, error) {
	v := tarjuma.Version{ArticleID: e.ArticleID, Lang: e.Lang, Segments: e.Segments, Author: e.Author, GlossaryVersion: e.GlossaryVersion}
	err := func() error {
		if strings.TrimSpace(e.Author) == "" || e.BaseVersion < 1 {
			return fmt.Errorf("author %q, base version %d: %w", e.Author, e.BaseVersion, tarjuma.ErrInvalid)
		}
		segments, err := encodeSegments(e.Segments)
		if err != nil {
			return err
		}
		return db.inTx(ctx, func(tx *sql.Tx) error {
			t, err := db.lockTranslation(ctx, tx, e.ArticleID, e.Lang)
			if err != nil {
				return err
			}
			if t.LatestVersion != e.BaseVersion {
				return fmt.Errorf("base version %d is not the latest, %d: %w", e.BaseVersion, t.LatestVersion, tarjuma.ErrConflict)
			}
			if !t.Status.CanBecome(tarjuma.StatusNeedsReview) {
				return fmt.Errorf("translation is %s: %w", t.Status, tarjuma.ErrConflict)
			}
			base, err := versionIn(ctx, tx, e.ArticleID, e.Lang, e.BaseVersion)
			if err != nil {
				return err
			}
			if base.SourceRevision != t.SourceRevision {
				return fmt.Errorf("base version %d is of source revision %d, the translation now of %d: %w",
					base.Number, base.SourceRevision, t.SourceRevision, tarjuma.ErrConflict)
			}
			if err := sameSegments(base.Segments, e.Segments); err != nil {
				return err
			}
			v.Number, v.SourceRevision, v.CreatedAt = t.LatestVersion+1, t.SourceRevision, now()
			if _, err := tx.ExecContext(ctx, `INSERT INTO versions (`+versionColumns+`)
				VALUES ($1, $2, $3, $4, $5, FALSE, $6, $7, $8)`,
				v.ArticleID, v.Lang, v.Number, segments, v.Author, v.SourceRevision, v.GlossaryVersion, v.CreatedAt); err != nil {
				return err
			}
			if _, err = tx.ExecContext(ctx, `UPDATE translations SET status = $1, failure_reason = '',
				latest_version = $2, updated_at = $3 WHERE article_id = $4 AND lang = $5`,
				tarjuma.StatusNeedsReview, v.Number, v.CreatedAt, v.ArticleID, v.Lang); err != nil {
				return err
			}
			return carryDismissals(ctx, tx, base, v)
		})
	}()
	if err != nil {
		return tarjuma.Version{}, fmt.Errorf("store: save version of %d/%s by %s: %w", e.ArticleID, e.Lang, e.Author, err)
	}
	return db.versionStored(v), nil
}

// sameSegments checks that an edit keeps the base's segments: the same ids in the same order,
// of the same sources. Only the target text and what follows from it may change.
func sameSegments(base, edit []tarjuma.Segment) error {
	if len(base) != len(edit) {
		return fmt.Errorf("%d segments, the base has %d: %w", len(edit), len(base), tarjuma.ErrInvalid)
	}
	for i := range base {
		if base[i].ID != edit[i].ID || base[i].Source != edit[i].Source {
			return fmt.Errorf("segment %d is %q, the base's %q, or its source differs: %w", i, edit[i].ID, base[i].ID, tarjuma.ErrInvalid)
		}
	}
	return nil
}

// Approve marks version of a translation approved, records the decision, and puts every
// translated segment of the version into the translation memory under
// glossary.MemoryKey(source), the key the translator looks it up by, all in one transaction, so the memory holds exactly what reviewers approved. Only the latest version
// can be approved, and only from a state that may become approved (needs_review):
// tarjuma.ErrConflict otherwise.
//
// A version with open issues (qa.OpenIssues: untranslated, empty or unconfirmed segments, QA
// flags that block and were not dismissed) would publish Arabic, nothing, or text nobody
// stood by, labelled as the target language, so it is refused with a
// *tarjuma.OpenIssuesError (tarjuma.ErrOpenIssues) and nothing is stored, unless override
// carries the reviewer's reason; then the override, its reason and the issues are recorded with
// the decision. The rule is checked here, on the very version the transaction approves, so both
// doors enforce it alike and no save can slip in between. An override without a reason is
// tarjuma.ErrInvalid; one given for a version without open issues is not recorded, as nothing
// was overridden.
func (db *DB) Approve(ctx context.Context, articleID int64, lang tarjuma.Lang, version int, reviewer, comment string, override *Override) error {
	ev := ReviewEvent{ArticleID: articleID, Lang: lang, Version: version, Actor: reviewer,
		Action: tarjuma.StatusApproved, Comment: comment}
	err := func() error {
		if override != nil && strings.TrimSpace(override.Reason) == "" {
			return fmt.Errorf("an override needs a reason: %w", tarjuma.ErrInvalid)
		}
		check := func(tx *sql.Tx, v tarjuma.Version, ev *ReviewEvent) error {
			dismissed, err := versionDismissals(ctx, tx, v.ArticleID, v.Lang, v.Number)
			if err != nil {
				return err
			}
			issues := qa.OpenIssues(v, dismissed)
			switch {
			case len(issues) == 0:
				return nil
			case override == nil:
				return &tarjuma.OpenIssuesError{Version: v.Number, Issues: issues}
			}
			ev.Override = &Override{Reason: strings.TrimSpace(override.Reason), Issues: issues}
			return nil
		}
		return db.decide(ctx, ev, check, func(tx *sql.Tx, v tarjuma.Version, at time.Time) error {
			if err := db.rememberApproved(ctx, tx, v, at); err != nil {
				return err
			}
			return queueDeliveries(ctx, tx, v, reviewer, at)
		})
	}()
	if err != nil {
		return fmt.Errorf("store: approve version %d of %d/%s: %w", version, articleID, lang, err)
	}
	return nil
}

// Reject marks the latest version of a translation rejected and records why; the comment is
// required (tarjuma.ErrInvalid without one), since the translator has to know what to fix.
// notes, the reviewer's comments on segments of the version, are stored with the decision as
// comments of kind rejection (tarjuma.ErrNotFound for a segment the version lacks).
// tarjuma.ErrConflict when version is not the latest or the state cannot become rejected.
func (db *DB) Reject(ctx context.Context, articleID int64, lang tarjuma.Lang, version int, reviewer, comment string, notes ...SegmentNote) error {
	var err error
	if strings.TrimSpace(comment) == "" {
		err = fmt.Errorf("a rejection needs a comment: %w", tarjuma.ErrInvalid)
	} else {
		var also func(tx *sql.Tx, v tarjuma.Version, at time.Time) error
		if len(notes) > 0 {
			also = func(tx *sql.Tx, v tarjuma.Version, at time.Time) error {
				return addRejectionNotes(ctx, tx, v, reviewer, at, notes)
			}
		}
		err = db.decide(ctx, ReviewEvent{ArticleID: articleID, Lang: lang, Version: version, Actor: reviewer,
			Action: tarjuma.StatusRejected, Comment: comment}, nil, also)
	}
	if err != nil {
		return fmt.Errorf("store: reject version %d of %d/%s: %w", version, articleID, lang, err)
	}
	return nil
}

// decide moves the translation to ev.Action and records ev, then runs also (when set) on the
// decided version in the same transaction. check (when set) sees the decided version first and
// may refuse the decision, storing nothing, or complete ev before it is recorded.
func (db *DB) decide(ctx context.Context, ev ReviewEvent, check func(tx *sql.Tx, v tarjuma.Version, ev *ReviewEvent) error,
	also func(tx *sql.Tx, v tarjuma.Version, at time.Time) error) error {
	if strings.TrimSpace(ev.Actor) == "" {
		return fmt.Errorf("no reviewer named: %w", tarjuma.ErrInvalid)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		t, err := db.lockTranslation(ctx, tx, ev.ArticleID, ev.Lang)
		switch {
		case err != nil:
			return err
		case ev.Version < 1 || ev.Version > t.LatestVersion:
			return fmt.Errorf("version %d of %d/%s: %w", ev.Version, ev.ArticleID, ev.Lang, tarjuma.ErrNotFound)
		case ev.Version != t.LatestVersion:
			return fmt.Errorf("version %d is not the latest, %d: %w", ev.Version, t.LatestVersion, tarjuma.ErrConflict)
		case !t.Status.CanBecome(ev.Action):
			return fmt.Errorf("translation is %s: %w", t.Status, tarjuma.ErrConflict)
		}
		var v tarjuma.Version
		if check != nil || also != nil {
			if v, err = versionIn(ctx, tx, ev.ArticleID, ev.Lang, ev.Version); err != nil {
				return err
			}
		}
		if check != nil {
			if err := check(tx, v, &ev); err != nil {
				return err
			}
		}
		reason, issues, err := encodeOverride(ev.Override)
		if err != nil {
			return err
		}
		at := now()
		if _, err := tx.ExecContext(ctx, `UPDATE translations SET status = $1, updated_at = $2
			WHERE article_id = $3 AND lang = $4`, ev.Action, at, ev.ArticleID, ev.Lang); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO review_events (article_id, lang, version, actor, action, comment,
			override_reason, override_issues, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			ev.ArticleID, ev.Lang, ev.Version, ev.Actor, ev.Action, ev.Comment, reason, issues, at); err != nil {
			return err
		}
		if also == nil {
			return nil
		}
		return also(tx, v, at)
	})
}

// rememberApproved puts v's translated segments into the memory, so the next machine version of
// the same sentence takes the approved text. Untranslated segments hold the source, not a
// translation, and empty ones nothing worth reusing.
func (db *DB) rememberApproved(ctx context.Context, tx *sql.Tx, v tarjuma.Version, at time.Time) error {
	var entries []MemoryEntry
	for _, s := range v.Segments {
		key := glossary.MemoryKey(s.Source)
		if s.Origin == tarjuma.OriginUntranslated || strings.TrimSpace(s.Text) == "" || key == "" {
			continue
		}
		entries = append(entries, MemoryEntry{Source: tarjuma.Arabic, Target: v.Lang, Key: key, Text: s.Text})
	}
	return db.putMemory(ctx, tx, entries, at)
}

// ReviewEvents returns the review decisions on a translation, oldest first. tarjuma.ErrNotFound
// when the translation does not exist.
func (db *DB) ReviewEvents(ctx context.Context, articleID int64, lang tarjuma.Lang) ([]ReviewEvent, error) {
	evs, err := queryAll(ctx, db.read, func(s scanner) (ReviewEvent, error) {
		var e ReviewEvent
		var reason, issues string
		if err := s.Scan(&e.ArticleID, &e.Lang, &e.Version, &e.Actor, &e.Action, &e.Comment, &reason, &issues, &e.At); err != nil {
			return e, err
		}
		e.At = e.At.UTC()
		var err error
		e.Override, err = decodeOverride(reason, issues)
		return e, err
	}, `SELECT article_id, lang, version, actor, action, comment,
		override_reason, override_issues, created_at
		FROM review_events WHERE article_id = $1 AND lang = $2 ORDER BY id`, articleID, lang)
	if err == nil && len(evs) == 0 {
		_, err = translation(ctx, db.read, articleID, lang)
	}
	if err != nil {
		return nil, fmt.Errorf("store: review events of %d/%s: %w", articleID, lang, err)
	}
	return evs, nil
}

// encodeOverride is o as review_events stores it: its reason and its issues as JSON; both
// empty without an override.
func encodeOverride(o *Override) (reason, issues string, err error) {
	if o == nil {
		return "", "", nil
	}
	stored := make([]storedIssue, len(o.Issues))
	for i, is := range o.Issues {
		stored[i] = storedIssue{Segment: is.SegmentID, Kind: is.Kind, Args: is.Args}
	}
	b, err := json.Marshal(stored)
	return o.Reason, string(b), err
}

func decodeOverride(reason, issues string) (*Override, error) {
	if reason == "" {
		return nil, nil
	}
	var stored []storedIssue
	if err := json.Unmarshal([]byte(issues), &stored); err != nil {
		return nil, fmt.Errorf("override issues: %w", err)
	}
	o := &Override{Reason: reason, Issues: make([]tarjuma.Issue, len(stored))}
	for i, is := range stored {
		o.Issues[i] = tarjuma.Issue{SegmentID: is.Segment, Kind: is.Kind, Args: is.Args}
	}
	return o, nil
}
