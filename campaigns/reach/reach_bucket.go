package reach

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"loa"
	"loa/campaigns"
)

// ReachBucket is the reach records of one campaign, org unit and month, stored
// together and read by `_id`.
type ReachBucket struct {
	ID      string // campaign|orgUnit|YYYY-MM
	Rev     int64  // the revision read; 0 when not stored yet
	Records map[string]Reach
}

func bucketID(campaign, unit, month string) string { return campaign + "|" + unit + "|" + month }

// bucketOf is the bucket of the record with natural key id.
func bucketOf(id string) (string, error) {
	parts := strings.SplitN(id, "|", 6)
	if len(parts) != 6 || len(parts[3]) < 7 {
		return "", fmt.Errorf("%w: %q is not the key of a reach record (campaign|orgUnit|group|date|activity|sourceRef)", loa.ErrNotFound, id)
	}
	return bucketID(parts[0], parts[1], parts[3][:7]), nil
}

// writer is who writes records, the import the write belongs to (if any), and how
// the write is audited: audit turns what was written into the trail's changes (nil
// records nothing, for a migration).
type writer struct {
	actor    loa.Actor
	importID string
	audit    func(ctx context.Context, writes []reachWrite) []loa.Change
}

// changeReach brings the records named in changes to their wanted state (nil:
// none), bucket by bucket, as by writes them, and returns what it changed. A dry
// run only compares.
func (s *Service) changeReach(ctx context.Context, changes map[string]*Reach, dryRun bool, by writer) ([]reachWrite, error) {
	byBucket := map[string][]string{}
	var campaigns []string
	for id := range changes {
		b, err := bucketOf(id)
		if err != nil {
			return nil, err
		}
		byBucket[b] = append(byBucket[b], id)
		campaign, _, _ := strings.Cut(id, "|")
		if !slices.Contains(campaigns, campaign) {
			campaigns = append(campaigns, campaign)
		}
	}
	ids := slices.Sorted(maps.Keys(byBucket))
	compare := func(stored map[string]ReachBucket) ([]ReachBucket, []reachWrite) {
		var changed []ReachBucket
		var writes []reachWrite
		for _, id := range ids {
			b, found := stored[id]
			if !found {
				b = ReachBucket{ID: id, Records: map[string]Reach{}}
			}
			dirty := false
			for _, key := range byBucket[id] {
				want := changes[key]
				old, had := b.Records[key]
				switch {
				case want == nil && !had, want != nil && had && sameCounts(old, *want):
					continue
				case want == nil:
					delete(b.Records, key)
					writes = append(writes, reachWrite{before: &old})
				default:
					w := reachWrite{after: want}
					if had {
						w.before = &old
					}
					b.Records[key] = *want
					writes = append(writes, w)
				}
				dirty = true
			}
			if dirty {
				changed = append(changed, b)
			}
		}
		return changed, writes
	}
	if dryRun {
		stored, err := s.store.Buckets(ctx, ids)
		if err != nil {
			return nil, err
		}
		_, writes := compare(stored)
		return writes, nil
	}
	j := Journal{Campaigns: campaigns, Actor: by.actor, Import: by.importID, Keys: slices.Sorted(maps.Keys(changes))}
	return s.writeReach(ctx, j, func() ([]reachWrite, error) {
		var writes []reachWrite
		err := s.store.UpdateBuckets(ctx, ids, func(stored map[string]ReachBucket) (changed []ReachBucket) {
			changed, writes = compare(stored)
			return changed
		})
		return writes, err
	}, func(writes []reachWrite) error {
		if by.audit == nil {
			return nil
		}
		return s.audit.Record(ctx, by.actor.Username, by.audit(ctx, writes)...)
	})
}

// reach reads one record by its natural key.
func (s *Service) reach(ctx context.Context, id string) (Reach, error) {
	b, err := bucketOf(id)
	if err != nil {
		return Reach{}, err
	}
	stored, err := s.store.Buckets(ctx, []string{b})
	if err != nil {
		return Reach{}, err
	}
	r, ok := stored[b].Records[id]
	if !ok {
		return Reach{}, fmt.Errorf("%w: no reach record %s", loa.ErrNotFound, id)
	}
	return r, nil
}

// listReach reads, bucket by bucket in (unit, month) order, up to limit records f
// selects after the record after; units are those of the scope. The campaign's
// bucket index names the buckets that exist, which are read a few at a time.
func (s *Service) listReach(ctx context.Context, c campaigns.Campaign, units []campaigns.OrgUnit, f ReachFilter, after string, limit int) ([]Reach, error) {
	var last Reach
	if after != "" {
		if _, err := bucketOf(after); err != nil {
			return nil, loa.Invalid("cursor", "cursor is not one this API gave out")
		}
		last = keyFields(after)
	}
	afterBucket, afterKey := bucketID(c.Code, last.OrgUnit, string(last.Date[:min(7, len(last.Date))])), entryKey(last)
	inScope := make(map[string]bool, len(units))
	for _, u := range units {
		inScope[u.Code] = true
	}
	all, err := s.store.BucketIDs(ctx, c.Code)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, id := range all {
		_, rest, _ := strings.Cut(id, "|")
		unit, month, _ := strings.Cut(rest, "|")
		if inScope[unit] && month >= string(f.From[:7]) && month <= string(f.To[:7]) && (after == "" || id >= afterBucket) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids) // campaign|unit|YYYY-MM: by unit, then month
	var out []Reach
	const chunk = 8
	for start := 0; start < len(ids); start += chunk {
		batch := ids[start:min(start+chunk, len(ids))]
		stored, err := s.store.Buckets(ctx, batch)
		if err != nil {
			return nil, err
		}
		for _, id := range batch {
			page := slices.SortedFunc(maps.Values(stored[id].Records), func(a, b Reach) int { return strings.Compare(entryKey(a), entryKey(b)) })
			for _, r := range page {
				if id == afterBucket && entryKey(r) <= afterKey || !f.matches(r) {
					continue
				}
				if out = append(out, r); len(out) == limit {
					return out, nil
				}
			}
		}
	}
	return out, nil
}

// keyFields is the record a valid natural key names (its key fields only).
func keyFields(id string) Reach {
	parts := strings.SplitN(id, "|", 6)
	return Reach{Campaign: parts[0], OrgUnit: parts[1], Group: parts[2], Date: loa.Date(parts[3]), Activity: parts[4], SourceRef: parts[5]}
}

func (f ReachFilter) matches(r Reach) bool {
	return (f.Group == "" || r.Group == f.Group) && (f.Activity == "" || r.Activity == f.Activity) &&
		(f.From == "" || r.Date >= f.From) && (f.To == "" || r.Date <= f.To)
}
