package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/tarjuma/tarjuma"
)

// CommentKind tells a person's comment on a segment from a reviewer's note on a segment of a
// version she rejected.
type CommentKind string

const (
	CommentPlain     CommentKind = "comment"
	CommentRejection CommentKind = "rejection"
)

// Comment is a comment on one segment of a translation. A reply names the comment that opened
// its thread in ParentID (0 for an opening comment); threads are one level deep, as in the
// CAT tools translators know, so a reply to a reply joins the same thread.
type Comment struct {
	ID        int64
	ArticleID int64
	Lang      tarjuma.Lang
	Segment   string
	ParentID  int64
	Kind      CommentKind
	Version   int // the translation's latest version when the comment was made
	Author    string
	Body      string
	Mentions  []string // the emails of the users the comment mentions, in the order given
	At        time.Time
}

// NewComment is a comment to store; Mentions are user ids the desk resolved from the body.
type NewComment struct {
	ArticleID int64
	Lang      tarjuma.Lang
	Segment   string
	ParentID  int64
	Author    string
	Body      string
	Mentions  []int64
}

// SegmentNote is a reviewer's note on one segment of a version she rejects.
type SegmentNote struct {
	Segment string
	Body    string
}

// AddComment stores c on a segment of the translation's latest version and returns it as
// stored. tarjuma.ErrNotFound when the translation has no version, the version has no such
// segment, or the parent is not a comment on the same segment; a reply to a reply is stored as
// a reply to the thread's opening comment.
func (db *DB) AddComment(ctx context.Context, c NewComment) (Comment, error) {
	var out Comment
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		t, err := db.lockTranslation(ctx, tx, c.ArticleID, c.Lang)
		if err != nil {
			return err
		}
		if t.LatestVersion < 1 {
			return fmt.Errorf("translation has no version to comment on: %w", tarjuma.ErrNotFound)
		}
		v, err := versionIn(ctx, tx, c.ArticleID, c.Lang, t.LatestVersion)
		if err != nil {
			return err
		}
		if err := hasSegment(v, c.Segment); err != nil {
			return err
		}
		parent := c.ParentID
		if parent != 0 {
			var root sql.NullInt64
			var segment string
			err := tx.QueryRowContext(ctx, `SELECT parent_id, segment FROM comments WHERE id = $1 AND article_id = $2 AND lang = $3`,
				parent, c.ArticleID, c.Lang).Scan(&root, &segment)
			if err != nil || segment != c.Segment {
				return notFound(orNoRows(err), "comment %d on segment %q", parent, c.Segment)
			}
			if root.Valid {
				parent = root.Int64
			}
		}
		out, err = insertComment(ctx, tx, Comment{ArticleID: c.ArticleID, Lang: c.Lang, Segment: c.Segment, ParentID: parent,
			Kind: CommentPlain, Version: v.Number, Author: c.Author, Body: c.Body, At: now()})
		if err != nil {
			return err
		}
		for _, uid := range c.Mentions {
			if _, err := tx.ExecContext(ctx, `INSERT INTO comment_mentions (comment_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
				out.ID, uid); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Comment{}, fmt.Errorf("store: comment on %d/%s segment %q: %w", c.ArticleID, c.Lang, c.Segment, err)
	}
	return db.comment(ctx, out.ID)
}

// orNoRows turns a found row (err nil) that does not fit into sql.ErrNoRows, for notFound.
func orNoRows(err error) error {
	if err == nil {
		return sql.ErrNoRows
	}
	return err
}

func hasSegment(v tarjuma.Version, id string) error {
	if !slices.ContainsFunc(v.Segments, func(s tarjuma.Segment) bool { return s.ID == id }) {
		return fmt.Errorf("segment %q of version %d: %w", id, v.Number, tarjuma.ErrNotFound)
	}
	return nil
}

func insertComment(ctx context.Context, tx *sql.Tx, c Comment) (Comment, error) {
	parent := sql.NullInt64{Int64: c.ParentID, Valid: c.ParentID != 0}
	err := tx.QueryRowContext(ctx, `INSERT INTO comments (article_id, lang, segment, parent_id, kind, version, author, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		c.ArticleID, c.Lang, c.Segment, parent, c.Kind, c.Version, c.Author, c.Body, c.At).Scan(&c.ID)
	return c, err
}

// addRejectionNotes stores a reviewer's notes on segments of v, the version she rejects, in
// the rejection's transaction; a note on a segment v does not have is tarjuma.ErrNotFound.
func addRejectionNotes(ctx context.Context, tx *sql.Tx, v tarjuma.Version, reviewer string, at time.Time, notes []SegmentNote) error {
	for _, n := range notes {
		if err := hasSegment(v, n.Segment); err != nil {
			return err
		}
		if _, err := insertComment(ctx, tx, Comment{ArticleID: v.ArticleID, Lang: v.Lang, Segment: n.Segment, Kind: CommentRejection,
			Version: v.Number, Author: reviewer, Body: n.Body, At: at}); err != nil {
			return err
		}
	}
	return nil
}

const commentColumns = "c.id, c.article_id, c.lang, c.segment, COALESCE(c.parent_id, 0), c.kind, c.version, c.author, c.body, c.created_at"

func scanComment(s scanner) (Comment, error) {
	var c Comment
	err := s.Scan(&c.ID, &c.ArticleID, &c.Lang, &c.Segment, &c.ParentID, &c.Kind, &c.Version, &c.Author, &c.Body, &c.At)
	c.At = c.At.UTC()
	return c, err
}

func (db *DB) comment(ctx context.Context, id int64) (Comment, error) {
	c, err := scanComment(db.read.QueryRowContext(ctx, `SELECT `+commentColumns+` FROM comments c WHERE c.id = $1`, id))
	if err != nil {
		return Comment{}, fmt.Errorf("store: comment %d: %w", id, notFound(err, "comment %d", id))
	}
	cs := []Comment{c}
	if err := db.attachMentions(ctx, cs, `c.id = $1`, id); err != nil {
		return Comment{}, fmt.Errorf("store: comment %d: %w", id, err)
	}
	return cs[0], nil
}

// Comments returns the comments on a translation's segments, oldest first: each thread's
// replies follow their opening comment in that order when grouped by ParentID.
func (db *DB) Comments(ctx context.Context, articleID int64, lang tarjuma.Lang) ([]Comment, error) {
	cs, err := queryAll(ctx, db.read, scanComment, `SELECT `+commentColumns+` FROM comments c
		WHERE c.article_id = $1 AND c.lang = $2 ORDER BY c.id`, articleID, lang)
	if err == nil {
		err = db.attachMentions(ctx, cs, `c.article_id = $1 AND c.lang = $2`, articleID, lang)
	}
	if err != nil {
		return nil, fmt.Errorf("store: comments on %d/%s: %w", articleID, lang, err)
	}
	return cs, nil
}

// attachMentions fills in the mentions of cs, the comments where selects.
func (db *DB) attachMentions(ctx context.Context, cs []Comment, where string, args ...any) error {
	type mention struct {
		comment int64
		email   string
	}
	ms, err := queryAll(ctx, db.read, func(s scanner) (mention, error) {
		var m mention
		return m, s.Scan(&m.comment, &m.email)
	}, `SELECT m.comment_id, u.email FROM comment_mentions m JOIN comments c ON c.id = m.comment_id
		JOIN users u ON u.id = m.user_id WHERE `+where+` ORDER BY m.comment_id, u.email`, args...)
	if err != nil {
		return err
	}
	for _, m := range ms {
		for i := range cs {
			if cs[i].ID == m.comment {
				cs[i].Mentions = append(cs[i].Mentions, m.email)
			}
		}
	}
	return nil
}

// Mention is a comment that mentions a user who has not opened its translation since, with
// the Arabic title of the article it is on, for her queue.
type Mention struct {
	Comment
	Title string
}

// UnreadMentions returns the comments that mention user userID and that she has not seen,
// newest first.
func (db *DB) UnreadMentions(ctx context.Context, userID int64) ([]Mention, error) {
	ms, err := queryAll(ctx, db.read, func(s scanner) (Mention, error) {
		var m Mention
		var err error
		m.Comment, err = scanComment(rowWith{s, &m.Title})
		return m, err
	}, `SELECT `+commentColumns+`, r.title FROM comment_mentions m
		JOIN comments c ON c.id = m.comment_id
		JOIN articles a ON a.id = c.article_id
		JOIN source_revisions r ON r.article_id = a.id AND r.number = a.revision
		WHERE m.user_id = $1 AND m.seen_at IS NULL ORDER BY c.id DESC LIMIT 100`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: unread mentions of user %d: %w", userID, err)
	}
	return ms, nil
}

// rowWith scans a row's leading columns into what the wrapped scanner's caller asks for and
// its trailing ones into extra, so one scan function serves queries that add columns.
type rowWith struct {
	s     scanner
	extra any
}

func (r rowWith) Scan(dest ...any) error { return r.s.Scan(append(dest, r.extra)...) }

// MarkMentionsRead records that user userID has seen the comments on a translation that
// mention her; they leave her queue.
func (db *DB) MarkMentionsRead(ctx context.Context, userID, articleID int64, lang tarjuma.Lang) error {
	_, err := db.write.ExecContext(ctx, `UPDATE comment_mentions SET seen_at = $1
		WHERE user_id = $2 AND seen_at IS NULL AND comment_id IN (SELECT id FROM comments WHERE article_id = $3 AND lang = $4)`,
		now(), userID, articleID, lang)
	if err != nil {
		return fmt.Errorf("store: mark mentions of user %d on %d/%s read: %w", userID, articleID, lang, err)
	}
	return nil
}

// Assignment is who works on a translation: a user who claimed it, or whom an editor
// assigned it to (By names the editor; By is the user herself for a claim).
type Assignment struct {
	ArticleID int64
	Lang      tarjuma.Lang
	UserID    int64
	Email     string
	Claimed   bool
	By        string
	At        time.Time
}

// Assign makes a.UserID the translation's assignee. A claim (a.Claimed) of a translation
// someone else holds is tarjuma.ErrConflict, so two translators never take the same work; an
// editor's assignment replaces whoever held it. tarjuma.ErrNotFound for no such translation.
func (db *DB) Assign(ctx context.Context, a Assignment) (Assignment, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.lockTranslation(ctx, tx, a.ArticleID, a.Lang); err != nil {
			return err
		}
		var holder int64
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM assignments WHERE article_id = $1 AND lang = $2`, a.ArticleID, a.Lang).Scan(&holder)
		switch {
		case err != nil && err != sql.ErrNoRows:
			return err
		case err == nil && a.Claimed && holder != a.UserID:
			return fmt.Errorf("translation is assigned to user %d: %w", holder, tarjuma.ErrConflict)
		case err == nil && a.Claimed:
			return nil // hers already: the claim stands as it was
		}
		a.At = now()
		_, err = tx.ExecContext(ctx, `INSERT INTO assignments (article_id, lang, user_id, claimed, assigned_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (article_id, lang) DO UPDATE SET user_id = excluded.user_id, claimed = excluded.claimed,
				assigned_by = excluded.assigned_by, created_at = excluded.created_at`,
			a.ArticleID, a.Lang, a.UserID, a.Claimed, a.By, a.At)
		return err
	})
	if err != nil {
		return Assignment{}, fmt.Errorf("store: assign %d/%s to user %d: %w", a.ArticleID, a.Lang, a.UserID, err)
	}
	return db.Assignment(ctx, a.ArticleID, a.Lang)
}

// Release removes the translation's assignee, if userID (0: anyone) holds it; it reports
// whether there was one to remove.
func (db *DB) Release(ctx context.Context, articleID int64, lang tarjuma.Lang, userID int64) (bool, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM assignments WHERE article_id = $1 AND lang = $2 AND (user_id = $3 OR $3 = 0)`,
		articleID, lang, userID)
	if err != nil {
		return false, fmt.Errorf("store: release %d/%s: %w", articleID, lang, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Assignment returns the translation's assignee; tarjuma.ErrNotFound when nobody holds it.
func (db *DB) Assignment(ctx context.Context, articleID int64, lang tarjuma.Lang) (Assignment, error) {
	a := Assignment{ArticleID: articleID, Lang: lang}
	err := db.read.QueryRowContext(ctx, `SELECT s.user_id, u.email, s.claimed, s.assigned_by, s.created_at
		FROM assignments s JOIN users u ON u.id = s.user_id WHERE s.article_id = $1 AND s.lang = $2`, articleID, lang).
		Scan(&a.UserID, &a.Email, &a.Claimed, &a.By, &a.At)
	if err != nil {
		return Assignment{}, fmt.Errorf("store: assignment of %d/%s: %w", articleID, lang, notFound(err, "assignment"))
	}
	a.At = a.At.UTC()
	return a, nil
}
