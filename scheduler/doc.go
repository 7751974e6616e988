// Package scheduler owns channels, stations, slot rules and the airings they
// materialise: it turns a planner's recurring rules into a concrete calendar for
// every outlet, chooses what each airing carries from the approved content, reports
// conflicts and gaps, and keeps the press calendar. The job runner lives in
// scheduler/jobs; the forms a station reads its feed in, in scheduler/feedformat.
package scheduler
