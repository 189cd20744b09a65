// Package glossary owns the desk's term base: the term model, Arabic normalisation with a map
// back to the original text, clitic-aware matching of Arabic terms, protection of matched terms
// from MT engines and the unwrapping of their output, the adherence check of translations, CSV
// and TBX import and export, and the starter term base. It is pure logic and does no I/O beyond
// the readers and writers it is given: storage, the API, the CLI and the worker decide where
// terms live and when matchers are rebuilt.
//
// A glossary version is used through one Matcher, built from its terms and shared by all
// goroutines:
//
//	m := glossary.NewMatcher(terms, time.Now())
//	matches := m.Match(seg.Source)                     // the terms the segment contains
//	html := m.Protect(seg.Source, matches, lang)       // send with the engine's HTML mode
//	text, err := glossary.Unprotect(engineOutput)      // err wraps ErrMalformed: do not store
//	findings := m.Check(matches, text, lang)           // adherence, for any version
package glossary
