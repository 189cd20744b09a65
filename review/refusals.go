package review

import (
	"errors"
	"slices"

	"github.com/tarjuma/tarjuma/desk"
)

// refusal turns a desk refusal into the message ids a form lists, one for each problem the
// desk found (without repeats); idOf names a problem's message, "" for one the form has no
// message for. ok is false when err is no refusal or a problem has no message: the error page
// shows those.
func refusal(err error, idOf func(*desk.Error) string) (ids []string, ok bool) {
	var de *desk.Error
	if !errors.As(err, &de) {
		return nil, false
	}
	for _, e := range append([]*desk.Error{de}, de.Also...) {
		id := idOf(e)
		if id == "" {
			return nil, false
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, true
}

// code is the code of a desk refusal, "" for any other error.
func code(err error) string {
	var de *desk.Error
	if errors.As(err, &de) {
		return de.Code
	}
	return ""
}
