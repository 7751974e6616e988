package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"loa/campaigns"
	"loa/campaigns/report/export"
	"loa/content"
)

// Config is every setting of the service. Each comes from a flag, else from its
// environment variable, else from its default.
type Config struct {
	Addr          string
	DataDir       string
	MongoURI      string
	Database      string
	Demo          string // auto, true or false; auto means on with the embedded database
	AdminPassword string
	Province      string
	TokenTTL      time.Duration
	Timezone      string
	LogLevel      string
	LogFormat     string
	// TrustedProxies are the addresses whose X-Forwarded-For is believed, for the
	// per-address login limit; empty believes none.
	TrustedProxies []string
	Languages      []content.Language
	Location       *time.Location // of Timezone
	Hotline        string
	SpeechRate     int // syllables per minute
	TermsFile      string
	// Horizon is how many days ahead airings are materialised.
	Horizon int
	// ConfirmGrace is how long after its end an airing waits for its confirmation
	// before it is marked unconfirmed.
	ConfirmGrace time.Duration
	// Jobs says whether this replica takes part in running the service's jobs.
	Jobs bool
	// ReportCutoff is the day of the month periodic report windows start on.
	ReportCutoff int
	// Form is who reports in the official form of the DOCX report (Decree
	// 30/2020/NĐ-CP): lists are separated by ";", the signing authority's lines by "/".
	Form FormSettings
	// Imports bound what one import may cost, whatever its file.
	Imports campaigns.ImportLimits
	// BackupDir receives a copy of the embedded database every night, of which the
	// newest BackupKeep are kept; empty turns the job off.
	BackupDir  string
	BackupKeep int
	// Command is a maintenance command to run instead of serving ("rollups
	// rebuild"), with its arguments.
	Command []string
}

// FormSettings are the official form's settings as text.
type FormSettings struct {
	GoverningBody, Agency, Abbreviation, Place, Addressees, Recipients, Authority, Signer string
}

// ReportForm is the official form of the reports.
func (c *Config) ReportForm() export.Form {
	f := c.Form
	return export.Form{GoverningBody: f.GoverningBody, Agency: f.Agency, Abbreviation: f.Abbreviation, Place: f.Place,
		Addressees: splitList(f.Addressees, ";"), Recipients: splitList(f.Recipients, ";"), Authority: splitList(f.Authority, "/"),
		Signer: f.Signer}
}

// splitList splits a setting at sep, trimmed; empty items and "-" (a setting
// cannot be empty: it would take its default) are dropped.
func splitList(s, sep string) []string {
	var out []string
	for _, item := range strings.Split(s, sep) {
		if item = strings.TrimSpace(item); item != "" && item != "-" {
			out = append(out, item)
		}
	}
	return out
}

// option describes one setting for parsing and for --help.
type option struct {
	flag, env, def, usage string
	dst                   *string
	secret                bool
	envOnly               bool // a secret never passed on the command line, where ps shows it
}

// textSettings are settings parsed from text after the flags: they have no field of
// type string in Config.
type textSettings struct {
	ttl, proxies, languages, rate, horizon, grace, jobs, cutoff, backupKeep string
	imports                                                                 importSettings
}

// importSettings are the import limits as text.
type importSettings struct {
	file, rows, columns, cell, unzipped, shared, ratio, time, slots string
}

func (i importSettings) text(l campaigns.ImportLimits) importSettings {
	return importSettings{file: humanize.IBytes(uint64(l.FileBytes)), rows: strconv.Itoa(l.Rows), columns: strconv.Itoa(l.Columns),
		cell: strconv.Itoa(l.CellChars), unzipped: humanize.IBytes(uint64(l.Unzipped)), shared: humanize.IBytes(uint64(l.SharedStrings)),
		ratio: strconv.FormatInt(l.Ratio, 10), time: l.Time.String(), slots: strconv.Itoa(l.Slots)}
}

func (c *Config) options(t *textSettings) []option {
	d := importSettings{}.text(campaigns.DefaultImportLimits())
	return []option{
		{"addr", "LOA_ADDR", "127.0.0.1:8080", "address the HTTP server listens on", &c.Addr, false, false},
		{"data", "LOA_DATA_DIR", "./data", "directory of the embedded database's files", &c.DataDir, false, false},
		{"mongodb-uri", "LOA_MONGODB_URI", "", "URI of an external MongoDB (replica set); empty starts the embedded database", &c.MongoURI, true, false},
		{"database", "LOA_DATABASE", "loa", "name of the database", &c.Database, false, false},
		{"demo", "LOA_DEMO", "auto", "load the 2024 Quảng Nam plan and sample denominators: true, false, or auto (on with the embedded database)", &c.Demo, false, false},
		{"admin-password", "LOA_ADMIN_PASSWORD", "", "password of the account admin created on the first start; empty generates one and logs it once", &c.AdminPassword, true, true},
		{"province", "LOA_PROVINCE", "49", "org-unit code of the deployment's province (the admin account's scope)", &c.Province, false, false},
		{"token-ttl", "LOA_TOKEN_TTL", "12h", "lifetime of a login token", &t.ttl, false, false},
		{"timezone", "LOA_TIMEZONE", "Asia/Ho_Chi_Minh", "time zone calendars and rules are evaluated in", &c.Timezone, false, false},
		{"log-level", "LOA_LOG_LEVEL", "info", "debug, info, warn or error", &c.LogLevel, false, false},
		{"log-format", "LOA_LOG_FORMAT", "text", "text or json", &c.LogFormat, false, false},
		{"trusted-proxies", "LOA_TRUSTED_PROXIES", "", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed", &t.proxies, false, false},
		{"languages", "LOA_LANGUAGES", content.FormatLanguages(content.DefaultLanguages), "languages content is written in, as code:name pairs separated by commas", &t.languages, false, false},
		{"hotline", "LOA_HOTLINE", "111", "telephone number that fills {{.Hotline}} in messages", &c.Hotline, false, false},
		{"speech-rate", "LOA_SPEECH_RATE", "160", "Vietnamese syllables read aloud per minute, for reading times", &t.rate, false, false},
		{"terms-file", "LOA_TERMS_FILE", "", "CSV of discouraged terms and suggested wording (term,suggestion); empty uses the built-in list", &c.TermsFile, false, false},
		{"horizon", "LOA_HORIZON_DAYS", "35", "days ahead for which airings are materialised", &t.horizon, false, false},
		{"confirm-grace", "LOA_CONFIRM_GRACE", "2h", "how long after its end an airing waits for a confirmation before it is marked unconfirmed", &t.grace, false, false},
		{"report-cutoff", "LOA_REPORT_CUTOFF", "15", "day of the month periodic reports are cut at (1 to 28): with 15 a 6-month report runs from 15 December to 14 June; 1 gives calendar quarters and halves", &t.cutoff, false, false},
		{"report-governing-body", "LOA_REPORT_GOVERNING_BODY", "UBND tỉnh Quảng Nam", "governing body above the issuing agency in the official report form", &c.Form.GoverningBody, false, false},
		{"report-agency", "LOA_REPORT_AGENCY", "Sở Lao động - Thương binh và Xã hội", "agency issuing the official report (the programme's standing agency)", &c.Form.Agency, false, false},
		{"report-agency-abbr", "LOA_REPORT_AGENCY_ABBR", "SLĐTBXH", "the issuing agency's abbreviation, as in Số: …/BC-<abbr>", &c.Form.Abbreviation, false, false},
		{"report-place", "LOA_REPORT_PLACE", "Quảng Nam", "place name of the report's date line", &c.Form.Place, false, false},
		{"report-addressees", "LOA_REPORT_ADDRESSEES", "UBND tỉnh Quảng Nam", "addressees of the report (Kính gửi), separated by ';'; '-' for none leaves out Kính gửi and Như trên", &c.Form.Addressees, false, false},
		{"report-recipients", "LOA_REPORT_RECIPIENTS", "Bộ Lao động - Thương binh và Xã hội;Các sở, ban, ngành thành viên Ban Chỉ đạo;UBND các huyện, thị xã, thành phố", "other recipients (Nơi nhận) besides the addressees and the archive, separated by ';'", &c.Form.Recipients, false, false},
		{"report-signing-authority", "LOA_REPORT_SIGNING_AUTHORITY", "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC", "signing authority above the signature, its lines separated by '/'", &c.Form.Authority, false, false},
		{"report-signer", "LOA_REPORT_SIGNER", "", "full name of the signer; empty leaves the line to write in", &c.Form.Signer, false, false},
		{"import-max-file", "LOA_IMPORT_MAX_FILE", d.file, "largest file an import takes (CSV or XLSX, as uploaded)", &t.imports.file, false, false},
		{"import-max-rows", "LOA_IMPORT_MAX_ROWS", d.rows, "most rows of data in one reach import (org-unit and denominator imports: at most 100000)", &t.imports.rows, false, false},
		{"import-max-columns", "LOA_IMPORT_MAX_COLUMNS", d.columns, "most columns a row of an import may use (trailing empty cells are not counted)", &t.imports.columns, false, false},
		{"import-max-cell", "LOA_IMPORT_MAX_CELL", d.cell, "most characters in one cell of an import", &t.imports.cell, false, false},
		{"import-max-unzipped", "LOA_IMPORT_MAX_UNZIPPED", d.unzipped, "most an XLSX workbook may unzip to, all its parts together", &t.imports.unzipped, false, false},
		{"import-max-shared-strings", "LOA_IMPORT_MAX_SHARED_STRINGS", d.shared, "most an XLSX workbook's shared-strings part may unzip to", &t.imports.shared, false, false},
		{"import-max-ratio", "LOA_IMPORT_MAX_RATIO", d.ratio, "most a part of an XLSX workbook of 1 MiB or more may be compressed (unzipped size / zipped size)", &t.imports.ratio, false, false},
		{"import-timeout", "LOA_IMPORT_TIMEOUT", d.time, "longest one import may run, reading and writing; it stops cleanly and says what it wrote", &t.imports.time, false, false},
		{"import-slots", "LOA_IMPORT_SLOTS", d.slots, "imports that may run at once; one more is answered 429 with Retry-After", &t.imports.slots, false, false},
		{"jobs", "LOA_JOBS", "true", "take part in running the jobs (one replica at a time runs them, under a lease); false never runs them here", &t.jobs, false, false},
		{"backup-dir", "LOA_BACKUP_DIR", "", "directory that receives a copy of the embedded database every night at 02:15; empty makes none", &c.BackupDir, false, false},
		{"backup-keep", "LOA_BACKUP_KEEP", "7", "how many of the nightly copies are kept (the oldest are deleted)", &t.backupKeep, false, false},
	}
}

// errHelp is returned by loadConfig after --help has been printed.
var errHelp = flag.ErrHelp

// loadConfig reads args and the environment (through getenv) into a validated Config.
func loadConfig(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	var c Config
	var t textSettings
	opts := c.options(&t)
	fs := flag.NewFlagSet("loa", flag.ContinueOnError)
	fs.SetOutput(out)
	for _, o := range opts {
		if o.envOnly {
			continue
		}
		if o.flag == "demo" {
			fs.Var(&demoFlag{o.dst}, o.flag, o.usage)
			continue
		}
		fs.StringVar(o.dst, o.flag, "", o.usage)
	}
	fs.Usage = func() { usage(out, opts) }
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		if !slices.Contains(commands, fs.Arg(0)) {
			usage(out, opts)
			return Config{}, fmt.Errorf("unknown command %q", fs.Arg(0))
		}
		c.Command = fs.Args()
	}
	for _, o := range opts {
		if *o.dst == "" {
			*o.dst = getenv(o.env)
		}
		if *o.dst == "" {
			*o.dst = o.def
		}
	}
	for _, p := range strings.Split(t.proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	return c, c.validate(t)
}

func (c *Config) validate(t textSettings) error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr %q: want host:port", c.Addr))
	}
	d, err := time.ParseDuration(t.ttl)
	if err != nil || d <= 0 {
		errs = append(errs, fmt.Errorf("token-ttl %q: want a positive duration such as 12h", t.ttl))
	}
	c.TokenTTL = d
	if c.SpeechRate, err = strconv.Atoi(t.rate); err != nil || c.SpeechRate < 60 || c.SpeechRate > 400 {
		errs = append(errs, fmt.Errorf("speech-rate %q: want syllables per minute from 60 to 400", t.rate))
	}
	if c.ReportCutoff, err = strconv.Atoi(t.cutoff); err != nil || !campaigns.ValidCutoff(c.ReportCutoff) {
		errs = append(errs, fmt.Errorf("report-cutoff %q: want a day of the month from 1 to 28", t.cutoff))
	}
	if c.Horizon, err = strconv.Atoi(t.horizon); err != nil || c.Horizon < 1 || c.Horizon > 400 {
		errs = append(errs, fmt.Errorf("horizon %q: want a number of days from 1 to 400", t.horizon))
	}
	if c.ConfirmGrace, err = time.ParseDuration(t.grace); err != nil || c.ConfirmGrace <= 0 || c.ConfirmGrace > 30*24*time.Hour {
		errs = append(errs, fmt.Errorf("confirm-grace %q: want a positive duration up to 720h, such as 2h", t.grace))
	}
	if c.Jobs, err = strconv.ParseBool(t.jobs); err != nil {
		errs = append(errs, fmt.Errorf("jobs %q: want true or false", t.jobs))
	}
	if c.BackupKeep, err = strconv.Atoi(t.backupKeep); err != nil || c.BackupKeep < 1 || c.BackupKeep > 1000 {
		errs = append(errs, fmt.Errorf("backup-keep %q: want a number of copies from 1 to 1000", t.backupKeep))
	}
	if c.BackupDir != "" && c.MongoURI != "" {
		errs = append(errs, errors.New("backup-dir backs up the embedded database; back up an external MongoDB with mongodump"))
	}
	if c.Imports, err = t.imports.limits(); err != nil {
		errs = append(errs, err)
	}
	if c.Languages, err = content.ParseLanguages(t.languages); err != nil {
		errs = append(errs, err)
	}
	if c.Location, err = time.LoadLocation(c.Timezone); err != nil {
		errs = append(errs, fmt.Errorf("timezone %q: %v", c.Timezone, err))
	}
	if c.Demo != "auto" {
		if _, err := strconv.ParseBool(c.Demo); err != nil {
			errs = append(errs, fmt.Errorf("demo %q: want true, false or auto", c.Demo))
		}
	}
	if _, err := c.level(); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log-format %q: want text or json", c.LogFormat))
	}
	if c.Database == "" || strings.ContainsAny(c.Database, `/\. "$`) {
		errs = append(errs, fmt.Errorf("database %q: want a plain name", c.Database))
	}
	return errors.Join(errs...)
}

// limits reads the import limits; sizes take a unit (20MiB, 512KiB).
func (i importSettings) limits() (campaigns.ImportLimits, error) {
	var l campaigns.ImportLimits
	var errs []error
	size := func(name, v string) int64 {
		n, err := humanize.ParseBytes(v)
		if err != nil || n > 1<<40 {
			errs = append(errs, fmt.Errorf("%s %q: want a size such as 20MiB", name, v))
		}
		return int64(n)
	}
	whole := func(name, v string) int {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %q: want a whole number", name, v))
		}
		return n
	}
	l.FileBytes, l.Unzipped, l.SharedStrings = size("import-max-file", i.file), size("import-max-unzipped", i.unzipped), size("import-max-shared-strings", i.shared)
	l.Rows, l.Columns, l.CellChars = whole("import-max-rows", i.rows), whole("import-max-columns", i.columns), whole("import-max-cell", i.cell)
	l.Ratio, l.Slots = int64(whole("import-max-ratio", i.ratio)), whole("import-slots", i.slots)
	var err error
	if l.Time, err = time.ParseDuration(i.time); err != nil {
		errs = append(errs, fmt.Errorf("import-timeout %q: want a duration such as 5m", i.time))
	}
	if errs == nil {
		if err := l.Check(); err != nil {
			errs = append(errs, fmt.Errorf("import limits: %w", err))
		}
	}
	return l, errors.Join(errs...)
}

// DemoOn says whether to load the demo province.
func (c *Config) DemoOn() bool {
	if c.Demo == "auto" {
		return c.MongoURI == ""
	}
	on, _ := strconv.ParseBool(c.Demo)
	return on
}

func (c *Config) level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

// Attrs are the settings for the start-up log, secrets masked.
func (c *Config) Attrs() []any {
	t := textSettings{ttl: c.TokenTTL.String(), proxies: strings.Join(c.TrustedProxies, ","),
		languages: content.FormatLanguages(c.Languages), rate: strconv.Itoa(c.SpeechRate), horizon: strconv.Itoa(c.Horizon),
		grace: c.ConfirmGrace.String(), jobs: strconv.FormatBool(c.Jobs), cutoff: strconv.Itoa(c.ReportCutoff), backupKeep: strconv.Itoa(c.BackupKeep),
		imports: importSettings{}.text(c.Imports)}
	attrs := []any{}
	for _, o := range c.options(&t) {
		v := *o.dst
		switch {
		case o.flag == "mongodb-uri":
			v = maskURI(v)
		case o.secret && v != "":
			v = "(set)"
		}
		attrs = append(attrs, slog.String(o.flag, v))
	}
	return attrs
}

// maskURI hides the password of a MongoDB URI; one it cannot read is hidden whole.
func maskURI(s string) string {
	if s == "" {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(set, unreadable)"
	}
	if u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func usage(out io.Writer, opts []option) {
	fmt.Fprint(out, `Loa plans and tracks provincial communication campaigns.

Usage: loa [flags]
       loa [flags] rollups rebuild [campaign]
       loa [flags] rollups check [campaign]
       loa [flags] backup --out FILE
       loa [flags] restore --in FILE [--data DIR] [--force]

Serves the web UI and the JSON API. Every flag can also be set by the environment
variable shown; a flag wins over the environment.

"rollups rebuild" recomputes the monthly reach rollups reports read from the reach
records (of one campaign, or all); "rollups check" compares them with a
recomputation and lists the cells that differ (exit status 1 when any do). On the
embedded database, stop the service first: the data directory is locked.

"backup" writes a consistent copy of the embedded database to FILE, while the
service runs or not (SQLite's VACUUM INTO in one read transaction). "restore" puts
a backup into a data directory no Loa is running on; a directory holding anything
is refused unless --force replaces its database.

`)
	for _, o := range opts {
		name := "--" + o.flag
		if o.envOnly {
			name = "(environment only)"
		}
		def := o.def
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(out, "  %-20s %-20s default %s\n      %s\n", name, o.env, def, o.usage)
	}
}

// demoFlag lets --demo stand alone (true) or take a value (true, false, auto).
type demoFlag struct{ dst *string }

func (d *demoFlag) String() string {
	if d.dst == nil {
		return ""
	}
	return *d.dst
}
func (d *demoFlag) Set(v string) error { *d.dst = v; return nil }
func (d *demoFlag) IsBoolFlag() bool   { return true }
