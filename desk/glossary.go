package desk

import (
	"context"
	"errors"
	"io"

	"github.com/tarjuma/tarjuma/glossary"
)

// glossaryError turns a term base the glossary refuses into invalid_glossary with every
// problem in the cause (*glossary.ValidationError), so a terminologist fixes a whole file in
// one round; any other error is returned as it is.
func glossaryError(err error) error {
	var ve *glossary.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	e := invalid("invalid_glossary", "", "%s", ve.Error())
	e.Err = ve
	return e
}

// CreateTerm adds a term to the glossary and returns the glossary's new version;
// tarjuma.ErrConflict when its id is taken.
func (d *Desk) CreateTerm(ctx context.Context, a Actor, t glossary.Term) (int64, error) {
	if err := allow(isAdmin(a), a, "edit the glossary"); err != nil {
		return 0, err
	}
	if err := t.Validate(); err != nil {
		return 0, glossaryError(err)
	}
	version, err := d.db.CreateGlossaryTerm(ctx, t, a.Name)
	return version, glossaryError(err)
}

// UpdateTerm replaces the term id with t, which must carry the same id: an edit cannot rename
// a term.
func (d *Desk) UpdateTerm(ctx context.Context, a Actor, id string, t glossary.Term) (int64, error) {
	if err := allow(isAdmin(a), a, "edit the glossary"); err != nil {
		return 0, err
	}
	if err := t.Validate(); err != nil {
		return 0, glossaryError(err)
	}
	if t.ID != id {
		return 0, invalid("id_mismatch", "id", "the body's id %q differs from the path's %q", t.ID, id)
	}
	version, err := d.db.UpdateGlossaryTerm(ctx, t, a.Name)
	return version, glossaryError(err)
}

// DeleteTerm removes a term and returns the glossary's new version.
func (d *Desk) DeleteTerm(ctx context.Context, a Actor, id string) (int64, error) {
	if err := allow(isAdmin(a), a, "edit the glossary"); err != nil {
		return 0, err
	}
	version, err := d.db.DeleteGlossaryTerm(ctx, id)
	return version, glossaryError(err)
}

// Format is the file format of a term base.
type Format string

// The formats ImportTerms reads.
const (
	CSV Format = "csv"
	TBX Format = "tbx"
)

// ImportTerms reads a term base and merges it into the glossary (adding and replacing terms by
// id), or with replace makes it the whole glossary. Nothing is stored unless every row is good.
// It returns the glossary's new version and how many terms the file held.
func (d *Desk) ImportTerms(ctx context.Context, a Actor, r io.Reader, format Format, replace bool) (version int64, n int, err error) {
	if err := allow(isAdmin(a), a, "edit the glossary"); err != nil {
		return 0, 0, err
	}
	read := glossary.ReadCSV
	if format == TBX {
		read = glossary.ReadTBX
	}
	terms, err := read(r)
	if err != nil {
		return 0, 0, glossaryError(err)
	}
	version, err = d.db.ImportGlossary(ctx, terms, replace, a.Name)
	if err != nil {
		return 0, 0, glossaryError(err)
	}
	return version, len(terms), nil
}
