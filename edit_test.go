package tarjuma

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVersionEdit(t *testing.T) {
	base := Version{Number: 3, Segments: []Segment{
		{ID: "title", Source: "عنوان", Text: "Сарлавҳа", Origin: "mt:google-v3"},
		{ID: "p1.s1", Source: "جملة.", Text: "Ҷумла.", Origin: OriginMemory},
		{ID: "p1.s2", Source: "أخرى.", Text: "أخرى.", Origin: OriginUntranslated},
	}}
	got, err := base.Edit(map[string]string{"title": "Сарлавҳа", "p1.s1": " Ҷумлаи нав. ", "p1.s2": "Дигар."},
		map[string]SegmentStatus{"p1.s2": SegmentDraft})
	if err != nil {
		t.Fatal(err)
	}
	want := []Segment{
		{ID: "title", Source: "عنوان", Text: "Сарлавҳа", Origin: "mt:google-v3", Status: SegmentConfirmed},
		{ID: "p1.s1", Source: "جملة.", Text: "Ҷумлаи нав.", Origin: OriginHuman, Status: SegmentConfirmed},
		{ID: "p1.s2", Source: "أخرى.", Text: "Дигар.", Origin: OriginHuman, Status: SegmentDraft},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Edit (-want +got):\n%s", diff)
	}
	if base.Segments[1].Origin != OriginMemory {
		t.Error("Edit changed the base version")
	}
	for name, texts := range map[string]map[string]string{
		"missing segment": {"title": "a", "p1.s1": "b"},
		"unknown segment": {"title": "a", "p1.s1": "b", "p9.s9": "c"},
		"NUL":             {"title": "a", "p1.s1": "b\x00", "p1.s2": "c"},
	} {
		if _, err := base.Edit(texts, nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	texts := map[string]string{"title": "a", "p1.s1": "b", "p1.s2": "c"}
	if _, err := base.Edit(texts, map[string]SegmentStatus{"p1.s1": "done"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown status: %v, want ErrInvalid", err)
	}
}

func TestProgress(t *testing.T) {
	v := Version{Segments: []Segment{
		{ID: "title", Source: "قمة دوشنبه", Status: SegmentConfirmed},
		{ID: "p1.s1", Source: "اجتمع القادة في دوشنبه.", Status: SegmentDraft},
		{ID: "p1.s2", Source: "نص.", Status: SegmentConfirmed},
	}}
	want := Progress{Segments: 3, SegmentsConfirmed: 2, Words: 7, WordsConfirmed: 3}
	if got := v.Progress(); got != want {
		t.Errorf("Progress = %+v, want %+v", got, want)
	}
}

func TestDefaultSegmentStatus(t *testing.T) {
	for o, want := range map[Origin]SegmentStatus{OriginHuman: SegmentConfirmed, MachineOrigin("google"): SegmentDraft,
		OriginMemory: SegmentDraft, OriginUntranslated: SegmentDraft} {
		if got := DefaultSegmentStatus(o); got != want {
			t.Errorf("DefaultSegmentStatus(%s) = %s, want %s", o, got, want)
		}
	}
}
