package desk

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/locale"
	"github.com/tarjuma/tarjuma/store"
)

// notices is the message bundle the withdrawal notices are worded from, parsed once.
var notices = sync.OnceValues(locale.New)

// NoticeMessage is the message id of the notice readers see in place of a withdrawn story,
// worded in the story's language with the reason (.Reason).
const NoticeMessage = "withdrawal.notice"

// Withdraw takes an article down everywhere it went (store.DB.Withdraw) and wakes the relay for
// the deliveries that carry the withdrawal: editors and admins only, with a reason, which the
// article and the notice to readers keep. Withdrawing again changes nothing and returns the
// first withdrawal with created false. A withdrawn article is never approved again
// (Approve refuses it with withdrawn).
func (d *Desk) Withdraw(ctx context.Context, a Actor, articleID int64, reason string) (w store.Withdrawal, created bool, err error) {
	if err := allow(isEditor(a), a, "withdraw articles"); err != nil {
		return store.Withdrawal{}, false, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return store.Withdrawal{}, false, invalid("empty_field", "reason", "reason must say why the article is withdrawn")
	}
	if err := checkText("reason", reason); err != nil {
		return store.Withdrawal{}, false, err
	}
	art, err := d.db.Article(ctx, articleID)
	if err != nil {
		return store.Withdrawal{}, false, fmt.Errorf("withdraw article %d: %w", articleID, err)
	}
	words, err := withdrawalNotices(art.TargetLangs, reason)
	if err != nil {
		return store.Withdrawal{}, false, err
	}
	w, created, err = d.db.Withdraw(ctx, articleID, a.Name, reason, words)
	if err != nil {
		return store.Withdrawal{}, false, fmt.Errorf("withdraw article %d: %w", articleID, err)
	}
	if created {
		d.wake()
	}
	return w, created, nil
}

// withdrawalNotices words the notice to readers in each of langs.
func withdrawalNotices(langs []tarjuma.Lang, reason string) (map[tarjuma.Lang]string, error) {
	b, err := notices()
	if err != nil {
		return nil, err
	}
	out := make(map[tarjuma.Lang]string, len(langs))
	for _, l := range langs {
		if out[l], err = b.Localizer(string(l)).T(NoticeMessage, "Reason", reason); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// refuseWithdrawn is Approve's answer for a withdrawn article: 409 withdrawn, whatever the
// decision says, an override included; nil for an article that was not withdrawn.
func (d *Desk) refuseWithdrawn(ctx context.Context, articleID int64) error {
	w, err := d.db.Withdrawn(ctx, articleID)
	if err != nil || w == nil {
		return err
	}
	return withdrawnError(store.ErrWithdrawn, "cannot be approved again")
}

// withdrawnError is the refusal of an action on a withdrawn article: 409 withdrawn, its
// message saying what cannot be done.
func withdrawnError(cause error, what string) *Error {
	return &Error{Code: "withdrawn", Kind: tarjuma.ErrConflict, Err: cause,
		Message: "the article was withdrawn and " + what}
}
