package scheduler

import (
	"reflect"
	"testing"
)

func TestRepeatRRule(t *testing.T) {
	tests := []struct {
		name   string
		repeat Repeat
		want   string
		field  string // of the refusal, when want is ""
	}{
		{"weekly on Monday and Thursday", Repeat{Freq: RepeatWeekly, Days: []string{"TH", "MO", "TH"}, Interval: 1, Time: "06:30"},
			"FREQ=WEEKLY;BYDAY=MO,TH;BYHOUR=6;BYMINUTE=30", ""},
		{"every two weeks", Repeat{Freq: RepeatWeekly, Days: []string{"TU"}, Interval: 2, Time: "19:00"},
			"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;BYHOUR=19;BYMINUTE=0", ""},
		{"second Tuesday of the month", Repeat{Freq: RepeatMonthly, Days: []string{"TU"}, Nth: 2, Interval: 1, Time: "07:15"},
			"FREQ=MONTHLY;BYDAY=2TU;BYHOUR=7;BYMINUTE=15", ""},
		{"last Friday every three months", Repeat{Freq: RepeatMonthly, Days: []string{"FR"}, Nth: -1, Interval: 3, Time: "17:30"},
			"FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR;BYHOUR=17;BYMINUTE=30", ""},
		{"daily", Repeat{Freq: RepeatDaily, Interval: 1, Time: "00:05"}, "FREQ=DAILY;BYHOUR=0;BYMINUTE=5", ""},
		{"hour 25", Repeat{Freq: RepeatWeekly, Days: []string{"MO"}, Interval: 1, Time: "25:00"}, "", "time"},
		{"no time", Repeat{Freq: RepeatWeekly, Days: []string{"MO"}, Interval: 1}, "", "time"},
		{"weekly without a day", Repeat{Freq: RepeatWeekly, Interval: 1, Time: "06:30"}, "", "days"},
		{"unknown day", Repeat{Freq: RepeatWeekly, Days: []string{"XX"}, Interval: 1, Time: "06:30"}, "", "days"},
		{"interval 0", Repeat{Freq: RepeatWeekly, Days: []string{"MO"}, Time: "06:30"}, "", "interval"},
		{"interval 53", Repeat{Freq: RepeatWeekly, Days: []string{"MO"}, Interval: 53, Time: "06:30"}, "", "interval"},
		{"monthly with two days", Repeat{Freq: RepeatMonthly, Days: []string{"MO", "TU"}, Nth: 1, Interval: 1, Time: "06:30"}, "", "days"},
		{"fifth Monday", Repeat{Freq: RepeatMonthly, Days: []string{"MO"}, Nth: 5, Interval: 1, Time: "06:30"}, "", "nth"},
		{"yearly", Repeat{Freq: "yearly", Interval: 1, Time: "06:30"}, "", "freq"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.repeat.RRule()
			if tt.want != "" {
				if err != nil || got != tt.want {
					t.Fatalf("%+v.RRule() = %q, %v, want %q", tt.repeat, got, err, tt.want)
				}
				back, ok := RepeatOf(got)
				want := tt.repeat
				if len(want.Days) > 1 { // read back in week order, once each
					want.Days = []string{"MO", "TH"}
				}
				if !ok || !reflect.DeepEqual(back, want) {
					t.Errorf("RepeatOf(%q) = %+v, %v, want %+v", got, back, ok, want)
				}
				return
			}
			if _, ok := detail(fieldErr(t, err), tt.field); !ok {
				t.Errorf("%+v.RRule() = %q, %v, want a refusal of %s", tt.repeat, got, err, tt.field)
			}
		})
	}
}

// Rules a Repeat cannot say are edited as text.
func TestRepeatOfOthers(t *testing.T) {
	for _, rrule := range []string{
		"FREQ=WEEKLY;BYDAY=TU,FR",               // no time: midnight
		"FREQ=HOURLY;BYHOUR=6,7",                // several times a day
		"FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=6",   // a day of the month
		"FREQ=MONTHLY;BYDAY=MO;BYHOUR=6",        // every Monday of the month
		"FREQ=WEEKLY;BYDAY=TU;BYHOUR=6;COUNT=3", // a count
		"FREQ=YEARLY;BYHOUR=6",
	} {
		if r, ok := RepeatOf(rrule); ok {
			t.Errorf("RepeatOf(%q) = %+v, want none", rrule, r)
		}
	}
	if r, ok := RepeatOf("FREQ=MONTHLY;BYDAY=1MO;BYHOUR=6"); !ok || r.Nth != 1 || r.Time != "06:00" {
		t.Errorf("RepeatOf(the demo's monthly rule) = %+v, %v", r, ok)
	}
}
