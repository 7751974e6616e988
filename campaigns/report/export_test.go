package report

import (
	"context"

	"loa"
)

// Prepared reads a report's inputs once and returns the engine's evaluation of
// them, for benchmarks of the engine alone.
func Prepared(ctx context.Context, s *Service, actor loa.Actor, code string, q ReportQuery) (func() Report, error) {
	e, _, err := s.evaluation(ctx, actor, code, q)
	return func() Report { return e.report() }, err
}
