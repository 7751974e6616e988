package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"loa/app/access"
	"loa/campaigns"
	"loa/campaigns/reach"
	"loa/scheduler"
	"loa/scheduler/jobs"
)

// Names of the service's jobs.
const (
	jobMaterialize = "materialize"
	jobUnconfirmed = "unconfirmed"
	jobGaps        = "gaps"
	jobTokens      = "purge_tokens"
	jobRollups     = "rollups_check"
	jobBackup      = "backup"
)

// jobList is every job the service runs, with its schedule in the deployment's zone.
func (a *app) jobList(cs *campaigns.Service, rs *reach.Service, sc *scheduler.Service, acc *access.Service) []jobs.Job {
	list := []jobs.Job{
		{Name: jobMaterialize, Title: fmt.Sprintf("Lập lịch phát sóng cho %d ngày tới", a.cfg.Horizon), Spec: "0 * * * *", CatchUp: true,
			Run: func(ctx context.Context, at time.Time) (string, error) {
				res, err := sc.Materialize(ctx, at)
				return res.String(), err
			}},
		{Name: jobUnconfirmed, Title: "Đánh dấu buổi phát chưa được xác nhận", Spec: "*/15 * * * *",
			Run: func(ctx context.Context, at time.Time) (string, error) {
				n, err := sc.MarkUnconfirmed(ctx, at)
				return fmt.Sprintf("%d airing(s) marked unconfirmed", n), err
			}},
		{Name: jobGaps, Title: "Kiểm tra khoảng trống của lịch truyền thông", Spec: "0 6 * * *",
			Run: func(ctx context.Context, at time.Time) (string, error) { return a.checkGaps(ctx, sc, at) }},
		{Name: jobTokens, Title: "Xoá phiên đăng nhập và khoá API đã hết hạn", Spec: "30 3 * * *", CatchUp: true,
			Run: func(ctx context.Context, _ time.Time) (string, error) {
				n, err := acc.PurgeExpired(ctx)
				return fmt.Sprintf("%d expired token(s) deleted", n), err
			}},
		{Name: jobRollups, Title: "Đối chiếu buổi phát với số liệu tiếp cận, số liệu tổng hợp với số liệu gốc", Spec: "0 4 * * *",
			Run: func(ctx context.Context, _ time.Time) (string, error) {
				fixed, err := a.reconcileAirings(ctx, sc)
				if err != nil {
					return fixed, err
				}
				checked, err := a.checkRollups(ctx, cs, rs)
				return fixed + "; " + checked, err
			}},
	}
	if a.cfg.BackupDir != "" {
		list = append(list, jobs.Job{Name: jobBackup, Title: "Sao lưu cơ sở dữ liệu", Spec: "15 2 * * *", Run: a.backupNow})
	}
	return list
}

// reconcileAirings repairs the reach records of airings that differ from the
// airings' statuses, and logs what it repaired.
func (a *app) reconcileAirings(ctx context.Context, sc *scheduler.Service) (string, error) {
	r, err := sc.ReconcileReach(ctx)
	if err != nil {
		return "", err
	}
	if len(r.Written)+len(r.Removed) > 0 {
		a.log.Warn("reach records of airings repaired", "written", len(r.Written), "removed", len(r.Removed),
			"first", slices.Concat(r.Written, r.Removed)[0])
	}
	return fmt.Sprintf("airings and reach: %d record(s) written, %d removed", len(r.Written), len(r.Removed)), nil
}

// checkRollups compares every campaign's rollups with a recomputation from its
// records and rebuilds those that differ.
func (a *app) checkRollups(ctx context.Context, cs *campaigns.Service, rs *reach.Service) (string, error) {
	all, err := cs.Campaigns(ctx)
	if err != nil {
		return "", err
	}
	var lines []string
	for _, c := range all {
		diffs, err := rs.CheckRollups(ctx, c.Code)
		if err != nil {
			return strings.Join(lines, "; "), err
		}
		if len(diffs) == 0 {
			lines = append(lines, c.Code+": consistent")
			continue
		}
		a.log.Warn("reach rollups differ from the records", "campaign", c.Code, "cells", len(diffs), "first", diffs[0].String())
		if err := rs.RebuildRollups(ctx, c.Code); err != nil {
			return strings.Join(lines, "; "), err
		}
		lines = append(lines, fmt.Sprintf("%s: %d cell(s) differed, rebuilt", c.Code, len(diffs)))
	}
	return strings.Join(lines, "; "), nil
}

// checkGaps reports the gaps of every campaign still running at at, and logs
// those that have some.
func (a *app) checkGaps(ctx context.Context, sc *scheduler.Service, at time.Time) (string, error) {
	all, err := sc.RunningGaps(ctx, at)
	lines := make([]string, 0, len(all))
	for _, g := range all {
		if !g.Empty() {
			a.log.Warn("campaign calendar has gaps", "campaign", g.Campaign, "summary", g.String())
		}
		lines = append(lines, g.String())
	}
	if len(lines) == 0 && err == nil {
		return "no campaign is running", nil
	}
	return strings.Join(lines, "; "), err
}
