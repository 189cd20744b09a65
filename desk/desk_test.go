package desk

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

// TestRequestHash: a submission is fingerprinted after its defaults, so leaving a default out
// and spelling it out are the same request through either door, and any field that changes
// the article changes the fingerprint.
func TestRequestHash(t *testing.T) {
	hash := func(s Submission) string {
		t.Helper()
		if err := s.normalize(); err != nil {
			t.Fatal(err)
		}
		return s.requestHash()
	}
	base := Submission{Title: "قمة", Body: "نص الخبر."}
	spelled := Submission{Title: "قمة", Body: "نص الخبر.", TargetLangs: tarjuma.TargetLangs(), Priority: tarjuma.PriorityDefault}
	if hash(base) != hash(spelled) {
		t.Error("defaults left out and spelled out hash differently")
	}
	for _, other := range []Submission{
		{Title: "قمة!", Body: "نص الخبر."},
		{Title: "قمة", Body: "نص الخبر!"},
		{Title: "قمة", Body: "نص الخبر.", ExternalID: "x"},
		{Title: "قمة", Body: "نص الخبر.", TargetLangs: []tarjuma.Lang{tarjuma.Tajik}},
		{Title: "قمة", Body: "نص الخبر.", Priority: tarjuma.PriorityUrgent},
		// The fields are delimited: moving text from one to the next is another request.
		{Title: "قمة نص", Body: "الخبر."},
	} {
		if hash(other) == hash(base) {
			t.Errorf("%+v hashes like %+v", other, base)
		}
	}
}

// TestSubmissionProblems: every problem of a submission is reported, the first as the error
// and the rest in Also, each with its code and field, and each unwraps to its kind.
func TestSubmissionProblems(t *testing.T) {
	s := Submission{Title: "", Body: " ", ExternalID: "a\x00b", TargetLangs: []tarjuma.Lang{"tg", "tg"}, Priority: "soon"}
	err := s.normalize()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("normalize: %v, want a *desk.Error", err)
	}
	want := []string{"empty_field", "empty_field", "invalid_text", "invalid_lang", "invalid_priority"}
	if got := e.Codes(); !slices.Equal(got, want) {
		t.Errorf("codes %v, want %v", got, want)
	}
	if e.Field != "title" || e.Also[0].Field != "body" || e.Also[1].Field != "external_id" {
		t.Errorf("fields %q, %q, %q; want title, body, external_id", e.Field, e.Also[0].Field, e.Also[1].Field)
	}
	if !errors.Is(e.Also[1], ErrMalformed) || !errors.Is(e.Also[1], tarjuma.ErrInvalid) || errors.Is(e, ErrMalformed) {
		t.Error("a NUL is malformed input, a kind of invalid one; an empty title is invalid but not malformed")
	}
}

// TestCheckIdempotencyKey holds keys to printable ASCII without spaces, at most 255 bytes.
func TestCheckIdempotencyKey(t *testing.T) {
	long := make([]byte, MaxIdempotencyKeyLen+1)
	for i := range long {
		long[i] = 'k'
	}
	for key, ok := range map[string]bool{"form-abc": true, string(long[1:]): true, string(long): false, "a b": false, "ключ": false, "a\x7f": false} {
		if err := CheckIdempotencyKey(key); (err == nil) != ok {
			t.Errorf("CheckIdempotencyKey(%q): %v, want ok=%t", key, err, ok)
		}
	}
}

// TestErrorUnwrap: an open_issues refusal is a conflict and carries its issues.
func TestErrorUnwrap(t *testing.T) {
	issues := []tarjuma.Issue{{SegmentID: "p1.s1", Kind: tarjuma.IssueUntranslated}, {SegmentID: "p1.s2", Kind: "number_missing", Args: []string{"16"}}}
	e := &Error{Code: "open_issues", Kind: tarjuma.ErrConflict, Err: &tarjuma.OpenIssuesError{Version: 2, Issues: issues}}
	if !errors.Is(e, tarjuma.ErrConflict) || !errors.Is(e, tarjuma.ErrOpenIssues) || errors.Is(e, tarjuma.ErrInvalid) {
		t.Error("open_issues should be a conflict and open issues, not invalid input")
	}
	if got := e.Issues(); !cmp.Equal(got, issues) {
		t.Errorf("Issues() = %v, want %v", got, issues)
	}
}
