package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tarjuma/tarjuma/store"
)

// parseEmbargo reads an embargo_until the desk was given: an RFC 3339 time, in UTC.
func parseEmbargo(value string) (time.Time, *Error) {
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return time.Time{}, invalid("invalid_embargo", "embargo_until",
			"embargo_until %q is not an RFC 3339 time, like 2026-05-01T09:00:00+05:00", value)
	}
	return t.UTC(), nil
}

// SetEmbargo sets or moves an article's embargo to until, an RFC 3339 time; a time already
// past is no embargo, as at submission, and lifts it. See changeEmbargo.
func (d *Desk) SetEmbargo(ctx context.Context, a Actor, articleID int64, until string) (store.EmbargoChange, error) {
	if err := allow(isEditor(a), a, "change embargoes"); err != nil {
		return store.EmbargoChange{}, err
	}
	t, e := parseEmbargo(until)
	if e != nil {
		return store.EmbargoChange{}, e
	}
	return d.changeEmbargo(ctx, a, articleID, t)
}

// LiftEmbargo ends an article's embargo now. See changeEmbargo.
func (d *Desk) LiftEmbargo(ctx context.Context, a Actor, articleID int64) (store.EmbargoChange, error) {
	if err := allow(isEditor(a), a, "change embargoes"); err != nil {
		return store.EmbargoChange{}, err
	}
	return d.changeEmbargo(ctx, a, articleID, time.Time{})
}

// changeEmbargo is the one home of both, once they have let in editors and admins alone (and
// SetEmbargo has read the time): a past time is no embargo, as at submission; a withdrawn
// article is refused (409 withdrawn: its deliveries carry the withdrawal, which no embargo
// holds). The change is recorded with who made it (store.DB.ChangeEmbargo), and the relay is
// woken for the deliveries a shortened or lifted embargo releases, so they go out now rather
// than when the old embargo would have ended.
func (d *Desk) changeEmbargo(ctx context.Context, a Actor, articleID int64, until time.Time) (store.EmbargoChange, error) {
	if !until.After(d.now()) {
		until = time.Time{}
	}
	c, changed, err := d.db.ChangeEmbargo(ctx, articleID, until, a.Name)
	if errors.Is(err, store.ErrWithdrawn) {
		return store.EmbargoChange{}, withdrawnError(err, "its embargo cannot change")
	}
	if err != nil {
		return store.EmbargoChange{}, fmt.Errorf("change embargo of article %d: %w", articleID, err)
	}
	if changed {
		d.wake()
	}
	return c, nil
}
