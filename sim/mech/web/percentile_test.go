package web

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var hundred []time.Duration
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, ms(i))
	}
	cases := []struct {
		sorted []time.Duration
		q      float64
		want   float64
	}{
		{nil, 0.5, 0},
		{[]time.Duration{ms(7)}, 0.99, 7},
		{hundred, 0.50, 50},
		{hundred, 0.99, 99},
		{[]time.Duration{ms(1), ms(2), ms(3)}, 0.5, 2},
	}
	for _, c := range cases {
		if got := percentile(c.sorted, c.q); got != c.want {
			t.Errorf("percentile(%d values, %v) = %v, want %v", len(c.sorted), c.q, got, c.want)
		}
	}
}
