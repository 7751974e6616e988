package reach

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"loa"
)

// Rollups are a campaign's reach records added up per half-month (split at the
// cut-off day), org unit, target group and activity: what reports read instead of
// the records (DESIGN §10). Every write of records adds its difference to the
// half-month documents it touches (packed: cellpack.go); a journal entry open
// across the write lets a crash half-way be repaired by recomputing the campaign
// from its records.

// Add adds sign times d to c.
func (c *Cell) Add(d Cell, sign int64) {
	c.Records += sign * d.Records
	c.Activities += sign * d.Activities
	c.PersonTimes += sign * d.PersonTimes
	c.UniquePersons += sign * d.UniquePersons
	c.UniqueKnown += sign * d.UniqueKnown
	c.Estimated += sign * d.Estimated
	c.Repeated += sign * d.Repeated
	c.FirstTimeKnown += sign * d.FirstTimeKnown
}

// Persons are the persons coverage counts: first-time persons where the records
// give them, unique persons elsewhere.
func (c Cell) Persons() int64 { return c.UniquePersons - c.Repeated }

// UpperBound reports whether Persons sums unique persons of records that do not
// give first-time persons: the same person may be counted twice.
func (c Cell) UpperBound() bool { return c.UniqueKnown > c.FirstTimeKnown }

// cellOf is what one record adds to its cell.
func cellOf(r Reach) Cell {
	c := Cell{Records: 1, Activities: int64(r.Activities), PersonTimes: r.PersonTimes}
	if r.UniquePersons != nil {
		c.UniquePersons, c.UniqueKnown = *r.UniquePersons, 1
		if r.FirstTimePersons != nil {
			c.Repeated, c.FirstTimeKnown = *r.UniquePersons-*r.FirstTimePersons, 1
		}
	}
	if r.Estimated {
		c.Estimated = r.PersonTimes
	}
	return c
}

// cellKeyOf places a record in its half-month.
func cellKeyOf(r Reach, cutoff int) CellKey {
	part := 2
	if day := string(r.Date[8:10]); day < fmt.Sprintf("%02d", cutoff) {
		part = 1
	}
	return CellKey{Month: string(r.Date[:7]), Part: part, OrgUnit: r.OrgUnit, Group: r.Group, Activity: r.Activity}
}

// rollupDeltas adds up what writes change, per campaign and cell.
func rollupDeltas(writes []reachWrite, cutoff int) map[string]map[CellKey]Cell {
	out := map[string]map[CellKey]Cell{}
	apply := func(r *Reach, sign int64) {
		if r == nil {
			return
		}
		cells := out[r.Campaign]
		if cells == nil {
			cells = map[CellKey]Cell{}
			out[r.Campaign] = cells
		}
		k := cellKeyOf(*r, cutoff)
		c := cells[k]
		c.Add(cellOf(*r), sign)
		cells[k] = c
	}
	for _, w := range writes {
		apply(w.before, -1)
		apply(w.after, 1)
	}
	return out
}

// Journal is an entry of the journal of record writes: the campaigns whose rollups
// a write changes, and who writes which records (Actor, the Import the write
// belongs to, the Keys of the records), so that the next start recomputes the
// rollups of a write a crash interrupted and attributes the records it stored.
// Rebuilds of rollups write no records and name no actor.
type Journal struct {
	Campaigns []string
	Actor     loa.Actor
	Import    string
	Keys      []string
}

// writeReach runs store, the write of records that returns what it changed,
// between the opening and the closing of a journal entry j, applies the
// difference to the rollups and records it in the audit trail (record), in that
// order: a crash before the closing leaves the entry open, and the next start
// recomputes the rollups and attributes the records stored (RepairRollups). Once
// records are being written the rest runs to its end even if the request is
// cancelled, so that the rollups never stay short of a write that landed.
func (s *Service) writeReach(ctx context.Context, j Journal, store func() ([]reachWrite, error), record func([]reachWrite) error) ([]reachWrite, error) {
	ctx = context.WithoutCancel(ctx)
	for _, c := range slices.Sorted(slices.Values(j.Campaigns)) {
		st := s.rollupState(c)
		st.gate.RLock()
		defer st.gate.RUnlock()
	}
	journal, err := s.store.OpenJournal(ctx, j)
	if err != nil {
		return nil, err
	}
	writes, err := store()
	if err != nil {
		return nil, err // the journal stays open: the next start recomputes the campaigns
	}
	for campaign, cells := range rollupDeltas(writes, s.core.Cutoff()) {
		if err := s.incRollups(ctx, campaign, cells); err != nil {
			return nil, err
		}
	}
	if err := record(writes); err != nil {
		return nil, err
	}
	return writes, s.store.CloseJournal(ctx, journal)
}

// incRollups adds cells to a campaign's stored rollups and to the copy in memory,
// while no read of them runs in this process: a read between the two would take
// the new cells for the old version, and the copy would then count them twice.
func (s *Service) incRollups(ctx context.Context, campaign string, cells map[CellKey]Cell) error {
	st := s.rollupState(campaign)
	st.loading.Lock()
	defer st.loading.Unlock()
	if err := s.store.IncRollups(ctx, campaign, s.core.Cutoff(), cells); err != nil {
		st.cache.Invalidate()
		return err
	}
	version, err := s.store.BumpRollups(ctx, campaign)
	if err != nil {
		st.cache.Invalidate()
		return err
	}
	st.cache.Advance(version, func(old CellSet) (CellSet, error) {
		next := maps.Clone(old) // shared with readers: copy the half-months that change
		copied := map[PartKey]bool{}
		for k, d := range cells {
			if pk := (PartKey{k.Month, k.Part}); !copied[pk] {
				h := &Half{Cells: map[CellKey]Cell{}}
				if old[pk] != nil {
					h.Cells = maps.Clone(old[pk].Cells)
				}
				next[pk], copied[pk] = h, true
			}
			c := next.Get(k)
			c.Add(d, 1)
			next.Put(k, c)
		}
		return next, nil
	})
	return nil
}

// rollupState is what this process keeps of a campaign's rollups: the copy in
// memory for the version it was read at, the gate that lets writes of records run
// together but never during a recomputation, and the lock that keeps reads of the
// stored rollups apart from changes to them.
type rollupState struct {
	cache   loa.Snapshot[CellSet]
	gate    sync.RWMutex
	loading sync.RWMutex
}

// rollupStates holds the campaigns' rollupState.
type rollupStates struct {
	mu     sync.Mutex
	byCode map[string]*rollupState
}

func (s *Service) rollupState(campaign string) *rollupState {
	s.rollups.mu.Lock()
	defer s.rollups.mu.Unlock()
	if s.rollups.byCode == nil {
		s.rollups.byCode = map[string]*rollupState{}
	}
	st := s.rollups.byCode[campaign]
	if st == nil {
		st = &rollupState{}
		s.rollups.byCode[campaign] = st
	}
	return st
}

// Cells returns a campaign's rollup cells, shared and read-only.
func (s *Service) Cells(ctx context.Context, campaign string) (CellSet, error) {
	st := s.rollupState(campaign)
	version, err := s.store.RollupsVersion(ctx, campaign)
	if err != nil {
		return nil, err
	}
	return st.cache.Get(version, func() (CellSet, error) {
		st.loading.RLock()
		defer st.loading.RUnlock()
		return s.store.Rollups(ctx, campaign)
	})
}

// WarmReports reads every campaign's rollups into memory, so that the first report
// after a start does not wait for them (at 1,000,000 records, some 0.2 s on the
// embedded engine; BENCHMARKS.md §20).
func (s *Service) WarmReports(ctx context.Context) error {
	all, err := s.store.Campaigns(ctx)
	if err != nil {
		return err
	}
	for _, c := range all {
		if _, err := s.Cells(ctx, c.Code); err != nil {
			return fmt.Errorf("read the rollups of %s: %w", c.Code, err)
		}
	}
	return nil
}

// recompute adds up a campaign's records afresh.
func (s *Service) recompute(ctx context.Context, campaign string) (map[CellKey]Cell, error) {
	cells := map[CellKey]Cell{}
	err := s.store.EachReach(ctx, campaign, func(r Reach) {
		k := cellKeyOf(r, s.core.Cutoff())
		c := cells[k]
		c.Add(cellOf(r), 1)
		cells[k] = c
	})
	return cells, err
}

// RebuildRollups recomputes a campaign's rollups (and the index of its record
// buckets) from its records and replaces the stored ones (`loa rollups rebuild`).
func (s *Service) RebuildRollups(ctx context.Context, campaign string) error {
	st := s.rollupState(campaign)
	st.gate.Lock() // no write of records may land between the recomputation and its storing
	defer st.gate.Unlock()
	journal, err := s.store.OpenJournal(ctx, Journal{Campaigns: []string{campaign}})
	if err != nil {
		return err
	}
	cells, err := s.recompute(ctx, campaign)
	if err != nil {
		return err
	}
	if err := s.store.ReplaceRollups(ctx, campaign, s.core.Cutoff(), cells); err != nil {
		return err
	}
	if err := s.store.RebuildBucketIndex(ctx, campaign); err != nil {
		return err
	}
	st.loading.Lock()
	_, err = s.store.BumpRollups(ctx, campaign)
	st.cache.Invalidate()
	st.loading.Unlock()
	if err != nil {
		return err
	}
	return s.store.CloseJournal(ctx, journal)
}

// RollupDiff is a cell whose stored rollup differs from the recomputation.
type RollupDiff struct {
	Key        CellKey `json:"key"`
	Stored     Cell    `json:"stored"`
	Recomputed Cell    `json:"recomputed"`
}

func (d RollupDiff) String() string {
	k := d.Key
	return fmt.Sprintf("%s part %d %s/%s/%s: stored %+v, records add up to %+v", k.Month, k.Part, k.OrgUnit, k.Group, k.Activity, d.Stored, d.Recomputed)
}

// CheckRollups compares a campaign's stored rollups with a recomputation from its
// records and lists the cells that differ (none when consistent).
func (s *Service) CheckRollups(ctx context.Context, campaign string) ([]RollupDiff, error) {
	st := s.rollupState(campaign)
	st.gate.Lock() // records and rollups as no write is between them
	defer st.gate.Unlock()
	stored, err := s.store.Rollups(ctx, campaign)
	if err != nil {
		return nil, err
	}
	fresh, err := s.recompute(ctx, campaign)
	if err != nil {
		return nil, err
	}
	var diffs []RollupDiff
	for k := range keysOf(stored, fresh) {
		if c := stored.Get(k); c != fresh[k] {
			diffs = append(diffs, RollupDiff{Key: k, Stored: c, Recomputed: fresh[k]})
		}
	}
	slices.SortFunc(diffs, func(a, b RollupDiff) int { return strings.Compare(a.String(), b.String()) })
	return diffs, nil
}

// keysOf is the set of keys of a and b.
func keysOf(a CellSet, b map[CellKey]Cell) map[CellKey]bool {
	out := make(map[CellKey]bool, a.Len()+len(b))
	for _, h := range a {
		for k := range h.Cells {
			out[k] = true
		}
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// RepairRollups makes the rollups and the audit trail trustworthy at start-up: it
// moves records an earlier version stored one per document into their buckets,
// recomputes every campaign a crash left with an open journal entry (and every
// campaign when the cut-off day or the stored format has changed since the rollups
// were built), and
// attributes the records each interrupted write stored to its writer.
func (s *Service) RepairRollups(ctx context.Context) ([]string, error) {
	if err := s.bucketOldReach(ctx); err != nil {
		return nil, err
	}
	open, err := s.store.OpenJournals(ctx)
	if err != nil {
		return nil, err
	}
	var stale []string
	for _, j := range open {
		stale = append(stale, j.Campaigns...)
	}
	cutoff, err := s.store.RollupCutoff(ctx)
	if err != nil {
		return nil, err
	}
	if cutoff != s.core.Cutoff() {
		all, err := s.store.Campaigns(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range all {
			stale = append(stale, c.Code)
		}
	}
	slices.Sort(stale)
	stale = slices.Compact(stale)
	for _, c := range stale {
		if err := s.RebuildRollups(ctx, c); err != nil {
			return nil, fmt.Errorf("rebuild the rollups of %s: %w", c, err)
		}
	}
	for _, j := range open {
		if err := s.attribute(ctx, j); err != nil {
			return nil, err
		}
	}
	if err := s.store.SetRollupCutoff(ctx, s.core.Cutoff()); err != nil {
		return nil, err
	}
	return stale, s.store.CloseJournals(ctx)
}

// attribute audits, as its writer's, what a write a crash interrupted left: one
// entry (action "interrupted") listing the write's records that are stored now
// and those that are not. It may also stand beside the write's own entries when
// the crash came between them and the closing of the journal.
func (s *Service) attribute(ctx context.Context, j Journal) error {
	if j.Actor.Username == "" || len(j.Keys) == 0 {
		return nil
	}
	var buckets []string
	for _, k := range j.Keys {
		if b, err := bucketOf(k); err == nil && !slices.Contains(buckets, b) {
			buckets = append(buckets, b)
		}
	}
	stored, err := s.store.Buckets(ctx, buckets)
	if err != nil {
		return err
	}
	stayed, missing := []string{}, []string{}
	for _, k := range j.Keys {
		b, _ := bucketOf(k)
		if _, ok := stored[b].Records[k]; ok {
			stayed = append(stayed, k)
		} else {
			missing = append(missing, k)
		}
	}
	entity, id := "reach", j.Keys[0]
	if j.Import != "" {
		entity, id = "reach_import", j.Import
	}
	return s.audit.Record(ctx, j.Actor.Username, loa.Change{Action: "interrupted", Entity: entity, EntityID: id,
		Path: s.pathOf(ctx, j.Actor.Scope, s.core.Today()), After: map[string]any{"import": j.Import, "campaigns": j.Campaigns,
			"stored": stayed, "notStored": missing}})
}

// bucketOldReach moves the records stored one per document into their buckets; a
// crash half-way is completed by the next start (records already moved are
// unchanged).
func (s *Service) bucketOldReach(ctx context.Context) error {
	old, err := s.store.UnbucketedReach(ctx)
	if err != nil || len(old) == 0 {
		return err
	}
	changes := make(map[string]*Reach, len(old))
	for i := range old {
		changes[old[i].ID] = &old[i]
	}
	if _, err := s.changeReach(ctx, changes, false, writer{actor: loa.System}); err != nil {
		return fmt.Errorf("move %d reach records into buckets: %w", len(old), err)
	}
	return s.store.DeleteUnbucketedReach(ctx)
}
