package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/qa"
)

const translationColumns = `article_id, lang, status, failure_reason, source_revision, latest_version, updated_at`

func scanTranslation(s scanner) (tarjuma.Translation, error) {
	var t tarjuma.Translation
	err := s.Scan(&t.ArticleID, &t.Lang, &t.Status, &t.FailureReason, &t.SourceRevision, &t.LatestVersion, &t.UpdatedAt)
	t.UpdatedAt = t.UpdatedAt.UTC()
	return t, err
}

func translation(ctx context.Context, q querier, articleID int64, lang tarjuma.Lang) (tarjuma.Translation, error) {
	t, err := scanTranslation(q.QueryRowContext(ctx, `SELECT `+translationColumns+` FROM translations
		WHERE article_id = $1 AND lang = $2`, articleID, lang))
	return t, notFound(err, "translation %d/%s", articleID, lang)
}

// Translations returns the translations of one article in the order of its target languages.
func (db *DB) Translations(ctx context.Context, articleID int64) ([]tarjuma.Translation, error) {
	ts, err := queryAll(ctx, db.read, scanTranslation, `SELECT `+translationColumns+` FROM translations
		WHERE article_id = $1 ORDER BY position`, articleID)
	if err == nil && len(ts) == 0 {
		// Every article has at least one translation, so none means no article.
		err = fmt.Errorf("article %d: %w", articleID, tarjuma.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: translations of article %d: %w", articleID, err)
	}
	return ts, nil
}

// Translation returns one translation, or tarjuma.ErrNotFound.
func (db *DB) Translation(ctx context.Context, articleID int64, lang tarjuma.Lang) (tarjuma.Translation, error) {
	t, err := translation(ctx, db.read, articleID, lang)
	if err != nil {
		return tarjuma.Translation{}, fmt.Errorf("store: %w", err)
	}
	return t, nil
}

// mayBecome adds the statuses that may become next (tarjuma.Status.CanBecome) and returns the
// SQL condition that column (the status, or an expression of it) is one of them. Putting the
// state machine into the UPDATE's WHERE means a concurrent change between reading and writing a
// translation cannot slip an illegal move through.
func (p *params) mayBecome(column string, next tarjuma.Status) string {
	var from []any
	for _, s := range tarjuma.Statuses() {
		if s.CanBecome(next) {
			from = append(from, s)
		}
	}
	return column + " IN (" + p.list(from...) + ")"
}

// statusUnindexed is a batch statement's test of a translation's status, written as an
// expression no index covers. Planned from the statistics of a table that grew since its last
// ANALYZE (a fresh desk, a burst), a plain status test looked cheaper through the status index
// than the primary key and made every batch read every waiting translation; this way the batch
// always finds its rows by key.
const statusUnindexed = "(t.status || '')"

// whyNot explains why a translation did not move for source revision rev: it does not exist
// (tarjuma.ErrNotFound), it targets another revision (tarjuma.ErrStale), or its state forbids
// the move (tarjuma.ErrConflict).
func whyNot(ctx context.Context, q querier, articleID int64, lang tarjuma.Lang, rev int) error {
	t, err := translation(ctx, q, articleID, lang)
	switch {
	case err != nil:
		return err
	case t.SourceRevision != rev:
		return fmt.Errorf("translation %d/%s targets source revision %d, not %d: %w",
			articleID, lang, t.SourceRevision, rev, tarjuma.ErrStale)
	}
	return fmt.Errorf("translation %d/%s is %s with %d versions: %w",
		articleID, lang, t.Status, t.LatestVersion, tarjuma.ErrConflict)
}

// StartTranslating moves a translation to translating for source revision rev and returns it
// with that revision's source, which the worker needs next: one round trip instead of two. It
// returns tarjuma.ErrStale when the translation now targets another revision, and
// tarjuma.ErrConflict when the translation already has a version for rev or is in a state that
// cannot become translating (a worker re-running a finished task stops there).
func (db *DB) StartTranslating(ctx context.Context, articleID int64, lang tarjuma.Lang, rev int) (tarjuma.Translation, tarjuma.SourceRevision, error) {
	if db.starts != nil {
		s, err := db.starts.do(ctx, startTranslating{articleID, lang, rev})
		return s.t, s.r, err
	}
	return db.startTranslating(ctx, articleID, lang, rev)
}

// startTranslating is one StartTranslating call.
type startTranslating struct {
	articleID int64
	lang      tarjuma.Lang
	rev       int
}

// started is what StartTranslating returns.
type started struct {
	t tarjuma.Translation
	r tarjuma.SourceRevision
}

// startBatcher groups concurrent StartTranslating calls on PostgreSQL (see batcher): startBatch
// moves two or more in one statement, startTranslating one alone.
func (db *DB) startBatcher() *batcher[startTranslating, started] {
	return &batcher[startTranslating, started]{
		many: db.startBatch,
		one: func(ctx context.Context, s startTranslating) (started, error) {
			t, r, err := db.startTranslating(ctx, s.articleID, s.lang, s.rev)
			return started{t, r}, err
		},
	}
}

// startBatch is StartTranslating for many translations in one statement and so one commit.
// An item it did not move is answered ok false and run alone, which says why.
func (db *DB) startBatch(ctx context.Context, starts []startTranslating) ([]started, []bool, error) {
	ids, langs, revs := make([]int64, len(starts)), make([]string, len(starts)), make([]int32, len(starts))
	for i, s := range starts {
		ids[i], langs[i], revs[i] = s.articleID, string(s.lang), int32(s.rev)
	}
	p := params{ids, langs, revs, tarjuma.StatusTranslating, now()}
	rows, err := db.write.QueryContext(ctx, `WITH i AS (
			SELECT DISTINCT * FROM unnest($1::bigint[], $2::text[], $3::int[]) AS i (article_id, lang, source_revision)
		), u AS (
			UPDATE translations t SET status = $4, failure_reason = '', updated_at = $5
			FROM i WHERE t.article_id = i.article_id AND t.lang = i.lang AND t.source_revision = i.source_revision
			AND `+p.mayBecome(statusUnindexed, tarjuma.StatusTranslating)+`
			AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.article_id = i.article_id AND v.lang = i.lang AND v.source_revision = i.source_revision)
			RETURNING t.article_id, t.lang, t.status, t.failure_reason, t.source_revision, t.latest_version, t.updated_at
		)
		SELECT u.article_id, u.lang, u.status, u.failure_reason, u.source_revision, u.latest_version, u.updated_at,
			r.title, r.body, r.author, r.created_at
		FROM u JOIN source_revisions r ON r.article_id = u.article_id AND r.number = u.source_revision`, p...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	type key struct {
		id   int64
		lang tarjuma.Lang
	}
	moved := make(map[key]started, len(starts))
	for rows.Next() {
		var s started
		t, r := &s.t, &s.r
		if err := rows.Scan(&t.ArticleID, &t.Lang, &t.Status, &t.FailureReason, &t.SourceRevision, &t.LatestVersion, &t.UpdatedAt,
			&r.Title, &r.Body, &r.Author, &r.CreatedAt); err != nil {
			return nil, nil, err
		}
		r.ArticleID, r.Number = t.ArticleID, t.SourceRevision
		t.UpdatedAt, r.CreatedAt = t.UpdatedAt.UTC(), r.CreatedAt.UTC()
		moved[key{t.ArticleID, t.Lang}] = s
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	outs, ok := make([]started, len(starts)), make([]bool, len(starts))
	for i, s := range starts {
		k := key{s.articleID, s.lang}
		m, found := moved[k]
		if found && m.t.SourceRevision == s.rev {
			outs[i], ok[i] = m, true
			delete(moved, k) // a second item for the same translation runs alone and meets the conflict
		}
	}
	return outs, ok, nil
}

// startTranslating is StartTranslating for one translation in one statement.
func (db *DB) startTranslating(ctx context.Context, articleID int64, lang tarjuma.Lang, rev int) (tarjuma.Translation, tarjuma.SourceRevision, error) {
	p := params{tarjuma.StatusTranslating, now(), articleID, lang, rev}
	// Scalar subqueries, since SQLite's RETURNING cannot name the tables of an UPDATE … FROM.
	const source = ` FROM source_revisions WHERE article_id = $3 AND number = $5)`
	row := db.write.QueryRowContext(ctx, `UPDATE translations
		SET status = $1, failure_reason = '', updated_at = $2
		WHERE article_id = $3 AND lang = $4 AND source_revision = $5 AND `+p.mayBecome("status", tarjuma.StatusTranslating)+`
		AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.article_id = $3 AND v.lang = $4 AND v.source_revision = $5)
		RETURNING `+translationColumns+`, (SELECT title`+source+`, (SELECT body`+source+`,
			(SELECT author`+source+`, (SELECT created_at`+source, p...)
	var t tarjuma.Translation
	r := tarjuma.SourceRevision{ArticleID: articleID, Number: rev}
	err := row.Scan(&t.ArticleID, &t.Lang, &t.Status, &t.FailureReason, &t.SourceRevision, &t.LatestVersion, &t.UpdatedAt,
		&r.Title, &r.Body, &r.Author, &r.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		err = whyNot(ctx, db.read, articleID, lang, rev)
	}
	if err != nil {
		return tarjuma.Translation{}, tarjuma.SourceRevision{}, fmt.Errorf("store: start translating %d/%s at revision %d: %w", articleID, lang, rev, err)
	}
	t.UpdatedAt, r.CreatedAt = t.UpdatedAt.UTC(), r.CreatedAt.UTC()
	return t, r, nil
}

// FailTranslation marks the translation for revision rev failed with a reason a person can read.
// tarjuma.ErrStale when the translation now targets another revision.
func (db *DB) FailTranslation(ctx context.Context, articleID int64, lang tarjuma.Lang, rev int, reason string) error {
	p := params{tarjuma.StatusFailed, reason, now(), articleID, lang, rev}
	res, err := db.write.ExecContext(ctx, `UPDATE translations SET status = $1, failure_reason = $2, updated_at = $3
		WHERE article_id = $4 AND lang = $5 AND source_revision = $6 AND `+p.mayBecome("status", tarjuma.StatusFailed), p...)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err == nil && n == 0 {
		err = whyNot(ctx, db.read, articleID, lang, rev)
	}
	if err != nil {
		return fmt.Errorf("store: fail translation %d/%s at revision %d: %w", articleID, lang, rev, err)
	}
	return nil
}

// storedSegment fixes the JSON shape of segments in the versions table, so that renaming a
// field of tarjuma.Segment cannot change how stored versions read.
type storedSegment struct {
	ID     string         `json:"id"`
	Source string         `json:"source"`
	Text   string         `json:"text"`
	Origin tarjuma.Origin `json:"origin"`
	Terms  []storedSpan   `json:"terms,omitempty"`
	Checks []storedCheck  `json:"checks,omitempty"`
	// Flags are the segment's QA results; absent (nil) in versions stored before they were, and
	// present, [] when there are none, in every version stored with them.
	Flags *[]storedFlag `json:"flags,omitempty"`
	// Status is absent in versions stored before segments had one; they read as
	// tarjuma.DefaultSegmentStatus of their origin.
	Status tarjuma.SegmentStatus `json:"status,omitempty"`
}

// status is the segment's stored status, or for a segment stored before statuses the one
// tarjuma.DefaultSegmentStatus gives its origin.
func (s storedSegment) status() tarjuma.SegmentStatus {
	if s.Status == "" {
		return tarjuma.DefaultSegmentStatus(s.Origin)
	}
	return s.Status
}

type storedFlag struct {
	Kind tarjuma.FlagKind `json:"kind"`
	Args []string         `json:"args,omitempty"`
}

type storedSpan struct {
	TermID string             `json:"term"`
	Start  int                `json:"start"`
	End    int                `json:"end"`
	Method tarjuma.TermMethod `json:"method,omitempty"`
}

type storedCheck struct {
	TermID      string `json:"term"`
	Result      string `json:"result"`
	Form        string `json:"form,omitempty"`
	Case        string `json:"case,omitempty"`
	Suggestion  string `json:"suggestion,omitempty"`
	Start       int    `json:"start"`
	End         int    `json:"end"`
	SourceStart int    `json:"source_start"`
}

func encodeSegments(segs []tarjuma.Segment) (string, error) {
	stored := make([]storedSegment, len(segs))
	for i, s := range segs {
		stored[i] = storedSegment{ID: s.ID, Source: s.Source, Text: s.Text, Origin: s.Origin, Status: s.Status}
		for _, t := range s.Terms {
			stored[i].Terms = append(stored[i].Terms, storedSpan(t))
		}
		for _, c := range s.Checks {
			stored[i].Checks = append(stored[i].Checks, storedCheck(c))
		}
		if s.Flags != nil {
			flags := make([]storedFlag, len(s.Flags))
			for k, f := range s.Flags {
				flags[k] = storedFlag(f)
			}
			stored[i].Flags = &flags
		}
	}
	b, err := json.Marshal(stored)
	return string(b), err
}

func decodeSegments(raw string) ([]tarjuma.Segment, error) {
	var stored []storedSegment
	if err := json.Unmarshal([]byte(raw), &stored); err != nil {
		return nil, err
	}
	segs := make([]tarjuma.Segment, len(stored))
	for i, s := range stored {
		segs[i] = tarjuma.Segment{ID: s.ID, Source: s.Source, Text: s.Text, Origin: s.Origin, Status: s.status()}
		for _, t := range s.Terms {
			segs[i].Terms = append(segs[i].Terms, tarjuma.TermSpan(t))
		}
		for _, c := range s.Checks {
			segs[i].Checks = append(segs[i].Checks, tarjuma.TermCheck(c))
		}
		if s.Flags != nil {
			segs[i].Flags = make([]tarjuma.Flag, len(*s.Flags))
			for k, f := range *s.Flags {
				segs[i].Flags[k] = tarjuma.Flag(f)
			}
		}
	}
	withFlags(segs)
	return segs, nil
}

// withFlags gives the segments stored without flags (versions stored before the checks were)
// the flags qa would have stored: from their stored glossary checks, which are what the
// glossary said then, and their text. Nothing is written back, since a version is immutable;
// the derivation is cheap and the same on every read, so every door serves one result.
func withFlags(segs []tarjuma.Segment) {
	for i := range segs {
		if segs[i].Flags == nil {
			segs[i].Flags = qa.Flags(segs[i])
		}
	}
}

const versionColumns = `article_id, lang, number, segments, author, machine, source_revision, glossary_version, created_at`

func scanVersion(s scanner) (tarjuma.Version, error) {
	var v tarjuma.Version
	var segments string
	err := s.Scan(&v.ArticleID, &v.Lang, &v.Number, &segments, &v.Author, &v.Machine, &v.SourceRevision, &v.GlossaryVersion, &v.CreatedAt)
	if err != nil {
		return tarjuma.Version{}, err
	}
	if v.Segments, err = decodeSegments(segments); err != nil {
		return tarjuma.Version{}, fmt.Errorf("version %d/%s/%d segments: %w", v.ArticleID, v.Lang, v.Number, err)
	}
	v.CreatedAt = v.CreatedAt.UTC()
	return v, nil
}

// SaveMachineVersion stores v (Number is assigned: latest+1) as the pipeline's version for
// v.SourceRevision and moves the translation to needs_review, atomically. It is idempotent: when
// a machine version for that revision already exists it stores nothing and returns the existing
// one with created false. tarjuma.ErrStale when the translation now targets another revision.
// Its segments are stored as drafts, whatever their Status: nobody confirmed them yet.
func (db *DB) SaveMachineVersion(ctx context.Context, v tarjuma.Version) (saved tarjuma.Version, created bool, err error) {
	v.Segments = slices.Clone(v.Segments)
	for i := range v.Segments {
		v.Segments[i].Status = tarjuma.SegmentDraft
	}
	segments, err := encodeSegments(v.Segments)
	if err != nil {
		return tarjuma.Version{}, false, fmt.Errorf("store: save machine version: %w", err)
	}
	saved = v
	saved.Author, saved.Machine = tarjuma.MachineAuthor, true
	if db.saves != nil {
		var s machineSaved
		s, err = db.saves.do(ctx, machineSave{saved, segments})
		saved.Number, saved.CreatedAt, created = s.number, s.createdAt, s.created
	} else {
		created, err = db.saveMachineTx(ctx, &saved, segments)
	}
	if err == nil && !created {
		// Rare: a re-run task, or a revision moved on. Either can read outside the save.
		saved, err = machineVersion(ctx, db.read, v.ArticleID, v.Lang, v.SourceRevision)
		if errors.Is(err, tarjuma.ErrNotFound) {
			err = whyNot(ctx, db.read, v.ArticleID, v.Lang, v.SourceRevision)
		}
	}
	if err != nil {
		return tarjuma.Version{}, false, fmt.Errorf("store: save machine version of %d/%s at revision %d: %w",
			v.ArticleID, v.Lang, v.SourceRevision, err)
	}
	if created {
		saved = db.versionStored(saved)
	}
	return saved, created, nil
}

// machineSave is one SaveMachineVersion on PostgreSQL: the version (Author and Machine set) and
// its encoded segments.
type machineSave struct {
	v        tarjuma.Version
	segments string
}

// machineSaved is what saveMachineStatement reports: the number and time the version was
// stored at, when created.
type machineSaved struct {
	number    int
	createdAt time.Time
	created   bool
}

// saveBatcher groups concurrent SaveMachineVersion calls on PostgreSQL (see batcher):
// saveMachineBatch stores two or more in one statement, saveMachineStatement one alone.
func (db *DB) saveBatcher() *batcher[machineSave, machineSaved] {
	return &batcher[machineSave, machineSaved]{
		many: db.saveMachineBatch,
		one: func(ctx context.Context, s machineSave) (machineSaved, error) {
			created, err := db.saveMachineStatement(ctx, &s.v, s.segments)
			return machineSaved{s.v.Number, s.v.CreatedAt, created}, err
		},
	}
}

// saveMachineBatch is saveMachineStatement for many versions in one statement and so one
// commit. Rows are locked in key order, so two batches cannot deadlock each other. A version
// the statement did not store (a re-run, a revision moved on, a second item for the same
// translation) is answered created false, exactly as saveMachineStatement would answer it alone,
// and SaveMachineVersion then reads why.
func (db *DB) saveMachineBatch(ctx context.Context, saves []machineSave) ([]machineSaved, []bool, error) {
	ids, langs, revs, segments, glossaries := make([]int64, len(saves)), make([]string, len(saves)),
		make([]int32, len(saves)), make([]string, len(saves)), make([]int64, len(saves))
	for i, s := range saves {
		ids[i], langs[i], revs[i], segments[i], glossaries[i] = s.v.ArticleID, string(s.v.Lang), int32(s.v.SourceRevision), s.segments, s.v.GlossaryVersion
	}
	at := now()
	p := params{ids, langs, revs, segments, glossaries, tarjuma.MachineAuthor, at, tarjuma.StatusNeedsReview}
	rows, err := db.write.QueryContext(ctx, `WITH i AS (
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::bigint[])
				AS i (article_id, lang, source_revision, segments, glossary_version)
		), t AS (
			SELECT t.article_id, t.lang, t.latest_version, t.source_revision, i.segments, i.glossary_version
			FROM translations t JOIN i ON t.article_id = i.article_id AND t.lang = i.lang AND t.source_revision = i.source_revision
			WHERE `+p.mayBecome(statusUnindexed, tarjuma.StatusNeedsReview)+`
			ORDER BY t.article_id, t.lang
			FOR UPDATE OF t
		), v AS (
			INSERT INTO versions (`+versionColumns+`)
			SELECT article_id, lang, latest_version + 1, segments, $6, TRUE, source_revision, glossary_version, $7 FROM t
			ON CONFLICT DO NOTHING RETURNING article_id, lang, source_revision, number, created_at
		), u AS (
			UPDATE translations tr SET status = $8, failure_reason = '', latest_version = v.number, updated_at = $7
			FROM v WHERE tr.article_id = v.article_id AND tr.lang = v.lang
		), d AS (
			DELETE FROM jobs j USING v
			WHERE j.article_id = v.article_id AND j.lang = v.lang AND j.source_revision <= v.source_revision
		)
		SELECT article_id, lang, source_revision, number, created_at FROM v`, p...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	type key struct {
		id   int64
		lang string
		rev  int
	}
	stored := make(map[key]machineSaved, len(saves))
	for rows.Next() {
		var k key
		var s machineSaved
		if err := rows.Scan(&k.id, &k.lang, &k.rev, &s.number, &s.createdAt); err != nil {
			return nil, nil, err
		}
		s.createdAt, s.created = s.createdAt.UTC(), true
		stored[k] = s
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	outs, ok := make([]machineSaved, len(saves)), make([]bool, len(saves))
	for i, s := range saves {
		k := key{s.v.ArticleID, string(s.v.Lang), s.v.SourceRevision}
		outs[i], ok[i] = stored[k], true
		delete(stored, k) // a second item for the same translation was not stored
	}
	return outs, ok, nil
}

// saveMachineStatement is SaveMachineVersion on PostgreSQL in one statement, so one round trip
// instead of five (BEGIN, three statements, COMMIT). The translation row is locked first, so the
// revision and state it is checked at are the ones it is updated at. A concurrent save of the
// same revision waits for the lock, then hits the unique index on machine versions and inserts
// nothing; so does a re-run. It sets v.Number and v.CreatedAt and reports whether it stored v.
func (db *DB) saveMachineStatement(ctx context.Context, v *tarjuma.Version, segments string) (bool, error) {
	p := params{v.ArticleID, v.Lang, v.SourceRevision, segments, tarjuma.MachineAuthor, now(), tarjuma.StatusNeedsReview, v.GlossaryVersion}
	err := db.write.QueryRowContext(ctx, `WITH t AS (
			SELECT article_id, lang, latest_version, source_revision FROM translations
			WHERE article_id = $1 AND lang = $2 AND source_revision = $3 AND `+p.mayBecome("status", tarjuma.StatusNeedsReview)+`
			FOR UPDATE
		), v AS (
			INSERT INTO versions (`+versionColumns+`)
			SELECT article_id, lang, latest_version + 1, $4, $5, TRUE, source_revision, $8, $6 FROM t
			ON CONFLICT DO NOTHING RETURNING number, created_at
		), u AS (
			UPDATE translations SET status = $7, failure_reason = '', latest_version = v.number, updated_at = $6
			FROM v WHERE article_id = $1 AND lang = $2
		), d AS (
			DELETE FROM jobs WHERE article_id = $1 AND lang = $2 AND source_revision <= $3 AND EXISTS (SELECT 1 FROM v)
		)
		SELECT number, created_at FROM v`, p...).Scan(&v.Number, &v.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	v.CreatedAt = v.CreatedAt.UTC()
	return err == nil, err
}

// saveMachineTx is SaveMachineVersion on SQLite, whose single writer makes the transaction as
// good as a lock and whose statements cost no round trip.
func (db *DB) saveMachineTx(ctx context.Context, v *tarjuma.Version, segments string) (created bool, err error) {
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		// The version is numbered from the translation row it is selected from, and inserted only
		// when that row is at the revision and in a state that may become needs_review. An existing
		// machine version of the revision hits the unique index and inserts nothing.
		p := params{v.ArticleID, v.Lang, v.SourceRevision, segments, tarjuma.MachineAuthor, at, v.GlossaryVersion}
		err := tx.QueryRowContext(ctx, `INSERT INTO versions (`+versionColumns+`)
			SELECT article_id, lang, latest_version + 1, $4, $5, TRUE, source_revision, $7, $6 FROM translations
			WHERE article_id = $1 AND lang = $2 AND source_revision = $3 AND `+p.mayBecome("status", tarjuma.StatusNeedsReview)+`
			ON CONFLICT DO NOTHING RETURNING number`, p...).Scan(&v.Number)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE translations SET status = $1, failure_reason = '',
			latest_version = $2, updated_at = $3 WHERE article_id = $4 AND lang = $5`,
			tarjuma.StatusNeedsReview, v.Number, at, v.ArticleID, v.Lang)
		if err == nil {
			// The outbox rows of this and older revisions are done with; removing them keeps the
			// relay's sweep over in-flight work only.
			_, err = tx.ExecContext(ctx, `DELETE FROM jobs WHERE article_id = $1 AND lang = $2 AND source_revision <= $3`,
				v.ArticleID, v.Lang, v.SourceRevision)
		}
		v.CreatedAt, created = at, err == nil
		return err
	})
	return created, err
}

func machineVersion(ctx context.Context, q querier, articleID int64, lang tarjuma.Lang, rev int) (tarjuma.Version, error) {
	v, err := scanVersion(q.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM versions
		WHERE article_id = $1 AND lang = $2 AND source_revision = $3 AND machine`, articleID, lang, rev))
	return v, notFound(err, "machine version of %d/%s at revision %d", articleID, lang, rev)
}

// Version returns version n of a translation, or tarjuma.ErrNotFound.
func (db *DB) Version(ctx context.Context, articleID int64, lang tarjuma.Lang, n int) (tarjuma.Version, error) {
	if !storableNumber(n) {
		return tarjuma.Version{}, fmt.Errorf("store: version %d of %d/%s: %w", n, articleID, lang, tarjuma.ErrNotFound)
	}
	v, err := scanVersion(db.read.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM versions
		WHERE article_id = $1 AND lang = $2 AND number = $3`, articleID, lang, n))
	if err != nil {
		return tarjuma.Version{}, fmt.Errorf("store: %w", notFound(err, "version %d of %d/%s", n, articleID, lang))
	}
	return v, nil
}

// LatestVersion returns the newest version of a translation, or tarjuma.ErrNotFound when it
// has none yet.
func (db *DB) LatestVersion(ctx context.Context, articleID int64, lang tarjuma.Lang) (tarjuma.Version, error) {
	v, err := scanVersion(db.read.QueryRowContext(ctx, `SELECT `+versionColumns+` FROM versions
		WHERE article_id = $1 AND lang = $2 ORDER BY number DESC LIMIT 1`, articleID, lang))
	if err != nil {
		return tarjuma.Version{}, fmt.Errorf("store: %w", notFound(err, "latest version of %d/%s", articleID, lang))
	}
	return v, nil
}

// Versions returns every version of a translation, oldest first. tarjuma.ErrNotFound when the
// translation does not exist.
func (db *DB) Versions(ctx context.Context, articleID int64, lang tarjuma.Lang) ([]tarjuma.Version, error) {
	vs, err := queryAll(ctx, db.read, scanVersion, `SELECT `+versionColumns+` FROM versions
		WHERE article_id = $1 AND lang = $2 ORDER BY number`, articleID, lang)
	if err == nil && len(vs) == 0 {
		_, err = translation(ctx, db.read, articleID, lang)
	}
	if err != nil {
		return nil, fmt.Errorf("store: versions of %d/%s: %w", articleID, lang, err)
	}
	return vs, nil
}
