package report

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// small hides a count of people as a viewer's report does.
func small(n int64) *Count {
	c := People(n)
	c.hide()
	return c
}

// line is a line of counts of people, hidden where small.
func line(ns ...int64) []*Count {
	out := make([]*Count, len(ns))
	for i, n := range ns {
		out[i] = small(n)
	}
	return out
}

// recoverable lists the hidden counts of line that a reader works out by trying
// every value the hidden counts could have: the reader knows the line's total,
// the shown counts, that "<5" is 1 to 4, and that "×" is 0 or from 5 up to the
// smallest count shown above zero (the smallest are shielded first).
func recoverable(l []*Count) []int {
	var hiddenAt []int
	var sum int64
	most := int64(1 << 40)
	for i, c := range l {
		switch {
		case c.Hidden:
			hiddenAt, sum = append(hiddenAt, i), sum+c.N
		case c.N > 0:
			most = min(most, c.N)
		}
	}
	seen := make([]map[int64]bool, len(hiddenAt))
	for i := range seen {
		seen[i] = map[int64]bool{}
	}
	vals := make([]int64, len(hiddenAt))
	var try func(k int, left int64)
	try = func(k int, left int64) {
		if k == len(hiddenAt) {
			if left == 0 {
				for i, v := range vals {
					seen[i][v] = true
				}
			}
			return
		}
		c := l[hiddenAt[k]]
		for v := int64(0); v <= left; v++ {
			if c.Shielded && (v == 0 || v >= SmallCell && v <= most) || !c.Shielded && v >= 1 && v < SmallCell {
				vals[k] = v
				try(k+1, left-v)
			}
		}
	}
	try(0, sum)
	var out []int
	for i, s := range seen {
		if len(s) < 2 {
			out = append(out, hiddenAt[i])
		}
	}
	return out
}

// checkLine asserts what complementary suppression promises of a line: where a
// count is hidden, at least two are, and none can be worked out.
func checkLine(t *testing.T, name string, l []*Count) {
	t.Helper()
	hiddenCount := 0
	for _, c := range l {
		if c.Hidden {
			hiddenCount++
		}
	}
	if hiddenCount == 1 {
		t.Errorf("%s: %s has one hidden count, which its total gives away", name, show(l))
	}
	if r := recoverable(l); len(r) > 0 {
		t.Errorf("%s: %s: the counts at %v can be worked out from the total", name, show(l), r)
	}
}

func show(l []*Count) string {
	out := make([]string, len(l))
	for i, c := range l {
		out[i] = fmt.Sprintf("%d", c.N)
		if c.Hidden {
			out[i] += "(" + c.String() + ")"
		}
	}
	return fmt.Sprint(out)
}

func TestShieldSmallCells(t *testing.T) {
	tests := []struct {
		name     string
		line     []int64
		shielded []int64 // the counts shielded, in line order
	}{
		{"nothing small", []int64{0, 5, 12}, nil},
		{"one small: the smallest other above zero", []int64{3, 40, 0, 12}, []int64{12}},
		{"a shield tied with a shown count would be known: both", []int64{3, 5, 5}, []int64{5, 5}},
		{"a shield of 5 beside a 1 leaves 1 alone possible: one more", []int64{1, 5, 9, 30}, []int64{5, 9}},
		{"two small that add up to 2 are both 1: a shield", []int64{1, 1, 20, 8}, []int64{8}},
		{"two small that can be told apart from their sum", []int64{2, 3, 50}, nil},
		{"zeros only beside the small one", []int64{2, 0, 0, 7}, []int64{7}},
		{"a zero when nothing above zero is left", []int64{4, 4, 0}, []int64{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := line(tt.line...)
			if !ShieldSmallCells(l) {
				t.Fatalf("ShieldSmallCells(%v) = false", tt.line)
			}
			var got []int64
			for _, c := range l {
				if c.Shielded {
					got = append(got, c.N)
				}
			}
			if !slices.Equal(got, tt.shielded) {
				t.Errorf("ShieldSmallCells(%v) shielded %v, want %v", tt.line, got, tt.shielded)
			}
			checkLine(t, tt.name, l)
		})
	}
}

// TestShieldSmallCellsCannotAlways: two children of 4 people and nothing else
// add up to 8, which says both; the line says it is not safe.
func TestShieldSmallCellsCannotAlways(t *testing.T) {
	if l := line(4, 4); ShieldSmallCells(l) || len(recoverable(l)) == 0 {
		t.Errorf("ShieldSmallCells(4, 4) = true or nothing recoverable: %s", show(l))
	}
}

// TestShieldSmallCellsRandomLines: on many lines of small, zero and larger
// counts, every line said safe is: no hidden count can be worked out.
func TestShieldSmallCellsRandomLines(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 9))
	unsafe := 0
	for range 3000 {
		ns := make([]int64, 2+rng.IntN(5))
		for i := range ns {
			switch rng.IntN(3) {
			case 0:
				ns[i] = int64(rng.IntN(5)) // 0 to 4
			default:
				ns[i] = int64(5 + rng.IntN(25))
			}
		}
		l := line(ns...)
		if !ShieldSmallCells(l) {
			unsafe++
			for _, c := range l {
				if c.N > 0 && !c.Hidden {
					t.Errorf("ShieldSmallCells(%v) gave up with %d shown", ns, c.N)
				}
			}
			continue
		}
		checkLine(t, fmt.Sprint(ns), l)
	}
	t.Logf("%d of 3000 lines cannot be made safe within the line", unsafe)
}

// TestShieldReport: the district × commune table, the groups and the months of
// a viewer's report, made by hand, come out with no hidden count that a total
// gives away, and without the values that would.
func TestShieldReport(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	unit := func(code string) UnitRef { return UnitRef{Code: code, Level: "commune"} }
	r := Report{
		Districts: []Breakdown{
			{Unit: unit("A"), PersonTimes: small(3), UniquePersons: small(2),
				Indicators: []UnitValue{{Indicator: "cov", Numerator: small(2), Denominator: People(50), Value: v(0.04)}}},
			{Unit: unit("B"), PersonTimes: small(12), UniquePersons: small(7),
				Indicators: []UnitValue{{Indicator: "cov", Numerator: small(6), Denominator: People(60), Value: v(0.1)}}},
			{Unit: unit("C"), PersonTimes: small(40), UniquePersons: small(30),
				Indicators: []UnitValue{{Indicator: "cov", Numerator: small(30), Denominator: People(70), Value: v(0.43)}}},
		},
		Groups: []GroupRow{
			{Group: "students", PersonTimes: small(4), UniquePersons: small(3)},
			{Group: "officials", PersonTimes: small(25), UniquePersons: small(20), Estimated: v(0)},
			{Group: "general_public", PersonTimes: small(26), UniquePersons: small(16), Estimated: v(0.5)},
		},
		Indicators: []Result{{Indicator: "pt", Group: "officials", PersonTimes: small(25)},
			{Indicator: "cov", Group: "general_public", Numerator: small(16), UncappedNumerator: small(16), Value: v(0.2), Uncapped: v(0.2)}},
		Trend: []TrendPoint{
			{Month: "2024-01", PersonTimes: small(1), UniquePersons: small(1)},
			{Month: "2024-02", PersonTimes: small(0), UniquePersons: small(0)},
			{Month: "2024-03", PersonTimes: small(54), UniquePersons: small(38)},
		},
		Data: []DataRow{
			{Indicator: "person_times", Unit: unit("A"), Group: "students", Month: "2024-01", Numerator: small(1)},
			{Indicator: "person_times", Unit: unit("A"), Group: "officials", Month: "2024-03", Numerator: small(2)},
			{Indicator: "person_times", Unit: unit("B"), Group: "students", Month: "2024-03", Numerator: small(3)},
			{Indicator: "person_times", Unit: unit("B"), Group: "officials", Month: "2024-03", Numerator: small(9)},
			{Indicator: "cov", Unit: unit("A"), Numerator: small(2), Denominator: People(50), Value: v(0.04)},
		},
	}
	r.Data[4].Numerator = r.Districts[0].Indicators[0].Numerator // as the engine shares them
	shieldReport(&r)
	d, g, tr := r.Districts, r.Groups, r.Trend
	lines := map[string][]*Count{
		"districts' person-times":   {d[0].PersonTimes, d[1].PersonTimes, d[2].PersonTimes},
		"districts' persons":        {d[0].UniquePersons, d[1].UniquePersons, d[2].UniquePersons},
		"districts' numerators":     {d[0].Indicators[0].Numerator, d[1].Indicators[0].Numerator, d[2].Indicators[0].Numerator},
		"groups' person-times":      {g[0].PersonTimes, g[1].PersonTimes, g[2].PersonTimes},
		"groups' persons":           {g[0].UniquePersons, g[1].UniquePersons, g[2].UniquePersons},
		"months' person-times":      {tr[0].PersonTimes, tr[1].PersonTimes, tr[2].PersonTimes},
		"A's person-times by group": {r.Data[0].Numerator, r.Data[1].Numerator},
		"B's person-times by group": {r.Data[2].Numerator, r.Data[3].Numerator},
	}
	for name, l := range lines {
		checkLine(t, name, l)
	}
	// Each line above has a small count; the shields are where the rule puts them.
	for _, c := range []struct {
		name string
		c    *Count
	}{{"B's person-times", d[1].PersonTimes}, {"B's persons", d[1].UniquePersons}, {"B's numerator", d[1].Indicators[0].Numerator},
		{"officials' person-times", g[1].PersonTimes}, {"general public's persons", g[2].UniquePersons}, {"March's person-times", tr[2].PersonTimes},
		{"B's officials", r.Data[3].Numerator}} {
		if !c.c.Shielded || c.c.String() != ShieldedMark {
			t.Errorf("%s = %+v (%s), want shielded (%s)", c.name, *c.c, c.c, ShieldedMark)
		}
	}
	if d[1].Indicators[0].Value != nil || d[0].Indicators[0].Value != nil || r.Data[4].Value != nil {
		t.Errorf("values of hidden numerators kept: %v %v %v", d[0].Indicators[0].Value, d[1].Indicators[0].Value, r.Data[4].Value)
	}
	if d[2].Indicators[0].Value == nil {
		t.Error("the value of a shown numerator was dropped")
	}
	if g[1].Estimated != nil || g[2].Estimated == nil {
		t.Errorf("estimated shares: officials %v (shielded), general public %v (shown)", g[1].Estimated, g[2].Estimated)
	}
	if pt := r.Indicators[0].PersonTimes; !pt.Shielded {
		t.Errorf("the officials' indicator shows the person-times %s the groups' table shields", pt)
	}
	if cov := r.Indicators[1]; !cov.Numerator.Shielded || !cov.UncappedNumerator.Shielded || cov.Value != nil || cov.Uncapped != nil {
		t.Errorf("the general public's coverage shows the persons the groups' table shields: %s, %s, %v, %v",
			cov.Numerator, cov.UncappedNumerator, cov.Value, cov.Uncapped)
	}
	b, err := json.Marshal([]*Count{d[0].PersonTimes, d[1].PersonTimes, d[2].PersonTimes})
	var got []any
	if err == nil {
		err = json.Unmarshal(b, &got)
	}
	if err != nil || !slices.Equal(got, []any{"<5", "×", 40.0}) {
		t.Errorf("JSON of a small, a shielded and a shown count = %s, %v", b, err)
	}
}
