// Package scheduler will own channels, stations, slot rules, materialised airings,
// station feeds and the job runner. It is empty until that work lands.
package scheduler
