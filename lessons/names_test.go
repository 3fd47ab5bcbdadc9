package lessons

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// The hand-written checks of names against the regular expressions they
// replace, on edge cases and on random strings over an alphabet that
// straddles every class: lower and upper ASCII, digits, dashes, accented
// and Chinese letters, an upper-case Greek letter, underscores and spaces.
func TestNameChecksMatchTheirExpressions(t *testing.T) {
	checks := []struct {
		name string
		re   *regexp.Regexp
		fn   func(string) bool
	}{
		{"language", regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})*$`), validLanguage},
		{"slug", regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`), validSlug},
		{"tag", regexp.MustCompile(`^[\p{Ll}\p{Lo}0-9][\p{Ll}\p{Lo}0-9-]*$`), validTag},
	}
	edges := []string{"", "-", "a", "en", "zh", "eng", "engl", "pt-br", "pt-", "pt--br", "zh-hant-tw", "zh-abcdefghi", "zh-a",
		"en-GB", "x1", "1a", "a-1", "-a", "a-", "locks", "clock-skew", "时钟", "é", "Δ", "a_b", "a b", "7"}
	alphabet := []rune("az09-AZé中Δ_ ")
	g := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		r := make([]rune, g.IntN(12))
		for i := range r {
			r[i] = alphabet[g.IntN(len(alphabet))]
		}
		edges = append(edges, string(r))
	}
	for _, c := range checks {
		matched := 0
		for _, s := range edges {
			want := c.re.MatchString(s)
			if got := c.fn(s); got != want {
				t.Errorf("%s check of %q = %v, the expression says %v", c.name, s, got, want)
			}
			if want {
				matched++
			}
		}
		if matched < 5 {
			t.Errorf("%s: only %d strings matched; the comparison says little", c.name, matched)
		}
	}
}
