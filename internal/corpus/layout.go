package corpus

import (
	"bytes"
	"fmt"
	"time"

	"github.com/klauspost/compress/gzip"
)

// accountPrefix is [prefix/]AWSLogs/[o-org/]ACCOUNT/.
func (w *world) accountPrefix(a *account) string {
	p := w.cfg.Prefix
	if p != "" && p[len(p)-1] != '/' {
		p += "/"
	}
	p += "AWSLogs/"
	if a.orgID != "" {
		p += a.orgID + "/"
	}
	return p + a.id + "/"
}

// delivered is when CloudTrail writes file f: a few minutes after its
// window closes.
func (f *fileSpec) delivered() int64 {
	return f.t1 + 60 + int64(f.seed%240)
}

// logKey names a log file the way CloudTrail does:
// ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_<16 alphanumerics>.json.gz in
// the folder of its delivery day.
func (w *world) logKey(f *fileSpec) string {
	d := time.Unix(f.delivered(), 0).UTC()
	a := f.s.acct
	b := make([]byte, 0, 160)
	b = append(b, w.accountPrefix(a)...)
	b = append(b, "CloudTrail/"...)
	b = append(b, f.s.region...)
	b = d.AppendFormat(append(b, '/'), "2006/01/02/")
	b = append(b, a.id...)
	b = append(b, "_CloudTrail_"...)
	b = append(b, f.s.region...)
	b = d.AppendFormat(append(b, '_'), "20060102T1504Z_")
	b = appendID(b, "", 16, alnum, hash2(f.seed, 0x6b6579))
	b = append(b, ".json.gz"...)
	return string(b)
}

// writeDigests writes the first cfg.Digests hourly digest objects of each
// stream. Their bodies list that hour's log files; the hashes and
// signatures are placeholders, since nothing verifies them.
func (w *world) writeDigests(write WriteFunc) (int, error) {
	n := 0
	var zbuf bytes.Buffer
	for si, s := range w.streams {
		a := s.acct
		prevKey := ""
		for h := range w.cfg.Digests {
			hs := w.start + int64(h)*3600
			he := hs + 3600
			if hs >= w.end+3600 {
				break
			}
			end := time.Unix(he, 0).UTC()
			key := fmt.Sprintf("%sCloudTrail-Digest/%s/%s/%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz",
				w.accountPrefix(a), s.region, end.Format("2006/01/02"), a.id, s.region, a.trail, a.regions[0], end.Format("20060102T150405Z"))
			var jw jw
			jw.obj()
			jw.kstr("awsAccountId", a.id)
			jw.kstr("digestStartTime", fmtTime(hs))
			jw.kstr("digestEndTime", fmtTime(he))
			jw.kstr("digestS3Bucket", a.bucket)
			jw.kstr("digestS3Object", key)
			jw.kstr("digestPublicKeyFingerprint", fmt.Sprintf("%016x%016x", hash2(w.seed, 1), hash2(w.seed, 2)))
			jw.kstr("digestSignatureAlgorithm", "SHA256withRSA")
			jw.kstr("newestEventTime", fmtTime(he-1))
			jw.kstr("oldestEventTime", fmtTime(hs))
			if prevKey != "" {
				jw.kstr("previousDigestS3Bucket", a.bucket)
				jw.kstr("previousDigestS3Object", prevKey)
				jw.kstr("previousDigestHashValue", fmt.Sprintf("%016x%016x%016x%016x", hash2(w.seed, uint64(h)), hash3(w.seed, uint64(h), 1), hash3(w.seed, uint64(h), 2), hash3(w.seed, uint64(h), 3)))
				jw.kstr("previousDigestHashAlgorithm", "SHA-256")
				jw.kstr("previousDigestSignature", fmt.Sprintf("%016x%016x", hash3(w.seed, uint64(h), 4), hash3(w.seed, uint64(h), 5)))
			} else {
				jw.key("previousDigestS3Bucket")
				jw.null()
				jw.key("previousDigestS3Object")
				jw.null()
				jw.key("previousDigestSignature")
				jw.null()
			}
			jw.karr("logFiles")
			for win := range w.windows {
				f := w.file(win*len(w.streams) + si)
				if d := f.delivered(); d < hs || d >= he {
					continue
				}
				jw.obj()
				jw.kstr("s3Bucket", a.bucket)
				jw.kstr("s3Object", w.logKey(&f))
				jw.kstr("hashValue", fmt.Sprintf("%016x%016x%016x%016x", hash2(f.seed, 1), hash2(f.seed, 2), hash2(f.seed, 3), hash2(f.seed, 4)))
				jw.kstr("hashAlgorithm", "SHA-256")
				jw.kstr("newestEventTime", fmtTime(f.t1-1))
				jw.kstr("oldestEventTime", fmtTime(f.t0))
				jw.end()
			}
			jw.endArr()
			jw.end()
			zbuf.Reset()
			zw := gzip.NewWriter(&zbuf)
			if _, err := zw.Write(jw.b); err != nil {
				return n, err
			}
			if err := zw.Close(); err != nil {
				return n, err
			}
			if err := write(key, zbuf.Bytes()); err != nil {
				return n, fmt.Errorf("write %s: %w", key, err)
			}
			prevKey = key
			n++
		}
	}
	return n, nil
}
