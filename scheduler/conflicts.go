package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"loa"
)

// Bounds of a conflict check.
const (
	conflictYears   = 1  // a rule is checked against the others over its first year ahead
	maxConflicts    = 50 // listed; the total is counted
	maxListStations = 20 // codes listed per conflict
)

// Occurrence is one start and end, shown in the deployment's zone and in UTC.
type Occurrence struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// MarshalJSON adds the UTC times.
func (o Occurrence) MarshalJSON() ([]byte, error) {
	type plain Occurrence
	return json.Marshal(struct {
		plain
		StartUTC time.Time `json:"startUtc"`
		EndUTC   time.Time `json:"endUtc"`
	}{plain(o), o.Start.UTC(), o.End.UTC()})
}

// Conflict is an occurrence of the rule being saved overlapping one of another rule
// on the same stations.
type Conflict struct {
	Rule         string     `json:"rule"`
	RuleTitle    string     `json:"ruleTitle"`
	Priority     int        `json:"priority"`
	Occurrence   Occurrence `json:"occurrence"` // of the rule being saved
	Other        Occurrence `json:"other"`      // of the other rule
	Stations     []string   `json:"stations"`   // the first few
	StationCount int        `json:"stationCount"`
	// Displaced says which side loses the slot when priorities differ: "this" (the
	// rule being saved), "other", or "" when they are equal (a refused overlap).
	Displaced string `json:"displaced"`
}

// Conflicts is what a conflict check found.
type Conflicts struct {
	List  []Conflict `json:"conflicts"`
	Total int        `json:"total"`
	// Displaced counts this rule's occurrences × stations lost to higher rules;
	// DisplacedOthers those of lower rules this rule takes.
	Displaced       int `json:"displaced"`
	DisplacedOthers int `json:"displacedOthers"`
	// Refused counts overlaps with rules of equal priority.
	Refused int `json:"refused"`
}

// ConflictError refuses a rule that overlaps rules of equal priority. It matches
// loa.ErrConflict with errors.Is.
type ConflictError struct {
	Conflicts []Conflict
	Total     int
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("the rule overlaps %d occurrence(s) of other rules with the same priority on the same stations; change the times or give one rule a higher priority", e.Total)
}

// Unwrap makes it a conflict.
func (e *ConflictError) Unwrap() error { return loa.ErrConflict }

// conflicts checks rule r (expanded by rc, at stations) against every other active
// rule over [from, to).
func (s *Service) conflicts(ctx context.Context, r Rule, rc *recurrence, stations []Station, from, to time.Time) (Conflicts, error) {
	out := Conflicts{List: []Conflict{}}
	if !r.Active || len(stations) == 0 {
		return out, nil
	}
	mine := make(map[string]bool, len(stations))
	for _, st := range stations {
		mine[st.Code] = true
	}
	rules, err := s.rules(ctx)
	if err != nil {
		return out, err
	}
	all, err := s.stations(ctx)
	if err != nil {
		return out, err
	}
	starts := rc.between(from, to)
	d := time.Duration(r.DurationSeconds) * time.Second
	for _, q := range rules {
		if q.ID == r.ID || !q.Active {
			continue
		}
		theirs, err := s.resolve(ctx, q.Stations, all, q.StartDate)
		if err != nil {
			return out, err
		}
		var shared []string
		for _, st := range theirs {
			if mine[st.Code] {
				shared = append(shared, st.Code)
			}
		}
		if len(shared) == 0 {
			continue
		}
		others, err := s.expand(q, from, to)
		if err != nil {
			continue
		}
		side := ""
		switch {
		case q.Priority > r.Priority:
			side = "this"
		case q.Priority < r.Priority:
			side = "other"
		}
		qd := time.Duration(q.DurationSeconds) * time.Second
		j := 0
		for _, t := range starts {
			for j < len(others) && !others[j].Add(qd).After(t) {
				j++
			}
			for k := j; k < len(others) && others[k].Before(t.Add(d)); k++ {
				out.Total++
				switch side {
				case "this":
					out.Displaced += len(shared)
				case "other":
					out.DisplacedOthers += len(shared)
				case "":
					out.Refused++
				}
				if len(out.List) < maxConflicts {
					out.List = append(out.List, Conflict{Rule: q.ID, RuleTitle: q.Title, Priority: q.Priority,
						Occurrence: Occurrence{t, t.Add(d)}, Other: Occurrence{others[k], others[k].Add(qd)},
						Stations: shared[:min(len(shared), maxListStations)], StationCount: len(shared), Displaced: side})
				}
			}
		}
	}
	return out, nil
}

// refused returns the error for the overlaps with rules of equal priority in c,
// or nil.
func (c Conflicts) refused() error {
	if c.Refused == 0 {
		return nil
	}
	return &ConflictError{Conflicts: slices.DeleteFunc(slices.Clone(c.List), func(x Conflict) bool { return x.Displaced != "" }), Total: c.Refused}
}
