// Package ninjstest checks documents against the constraints of the published IPTC ninjs 3.1
// JSON schema (specification/ninjs-schema_3.1.json in the iptc/newsinjson repository) that
// tarjuma's documents rely on, written here from the schema's text rather than from package
// publish, so that the tests of publish and of the worker judge our output by the standard.
// It covers the root object (which allows no property the schema does not define) and the
// properties tarjuma fills, with their types, enums, required members and formats.
package ninjstest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"time"
)

// rootProperties are the properties of ninjsType; the root has unevaluatedProperties: false.
var rootProperties = []string{
	"uri", "type", "representationType", "profile", "version", "firstCreated", "versionCreated", "contentCreated",
	"embargoedUntil", "pubStatus", "urgency", "copyrightHolder", "copyrightNotice", "usageTerms", "edNote", "language",
	"descriptions", "bodies", "headlines", "people", "organisations", "places", "subjects", "events", "eventDetails",
	"plannedCoverage", "objects", "infoSources", "title", "by", "slugline", "located", "renditions", "associations",
	"altIds", "trustIndicators", "standard", "genres", "expires", "rightsInfo", "digitalSourceType",
}

// Enums of the schema: newsObjectType and pubStatus.
var (
	newsObjectTypes = []string{"text", "audio", "video", "picture", "graphic", "composite", "component", "event", "planning"}
	pubStatuses     = []string{"usable", "withheld", "canceled"}
)

// itemProperties are the properties each array item (or object) allows (additionalProperties:
// false in the schema), and those it requires.
var itemProperties = map[string]struct{ allowed, required []string }{
	"headlines":         {[]string{"role", "contentType", "value"}, []string{"value"}},
	"bodies":            {[]string{"role", "contentType", "charCount", "wordCount", "value"}, []string{"value"}},
	"people":            {[]string{"name", "rel", "uri", "literal", "contactInfo"}, nil},
	"organisations":     {[]string{"name", "rel", "uri", "literal", "symbols", "contactInfo"}, nil},
	"places":            {[]string{"name", "rel", "uri", "literal", "contactInfo", "geoJSON"}, nil},
	"infoSources":       {[]string{"name", "role", "uri", "literal", "contactInfo"}, nil},
	"altIds":            {[]string{"role", "value"}, nil},
	"digitalSourceType": {[]string{"name", "uri", "literal"}, nil},
	"standard":          {[]string{"name", "version", "schema"}, nil},
}

// camelCase is how every property name of ninjs 2.0 and later is written.
var camelCase = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

// Validate returns every way doc breaks the constraints; none for a valid document.
func Validate(doc []byte) []error {
	var root map[string]json.RawMessage
	if err := json.Unmarshal(doc, &root); err != nil {
		return []error{fmt.Errorf("not a JSON object: %w", err)}
	}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	names := make([]string, 0, len(root))
	for name := range root {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !slices.Contains(rootProperties, name) {
			fail("property %q is not in the schema (unevaluatedProperties: false)", name)
		}
		if !camelCase.MatchString(name) {
			fail("property %q is not camelCase", name)
		}
	}
	if _, ok := root["uri"]; !ok {
		fail("uri is required")
	}
	str := func(name string) (string, bool) {
		raw, ok := root[name]
		if !ok {
			return "", false
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			fail("%s must be a string, is %s", name, raw)
			return "", false
		}
		return s, true
	}
	for _, name := range []string{"uri", "type", "version", "versionCreated", "firstCreated", "embargoedUntil", "pubStatus", "language", "title", "by"} {
		s, ok := str(name)
		if !ok {
			continue
		}
		switch name {
		case "uri":
			checkURI(fail, "uri", s)
		case "type":
			if !slices.Contains(newsObjectTypes, s) {
				fail("type %q is not one of %v", s, newsObjectTypes)
			}
		case "pubStatus":
			if !slices.Contains(pubStatuses, s) {
				fail("pubStatus %q is not one of %v", s, pubStatuses)
			}
		case "versionCreated", "firstCreated", "embargoedUntil":
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				fail("%s %q is not a date-time (RFC 3339)", name, s)
			}
		}
	}
	if raw, ok := root["urgency"]; ok {
		var n json.Number
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&n); err != nil {
			fail("urgency must be an integer, is %s", raw)
		} else if i, err := n.Int64(); err != nil || i < 1 || i > 9 {
			fail("urgency %s is not an integer from 1 to 9", n)
		}
	}
	for name, rule := range itemProperties {
		raw, ok := root[name]
		if !ok {
			continue
		}
		var items []map[string]json.RawMessage
		if name == "digitalSourceType" || name == "standard" {
			var one map[string]json.RawMessage
			if err := json.Unmarshal(raw, &one); err != nil {
				fail("%s must be an object, is %s", name, raw)
				continue
			}
			items = append(items, one)
		} else if err := json.Unmarshal(raw, &items); err != nil {
			fail("%s must be an array of objects, is %s", name, raw)
			continue
		}
		for i, item := range items {
			for key, v := range item {
				if !slices.Contains(rule.allowed, key) {
					fail("%s[%d]: property %q is not in the schema", name, i, key)
				}
				if key == "uri" || key == "schema" {
					var s string
					if json.Unmarshal(v, &s) != nil {
						fail("%s[%d].%s must be a string", name, i, key)
					} else {
						checkURI(fail, fmt.Sprintf("%s[%d].%s", name, i, key), s)
					}
				}
				if key == "charCount" || key == "wordCount" {
					var n int
					if json.Unmarshal(v, &n) != nil {
						fail("%s[%d].%s must be an integer", name, i, key)
					}
				} else if key != "contactInfo" && key != "symbols" && key != "geoJSON" {
					var s string
					if json.Unmarshal(v, &s) != nil {
						fail("%s[%d].%s must be a string, is %s", name, i, key, v)
					}
				}
			}
			for _, key := range rule.required {
				if _, ok := item[key]; !ok {
					fail("%s[%d]: %s is required", name, i, key)
				}
			}
		}
	}
	return errs
}

// checkURI applies "format": "uri": an absolute URI, with a scheme (RFC 3986).
func checkURI(fail func(string, ...any), name, s string) {
	if u, err := url.Parse(s); err != nil || u.Scheme == "" {
		fail("%s %q is not an absolute URI", name, s)
	}
}
