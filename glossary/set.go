package glossary

// ValidateSet checks a whole term base the way an import is checked: every term valid, ids
// unique, and no Arabic spelling shared by two terms active at the same time. The store runs it
// on every edit, since one new term can clash with another already stored.
func ValidateSet(terms []Term) error {
	_, err := finish(terms, make([]int, len(terms)), nil)
	return err
}
