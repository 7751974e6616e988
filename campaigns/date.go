package campaigns

import "time"

// vietnam is the default zone dates are evaluated in (UTC+7 all year).
var vietnam = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*60*60)
}()
