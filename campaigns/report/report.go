package report

import (
	"encoding/json"
	"strconv"
	"time"

	"loa"
)

// Statuses of an indicator at an as-of date (DESIGN §5).
const (
	StatusMet           = "met"            // met, and no later data can undo it
	StatusOnTrack       = "on_track"       // not settled yet, at or above the value expected by now
	StatusAtRisk        = "at_risk"        // below the expected value, but close or the forecast meets the target
	StatusOffTrack      = "off_track"      // well below the expected value, still reachable
	StatusCannotMeet    = "cannot_meet"    // even the best case for the rest of the period falls short
	StatusNotMeasurable = "not_measurable" // no denominator, person-times only, or no value entered
)

// StatusLabels name the statuses in Vietnamese, as reports print them.
var StatusLabels = map[string]string{
	StatusMet:           "Đạt",
	StatusOnTrack:       "Đúng tiến độ",
	StatusAtRisk:        "Có nguy cơ không đạt",
	StatusOffTrack:      "Chậm tiến độ",
	StatusCannotMeet:    "Không thể đạt",
	StatusNotMeasurable: "Không đo được",
}

// SmallCell is the smallest number of people an export for an outside reader shows
// (DESIGN §9): fewer, and the cell reads "<5".
const SmallCell = 5

// Count is a number in a report. Counts of people (People) are hidden in exports for
// the viewer role when they are below SmallCell, so no small group can be
// identified; a hidden count is written "<5". A count hidden as Shielded
// (ShieldSmallCells) is not small itself: it hides so that a small count beside it
// cannot be worked out from their total, and reads ShieldedMark.
type Count struct {
	N        int64
	People   bool
	Hidden   bool
	Shielded bool // hidden beside a small count, which its total would give away
}

// People is a count of people (persons or person-times).
func People(n int64) *Count { return &Count{N: n, People: true} }

// Things is a count of units, months, activities or entered values: never hidden.
func Things(n int64) *Count { return &Count{N: n} }

// String is the count as a report prints it.
func (c Count) String() string {
	if c.Shielded {
		return ShieldedMark
	}
	if c.Hidden {
		return "<" + strconv.Itoa(SmallCell)
	}
	return strconv.FormatInt(c.N, 10)
}

// MarshalJSON writes a number, or the string "<5" when the count is hidden ("×"
// when shielded).
func (c Count) MarshalJSON() ([]byte, error) {
	if c.Hidden {
		return json.Marshal(c.String())
	}
	return strconv.AppendInt(nil, c.N, 10), nil
}

// hide marks the count hidden when it is a small positive count of people.
func (c *Count) hide() bool {
	if c != nil && c.People && c.N > 0 && c.N < SmallCell {
		c.Hidden = true
	}
	return c != nil && c.Hidden
}

// Window is the reporting period a report covers, both dates inclusive.
type Window struct {
	// Kind is campaign (the whole campaign period), month (a calendar month), or a
	// periodic report window with the cut-off day: quarter, half or year.
	Kind string `json:"kind"`
	// Period names the window as it is asked for: campaign, YYYY, YYYY-H1,
	// YYYY-Q3 or YYYY-MM.
	Period string   `json:"period"`
	Label  string   `json:"label"` // in Vietnamese, e.g. "6 tháng đầu năm 2024 (15/12/2023 – 14/6/2024)"
	From   loa.Date `json:"from"`
	To     loa.Date `json:"to"`
}

// Span is a stretch of days, both inclusive, with its label in Vietnamese.
type Span struct {
	From  loa.Date `json:"from"`
	To    loa.Date `json:"to"`
	Label string   `json:"label"`
}

// Figures are an indicator's own figures in a periodic report's window.
type Figures struct {
	Numerator   *Count   `json:"numerator"`
	Denominator *Count   `json:"denominator"`
	Value       *float64 `json:"value"`
	Note        string   `json:"note,omitempty"`
}

// UnitRef names an org unit in a report.
type UnitRef struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

// ReportCampaign is what a report prints about its campaign.
type ReportCampaign struct {
	Code        string `json:"code"`
	Title       string `json:"title"`
	LegalBasis  string `json:"legalBasis"`
	OwnerAgency string `json:"ownerAgency"`
	Secretariat string `json:"secretariat"`
}

// Report is the secretariat's report of a campaign at an as-of date, for a scope
// (an org unit's subtree) and a reporting window.
type Report struct {
	Campaign ReportCampaign `json:"campaign"`
	Scope    UnitRef        `json:"scope"`
	Window   Window         `json:"period"`
	AsOf     loa.Date       `json:"asOf"`
	// Elapsed is the share of the window elapsed at the end of AsOf, from 0 to 1.
	Elapsed float64 `json:"elapsed"`
	// DataThrough is the last day whose records are counted: counts are kept per
	// half-month (split at the cut-off day), so an as-of date inside one counts it
	// whole, never past today.
	DataThrough loa.Date  `json:"dataThrough"`
	GeneratedAt time.Time `json:"generatedAt"`
	// Cumulative is set in a periodic report (a window shorter than the campaign):
	// the indicators are counted from the campaign's start to its end and judged
	// against the value expected then; each carries its figures in the window.
	Cumulative           *Span `json:"cumulative,omitempty"`
	SmallCellsSuppressed bool  `json:"smallCellsSuppressed"`

	Indicators []Result     `json:"indicators"`
	Districts  []Breakdown  `json:"districts"` // one row per child unit of the scope
	Groups     []GroupRow   `json:"groups"`
	Trend      []TrendPoint `json:"trend"`
	Lagging    []Lagging    `json:"lagging"`
	Provenance []string     `json:"provenance"`
	// Map is the date of the units the report counts on, and how other units'
	// numbers were put on them.
	Map MapBasis `json:"map"`
	// Data is the long format (one number per row) the CSV export and the data sheet
	// of the XLSX export are made of.
	Data []DataRow `json:"-"`
}

// Result is one indicator evaluated at the as-of date.
type Result struct {
	Indicator string `json:"indicator"`
	Title     string `json:"title"`
	Rule      string `json:"rule"`
	Group     string `json:"group,omitempty"`
	Level     string `json:"level,omitempty"`
	Channel   string `json:"channel,omitempty"`
	// CountUnit says what the numerator counts, in Vietnamese: "người", "xã",
	// "tháng", or the unit of an entered value.
	CountUnit   string   `json:"countUnit"`
	Numerator   *Count   `json:"numerator"`
	Denominator *Count   `json:"denominator"`
	Value       *float64 `json:"value"` // a fraction; nil when not measurable
	// UncappedNumerator and Uncapped are the coverage before capping each unit at its
	// denominator; OverHundred flags a unit (listed in OverUnits) reached beyond it.
	UncappedNumerator *Count    `json:"uncappedNumerator,omitempty"`
	Uncapped          *float64  `json:"uncapped,omitempty"`
	OverHundred       bool      `json:"overHundred"`
	OverUnits         []UnitRef `json:"overUnits,omitempty"`
	// UpperBound says the persons counted include unique persons summed over
	// activities without first-time persons: at most that many, a person reached
	// twice may count twice ("tối đa, có thể trùng lặp").
	UpperBound bool `json:"upperBound"`
	// PersonTimes are the person-times (lượt người) of the group, shown beside a
	// coverage and alone where only person-times exist.
	PersonTimes *Count  `json:"personTimes,omitempty"`
	Target      float64 `json:"target"`
	Comparator  string  `json:"comparator"`
	Status      string  `json:"status"`
	StatusLabel string  `json:"statusLabel"`
	// ExpectedToDate is the value expected by now: the target times the elapsed share
	// of the window for cumulative rules, the target itself for rates.
	ExpectedToDate *float64 `json:"expectedToDate"`
	// PaceNeeded is how much the numerator must still grow each remaining month to
	// meet the target (nil when met, over, or not measurable).
	PaceNeeded *float64  `json:"paceNeeded"`
	Forecast   *Forecast `json:"forecast"`
	Lagging    []Lagging `json:"lagging"`
	// Provenance says where the denominator comes from.
	Provenance string `json:"provenance"`
	Note       string `json:"note,omitempty"`
	// Window are the indicator's figures in the window alone, in a periodic report
	// whose Result is cumulative.
	Window *Figures `json:"window,omitempty"`
}

// Forecast is the value an indicator is heading for at the end of the window.
type Forecast struct {
	Numerator float64  `json:"numerator"`
	Value     *float64 `json:"value"`
	// Basis is planned (planned airings and press items) or run_rate (the pace so
	// far, continued).
	Basis string `json:"basis"`
	Meets bool   `json:"meets"`
}

// Lagging is a unit behind: a commune with nothing yet, a district below pace.
type Lagging struct {
	Unit      UnitRef  `json:"unit"`
	Indicator string   `json:"indicator"`
	Reason    string   `json:"reason"` // in Vietnamese
	Value     *float64 `json:"value,omitempty"`
}

// Breakdown is one child unit of the scope: each indicator's value there and what
// its records add up to.
type Breakdown struct {
	Unit          UnitRef     `json:"unit"`
	Indicators    []UnitValue `json:"indicators"`
	Activities    int64       `json:"activities"`
	PersonTimes   *Count      `json:"personTimes"`
	UniquePersons *Count      `json:"uniquePersons"`
}

// UnitValue is one indicator in one unit.
type UnitValue struct {
	Indicator   string   `json:"indicator"`
	Numerator   *Count   `json:"numerator"`
	Denominator *Count   `json:"denominator"`
	Value       *float64 `json:"value"`
	Status      string   `json:"status"`
}

// GroupRow is what the records of one target group add up to in the scope.
type GroupRow struct {
	Group         string `json:"group"`
	Label         string `json:"label"`
	Activities    int64  `json:"activities"`
	PersonTimes   *Count `json:"personTimes"`
	UniquePersons *Count `json:"uniquePersons"`
	// Estimated is the share of person-times that are estimates; nil without
	// person-times or when they are hidden (the share would give them away).
	Estimated *float64 `json:"estimatedShare"`
}

// TrendPoint is one month of the window: what was done in it, and each indicator's
// cumulative value at its end beside the straight line to the target.
type TrendPoint struct {
	Month         string       `json:"month"` // YYYY-MM
	Activities    int64        `json:"activities"`
	PersonTimes   *Count       `json:"personTimes"`
	UniquePersons *Count       `json:"uniquePersons"`
	Indicators    []TrendValue `json:"indicators"`
}

// TrendValue is an indicator at the end of a month and the target line there.
type TrendValue struct {
	Indicator string   `json:"indicator"`
	Value     *float64 `json:"value"`
	Expected  float64  `json:"expected"`
}

// DataRow is one number of the long format: an indicator (or a measure of the
// records: activities, person_times, unique_persons) in a unit, for a group and a
// month where it applies ("" for the whole window).
type DataRow struct {
	Indicator   string
	Unit        UnitRef
	Group       string
	Month       string
	Numerator   *Count
	Denominator *Count
	Value       *float64
	Provenance  string
}
