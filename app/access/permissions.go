package access

import "slices"

// Action is something a route does, for the permission table.
type Action string

// Actions that routes need permission for.
const (
	ReadReference    Action = "read reference data (org units, target groups)"
	ReadCampaigns    Action = "read campaigns, indicators and targets"
	WriteCampaigns   Action = "create, change and delete campaigns"
	ReadPopulations  Action = "read denominators"
	WritePopulations Action = "import denominators"
	WriteOrgUnits    Action = "import org units"
	ManageUsers      Action = "manage accounts"
	ReadAudit        Action = "read the audit trail"
	ManageOwnAccount Action = "change one's password and personal API tokens"
	ReadContent      Action = "read content items, their versions and comments"
	WriteContent     Action = "write, submit, comment on and archive content items"
	ReviewContent    Action = "approve or reject content items (never one's own)"
	ReadSchedule     Action = "read channels, stations, slot rules, airings, the press calendar and gaps"
	WriteStations    Action = "create and change stations"
	WriteSchedule    Action = "create and change slot rules; place, move, cancel and publish airings"
	ReadJobs         Action = "see the jobs and their last runs"
	RunJobs          Action = "run a job now"
	PullSchedule     Action = "pull its own station's schedule and scripts, confirm its airings (station token)"
	ReadAsRun        Action = "read as-run reconciliations (planned, delivered, aired, missed, unconfirmed)"
	ReadReach        Action = "read reach records"
	WriteReach       Action = "enter, import, correct and delete reach records"
	ReadReports      Action = "read the indicator report (JSON, CSV, XLSX, printable HTML)"
	ReadSmallCells   Action = "see counts under 5 people in reports (others read \"<5\")"
	WriteManual      Action = "enter the values of manual indicators"
	WriteDrafts      Action = "write the narrative of the periodic report (báo cáo)"
)

// Permissions is the one table of who may do what; scopes narrow it further. The
// README shows it.
var Permissions = []struct {
	Action Action
	Roles  []string
}{
	{ReadReference, []string{RoleAdmin, RolePlanner, RoleApprover, RoleReporter, RoleViewer}},
	{ReadCampaigns, []string{RoleAdmin, RolePlanner, RoleApprover, RoleReporter, RoleViewer}},
	{WriteCampaigns, []string{RoleAdmin, RolePlanner}},
	{ReadPopulations, []string{RoleAdmin, RolePlanner, RoleReporter, RoleViewer}},
	{WritePopulations, []string{RoleAdmin}},
	{WriteOrgUnits, []string{RoleAdmin}},
	{ManageUsers, []string{RoleAdmin}},
	{ReadAudit, []string{RoleAdmin, RoleViewer}},
	{ManageOwnAccount, []string{RoleAdmin, RolePlanner, RoleApprover, RoleReporter, RoleViewer}},
	{ReadContent, []string{RoleAdmin, RolePlanner, RoleApprover, RoleReporter, RoleViewer}},
	{WriteContent, []string{RoleAdmin, RolePlanner, RoleApprover}},
	{ReviewContent, []string{RoleApprover}},
	{ReadSchedule, []string{RoleAdmin, RolePlanner, RoleApprover, RoleReporter, RoleViewer}},
	{WriteStations, []string{RoleAdmin, RolePlanner}},
	{WriteSchedule, []string{RolePlanner}},
	{ReadJobs, []string{RoleAdmin, RolePlanner}},
	{RunJobs, []string{RoleAdmin}},
	{PullSchedule, []string{RoleStation}},
	{ReadAsRun, []string{RoleAdmin, RolePlanner, RoleViewer}},
	{ReadReach, []string{RoleAdmin, RolePlanner, RoleReporter}},
	{WriteReach, []string{RolePlanner, RoleReporter}},
	{ReadReports, []string{RoleAdmin, RolePlanner, RoleApprover, RoleReporter, RoleViewer}},
	{ReadSmallCells, []string{RoleAdmin, RolePlanner, RoleApprover, RoleReporter}},
	{WriteManual, []string{RolePlanner}},
	{WriteDrafts, []string{RoleAdmin, RolePlanner}},
}

// Can reports whether any of u's roles allows action.
func (u User) Can(action Action) bool {
	for _, p := range Permissions {
		if p.Action == action {
			return slices.ContainsFunc(u.Roles, func(r string) bool { return slices.Contains(p.Roles, r) })
		}
	}
	return false
}
