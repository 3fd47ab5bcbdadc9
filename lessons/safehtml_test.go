package lessons

import (
	"fmt"
	"html"
	"regexp"
	"strings"
)

// The safety oracle of the tests: an allowlist of the elements and
// attributes this package may emit, checked by a scanner written
// independently of the renderer. Every literal '<' in the output must open
// or close an allowed element; text must carry '<' only as &lt;.

var allowedTags = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"em": true, "strong": true, "del": true, "a": true, "img": true, "code": true, "pre": true,
	"ul": true, "ol": true, "li": true, "blockquote": true, "hr": true, "br": true,
	"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
	"sup": true, "div": true, "span": true, "input": true,
}

var allowedAttrs = map[string]bool{
	"id": true, "class": true, "href": true, "src": true, "alt": true, "title": true,
	"role": true, "start": true, "checked": true, "disabled": true, "type": true, "align": true,
}

var (
	htmlTagRE  = regexp.MustCompile(`^<(/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*/?>`)
	htmlAttrRE = regexp.MustCompile(`([a-z-]+)(?:="([^"<>]*)")?`)
)

// checkSafeHTML returns why s is not safe markup, or "".
func checkSafeHTML(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		m := htmlTagRE.FindStringSubmatch(s[i:])
		if m == nil {
			return fmt.Sprintf("unexpected '<' at %d: %.40q", i, s[i:])
		}
		name := m[2]
		if !allowedTags[name] {
			return fmt.Sprintf("element <%s> is not allowed: %.60q", name, m[0])
		}
		for _, a := range htmlAttrRE.FindAllStringSubmatch(m[3], -1) {
			attr, val := a[1], html.UnescapeString(a[2])
			if !allowedAttrs[attr] {
				return fmt.Sprintf("attribute %s is not allowed: %.60q", attr, m[0])
			}
			switch attr {
			case "href", "src":
				if !oracleSafeURL(val) {
					return fmt.Sprintf("unsafe URL %q in %.60q", val, m[0])
				}
			case "align":
				if val != "left" && val != "right" && val != "center" {
					return fmt.Sprintf("align %q", val)
				}
			case "type":
				if val != "checkbox" {
					return fmt.Sprintf("input type %q", val)
				}
			}
		}
		if name == "input" && !strings.Contains(m[3], "disabled") {
			return "an input that is not disabled"
		}
		i += len(m[0]) - 1
	}
	return ""
}

// oracleSafeURL is the tests' own idea of a safe URL, written separately
// from safeURL: after the browser's decoding, the scheme (if any) must be
// http, https or mailto.
func oracleSafeURL(u string) bool {
	u = strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1 // browsers strip controls and whitespace around and inside schemes
		}
		return r
	}, strings.ToLower(u))
	colon := strings.Index(u, ":")
	if colon < 0 {
		return true
	}
	if strings.ContainsAny(u[:colon], "/?#") {
		return true
	}
	switch u[:colon] {
	case "http", "https", "mailto":
		return true
	}
	return false
}
