package scheduler

import (
	"encoding/json"
	"strings"
	"time"
)

// Airing statuses. An airing is planned, then delivered when its station pulls it,
// then aired, missed or unconfirmed (no confirmation in time); press and other
// published channels go from planned to published. no_content is a planned slot
// for which the pool has nothing approved; cancelled ones stay as history.
const (
	StatusPlanned     = "planned"
	StatusDelivered   = "delivered"
	StatusAired       = "aired"
	StatusMissed      = "missed"
	StatusUnconfirmed = "unconfirmed"
	StatusCancelled   = "cancelled"
	StatusNoContent   = "no_content"
	StatusPublished   = "published"
)

// Statuses lists every airing status.
var Statuses = []string{StatusPlanned, StatusDelivered, StatusAired, StatusMissed, StatusUnconfirmed,
	StatusCancelled, StatusNoContent, StatusPublished}

// Why an airing was cancelled.
const (
	ReasonManual       = "manual"        // a planner cancelled this occurrence
	ReasonRuleInactive = "rule_inactive" // its rule was deactivated
	ReasonUnscheduled  = "unscheduled"   // its rule no longer places it (edited, or the station left the rule)
	ReasonDisplaced    = "displaced"     // a rule of higher priority holds the slot
)

// Airing is one occurrence of a rule (or a one-off placement) at one station. Its
// `_id` is made of the rule, the station and the occurrence's original start
// (Slot), so materialising twice, or on two replicas at once, writes it once.
type Airing struct {
	ID       string `json:"id" bson:"_id"`
	Rule     string `json:"rule" bson:"rule"` // empty for a one-off placement
	Campaign string `json:"campaign" bson:"campaign"`
	Station  string `json:"station" bson:"station"`
	Channel  string `json:"channel" bson:"channel"`
	OrgUnit  string `json:"orgUnit" bson:"orgUnit"`
	// Slot is the start the rule gave; Start differs when the airing was moved.
	Slot           time.Time `json:"slot" bson:"slot"`
	Start          time.Time `json:"start" bson:"start"`
	End            time.Time `json:"end" bson:"end"`
	Groups         []string  `json:"groups" bson:"groups,omitempty"`
	Content        string    `json:"content" bson:"content,omitempty"`
	ContentVersion int       `json:"contentVersion" bson:"contentVersion"`
	Status         string    `json:"status" bson:"status"`
	// Reason says why a cancelled airing was cancelled.
	Reason string `json:"reason,omitempty" bson:"reason,omitempty"`
	// DisplacedBy is the rule (or the airing placed or moved by hand) holding the slot.
	DisplacedBy string `json:"displacedBy,omitempty" bson:"displacedBy,omitempty"`
	// Moved and ContentPinned mark what a planner set by hand on this occurrence;
	// materialising keeps them.
	Moved         bool       `json:"moved" bson:"moved,omitempty"`
	ContentPinned bool       `json:"contentPinned" bson:"contentPinned,omitempty"`
	Note          string     `json:"note,omitempty" bson:"note,omitempty"`
	PublishedURL  string     `json:"publishedUrl,omitempty" bson:"publishedUrl,omitempty"`
	PublishedAt   *time.Time `json:"publishedAt,omitempty" bson:"publishedAt,omitempty"`
	DeliveredAt   *time.Time `json:"deliveredAt,omitempty" bson:"deliveredAt,omitempty"`
	ConfirmedAt   *time.Time `json:"confirmedAt,omitempty" bson:"confirmedAt,omitempty"`
	ConfirmNote   string     `json:"confirmNote,omitempty" bson:"confirmNote,omitempty"`
	// Late marks a confirmation received more than a day after the airing ended.
	Late bool `json:"late,omitempty" bson:"late,omitempty"`
	// Rev counts the airing's writes; a write applies only over the Rev it read.
	Rev       int64     `json:"rev" bson:"rev"`
	UpdatedAt time.Time `json:"updatedAt" bson:"updatedAt"`
}

// MarshalJSON adds the UTC form of the start and end to the local ones.
func (a Airing) MarshalJSON() ([]byte, error) {
	type plain Airing
	return json.Marshal(struct {
		plain
		StartUTC        time.Time `json:"startUtc"`
		EndUTC          time.Time `json:"endUtc"`
		DurationSeconds int       `json:"durationSeconds"`
	}{plain(a), a.Start.UTC(), a.End.UTC(), int(a.End.Sub(a.Start) / time.Second)})
}

// airingID is the natural key of the occurrence of rule (empty: a one-off
// placement) at station starting at slot.
func airingID(rule, station string, slot time.Time) string {
	if rule == "" {
		rule = "once"
	}
	return rule + "." + station + "." + slot.UTC().Format("20060102T150405Z")
}

// stationOf reads the station out of an airing ID.
func stationOf(id string) string {
	parts := strings.Split(id, ".")
	if len(parts) != 3 {
		return ""
	}
	return parts[1]
}

// open reports whether materialising may still change the airing at now: it is in
// the future, not delivered or confirmed, and not cancelled by hand.
func (a Airing) open(now time.Time) bool {
	if !a.Start.After(now) {
		return false
	}
	switch a.Status {
	case StatusPlanned, StatusNoContent:
		return true
	case StatusCancelled:
		return a.Reason != ReasonManual
	}
	return false
}

// occupies reports whether the airing holds its slot on its station's air.
func (a Airing) occupies() bool {
	return a.Status != StatusCancelled
}
