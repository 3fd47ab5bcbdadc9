package quorum_test

import (
	"strings"
	"testing"
	"time"

	"coordlab/sim/mech/quorum"
)

func explore(t *testing.T, edit func(*quorum.Settings)) quorum.Summary {
	t.Helper()
	s := quorum.DefaultSettings()
	edit(&s)
	sum, err := quorum.Explore(s)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Ops != s.Ops {
		t.Fatalf("%d operations completed, want all %d", sum.Ops, s.Ops)
	}
	return sum
}

func TestExploreRegions(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*quorum.Settings)
		region string
		check  func(quorum.Summary) string
	}{
		{"quorums that overlap", func(*quorum.Settings) {}, "EC", func(s quorum.Summary) string {
			if !s.Linearizable || s.Availability != 1 || s.StaleReads+s.LostUpdates > 0 {
				return "want a linearizable, available run without stale reads"
			}
			return ""
		}},
		{"quorums that need not overlap, on a jittery network", func(s *quorum.Settings) { s.R, s.W, s.Latency.Max = 1, 1, 30*time.Millisecond }, "EL", func(s quorum.Summary) string {
			if s.StaleReads == 0 || s.Linearizable {
				return "want stale reads, so not linearizable"
			}
			return ""
		}},
		{"partition, strict quorum", func(s *quorum.Settings) { s.Partition = true }, "PC/EC", func(s quorum.Summary) string {
			if s.During.Availability >= 0.99 || s.During.StaleReads > 0 || s.Outside.Availability < 0.99 {
				return "want refusals during the partition only, and no stale read"
			}
			return ""
		}},
		{"partition, sloppy quorum", func(s *quorum.Settings) { s.Partition, s.Sloppy = true, true }, "PA/EC", func(s quorum.Summary) string {
			if s.During.Availability < 0.99 || s.During.StaleReads == 0 {
				return "want an available partition with stale reads"
			}
			return ""
		}},
		// Only the linearizability search sees this one: a read during the
		// partition returned a value no order explains, though none was
		// stale by the simple test. The region must agree with the verdict.
		{"partition, quorums that need not overlap", func(s *quorum.Settings) { s.N, s.R, s.W, s.Partition = 4, 1, 2, true }, "P0/EC", func(s quorum.Summary) string {
			if s.Linearizable || !s.LinearizabilityChecked || s.During.StaleReads+s.During.LostUpdates > 0 {
				return "want a history only the search finds not linearizable"
			}
			return ""
		}},
		{"clock skew, last writer wins", func(s *quorum.Settings) { s.Skew = time.Second }, "EL", func(s quorum.Summary) string {
			if s.LostUpdates == 0 {
				return "want lost updates"
			}
			return ""
		}},
		// Siblings lose nothing, but they are not one copy: consistency
		// was given up for the application to merge.
		{"clock skew, version vectors", func(s *quorum.Settings) { s.Skew, s.Conflict = time.Second, "vector" }, "EL", func(s quorum.Summary) string {
			if s.LostUpdates > 0 || s.Linearizable || !strings.Contains(s.LinearizabilityDetail, "siblings") || !strings.Contains(s.Explanation, "siblings") {
				return "want no lost update, and siblings that are not linearizable, named in the explanation"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := explore(t, tt.edit)
			if s.Region != tt.region {
				t.Errorf("region %s, want %s: %s", s.Region, tt.region, s.Explanation)
			}
			if msg := tt.check(s); msg != "" {
				t.Errorf("%s; got %+v", msg, s)
			}
		})
	}
}

func TestExploreDeterministic(t *testing.T) {
	edit := func(s *quorum.Settings) { s.Partition, s.Sloppy, s.Skew = true, true, 200*time.Millisecond }
	a, b := explore(t, edit), explore(t, edit)
	if a != b {
		t.Fatalf("two runs with the same settings differ:\n%+v\n%+v", a, b)
	}
}

func TestExploreRejectsBadSettings(t *testing.T) {
	for _, tt := range []struct {
		edit func(*quorum.Settings)
		want string
	}{
		{func(s *quorum.Settings) { s.R = 4 }, "r:"},
		{func(s *quorum.Settings) { s.Conflict = "" }, "conflict:"},
		{func(s *quorum.Settings) { s.Ops = 0 }, "ops:"},
	} {
		s := quorum.DefaultSettings()
		tt.edit(&s)
		if _, err := quorum.Explore(s); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %v, want one naming %q", err, tt.want)
		}
	}
}
