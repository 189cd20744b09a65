package glossary

import (
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary/inflect"
)

// The forms of a spelling travel in CSV cells and TBX notes as "gen=Рахмона; dat=Рахмону; …":
// every form but the nominative, which is the spelling itself. An export writes every form, so
// a terminologist sees and corrects them in a spreadsheet; an import keeps as overrides only the
// forms that differ from what the generator makes, so the round trip is exact.
const (
	formSep  = ";"
	formPair = "="
)

// formsText writes a paradigm's forms other than its nominative, in the language's order.
func formsText(p inflect.Paradigm, lang tarjuma.Lang) string {
	var parts []string
	for _, f := range inflect.FormsOf(lang) {
		if text, ok := p.Forms[f]; ok && f != inflect.Nom {
			parts = append(parts, string(f)+formPair+text)
		}
	}
	return strings.Join(parts, formSep+" ")
}

// parseForms reads formsText; ok is false when an item is not form=text with a form of lang.
func parseForms(s string, lang tarjuma.Lang) (map[inflect.Form]string, bool) {
	out := map[inflect.Form]string{}
	for item := range strings.SplitSeq(s, formSep) {
		if strings.TrimSpace(item) == "" {
			continue
		}
		name, text, found := strings.Cut(item, formPair)
		f := inflect.Form(strings.TrimSpace(name))
		text = strings.TrimSpace(text)
		if !found || !f.Valid(lang) || f == inflect.Nom || text == "" {
			return nil, false
		}
		out[f] = text
	}
	return out, true
}

// setForms records the forms given for one of the term's spellings: those that differ from the
// generated ones become overrides, and the term's earlier overrides of that spelling are
// replaced.
func (t *Term) setForms(lang tarjuma.Lang, spelling string, given map[inflect.Form]string) {
	generated := inflect.Generate(lang, spelling, t.class())
	f := t.Targets[lang]
	delete(f.Overrides, spelling)
	for form, text := range given {
		if generated.Forms[form] == text {
			continue
		}
		if f.Overrides == nil {
			f.Overrides = map[string]map[inflect.Form]string{}
		}
		if f.Overrides[spelling] == nil {
			f.Overrides[spelling] = map[inflect.Form]string{}
		}
		f.Overrides[spelling][form] = text
	}
	t.Targets[lang] = f
}

// FormsCell writes every form of every spelling of the term in lang, one group per spelling in
// the order of formList, separated by "|": what the CSV's forms columns and the desk's term
// form hold.
func (t Term) FormsCell(lang tarjuma.Lang) string {
	var groups []string
	for _, p := range t.Paradigms(lang) {
		groups = append(groups, formsText(p, lang))
	}
	return strings.Join(groups, listSep)
}

// SetFormsCell reads a FormsCell: each group's forms that differ from the generated ones become
// the overrides of its spelling. It reports false, changing nothing, when the cell has more
// groups than the term has spellings or a group is malformed.
func (t *Term) SetFormsCell(lang tarjuma.Lang, cell string) bool {
	groups := splitList(cell)
	spellings := formList(t.Targets[lang])
	if len(groups) > len(spellings) {
		return false
	}
	given := make([]map[inflect.Form]string, len(groups))
	for i, g := range groups {
		var ok bool
		if given[i], ok = parseForms(g, lang); !ok {
			return false
		}
	}
	for i := range groups {
		t.setForms(lang, spellings[i], given[i])
	}
	return true
}

// formsLangs are the target languages whose terms have forms to export.
var formsLangs = []tarjuma.Lang{tarjuma.Tajik, tarjuma.Russian}

// formsColumn names the CSV column holding a language's forms.
func formsColumn(l tarjuma.Lang) string { return string(l) + "_forms" }
