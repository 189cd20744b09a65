package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/glossary/inflect"
)

// storedTerm fixes the JSON shape of a term in glossary_terms, independent of the Go type.
type storedTerm struct {
	ID             string                       `json:"id"`
	Kind           glossary.Kind                `json:"kind"`
	Arabic         []string                     `json:"ar"`
	Targets        map[tarjuma.Lang]storedForms `json:"targets,omitempty"`
	DoNotTranslate bool                         `json:"dnt,omitempty"`
	Note           string                       `json:"note,omitempty"`
	ValidFrom      time.Time                    `json:"valid_from,omitzero"`
	ValidUntil     time.Time                    `json:"valid_until,omitzero"`
	UpdatedBy      string                       `json:"updated_by"`
	UpdatedAt      time.Time                    `json:"updated_at"`
}

// storedForms is a language's spellings, the terminologist's overrides, and every form of each
// spelling as generated when the term was saved (overrides included), so a glossary version
// keeps its forms.
type storedForms struct {
	Preferred string                             `json:"preferred"`
	Accepted  []string                           `json:"accepted,omitempty"`
	Overrides map[string]map[inflect.Form]string `json:"overrides,omitempty"`
	Forms     map[string]map[inflect.Form]string `json:"forms,omitempty"`
}

func encodeTerm(t glossary.Term) (string, error) {
	st := storedTerm{ID: t.ID, Kind: t.Kind, Arabic: t.Arabic, DoNotTranslate: t.DoNotTranslate, Note: t.Note,
		ValidFrom: t.ValidFrom.UTC(), ValidUntil: t.ValidUntil.UTC(), UpdatedBy: t.UpdatedBy, UpdatedAt: t.UpdatedAt.UTC()}
	if len(t.Targets) > 0 {
		st.Targets = make(map[tarjuma.Lang]storedForms, len(t.Targets))
		for lang, f := range t.Targets {
			sf := storedForms{Preferred: f.Preferred, Accepted: f.Accepted, Overrides: f.Overrides}
			for _, p := range t.Paradigms(lang) {
				if len(p.Forms) > 1 {
					if sf.Forms == nil {
						sf.Forms = map[string]map[inflect.Form]string{}
					}
					sf.Forms[p.Lemma] = p.Forms
				}
			}
			st.Targets[lang] = sf
		}
	}
	raw, err := json.Marshal(st)
	return string(raw), err
}

func decodeTerm(raw string) (glossary.Term, error) {
	var st storedTerm
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return glossary.Term{}, fmt.Errorf("stored term: %w", err)
	}
	t := glossary.Term{ID: st.ID, Kind: st.Kind, Arabic: st.Arabic, DoNotTranslate: st.DoNotTranslate, Note: st.Note,
		ValidFrom: st.ValidFrom, ValidUntil: st.ValidUntil, UpdatedBy: st.UpdatedBy, UpdatedAt: st.UpdatedAt}
	if len(st.Targets) > 0 {
		t.Targets = make(map[tarjuma.Lang]glossary.Forms, len(st.Targets))
		for lang, f := range st.Targets {
			t.Targets[lang] = glossary.Forms{Preferred: f.Preferred, Accepted: f.Accepted, Overrides: f.Overrides, Stored: f.Forms}
		}
	}
	return t, nil
}

// termContent is a term's stored form without who changed it and when: what decides whether an
// edit changed the term.
func termContent(t glossary.Term) (string, error) {
	t.UpdatedBy, t.UpdatedAt = "", time.Time{}
	return encodeTerm(t)
}

// searchText is what ?q= looks in: the id, the Arabic variants normalised as matching sees them,
// every target form and the note, lower-cased.
func searchText(t glossary.Term) string {
	parts := []string{t.ID, t.Note}
	for _, v := range t.Arabic {
		parts = append(parts, v, glossary.Normalize(v))
	}
	for _, f := range t.Targets {
		parts = append(parts, f.Preferred)
		parts = append(parts, f.Accepted...)
	}
	return strings.ToLower(strings.Join(parts, "\n"))
}

// GlossaryFilter selects terms: Query is a substring of the id, a spelling (Arabic compared after
// normalisation) or the note; Kind one kind. Empty fields select everything.
type GlossaryFilter struct {
	Query string
	Kind  glossary.Kind
}

// GlossaryVersion returns the glossary's version: 0 before the first change, then one more for
// every change.
func (db *DB) GlossaryVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := db.read.QueryRowContext(ctx, `SELECT version FROM glossary_state WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: glossary version: %w", err)
	}
	return v, nil
}

// NewGlossaryCache is the one way to cache the current glossary over the database: the desk,
// the worker and the tests all build theirs here, so they read it alike.
func (db *DB) NewGlossaryCache() *glossary.Cache {
	return glossary.NewCache(func(ctx context.Context) (int64, []glossary.Term, error) {
		terms, version, err := db.GlossaryTerms(ctx, GlossaryFilter{})
		return version, terms, err
	}, db.GlossaryVersion)
}

// GlossaryTerms returns the terms f selects, ordered by id, and the glossary version they
// belong to.
func (db *DB) GlossaryTerms(ctx context.Context, f GlossaryFilter) ([]glossary.Term, int64, error) {
	where, args := []string{"1 = 1"}, params{}
	if f.Kind != "" {
		args = append(args, f.Kind)
		where = append(where, fmt.Sprintf("kind = $%d", len(args)))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		q = strings.ToLower(glossary.Normalize(q))
		escaped := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
		args = append(args, "%"+escaped+"%")
		where = append(where, fmt.Sprintf(`search LIKE $%d ESCAPE '\'`, len(args)))
	}
	// The version is read before and after the terms; a change in between means another read.
	for {
		before, err := db.GlossaryVersion(ctx)
		if err != nil {
			return nil, 0, err
		}
		terms, err := queryTerms(ctx, db.read, `SELECT term FROM glossary_terms WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, args...)
		if err != nil {
			return nil, 0, err
		}
		after, err := db.GlossaryVersion(ctx)
		if err != nil {
			return nil, 0, err
		}
		if before == after {
			return terms, after, nil
		}
	}
}

// GlossaryTerm returns one term, or tarjuma.ErrNotFound.
func (db *DB) GlossaryTerm(ctx context.Context, id string) (glossary.Term, error) {
	terms, err := queryTerms(ctx, db.read, `SELECT term FROM glossary_terms WHERE id = $1`, id)
	if err != nil {
		return glossary.Term{}, err
	}
	if len(terms) == 0 {
		return glossary.Term{}, fmt.Errorf("store: glossary term %q: %w", id, tarjuma.ErrNotFound)
	}
	return terms[0], nil
}

func queryTerms(ctx context.Context, q querier, query string, args ...any) ([]glossary.Term, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: glossary terms: %w", err)
	}
	defer rows.Close()
	var terms []glossary.Term
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("store: glossary terms: %w", err)
		}
		t, err := decodeTerm(raw)
		if err != nil {
			return nil, fmt.Errorf("store: glossary terms: %w", err)
		}
		terms = append(terms, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: glossary terms: %w", err)
	}
	return terms, nil
}

// CreateGlossaryTerm adds a term; tarjuma.ErrConflict when the id is taken. It returns the new
// glossary version.
func (db *DB) CreateGlossaryTerm(ctx context.Context, t glossary.Term, by string) (int64, error) {
	return db.changeGlossary(ctx, "create "+t.ID, by, func(terms map[string]glossary.Term) error {
		if _, taken := terms[t.ID]; taken {
			return fmt.Errorf("glossary term %q exists: %w", t.ID, tarjuma.ErrConflict)
		}
		terms[t.ID] = t
		return nil
	})
}

// UpdateGlossaryTerm replaces a term; tarjuma.ErrNotFound when there is none with its id.
func (db *DB) UpdateGlossaryTerm(ctx context.Context, t glossary.Term, by string) (int64, error) {
	return db.changeGlossary(ctx, "update "+t.ID, by, func(terms map[string]glossary.Term) error {
		if _, ok := terms[t.ID]; !ok {
			return fmt.Errorf("glossary term %q: %w", t.ID, tarjuma.ErrNotFound)
		}
		terms[t.ID] = t
		return nil
	})
}

// DeleteGlossaryTerm removes a term; tarjuma.ErrNotFound when there is none with that id.
func (db *DB) DeleteGlossaryTerm(ctx context.Context, id string) (int64, error) {
	return db.changeGlossary(ctx, "delete "+id, "", func(terms map[string]glossary.Term) error {
		if _, ok := terms[id]; !ok {
			return fmt.Errorf("glossary term %q: %w", id, tarjuma.ErrNotFound)
		}
		delete(terms, id)
		return nil
	})
}

// ImportGlossary adds the terms, replacing those with the same id; with replace, terms not in
// the import are removed. All of it or nothing.
func (db *DB) ImportGlossary(ctx context.Context, imported []glossary.Term, replace bool, by string) (int64, error) {
	return db.changeGlossary(ctx, "import", by, func(terms map[string]glossary.Term) error {
		if replace {
			clear(terms)
		}
		for _, t := range imported {
			terms[t.ID] = t
		}
		return nil
	})
}

// changeGlossary runs one edit of the term base in a transaction: it locks the version row
// (serialising concurrent edits), lets edit change the whole term set, validates the result as
// a set (two active terms may not share an Arabic spelling), writes the difference, stamping
// the terms whose content changed with by and the time, and raises the version only when
// something changed: re-importing the same file is not a new glossary.
func (db *DB) changeGlossary(ctx context.Context, what, by string, edit func(map[string]glossary.Term) error) (int64, error) {
	var version int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		// A no-op UPDATE takes the row lock on PostgreSQL; SQLite's writer holds the database.
		if err := tx.QueryRowContext(ctx, `UPDATE glossary_state SET version = version WHERE id = 1 RETURNING version`).Scan(&version); err != nil {
			return err
		}
		current, err := queryTerms(ctx, tx, `SELECT term FROM glossary_terms`)
		if err != nil {
			return err
		}
		before := make(map[string]string, len(current))
		terms := make(map[string]glossary.Term, len(current))
		for _, t := range current {
			terms[t.ID] = t
			if before[t.ID], err = termContent(t); err != nil {
				return err
			}
		}
		if err := edit(terms); err != nil {
			return err
		}
		ids := slices.Sorted(maps.Keys(terms))
		set := make([]glossary.Term, len(ids))
		for i, id := range ids {
			set[i] = terms[id]
		}
		if err := glossary.ValidateSet(set); err != nil {
			return err
		}
		changed := 0
		for id := range before {
			if _, kept := terms[id]; !kept {
				if _, err := tx.ExecContext(ctx, `DELETE FROM glossary_terms WHERE id = $1`, id); err != nil {
					return err
				}
				changed++
			}
		}
		at := now()
		for _, t := range set {
			if content, err := termContent(t); err != nil || content == before[t.ID] {
				if err != nil {
					return err
				}
				continue
			}
			changed++
			t.UpdatedBy, t.UpdatedAt = by, at
			raw, err := encodeTerm(t)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO glossary_terms (id, kind, term, search, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, term = excluded.term, search = excluded.search,
					updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				t.ID, t.Kind, raw, searchText(t), t.UpdatedBy, t.UpdatedAt.UTC())
			if err != nil {
				return err
			}
		}
		if changed == 0 {
			return nil
		}
		return tx.QueryRowContext(ctx, `UPDATE glossary_state SET version = version + 1 WHERE id = 1 RETURNING version`).Scan(&version)
	})
	if err != nil {
		return 0, fmt.Errorf("store: glossary %s: %w", what, err)
	}
	return version, nil
}
