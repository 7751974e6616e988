// Package reachgen generates a year of reach rows of the demo campaign as the CSV
// files reporters would import, for benchmarks and load tests of imports and
// reports (BENCHMARKS.md §9). The rows are deterministic: the same call gives the
// same files.
package reachgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Unit is an org unit as the generator needs it: its code and level (commune,
// district or province).
type Unit struct{ Code, Level string }

// Year splits a year of n distinct reach rows of the demo campaign into CSV
// files, one per month and third of the province's units (36 files of about 28,000
// rows for n = 1,000,000), as units would report them month by month.
//
// The rows are spread like a year of reporting: the 260 units (most rows from the
// 241 communes, some from the 18 districts, a few from the province), the seven
// groups, activities that go with each group (school sessions for students,
// training for officials, press and broadcast for the general public, mostly at
// district or province level…), every day of 2024 (rows per month in proportion to
// its days), one to five sessions, 10–310 person-times, unique persons on about 55 %
// of the rows that may give them (never on press or broadcast, whose reach is an
// estimate) and person-times only on the others, leaflets, social media and mass
// media flagged as estimates, evidence on one row in ten, and a report number of
// its own on every row ("123/BC-UBND"), so that every row has its own key.
//
// Each file touches at most 87 (unit, month) buckets, and no two files the same
// one: on the embedded engine an import that rewrites 100 or more stored buckets
// at once does not return (BENCHMARKS.md §9), and the app's demo already holds
// records in most buckets.
func Year(units []Unit, n int) [][]byte {
	type kind struct {
		activity string
		groups   []string
		weight   int
		levels   string // the levels it is reported at: c(ommune), d(istrict), p(rovince)
	}
	everyone := []string{"students", "iz_workers", "service_workers", "ethnic_minorities", "women_girls", "officials", "general_public"}
	kinds := []kind{
		{"direct_session", everyone, 34, "cd"},
		{"school_session", []string{"students"}, 14, "cd"},
		{"workplace_session", []string{"iz_workers", "service_workers", "women_girls"}, 10, "cd"},
		{"leaflet", []string{"general_public", "ethnic_minorities", "women_girls", "service_workers"}, 14, "cd"},
		{"social_media", []string{"general_public", "students", "women_girls"}, 8, "cdp"},
		{"training", []string{"officials"}, 5, "dp"},
		{"broadcast", []string{"general_public", "ethnic_minorities"}, 9, "cdp"},
		{"press", []string{"general_public"}, 3, "dp"},
		{"other", everyone, 3, "cd"},
	}
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	const parts = 3
	var byLevel [parts]map[string][]string
	seen := map[string]int{}
	for _, u := range units {
		p := seen[u.Level] % parts // each third has a third of each level's units
		seen[u.Level]++
		if byLevel[p] == nil {
			byLevel[p] = map[string][]string{}
		}
		byLevel[p][u.Level] = append(byLevel[p][u.Level], u.Code)
	}
	var files [][]byte
	seq, done := 0, 0
	for month := 1; month <= 12; month++ {
		first := time.Date(2024, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
		days := first.AddDate(0, 1, -1).Day()
		upTo := n * (first.YearDay() - 1 + days) / 366
		for p := range parts {
			rows := (upTo - done) / (parts - p)
			done += rows
			rng := rand.New(rand.NewPCG(uint64(month), uint64(p)))
			var b strings.Builder
			b.Grow(rows * 80)
			b.WriteString("Mã đơn vị,Nhóm đối tượng,Ngày,Hình thức,Số buổi,Số lượt người,Số người,Ước tính,Số hiệu báo cáo,Minh chứng\n")
			for range rows {
				seq++
				w := rng.IntN(total)
				k := kinds[0]
				for _, c := range kinds {
					if w < c.weight {
						k = c
						break
					}
					w -= c.weight
				}
				level := "commune"
				if r := rng.IntN(100); !strings.Contains(k.levels, "c") || r < 12 {
					level = "district"
					if strings.Contains(k.levels, "p") && (r < 3 || !strings.Contains(k.levels, "d")) && byLevel[p]["province"] != nil {
						level = "province"
					}
				}
				at := byLevel[p][level]
				unit := at[rng.IntN(len(at))]
				group := k.groups[rng.IntN(len(k.groups))]
				day := first.AddDate(0, 0, rng.IntN(days))
				sessions := 1
				if rng.IntN(10) == 0 {
					sessions = 2 + rng.IntN(4)
				}
				times := 10 + rng.IntN(301)
				unique, estimated, evidence := "", "", ""
				mass := k.activity == "press" || k.activity == "broadcast"
				if !mass && rng.IntN(100) < 55 {
					unique = fmt.Sprint(times * (70 + rng.IntN(31)) / 100)
				}
				if mass || k.activity == "leaflet" || k.activity == "social_media" {
					estimated = "x"
				}
				if rng.IntN(10) == 0 {
					evidence = "Biên bản buổi tuyên truyền, có ảnh"
				}
				fmt.Fprintf(&b, "%s,%s,%s,%s,%d,%d,%s,%s,%d/BC-UBND,%s\n", unit, group, day.Format("02/01/2006"), k.activity,
					sessions, times, unique, estimated, seq, evidence)
			}
			files = append(files, []byte(b.String()))
		}
	}
	return files
}
