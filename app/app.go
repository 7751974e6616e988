package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"loa/app/access"
	"loa/app/api"
	"loa/app/audit"
	"loa/app/database"
	"loa/app/web"
	"loa/campaigns"
	"loa/campaigns/reach"
	"loa/campaigns/report"
	"loa/content"
	"loa/scheduler"
	"loa/scheduler/jobs"
)

// shutdownTimeout bounds a clean stop: HTTP drain, then the database.
const shutdownTimeout = 10 * time.Second

// schema is every collection Loa owns, from one list.
func schema() []database.Collection {
	var all []database.Collection
	for _, s := range [][]database.Collection{database.Schema, campaigns.Schema, reach.Schema, report.Schema, access.Schema, audit.Schema,
		content.Schema, scheduler.Schema, jobs.Schema} {
		all = append(all, s...)
	}
	return all
}

// app is the wired service.
type app struct {
	cfg       Config
	log       *slog.Logger
	db        *database.DB
	handler   http.Handler
	runner    *jobs.Runner
	campaigns *campaigns.Service
	reach     *reach.Service
}

// newApp opens the database, prepares it (schema, reference data, admin account,
// demo) and wires the services and routes, top to bottom.
func newApp(ctx context.Context, cfg Config, log *slog.Logger) (*app, error) {
	log.Info("starting loa", cfg.Attrs()...)
	start := time.Now()
	db, err := database.Open(ctx, database.Options{URI: cfg.MongoURI, DataDir: cfg.DataDir, Name: cfg.Database, Logger: log})
	if err != nil {
		return nil, err
	}
	// On FerretDB one process at a time: a second one refuses to start here.
	host, _ := os.Hostname()
	if err := db.Claim(ctx, fmt.Sprintf("%s/%d", host, os.Getpid()), database.DefaultClaimTiming, log); err != nil {
		_ = db.Close(ctx)
		return nil, err
	}
	a := &app{cfg: cfg, log: log, db: db}
	if err := a.prepare(ctx); err != nil {
		a.close()
		return nil, err
	}
	log.Info("database ready", "embedded", db.Embedded(), "elapsed", time.Since(start).Round(time.Millisecond))
	return a, nil
}

func (a *app) prepare(ctx context.Context) error {
	now := time.Now
	if err := a.db.EnsureSchema(ctx, schema()); err != nil {
		return err
	}
	trail := audit.New(audit.NewStore(a.db), now)
	cs := campaigns.NewService(campaigns.NewStore(a.db), trail, now,
		campaigns.InZone(a.cfg.Location), campaigns.WithCutoff(a.cfg.ReportCutoff), campaigns.WithImportLimits(a.cfg.Imports))
	a.campaigns = cs
	if err := cs.LoadReference(ctx); err != nil {
		return err
	}
	rs := reach.NewService(cs, reach.NewStore(a.db), trail, now)
	a.reach = rs
	rebuilt, err := rs.RepairRollups(ctx)
	if err != nil {
		return err
	}
	if len(rebuilt) > 0 {
		a.log.Warn("reach rollups recomputed from the records (interrupted write or new cut-off day)", "campaigns", rebuilt)
	}
	acc := access.NewService(access.NewStore(a.db), trail, cs, now, access.Options{TokenTTL: a.cfg.TokenTTL})
	if err := acc.EnsureAdmin(ctx, a.cfg.AdminPassword, a.cfg.Province, a.log); err != nil {
		return err
	}
	terms, err := a.terms()
	if err != nil {
		return err
	}
	// The scheduler is built on the library and hears from it which versions are in
	// force: the library tells it through a function of the options.
	var sc *scheduler.Service
	ct := content.NewService(content.NewStore(a.db), cs, trail, now, content.Options{Languages: a.cfg.Languages,
		SyllablesPerMinute: a.cfg.SpeechRate, Terms: terms, Hotline: a.cfg.Hotline, Zone: a.cfg.Location,
		InForceChanged: func(id string) { sc.ContentChanged(id) }})
	// Changes of stations, rules and approved content ask the job runner, built
	// just below, to materialise the airings again.
	sc = scheduler.NewService(scheduler.NewStore(a.db), cs, rs, ct, trail, now,
		scheduler.Options{Zone: a.cfg.Location, Horizon: a.cfg.Horizon, Grace: a.cfg.ConfirmGrace,
			Rematerialize: func() {
				if a.runner != nil { // built below; the demo loads after it
					a.runner.Trigger(jobMaterialize)
				}
			}})
	if moved, err := sc.PackLegacyAirings(ctx); err != nil {
		return err
	} else if moved > 0 {
		a.log.Info("airings moved into packs by station and year", "airings", moved)
	}
	reports := report.NewService(cs, rs, sc, report.NewStore(a.db), now)
	a.runner = jobs.New(jobs.NewStore(a.db), a.jobList(cs, rs, sc, acc), jobs.Options{Zone: a.cfg.Location, Now: now, Log: a.log})
	if a.cfg.DemoOn() {
		if err := cs.LoadDemo(ctx); err != nil {
			return err
		}
		if err := rs.LoadDemoReach(ctx); err != nil {
			return err
		}
		if err := cs.Once(ctx, "demo-content-v1", func() error { return ct.LoadDemo(ctx) }); err != nil {
			return err
		}
		if err := cs.Once(ctx, "demo-schedule-v1", func() error { return sc.LoadDemo(ctx, a.cfg.Province, cs) }); err != nil {
			return err
		}
		if err := cs.Once(ctx, "demo-press-2024-v1", func() error { return sc.LoadDemoPress(ctx) }); err != nil {
			return err
		}
	}
	pages, err := web.New(web.Deps{Campaigns: cs, Reach: rs, Reports: reports, Access: acc, Content: ct, Scheduler: sc,
		Jobs: a.runner, Log: a.log, Zone: a.cfg.Location, Now: now})
	if err != nil {
		return fmt.Errorf("parse templates: %w", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(a.cfg.TrustedProxies); err != nil {
		return fmt.Errorf("trusted proxies: %w", err)
	}
	api.Register(r, api.Deps{Campaigns: cs, Reach: rs, Reports: reports, ReportForm: a.cfg.ReportForm(), Access: acc, Audit: trail, Content: ct,
		Scheduler: sc, Jobs: a.runner, DB: a.db, Log: a.log, Registry: reg, PageNotFound: pages.NotFound})
	pages.Register(r)
	a.handler = r
	return nil
}

// terms reads the configured list of discouraged terms, or nil for the built-in one.
func (a *app) terms() ([]content.Term, error) {
	if a.cfg.TermsFile == "" {
		return nil, nil
	}
	f, err := os.Open(a.cfg.TermsFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return content.ReadTerms(f)
}

// serve answers HTTP on ln until ctx ends, then shuts down within shutdownTimeout.
func (a *app) serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		// A request line and headers of 64 KiB carry any query Loa reads; past it
		// the server answers 431 before any handler holds the request.
		MaxHeaderBytes: 64 << 10,
		ReadTimeout:    2 * time.Minute,
		WriteTimeout:   2 * time.Minute,
		IdleTimeout:    2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.log.Info("serving", "addr", ln.Addr().String())
	if a.cfg.Jobs {
		a.runner.Start(ctx)
	}
	warmed := make(chan struct{})
	go func() {
		defer close(warmed)
		a.warmReports(ctx)
	}()

	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
		a.log.Info("shutting down")
	}
	// One deadline for the whole stop: HTTP drain, then the database.
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	shutErr := srv.Shutdown(sctx)
	if a.cfg.Jobs {
		a.runner.Stop()
	}
	select {
	case <-warmed:
	case <-sctx.Done():
	}
	return errors.Join(serveErr, shutErr, a.closeWithin(sctx))
}

// warmReports reads the report rollups into memory in the background after a
// start, so that readers of reports do not wait for them.
func (a *app) warmReports(ctx context.Context) {
	start := time.Now()
	if err := a.reach.WarmReports(ctx); err != nil {
		if ctx.Err() == nil {
			a.log.Warn("reading the report rollups ahead", "error", err)
		}
		return
	}
	a.log.Info("report rollups in memory", "elapsed", time.Since(start).Round(time.Millisecond))
}

// close disconnects the driver and stops the embedded database.
func (a *app) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	return a.closeWithin(ctx)
}

func (a *app) closeWithin(ctx context.Context) error {
	if err := a.db.Close(ctx); err != nil {
		a.log.Error("closing the database", "error", err)
		return err
	}
	a.log.Info("stopped")
	return nil
}
