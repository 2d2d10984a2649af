package ingest

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/ctattrib/ctattrib/internal/awsid"
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
	return len(f.Accounts) == 0 && len(f.Regions) == 0 && !f.timed()
}

// timed reports whether f bounds the days.
func (f Filter) timed() bool { return !f.Since.IsZero() || !f.Until.IsZero() }

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

var orgRe = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

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
	if len(parts) < 7 || !awsid.IsAccount(parts[0]) || parts[1] != "CloudTrail" {
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
//
// resume holds, by the URI of a region folder, the first day folder to
// list there (see resumePoints); the earlier day folders are not listed,
// except for the failed objects retry names there, by URI. Both apply only
// when f has no time bounds.
//
// A folder whose listing fails is passed over and returned in failed,
// its URI with the error: the other folders are listed. An error of fn
// ends the walk.
func walk(ctx context.Context, src Source, f Filter, resume map[string]time.Time, retry map[string][]string, fn func(Object) error) (resumed int, failed []Failure, err error) {
	if f.timed() {
		resume, retry = nil, nil
	}
	w := walker{src: src, f: f, resume: resume, retry: retry, fn: fn}
	if f.empty() && len(resume) == 0 {
		err = w.list(ctx, "", "")
		return 0, w.failed, err
	}
	lv, date := startLevel(src.URI(""))
	if len(date) > 0 && !dayRangeOverlaps(f, date) {
		return 0, nil, nil // the root is a date folder outside the time filter
	}
	err = w.level(ctx, "", lv, date)
	return w.resumed, w.failed, err
}

// startLevel is where in CloudTrail's layout a source's root folder is,
// so that a source opened at s3://bucket/AWSLogs/o-org/ (or at an
// account, region or date folder) is filtered as one opened above
// AWSLogs/; date holds the root's year/month/day parts. A root the layout
// does not name is levelAbove.
func startLevel(rootURI string) (lv level, date []string) {
	i := strings.LastIndex(rootURI, "/AWSLogs/")
	if i < 0 {
		return levelAbove, nil
	}
	lv = levelAWSLogs
	for _, seg := range strings.Split(strings.Trim(rootURI[i+len("/AWSLogs/"):], "/"), "/") {
		switch {
		case seg == "":
		case lv == levelAWSLogs && orgRe.MatchString(seg):
			lv = levelOrg
		case (lv == levelAWSLogs || lv == levelOrg) && awsid.IsAccount(seg):
			lv = levelAccount
		case lv == levelAccount && seg == "CloudTrail":
			lv = levelRegion
		case lv == levelRegion:
			lv = levelYear
		case lv >= levelYear && lv <= levelDay:
			date = append(date, seg)
			lv++
		default:
			return levelAbove, nil
		}
	}
	return lv, date
}

type walker struct {
	src     Source
	f       Filter
	resume  map[string]time.Time
	retry   map[string][]string // by region folder URI: failed objects before its resume point
	fn      func(Object) error
	resumed int       // region folders listed from a resume point
	failed  []Failure // folders whose listing failed
}

// listed returns the error of a listing of folder prefix: nil, after
// noting the folder as failed, when the source failed to list it; err
// itself when the listing was cancelled or fn failed (fnErr).
func (w *walker) listed(ctx context.Context, prefix string, err, fnErr error) error {
	if err == nil || fnErr != nil || ctx.Err() != nil {
		return err
	}
	w.failed = append(w.failed, Failure{URI: w.src.URI(prefix), Err: err.Error()})
	return nil
}

// call calls w.fn, keeping its error in *fnErr.
func (w *walker) call(o Object, fnErr *error) error {
	err := w.fn(o)
	if err != nil {
		*fnErr = err
	}
	return err
}

// isNonEventKey reports keys CloudTrail writes that hold no events.
func isNonEventKey(key string) bool {
	return strings.Contains(key, "/CloudTrail-Digest/") || strings.Contains(key, "/CloudTrail-Insight/") ||
		strings.HasPrefix(key, "CloudTrail-Digest/") || strings.HasPrefix(key, "CloudTrail-Insight/")
}

// list lists everything below prefix that sorts after after, flat.
func (w *walker) list(ctx context.Context, prefix, after string) error {
	var fnErr error
	err := w.src.ListAfter(ctx, prefix, after, func(o Object) error {
		if isNonEventKey(o.Key) {
			return nil
		}
		return w.call(o, &fnErr)
	})
	return w.listed(ctx, prefix, err, fnErr)
}

// level handles one folder. date holds the year/month/day parts seen so far.
func (w *walker) level(ctx context.Context, prefix string, lv level, date []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if lv == levelYear {
		if from, ok := w.resume[w.src.URI(prefix)]; ok {
			// A region folder's keys sort by day: one listing from the
			// resume point's day folder on, rather than a request per
			// folder level.
			w.resumed++
			if err := w.retryFailed(ctx, prefix, w.retry[w.src.URI(prefix)]); err != nil {
				return err
			}
			return w.list(ctx, prefix, prefix+from.Format("2006/01/02"))
		}
	}
	if !w.prunesBelow(lv) {
		return w.list(ctx, prefix, "")
	}
	dirs, objs, err := w.src.ListDirs(ctx, prefix)
	if err != nil {
		return w.listed(ctx, prefix, err, nil)
	}
	for _, o := range objs {
		if lv == levelAbove && !isNonEventKey(o.Key) {
			if err := w.fn(o); err != nil {
				return err
			}
		}
	}
	for _, d := range dirs {
		name := strings.TrimSuffix(d[len(prefix):], "/")
		next, keep := w.descend(lv, name, date)
		if !keep {
			continue
		}
		nd := date
		if lv >= levelYear && lv <= levelDay {
			nd = append(append([]string(nil), date...), name)
		}
		if err := w.level(ctx, d, next, nd); err != nil {
			return err
		}
	}
	return nil
}

// retryFailed lists again the objects that failed in the region folder
// prefix before its resume point, given by URI in key order: a listing
// of each of their day folders, which passes on those objects alone. An
// object no longer there is not listed, as a full listing would not.
func (w *walker) retryFailed(ctx context.Context, prefix string, uris []string) error {
	if len(uris) == 0 {
		return nil
	}
	folder := w.src.URI(prefix)
	want := make(map[string]bool, len(uris))
	var days []string
	for _, u := range uris {
		rel, ok := strings.CutPrefix(u, folder)
		if !ok || len(rel) < len("2006/01/02/") {
			continue
		}
		want[prefix+rel] = true
		if day := prefix + rel[:len("2006/01/02/")]; len(days) == 0 || days[len(days)-1] != day {
			days = append(days, day)
		}
	}
	for _, day := range days {
		var fnErr error
		err := w.src.List(ctx, day, func(o Object) error {
			if !want[o.Key] {
				return nil
			}
			return w.call(o, &fnErr)
		})
		if err := w.listed(ctx, day, err, fnErr); err != nil {
			return err
		}
	}
	return nil
}

// prunesBelow reports whether any filter or resume point can still prune
// folders at or below level lv; if none can, the rest is listed flat. A
// resume point applies to a region folder as a whole (level).
func (w *walker) prunesBelow(lv level) bool {
	switch {
	case lv <= levelAccount:
		return true
	case lv == levelRegion:
		return len(w.f.Regions) > 0 || w.f.timed() || len(w.resume) > 0
	case lv <= levelDay:
		return w.f.timed()
	}
	return false
}

// descend decides whether folder name at level lv can hold matching
// objects and returns the level inside it.
func (w *walker) descend(lv level, name string, date []string) (level, bool) {
	f := w.f
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
		if !awsid.IsAccount(name) {
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

// regionFolderRe finds, in a key or URI of CloudTrail's layout, the region
// folder and the day folder below it.
var regionFolderRe = regexp.MustCompile(`^((?:.*/)?AWSLogs/(?:o-[a-z0-9]{10,32}/)?[0-9]{12}/CloudTrail/[^/]+/)([0-9]{4}/[0-9]{2}/[0-9]{2})/[^/]+$`)

// regionFolder returns the region folder holding an object, from its key
// or URI, and the day of its day folder; ok is false outside the layout.
func regionFolder(uri string) (folder string, day time.Time, ok bool) {
	m := regionFolderRe.FindStringSubmatch(uri)
	if m == nil {
		return "", time.Time{}, false
	}
	day, err := time.Parse("2006/01/02", m[2])
	if err != nil {
		return "", time.Time{}, false
	}
	return m[1], day, true
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
