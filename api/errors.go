package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/store"
)

// handlerFunc is an endpoint: it writes a success response or returns an error, which
// writeError turns into the one JSON error shape.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// onID reads the numeric {id} of the path before h runs, so that no handler repeats the step.
func onID(h func(w http.ResponseWriter, r *http.Request, id int64) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathInt(r, "id")
		if err != nil {
			return err
		}
		return h(w, r, id)
	}
}

// noContent answers 204 once the action is done, or passes its error on.
func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiError is an error the client caused or may act on: it carries its status and a stable
// machine-readable code (clients switch on the code and may translate it; the message is for
// the developer reading the response).
type apiError struct {
	status  int
	code    string
	message string
	details any // optional structured detail, such as the bad rows of an import
	// issues are the segments that keep a version from being approved (code open_issues).
	issues []issueJSON
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// errInternal is all a client learns of a failure on our side; the details go to the log.
var errInternal = errorf(http.StatusInternalServerError, "internal", "internal error")

// errorBody is the JSON error shape: {"error": {"code": "...", "message": "..."}}.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Details any    `json:"details,omitempty"`
	} `json:"error"`
	Issues []issueJSON `json:"issues,omitempty"`
}

// asAPIError maps err to what the client sees; ok is false for internal errors.
func asAPIError(err error) (e *apiError, ok bool) {
	// A query in flight when the database went down fails with the server's last words
	// (57P01 and its kin) rather than on a new connection, where the store marks outages.
	err = store.Unavailable(err)
	var de *desk.Error
	switch {
	case errors.As(err, &e):
		return e, true
	case errors.As(err, &de):
		return fromDesk(de), true
	case errors.Is(err, tarjuma.ErrNotFound):
		return errorf(http.StatusNotFound, "not_found", "not found"), true
	case errors.Is(err, tarjuma.ErrConflict):
		return errorf(http.StatusConflict, "conflict", "the resource changed while the request ran; retry"), true
	case errors.Is(err, tarjuma.ErrIdempotencyMismatch):
		return errorf(http.StatusUnprocessableEntity, "idempotency_mismatch",
			"this Idempotency-Key was already used with a different request body"), true
	case errors.Is(err, tarjuma.ErrUnavailable):
		// Checked before the codes a half-done request might also carry: the outage is what
		// the client should act on, by retrying after Retry-After.
		return errorf(http.StatusServiceUnavailable, "unavailable",
			"the service is temporarily unavailable; retry after the number of seconds in Retry-After"), true
	case errors.Is(err, tarjuma.ErrInvalid):
		// Handlers validate first and name the field; this is the store's backstop, whose
		// wrapped message is written for our logs, not for clients.
		return errorf(http.StatusUnprocessableEntity, "invalid", "invalid input"), true
	}
	return errInternal, false
}

// deskStatuses are the statuses of the desk's kinds of refusal, most specific first
// (desk.ErrMalformed is a kind of tarjuma.ErrInvalid).
var deskStatuses = []struct {
	kind   error
	status int
}{
	{desk.ErrMalformed, http.StatusBadRequest},
	{desk.ErrForbidden, http.StatusForbidden},
	{desk.ErrRateLimited, http.StatusTooManyRequests},
	{tarjuma.ErrNotFound, http.StatusNotFound},
	{tarjuma.ErrConflict, http.StatusConflict},
	{tarjuma.ErrIdempotencyMismatch, http.StatusUnprocessableEntity},
	{tarjuma.ErrInvalid, http.StatusUnprocessableEntity},
}

// fromDesk answers a desk refusal with its code, the status of its kind, and the detail it
// carries: the open issues, or every problem of a refused term base.
func fromDesk(de *desk.Error) *apiError {
	e := &apiError{status: http.StatusUnprocessableEntity, code: de.Code, message: de.Message, issues: issuesJSON(de.Issues())}
	for _, k := range deskStatuses {
		if errors.Is(de.Kind, k.kind) {
			e.status = k.status
			break
		}
	}
	if ve := (*glossary.ValidationError)(nil); errors.As(de.Err, &ve) {
		e.details = glossaryProblems(ve)
	}
	return e
}

// writeError answers with err's status and JSON shape, logging internal errors (only here,
// once, with the request id).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := asAPIError(err)
	switch {
	case !ok:
		s.log.ErrorContext(r.Context(), "request failed", "request_id", requestID(r.Context()),
			"method", r.Method, "path", r.URL.Path, "error", err)
	case e.status == http.StatusServiceUnavailable:
		// Not the client's doing, and not a bug: a warning, so an outage shows in the log
		// without paging for every request it fails.
		s.log.WarnContext(r.Context(), "backing service unavailable", "request_id", requestID(r.Context()),
			"method", r.Method, "path", r.URL.Path, "error", err)
		w.Header().Set("Retry-After", strconv.Itoa(int(tarjuma.UnavailableRetryAfter/time.Second)))
	case e.status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(int(auth.RetryAfter(err)/time.Second)))
	}
	var body errorBody
	body.Error.Code, body.Error.Message, body.Error.Details = e.code, e.message, e.details
	body.Issues = e.issues
	if err := writeJSON(w, e.status, body); err != nil {
		s.log.ErrorContext(r.Context(), "error response failed", "request_id", requestID(r.Context()), "error", err)
	}
}

// writeJSON encodes v before writing anything, so an encoding failure can still become a 500.
// HTML escaping is off: the text is Arabic, Tajik and Russian read by programs, and <, > and &
// escaped as \u003c would only make it harder to compare byte for byte.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client has gone if this fails; nothing left to tell it
	return nil
}

// adapt turns a route into an http.Handler: it checks the caller's token and role, runs the
// endpoint and renders its error.
func (s *Server) adapt(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.roles != nil {
			caller, err := s.authorize(w, r, rt.roles)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			r = r.WithContext(withCaller(r.Context(), caller))
		}
		if err := rt.handle(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}
