package store

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

// TestFlagsStoredWithTheVersion: the flags a version is saved with are what every read returns,
// even where checking again would say otherwise; a version saved without flags (as every
// version before they were stored) reads with the flags derived from its checks and text; the
// OnVersionStored function hears of each stored version once, with those flags, and of no
// save that stored nothing.
func TestFlagsStoredWithTheVersion(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		var heard []tarjuma.Version
		OnVersionStored(func(v tarjuma.Version) { heard = append(heard, v) })(db)
		a := create(t, db, submission("desk-qa"))
		start(t, db, a.ID, 1)
		// Stored as given: the "99" is no number of the text, which proves nothing rechecks it.
		kept := []tarjuma.Flag{{Kind: "number_missing", Args: []string{"99"}}}
		in := tarjuma.Version{ArticleID: a.ID, Lang: tarjuma.Tajik, SourceRevision: 1, Segments: []tarjuma.Segment{
			{ID: tarjuma.TitleSegmentID, Source: "قمة ٢٠٢٤", Text: "Саммит 2024", Origin: tarjuma.MachineOrigin("test"), Flags: []tarjuma.Flag{}},
			{ID: "p1.s1", Source: "قتل ٣ وأصيب ١٢", Text: "3 кушта шуданд.", Origin: tarjuma.MachineOrigin("test"), Flags: kept},
		}}
		v1, created, err := db.SaveMachineVersion(ctx, in)
		if err != nil || !created {
			t.Fatalf("SaveMachineVersion = %v, created %v", err, created)
		}
		if _, created, err := db.SaveMachineVersion(ctx, in); err != nil || created {
			t.Fatalf("re-run: %v, created %v; want the stored version", err, created)
		}
		wantFlags := func(v tarjuma.Version, want ...[]tarjuma.Flag) {
			t.Helper()
			var got [][]tarjuma.Flag
			for _, s := range v.Segments {
				got = append(got, s.Flags)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("version %d flags (-want +got):\n%s", v.Number, diff)
			}
		}
		read, err := db.Version(ctx, a.ID, tarjuma.Tajik, 1)
		if err != nil {
			t.Fatal(err)
		}
		wantFlags(read, []tarjuma.Flag{}, kept)
		wantFlags(v1, []tarjuma.Flag{}, kept)

		// A person's edit saved without flags: 12 is there now, 5 is not in the source.
		segs := []tarjuma.Segment{read.Segments[0], read.Segments[1]}
		segs[1].Text, segs[1].Origin, segs[1].Flags = "3 кушта ва 12 захмӣ, 5 гумшуда.", tarjuma.OriginHuman, nil
		v2, err := db.SaveHumanVersion(ctx, HumanEdit{ArticleID: a.ID, Lang: tarjuma.Tajik, BaseVersion: 1, Segments: segs, Author: "nigora"})
		if err != nil {
			t.Fatal(err)
		}
		derived := []tarjuma.Flag{{Kind: "number_extra", Args: []string{"5"}}}
		wantFlags(v2, []tarjuma.Flag{}, derived)
		latest, err := db.LatestVersion(ctx, a.ID, tarjuma.Tajik)
		if err != nil {
			t.Fatal(err)
		}
		wantFlags(latest, []tarjuma.Flag{}, derived)
		all, err := db.Versions(ctx, a.ID, tarjuma.Tajik)
		if err != nil || len(all) != 2 {
			t.Fatalf("Versions = %d, %v", len(all), err)
		}
		wantFlags(all[0], []tarjuma.Flag{}, kept)

		// A stale save stores nothing and is not heard of.
		if _, err := db.SaveHumanVersion(ctx, HumanEdit{ArticleID: a.ID, Lang: tarjuma.Tajik, BaseVersion: 1, Segments: segs, Author: "bob"}); !errors.Is(err, tarjuma.ErrConflict) {
			t.Fatalf("stale save: %v, want ErrConflict", err)
		}
		if len(heard) != 2 || heard[0].Number != 1 || heard[1].Number != 2 {
			t.Fatalf("heard of %d versions, want versions 1 and 2 once each", len(heard))
		}
		wantFlags(heard[0], []tarjuma.Flag{}, kept)
		wantFlags(heard[1], []tarjuma.Flag{}, derived)
	})
}

// TestOldVersionsGetFlags reads segments as versions stored before the flags were hold them:
// the flags come from the stored glossary check and the text, worked out by hand here.
func TestOldVersionsGetFlags(t *testing.T) {
	const old = `[{"id":"title","source":"قمة دوشنبه","text":"Саммит","origin":"mt:google",` +
		`"terms":[{"term":"dushanbe","start":7,"end":19}],` +
		`"checks":[{"term":"dushanbe","result":"missing","form":"Душанбе","start":-1,"end":-1,"source_start":7}]},` +
		`{"id":"p1.s1","source":"قتل ٣ وأصيب ١٢","text":"3 killed, 21 injured","origin":"human"},` +
		`{"id":"p1.s2","source":"حضر ١٬٠٠٠ شخص في ٢٠٢٤","text":"1 000 people came in 2024","origin":"human"},` +
		`{"id":"p1.s3","source":"نص","text":"نص","origin":"untranslated"}]`
	segs, err := decodeSegments(old)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]tarjuma.Flag{
		{{Kind: "term_missing", Args: []string{"Душанбе"}}},
		{{Kind: "number_missing", Args: []string{"12"}}, {Kind: "number_extra", Args: []string{"21"}}},
		{},
		{{Kind: "untranslated"}},
	}
	var got [][]tarjuma.Flag
	for _, s := range segs {
		got = append(got, s.Flags)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flags of an old version (-want +got):\n%s", diff)
	}
}
