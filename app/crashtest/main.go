// Command crashtest kills Loa with SIGKILL at random moments of its heaviest
// writes and checks, after each restart, that nothing acknowledged was lost,
// nothing is duplicated, the rollups agree with the records ("loa rollups
// check") and a repeated import or materialisation converges (issue 18,
// RELIABILITY.md):
//
//	go run ./app/crashtest -rows 100000 -kills 10
//
// Each round starts a fresh data directory (without the demo): a campaign, an
// account that imports, and for the materialisation a station per district and
// per commune with two rules for the year ahead. "go test ./app/crashtest" runs a
// short form: one kill of each kind on a small file.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"loa/campaigns/reach/reachgen"
)

// config is a run of the harness.
type config struct {
	root        string // the module's root, where ./app is built from
	rows, kills int
	// importWindow and materializeWindow bound the random moment of each kill,
	// counted from the start of the work.
	importWindow, materializeWindow time.Duration
	// stations confirm at once, their airings starting lead after they are placed.
	stations int
	lead     time.Duration
	seed     uint64
	keep     bool // keep the data directories
	// load runs the load instead of the kills: boxes poll every period.
	load   bool
	period time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.root, "root", ".", "the module's root")
	flag.IntVar(&c.rows, "rows", 100_000, "reach rows imported in each round (in 36 files)")
	flag.IntVar(&c.kills, "kills", 10, "rounds of each kind, one kill each")
	flag.DurationVar(&c.importWindow, "import-window", 12*time.Second, "kill at a random moment this long into the imports")
	flag.DurationVar(&c.materializeWindow, "materialize-window", time.Second, "kill at a random moment this long into materialising")
	flag.IntVar(&c.stations, "stations", 200, "loudspeakers confirming at once in each confirmation round")
	flag.DurationVar(&c.lead, "lead", 30*time.Second, "how far ahead the airings to confirm are placed (their placement must be done by then)")
	flag.Uint64Var(&c.seed, "seed", uint64(time.Now().UnixNano()), "seed of the kill moments")
	flag.BoolVar(&c.keep, "keep", false, "keep the data directories and logs")
	flag.BoolVar(&c.load, "load", false, "instead of killing: 64 connections pulling schedules while the rows are imported and every box polls (issue 18, item 2)")
	flag.DurationVar(&c.period, "period", 30*time.Second, "how often each box polls in -load")
	flag.Parse()
	if err := run(context.Background(), c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "crashtest:", err)
		os.Exit(1)
	}
}

// run builds the binary and runs the rounds, reporting each on out.
func run(ctx context.Context, c config, out io.Writer) error {
	dir, err := os.MkdirTemp("", "loa-crashtest-")
	if err != nil {
		return err
	}
	if !c.keep {
		defer os.RemoveAll(dir)
	}
	bin, err := build(c.root, dir)
	if err != nil {
		return err
	}
	if c.load {
		return runLoad(ctx, c, bin, dir, out)
	}
	rnd := rand.New(rand.NewPCG(c.seed, 0))
	fmt.Fprintf(out, "seed %d, %d rows per import round, data in %s\n", c.seed, c.rows, dir)
	var files [][]byte
	for k := range c.kills {
		e, err := prepare(ctx, bin, filepath.Join(dir, fmt.Sprintf("import-%d", k)))
		if err != nil {
			return err
		}
		if files == nil {
			files = reachgen.Year(e.units, c.rows)
		}
		res, err := e.killDuringImport(ctx, files, c.rows, c.importWindow, rnd)
		e.s.stop()
		if err != nil {
			return fmt.Errorf("import round %d (killed after %v, %d files acknowledged): %w", k+1, res.KilledAfter.Round(time.Millisecond), res.Acknowledged, err)
		}
		fmt.Fprintf(out, "import %2d: killed after %6v%s, %2d of %d files acknowledged, restart %v, rollups clean, %d records after the re-import\n",
			k+1, res.KilledAfter.Round(time.Millisecond), finished(res.Finished), res.Acknowledged, len(files), res.Restart.Round(time.Millisecond), res.Records)
	}
	for k := range c.kills {
		e, err := prepare(ctx, bin, filepath.Join(dir, fmt.Sprintf("materialize-%d", k)), "--horizon=366")
		if err != nil {
			return err
		}
		if _, err := e.stations(ctx); err != nil {
			return err
		}
		if err := e.rules(ctx); err != nil {
			return err
		}
		res, err := e.killDuringMaterialize(ctx, c.materializeWindow, rnd)
		e.s.stop()
		if err != nil {
			return fmt.Errorf("materialize round %d (killed after %v): %w", k+1, res.KilledAfter.Round(time.Millisecond), err)
		}
		fmt.Fprintf(out, "materialize %2d: killed after %6v%s, restart %v, %d airings, a further run changes nothing\n",
			k+1, res.KilledAfter.Round(time.Millisecond), finished(res.Finished), res.Restart.Round(time.Millisecond), res.Airings)
	}
	for k := range c.kills {
		e, err := prepare(ctx, bin, filepath.Join(dir, fmt.Sprintf("confirm-%d", k)))
		if err != nil {
			return err
		}
		codes, err := e.stations(ctx)
		if err != nil {
			return err
		}
		stations, err := e.burst(ctx, codes, c.stations, c.lead)
		if err != nil {
			return err
		}
		res, err := e.killDuringConfirmations(ctx, stations, rnd)
		e.s.stop()
		if err != nil {
			return fmt.Errorf("confirmations round %d (%d of %d acknowledged): %w", k+1, res.Acknowledged, res.Sent, err)
		}
		fmt.Fprintf(out, "confirmations %2d: %d batches at once, killed after %d answers, restart %v, %d aired with %d reach records after sending them again\n",
			k+1, res.Sent, res.Acknowledged, res.Restart.Round(time.Millisecond), res.Aired, res.Records)
	}
	return nil
}

// finished marks a round whose work was done before the kill came.
func finished(done bool) string {
	if done {
		return " (work already done)"
	}
	return ""
}

// runLoad measures the load of issue 18's item 2 and reports it on out.
func runLoad(ctx context.Context, c config, bin, dir string, out io.Writer) error {
	loadgen := filepath.Join(dir, "loadgen")
	if err := buildCommand(c.root, "./app/loadgen", loadgen); err != nil {
		return err
	}
	e, err := prepare(ctx, bin, filepath.Join(dir, "load"))
	if err != nil {
		return err
	}
	defer e.s.stop()
	codes, err := e.stations(ctx)
	if err != nil {
		return err
	}
	if err := e.rules(ctx); err != nil {
		return err
	}
	if _, err := e.materialize(ctx); err != nil {
		return err
	}
	boxes, err := e.burst(ctx, codes, len(codes), c.lead)
	if err != nil {
		return err
	}
	files := reachgen.Year(e.units, c.rows)
	r, err := e.load(ctx, loadgen, files, c.rows, boxes, c.period)
	if err != nil {
		return err
	}
	rate := func(d time.Duration) float64 { return float64(r.Rows) / d.Seconds() }
	fmt.Fprintf(out, "import of %d rows alone: %v (%.0f rows/s); with the pulls and the boxes: %v (%.0f rows/s), %.2f of its speed alone\n",
		r.Rows, r.Solo.Round(time.Millisecond), rate(r.Solo), r.Loaded.Round(time.Millisecond), rate(r.Loaded), rate(r.Loaded)/rate(r.Solo))
	fmt.Fprintf(out, "schedule pull, 64 connections, alone: %.0f req/s, p50 %.1f ms, p99 %.1f ms; during the import: %.0f req/s, p50 %.1f ms, p99 %.1f ms (%.1f × idle); unexpected answers %d and %d\n",
		r.IdlePulls.MedianReqPerSec, r.IdlePulls.Latency.P50, r.IdlePulls.MedianP99, r.LoadedPulls.MedianReqPerSec, r.LoadedPulls.Latency.P50,
		r.LoadedPulls.MedianP99, r.LoadedPulls.MedianP99/r.IdlePulls.MedianP99, r.IdlePulls.Unexpected, r.LoadedPulls.Unexpected)
	fmt.Fprintf(out, "%d boxes polling every %v: %d polls, %d batch uploads, %d failed\n", len(boxes), c.period, r.Polls, r.Batches, r.BoxFails)
	if r.IdlePulls.Unexpected+r.LoadedPulls.Unexpected > 0 || r.BoxFails > 0 {
		return fmt.Errorf("errors under load")
	}
	return nil
}
