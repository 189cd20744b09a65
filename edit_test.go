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
	got, err := base.Edit(map[string]string{"title": "Сарлавҳа", "p1.s1": " Ҷумлаи нав. ", "p1.s2": "Дигар."})
	if err != nil {
		t.Fatal(err)
	}
	want := []Segment{
		{ID: "title", Source: "عنوان", Text: "Сарлавҳа", Origin: "mt:google-v3"},
		{ID: "p1.s1", Source: "جملة.", Text: "Ҷумлаи нав.", Origin: OriginHuman},
		{ID: "p1.s2", Source: "أخرى.", Text: "Дигар.", Origin: OriginHuman},
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
		if _, err := base.Edit(texts); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}
