package campaigns

import (
	"context"
	"strings"
	"time"
)

// Activities a reach record counts.
const (
	ActivityPress     = "press"
	ActivityBroadcast = "broadcast"
)

// Reach is an aggregate count of an activity in an org unit for a target group on a
// date: how many activities, person-times (lượt người) and, where known, unique
// persons (người). It never names or identifies anyone reached.
type Reach struct {
	ID          string `json:"id" bson:"_id"`
	Campaign    string `json:"campaign" bson:"campaign"`
	OrgUnit     string `json:"orgUnit" bson:"orgUnit"`
	Group       string `json:"group" bson:"group"`
	Date        Date   `json:"date" bson:"date"`
	Activity    string `json:"activity" bson:"activity"`
	Activities  int    `json:"activities" bson:"activities"`
	PersonTimes int64  `json:"personTimes" bson:"personTimes"`
	// UniquePersons is set only where it is known; estimates never set it.
	UniquePersons *int64 `json:"uniquePersons" bson:"uniquePersons"`
	Estimated     bool   `json:"estimated" bson:"estimated"`
	SourceRef     string `json:"sourceRef" bson:"sourceRef"`
	Evidence      string `json:"evidence" bson:"evidence"`
	// Airing is the airing the record comes from, when it does.
	Airing    string    `json:"airing,omitempty" bson:"airing,omitempty"`
	UpdatedAt time.Time `json:"updatedAt" bson:"updatedAt"`
}

// ReachKey is a record's natural key: the same activity reported twice is one
// record.
func ReachKey(r Reach) string {
	return strings.Join([]string{r.Campaign, r.OrgUnit, r.Group, string(r.Date), r.Activity, r.SourceRef}, "|")
}

// SaveReach stores a record under its natural key, replacing an earlier report of
// the same activity.
func (s *Service) SaveReach(ctx context.Context, r Reach) error {
	r.ID, r.UpdatedAt = ReachKey(r), s.now().UTC().Truncate(time.Millisecond)
	return s.store.SaveReach(ctx, r)
}

// DeleteReach removes the record with natural key id, if there is one.
func (s *Service) DeleteReach(ctx context.Context, id string) error {
	return s.store.DeleteReach(ctx, id)
}

// ReachRecord returns the record with natural key id.
func (s *Service) ReachRecord(ctx context.Context, id string) (Reach, error) {
	return s.store.Reach(ctx, id)
}
