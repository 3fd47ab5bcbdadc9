package scenario

import (
	"regexp"
	"testing"
)

func TestValidNameMatchesItsExpression(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9-]+$`)
	for _, s := range []string{"", "-", "a", "paused-holder", "Paused", "a_b", "a b", "x9-", "时钟", "é", "z0", "a\n"} {
		if got, want := validName(s), re.MatchString(s); got != want {
			t.Errorf("validName(%q) = %v, the expression says %v", s, got, want)
		}
	}
}
