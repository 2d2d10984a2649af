package ingest

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// Filter narrows an ingest to some accounts, regions and days. Empty fields
// do not filter.
type Filter struct {
	Accounts []string
	Regions  []string
	// Since and Until bound event days. A log file lands in the folder of
	// the day it was delivered and can hold events from before midnight,
	// so day folders are kept from one day before Since.
	Since, Until time.Time
}

func (f Filter) empty() bool {
	return len(f.Accounts) == 0 && len(f.Regions) == 0 && f.Since.IsZero() && f.Until.IsZero()
}

// level is a position in CloudTrail's key layout:
// [prefix/]AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/file.
type level int

const (
	levelAbove   level = iota // above AWSLogs/
	levelAWSLogs              // inside AWSLogs/: account or o-org folders
	levelOrg                  // inside AWSLogs/o-org/: account folders
	levelAccount              // inside ACCOUNT/: CloudTrail, CloudTrail-Digest, ...
	levelRegion               // inside CloudTrail/: region folders
	levelYear
	levelMonth
	levelDay
	levelFiles // inside a day folder
)

var (
	accountRe = regexp.MustCompile(`^[0-9]{12}$`)
	orgRe     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
)

// KeyInfo is what a CloudTrail object key tells about its content.
type KeyInfo struct {
	OrgID, AccountID, Region string
	Day                      time.Time
}

// ParseKey reads the account, region and day from a key in CloudTrail's
// layout; ok is false for keys outside it.
func ParseKey(key string) (KeyInfo, bool) {
	parts := strings.Split(key, "/")
	i := indexOf(parts, "AWSLogs")
	if i < 0 {
		return KeyInfo{}, false
	}
	parts = parts[i+1:]
	var info KeyInfo
	if len(parts) > 0 && orgRe.MatchString(parts[0]) {
		info.OrgID = parts[0]
		parts = parts[1:]
	}
	if len(parts) < 7 || !accountRe.MatchString(parts[0]) || parts[1] != "CloudTrail" {
		return KeyInfo{}, false
	}
	info.AccountID, info.Region = parts[0], parts[2]
	day, err := time.Parse("2006/01/02", strings.Join(parts[3:6], "/"))
	if err != nil {
		return KeyInfo{}, false
	}
	info.Day = day
	return info, true
}

func indexOf(parts []string, s string) int {
	for i, p := range parts {
		if p == s {
			return i
		}
	}
	return -1
}

// walk lists the objects under root that the filter can match, descending
// the CloudTrail layout folder by folder where a filter prunes a level and
// listing flat below the last level that prunes. Digest and Insight folders
// are never listed. Keys outside the layout are listed as they are.
func walk(ctx context.Context, src Source, f Filter, fn func(Object) error) error {
	if f.empty() {
		return src.List(ctx, "", func(o Object) error {
			if isNonEventKey(o.Key) {
				return nil
			}
			return fn(o)
		})
	}
	return walkLevel(ctx, src, f, "", levelAbove, nil, fn)
}

// isNonEventKey reports keys CloudTrail writes that hold no events.
func isNonEventKey(key string) bool {
	return strings.Contains(key, "/CloudTrail-Digest/") || strings.Contains(key, "/CloudTrail-Insight/") ||
		strings.HasPrefix(key, "CloudTrail-Digest/") || strings.HasPrefix(key, "CloudTrail-Insight/")
}

// walkLevel handles one folder. date holds the year/month/day parts seen so far.
func walkLevel(ctx context.Context, src Source, f Filter, prefix string, lv level, date []string, fn func(Object) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !prunesBelow(f, lv) {
		return src.List(ctx, prefix, func(o Object) error {
			if isNonEventKey(o.Key) {
				return nil
			}
			return fn(o)
		})
	}
	dirs, objs, err := src.ListDirs(ctx, prefix)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if lv == levelAbove && !isNonEventKey(o.Key) {
			if err := fn(o); err != nil {
				return err
			}
		}
	}
	for _, d := range dirs {
		name := strings.TrimSuffix(d[len(prefix):], "/")
		next, keep := descend(f, lv, name, date)
		if !keep {
			continue
		}
		nd := date
		if lv >= levelYear && lv <= levelDay {
			nd = append(append([]string(nil), date...), name)
		}
		if err := walkLevel(ctx, src, f, d, next, nd, fn); err != nil {
			return err
		}
	}
	return nil
}

// prunesBelow reports whether any filter can still prune folders at or
// below level lv; if none can, the rest is listed flat.
func prunesBelow(f Filter, lv level) bool {
	timeFilter := !f.Since.IsZero() || !f.Until.IsZero()
	switch {
	case lv <= levelAccount:
		return true
	case lv == levelRegion:
		return len(f.Regions) > 0 || timeFilter
	case lv <= levelDay:
		return timeFilter
	}
	return false
}

// descend decides whether folder name at level lv can hold matching
// objects and returns the level inside it.
func descend(f Filter, lv level, name string, date []string) (level, bool) {
	switch lv {
	case levelAbove:
		if name == "AWSLogs" {
			return levelAWSLogs, true
		}
		// A prefix above the layout (a trail's S3 key prefix): look for
		// AWSLogs/ below it.
		return levelAbove, true
	case levelAWSLogs, levelOrg:
		if lv == levelAWSLogs && orgRe.MatchString(name) {
			return levelOrg, true
		}
		if !accountRe.MatchString(name) {
			return 0, false
		}
		return levelAccount, len(f.Accounts) == 0 || contains(f.Accounts, name)
	case levelAccount:
		return levelRegion, name == "CloudTrail"
	case levelRegion:
		return levelYear, len(f.Regions) == 0 || contains(f.Regions, name)
	case levelYear, levelMonth, levelDay:
		parts := append(append([]string(nil), date...), name)
		return lv + 1, dayRangeOverlaps(f, parts)
	}
	return 0, false
}

// dayRangeOverlaps reports whether the folder for the given year[, month[,
// day]] can hold events in [Since-1 day, Until].
func dayRangeOverlaps(f Filter, parts []string) bool {
	start, err := time.Parse("2006/01/02", strings.Join(append(parts, "01", "01")[:3], "/"))
	if err != nil {
		return false // not a date folder
	}
	var end time.Time
	switch len(parts) {
	case 1:
		end = start.AddDate(1, 0, 0)
	case 2:
		end = start.AddDate(0, 1, 0)
	default:
		end = start.AddDate(0, 0, 1)
	}
	if !f.Since.IsZero() && !end.After(f.Since.AddDate(0, 0, -1)) {
		return false
	}
	// A file delivered on day D can only hold events up to D's end, so a
	// folder that starts after Until holds only later events... except
	// that delivery lags: keep the day after Until too.
	if !f.Until.IsZero() && start.After(f.Until.AddDate(0, 0, 1)) {
		return false
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
