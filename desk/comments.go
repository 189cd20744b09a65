package desk

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
)

// CommentInput is a comment on a segment of a translation's latest version: a reply when
// ReplyTo names a comment on the same segment.
type CommentInput struct {
	Segment string
	ReplyTo int64
	Body    string
}

// MaxCommentLen caps a comment's length in characters: a note on a sentence, not an essay,
// and a bound on what one request can store.
const MaxCommentLen = 4000

// Comment stores a comment on a segment. Mentions in the body, @ followed by a user's email or
// by the part of it before the @ (@tg for tg@desk.test), are resolved to enabled users, who
// then see the comment in their queue until they open the translation; a mention that names
// nobody, or more than one person, is refused with unknown_mention so nobody believes she told
// someone who never hears of it. Translators comment only on their languages; editors,
// reviewers and admins on any.
func (d *Desk) Comment(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang, in CommentInput) (store.Comment, error) {
	if err := MayComment(a, lang); err != nil {
		return store.Comment{}, err
	}
	body := strings.TrimSpace(in.Body)
	switch {
	case body == "":
		return store.Comment{}, invalid("empty_field", "body", "body must say something")
	case len([]rune(body)) > MaxCommentLen:
		return store.Comment{}, invalid("too_long", "body", "body has more than %d characters", MaxCommentLen)
	}
	if err := checkText("body", body); err != nil {
		return store.Comment{}, err
	}
	mentions, err := d.resolveMentions(ctx, body)
	if err != nil {
		return store.Comment{}, err
	}
	c, err := d.db.AddComment(ctx, store.NewComment{ArticleID: articleID, Lang: lang, Segment: in.Segment, ParentID: in.ReplyTo,
		Author: a.Name, Body: body, Mentions: mentions})
	if err != nil {
		return store.Comment{}, fmt.Errorf("comment on translation %d/%s: %w", articleID, lang, err)
	}
	return c, nil
}

// MayComment refuses an actor who may not comment on translations into lang: translators only
// on their languages, every other role on any (editors answer translators' questions on the
// source).
func MayComment(a Actor, lang tarjuma.Lang) error {
	ok := a.User.Role != tarjuma.RoleTranslator || a.User.CanEdit(lang)
	return allow(ok, a, "comment on translations into "+string(lang))
}

// mentionPattern finds @mentions: an @ at the start or after a space or an opening bracket,
// then an email or the part of one before its @. Trailing full stops and commas end the
// sentence, not the name.
var mentionPattern = regexp.MustCompile(`(?:^|[\s(\[«"])@([\p{L}\p{N}_+\-]+(?:[.@][\p{L}\p{N}_+\-]+)*)`)

// Mentions returns the names body mentions, in order, each once, as written without the @.
func Mentions(body string) []string {
	var names []string
	seen := map[string]bool{}
	for _, m := range mentionPattern.FindAllStringSubmatch(body, -1) {
		if k := strings.ToLower(m[1]); !seen[k] {
			seen[k] = true
			names = append(names, m[1])
		}
	}
	return names
}

// resolveMentions turns body's mentions into user ids, refusing a name that fits no enabled
// user or several.
func (d *Desk) resolveMentions(ctx context.Context, body string) ([]int64, error) {
	names := Mentions(body)
	if len(names) == 0 {
		return nil, nil
	}
	users, err := d.db.Users(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	var unknown []string
	for _, name := range names {
		var found []int64
		for _, u := range users {
			local, _, _ := strings.Cut(u.Email, "@")
			if u.DisabledAt.IsZero() && (strings.EqualFold(u.Email, name) || !strings.Contains(name, "@") && strings.EqualFold(local, name)) {
				found = append(found, u.ID)
			}
		}
		if len(found) != 1 {
			unknown = append(unknown, "@"+name)
			continue
		}
		ids = append(ids, found[0])
	}
	if unknown != nil {
		return nil, invalid("unknown_mention", "body", "%s names no one user of the desk; mention a user by email", strings.Join(unknown, ", "))
	}
	return ids, nil
}

// Claim makes the actor the translation's assignee, when she may edit its language. A
// translation someone else holds is refused (tarjuma.ErrConflict): an editor reassigns it, or
// its holder releases it.
func (d *Desk) Claim(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang) (store.Assignment, error) {
	if err := MayEdit(a, lang); err != nil {
		return store.Assignment{}, err
	}
	if a.User.ID == 0 {
		return store.Assignment{}, refuse(ErrForbidden, "forbidden", "", "a %s token that acts as no user may not claim work", a.User.Role)
	}
	as, err := d.db.Assign(ctx, store.Assignment{ArticleID: articleID, Lang: lang, UserID: a.User.ID, Claimed: true, By: a.Name})
	if err != nil {
		return store.Assignment{}, fmt.Errorf("claim translation %d/%s: %w", articleID, lang, err)
	}
	return as, nil
}

// Assign makes the user with email the translation's assignee, in place of whoever held it.
// Editors and admins assign; the assignee must be an enabled user who may edit the language
// (not_assignable otherwise), and unknown_user names nobody.
func (d *Desk) Assign(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang, email string) (store.Assignment, error) {
	if err := allow(isEditor(a), a, "assign translations"); err != nil {
		return store.Assignment{}, err
	}
	u, err := d.db.UserByEmail(ctx, store.NormalizeEmail(email))
	switch {
	case errors.Is(err, tarjuma.ErrNotFound):
		return store.Assignment{}, invalid("unknown_user", "user", "no user has the email %q", email)
	case err != nil:
		return store.Assignment{}, err
	case !u.DisabledAt.IsZero():
		return store.Assignment{}, invalid("unknown_user", "user", "user %q is disabled", u.Email)
	case !u.CanEdit(lang):
		return store.Assignment{}, invalid("not_assignable", "user", "%s %s may not edit translations into %s", u.Role, u.Email, lang)
	}
	as, err := d.db.Assign(ctx, store.Assignment{ArticleID: articleID, Lang: lang, UserID: u.ID, By: a.Name})
	if err != nil {
		return store.Assignment{}, fmt.Errorf("assign translation %d/%s: %w", articleID, lang, err)
	}
	return as, nil
}

// Release leaves a translation unassigned. Its assignee releases her own; editors and admins
// release anyone's. Releasing a translation nobody holds changes nothing.
func (d *Desk) Release(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang) error {
	if !isEditor(a) && a.User.ID == 0 {
		return refuse(ErrForbidden, "forbidden", "", "a %s token that acts as no user holds no work to release", a.User.Role)
	}
	holder := a.User.ID
	if isEditor(a) {
		holder = 0 // anyone's
	}
	if _, err := d.db.Translation(ctx, articleID, lang); err != nil {
		return fmt.Errorf("release translation %d/%s: %w", articleID, lang, err)
	}
	released, err := d.db.Release(ctx, articleID, lang, holder)
	if err != nil {
		return err
	}
	if !released {
		cur, err := d.db.Assignment(ctx, articleID, lang)
		if err == nil {
			return refuse(ErrForbidden, "forbidden", "", "%s holds the translation; only she or an editor may release it", cur.Email)
		}
		if !errors.Is(err, tarjuma.ErrNotFound) {
			return err
		}
	}
	return nil
}

// MarkMentionsRead records that the actor has opened a translation: the comments on it that
// mention her leave her queue.
func (d *Desk) MarkMentionsRead(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang) error {
	if a.User.ID == 0 {
		return nil
	}
	return d.db.MarkMentionsRead(ctx, a.User.ID, articleID, lang)
}
