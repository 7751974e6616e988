package scheduler

import (
	"encoding/json"
	"slices"
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
// ID is made of the rule, the station and the occurrence's original start (Slot),
// so materialising twice, or on two replicas at once, writes it once.
type Airing struct {
	ID       string `json:"id"`
	Rule     string `json:"rule"` // empty for a one-off placement
	Campaign string `json:"campaign"`
	Station  string `json:"station"`
	Channel  string `json:"channel"`
	OrgUnit  string `json:"orgUnit"`
	// Slot is the start the rule gave; Start differs when the airing was moved.
	Slot           time.Time `json:"slot"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	Groups         []string  `json:"groups"`
	Content        string    `json:"content"`
	ContentVersion int       `json:"contentVersion"`
	Status         string    `json:"status"`
	// Reason says why a cancelled airing was cancelled.
	Reason string `json:"reason,omitempty"`
	// DisplacedBy is the rule (or the airing placed or moved by hand) holding the slot.
	DisplacedBy string `json:"displacedBy,omitempty"`
	// Moved and ContentPinned mark what a planner set by hand on this occurrence;
	// materialising keeps them.
	Moved         bool       `json:"moved"`
	ContentPinned bool       `json:"contentPinned"`
	Note          string     `json:"note,omitempty"`
	PublishedURL  string     `json:"publishedUrl,omitempty"`
	PublishedAt   *time.Time `json:"publishedAt,omitempty"`
	DeliveredAt   *time.Time `json:"deliveredAt,omitempty"`
	ConfirmedAt   *time.Time `json:"confirmedAt,omitempty"`
	ConfirmNote   string     `json:"confirmNote,omitempty"`
	// Late marks a confirmation received more than a day after the airing ended.
	Late bool `json:"late,omitempty"`
	// Rev counts the airing's writes; a write applies only over the Rev it read.
	Rev       int64     `json:"rev"`
	UpdatedAt time.Time `json:"updatedAt"`
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

// Changeable reports whether a planner may still move, refill or cancel the airing
// at now (ChangeAiring): it is ahead and has not aired.
func (a Airing) Changeable(now time.Time) bool {
	return a.Start.After(now) && slices.Contains([]string{StatusPlanned, StatusDelivered, StatusNoContent, StatusCancelled}, a.Status)
}

// occupies reports whether the airing holds its slot on its station's air.
func (a Airing) occupies() bool {
	return a.Status != StatusCancelled
}
