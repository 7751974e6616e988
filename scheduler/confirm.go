package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"loa"
	"loa/campaigns/reach"
)

// Confirmation bounds.
const (
	MaxBatch  = 1000
	lateAfter = 24 * time.Hour // a confirmation received later than this after the airing's end is late
	maxClient = 100
)

// Confirmation is a station's word on one airing: it aired, or it was missed, at a
// time, with a note. ClientID names it in a box's offline queue.
type Confirmation struct {
	ClientID string    `json:"clientId"`
	AiringID string    `json:"airingId"`
	Status   string    `json:"status"`
	At       time.Time `json:"at"`
	Note     string    `json:"note"`
}

// Outcomes of a confirmation in a batch.
const (
	OutcomeRecorded  = "recorded"  // the airing's status changed
	OutcomeUnchanged = "unchanged" // it already said so
	OutcomeDuplicate = "duplicate" // this clientId was received before
	OutcomeRejected  = "rejected"  // see Code and Message
)

// ConfirmResult is what happened to one confirmation of a batch.
type ConfirmResult struct {
	ClientID string `json:"clientId"`
	AiringID string `json:"airingId"`
	Outcome  string `json:"outcome"`
	Late     bool   `json:"late"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message,omitempty"`
}

// BatchSummary sums a batch up, entry by entry.
type BatchSummary struct {
	Received   int             `json:"received"`
	Recorded   int             `json:"recorded"`
	Unchanged  int             `json:"unchanged"`
	Duplicates int             `json:"duplicates"`
	Rejected   int             `json:"rejected"`
	Results    []ConfirmResult `json:"results"`
}

// Confirm records a station's confirmation of one of its airings, idempotently:
// the same word again changes nothing. An airing of another station is forbidden;
// one that has not started is refused (ErrNotStarted).
func (s *Service) Confirm(ctx context.Context, actor loa.Actor, station string, c Confirmation) (Airing, bool, error) {
	v := &loa.ValidationError{}
	s.checkConfirmation(&c, v)
	if err := v.Err(); err != nil {
		return Airing{}, false, err
	}
	return s.confirm(ctx, actor, station, c)
}

// checkConfirmation checks c and puts its note in NFC, trimmed.
func (s *Service) checkConfirmation(c *Confirmation, v *loa.ValidationError) {
	if c.Status != StatusAired && c.Status != StatusMissed {
		v.Add("status", "status must be aired or missed")
	}
	if c.At.IsZero() {
		v.Add("at", "when it aired or should have, an RFC 3339 time")
	} else if c.At.After(s.now().Add(clockSkew)) {
		v.Add("at", fmt.Sprintf("at %s is in the future (beyond %s of clock skew)", c.At.Format(time.RFC3339), clockSkew))
	}
	c.Note = cleanNote(c.Note, v)
}

func (s *Service) confirm(ctx context.Context, actor loa.Actor, station string, c Confirmation) (Airing, bool, error) {
	st, err := s.activeStation(ctx, station)
	if err != nil {
		return Airing{}, false, err
	}
	var recorded bool
	a, err := writeAirings(ctx, s, func(ctx context.Context) (Airing, error) {
		old, err := s.Airing(ctx, c.AiringID)
		if err != nil {
			return Airing{}, err
		}
		switch {
		case old.Station != station:
			return Airing{}, fmt.Errorf("%w: airing %s is not this station's", loa.ErrForbidden, c.AiringID)
		case s.now().Before(old.Start):
			return Airing{}, fmt.Errorf("%w: airing %s starts %s", loa.ErrNotStarted, c.AiringID, old.Start.Format(time.RFC3339))
		case !slices.Contains(onAir, old.Status):
			return Airing{}, fmt.Errorf("%w: airing %s is %s and takes no confirmation", loa.ErrConflict, c.AiringID, old.Status)
		}
		if ch, _ := channel(old.Channel); ch.Proof != ProofAired {
			return Airing{}, fmt.Errorf("%w: airing %s is on %s, which is published rather than confirmed", loa.ErrConflict, c.AiringID, old.Channel)
		}
		at := loa.Stamp(c.At)
		if old.Status == c.Status && old.ConfirmNote == c.Note && old.ConfirmedAt != nil && old.ConfirmedAt.Equal(at) {
			return old, s.countReach(ctx, actor, old) // idempotent: repairs a reach write that failed before
		}
		next := old
		next.Status, next.ConfirmedAt, next.ConfirmNote = c.Status, &at, c.Note
		next.Late = old.Late || (old.ConfirmedAt == nil && s.now().Sub(old.End) > lateAfter)
		stored, err := s.write(ctx, nil, []Airing{next})
		if err != nil {
			return Airing{}, err
		}
		if len(stored) == 0 {
			return Airing{}, fmt.Errorf("%w: airing %s changed meanwhile; send it again", loa.ErrConflict, c.AiringID)
		}
		if err := s.audit.Record(ctx, actor.Username, loa.Change{Action: "confirm", Entity: "airing", EntityID: old.ID,
			Path: s.path(ctx, st.OrgUnit), Before: old, After: stored[0]}); err != nil {
			return Airing{}, err
		}
		recorded = true
		return stored[0], s.countReach(ctx, actor, stored[0])
	})
	return a, recorded, err
}

// ConfirmBatch records a box's offline queue, entry by entry: a clientId received
// before is reported as a duplicate and changes nothing; a bad entry is rejected
// without stopping the others.
func (s *Service) ConfirmBatch(ctx context.Context, actor loa.Actor, station string, batch []Confirmation) (BatchSummary, error) {
	if len(batch) > MaxBatch {
		return BatchSummary{}, loa.Invalid("confirmations", fmt.Sprintf("a batch of at most %d entries; send the rest in another", MaxBatch))
	}
	out := BatchSummary{Received: len(batch), Results: make([]ConfirmResult, 0, len(batch))}
	for i, c := range batch {
		r := ConfirmResult{ClientID: c.ClientID, AiringID: c.AiringID}
		v := &loa.ValidationError{}
		if c.ClientID == "" || utf8.RuneCountInString(c.ClientID) > maxClient {
			v.Add(fmt.Sprintf("[%d].clientId", i), fmt.Sprintf("the entry's id in the box's queue, 1 to %d characters", maxClient))
		}
		s.checkConfirmation(&c, v)
		err := v.Err()
		if err == nil {
			var seen bool
			if seen, err = s.store.Receipt(ctx, station, c.ClientID); err == nil && seen {
				r.Outcome = OutcomeDuplicate
			}
		}
		if err == nil && r.Outcome == "" {
			// The receipt is kept only once the confirmation is: a rejected entry
			// can be sent again.
			var a Airing
			var changed bool
			if a, changed, err = s.confirm(ctx, actor, station, c); err == nil {
				r.Outcome, r.Late = OutcomeUnchanged, a.Late
				if changed {
					r.Outcome = OutcomeRecorded
				}
				err = s.store.AddReceipt(ctx, station, c.ClientID, c.AiringID, s.stamp())
			}
		}
		if err != nil {
			if r.Code = rejection(err); r.Code == "" {
				return out, err
			}
			r.Outcome, r.Message = OutcomeRejected, err.Error()
		}
		out.add(r)
	}
	return out, nil
}

func (b *BatchSummary) add(r ConfirmResult) {
	switch r.Outcome {
	case OutcomeRecorded:
		b.Recorded++
	case OutcomeUnchanged:
		b.Unchanged++
	case OutcomeDuplicate:
		b.Duplicates++
	default:
		b.Rejected++
	}
	b.Results = append(b.Results, r)
}

// rejection is the code of an entry's error, or "" for a failure of the service.
func rejection(err error) string {
	for _, e := range []struct {
		err  error
		code string
	}{{loa.ErrInvalid, "invalid"}, {loa.ErrNotFound, "not_found"}, {loa.ErrForbidden, "forbidden"},
		{loa.ErrNotStarted, "not_started"}, {loa.ErrConflict, "conflict"}} {
		if errors.Is(err, e.err) {
			return e.code
		}
	}
	return ""
}

// reachOf is the record an airing counts as once aired or published: one estimated
// activity for the general public in the station's unit, with the station's
// audience as person-times (DESIGN §5: estimates never count as unique persons).
func (s *Service) reachOf(a Airing, st Station) reach.Reach {
	activity, evidence := reach.ActivityBroadcast, "xác nhận của đài "+st.Code
	if ch, _ := channel(a.Channel); ch.Proof == ProofPublished {
		activity, evidence = reach.ActivityPress, a.PublishedURL
	}
	return reach.Reach{Campaign: a.Campaign, OrgUnit: a.OrgUnit, Group: "general_public", Date: loa.DateOf(a.Start.In(s.opts.Zone)),
		Activity: activity, Activities: 1, PersonTimes: int64(st.Audience.People), Estimated: true,
		SourceRef: "airing:" + a.ID, Evidence: evidence, Airing: a.ID}
}

// countReach brings the reach an airing counts as in line with its status: a
// record while aired or published, none otherwise; the campaigns service writes
// (and audits) only what differs, so a repeated or changed confirmation is never
// counted twice.
func (s *Service) countReach(ctx context.Context, actor loa.Actor, a Airing) error {
	st, err := s.Station(ctx, a.Station)
	if err != nil {
		return err
	}
	want := s.reachOf(a, st)
	key := reach.ReachKey(want)
	if !a.countsReach() {
		_, _, err = s.reach.SyncReach(ctx, actor, key, nil)
		return err
	}
	_, _, err = s.reach.SyncReach(ctx, actor, key, &want)
	return err
}

// countsReach says whether an airing counts as a reach record: once aired or
// published.
func (a Airing) countsReach() bool { return a.Status == StatusAired || a.Status == StatusPublished }

// ReconcileReach compares every airing with the reach record it counts as and
// repairs the difference, audited as the system: the record of an aired or
// published airing that is missing or counts differently (a confirmation stored
// whose reach write failed, say) is written, and a record derived from an airing
// that does not count, or from none, is removed. It holds the airings' write guard,
// so no confirmation lands between what it reads and what it writes.
func (s *Service) ReconcileReach(ctx context.Context) (reach.Reconciled, error) {
	return writeAirings(ctx, s, func(ctx context.Context) (reach.Reconciled, error) {
		cal, err := s.airings(ctx)
		if err != nil {
			return reach.Reconciled{}, err
		}
		stations, err := s.stations(ctx)
		if err != nil {
			return reach.Reconciled{}, err
		}
		byCode := make(map[string]Station, len(stations))
		for _, st := range stations {
			byCode[st.Code] = st
		}
		var want []reach.Reach
		for _, code := range cal.stationCodes() {
			for _, a := range cal.byStation[code] {
				st, ok := byCode[code]
				if !ok {
					return reach.Reconciled{}, fmt.Errorf("%w: airing %s of unknown station %s", loa.ErrNotFound, a.ID, code)
				}
				if a.countsReach() {
					want = append(want, s.reachOf(a, st))
				}
			}
		}
		return s.reach.ReconcileDerived(ctx, loa.System, want)
	})
}
