package ingest

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
)

// recordKey returns the key eventIDExpr gives record — its top-level
// eventID, or "ctattrib:" and the MD5 of the record when it has none — so
// that deduplication need not hand DuckDB every record a second time. It
// returns "" when it cannot tell without a full JSON parser (an eventID
// that is not a plain string, or JSON it cannot follow); DuckDB then
// computes the key. TestRecordKeyAgrees holds the two to the same answer.
func recordKey(record string) string {
	key, _ := recordKeyAt(record)
	return key
}

// recordKeyAt is recordKey, and where in record the key is when it is the
// eventID's value as written (-1 otherwise).
func recordKeyAt(record string) (key string, at int) {
	id, at, found, ok := topLevelString(record, "eventID")
	switch {
	case !ok:
		return "", -1
	case found && id != "":
		return id, at
	}
	sum := md5.Sum([]byte(record))
	return "ctattrib:" + hex.EncodeToString(sum[:]), -1
}

// topLevelString finds key among the members of the JSON object s, and
// where in s its value starts. found reports whether the key is there
// with a string value; ok is false when s is not an object this scanner
// can follow, or the value is not a string without escapes.
func topLevelString(s, key string) (val string, at int, found, ok bool) {
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return "", -1, false, false
	}
	i++
	for {
		i = skipWS(s, i)
		if i >= len(s) {
			return "", -1, false, false
		}
		if s[i] == '}' {
			return "", -1, false, true
		}
		if s[i] != '"' {
			return "", -1, false, false
		}
		end, escaped := stringEnd(s, i)
		if end < 0 {
			return "", -1, false, false
		}
		name := s[i+1 : end]
		i = skipWS(s, end+1)
		if i >= len(s) || s[i] != ':' {
			return "", -1, false, false
		}
		i = skipWS(s, i+1)
		if i >= len(s) {
			return "", -1, false, false
		}
		if name == key {
			if s[i] == 'n' && strings.HasPrefix(s[i:], "null") {
				return "", -1, false, true
			}
			if s[i] != '"' {
				return "", -1, false, false
			}
			vend, vesc := stringEnd(s, i)
			if vend < 0 || vesc {
				return "", -1, false, false
			}
			return s[i+1 : vend], i + 1, true, true
		}
		if escaped {
			return "", -1, false, false // it may spell key with escapes
		}
		if i = skipValue(s, i); i < 0 {
			return "", -1, false, false
		}
		i = skipWS(s, i)
		if i >= len(s) {
			return "", -1, false, false
		}
		switch s[i] {
		case ',':
			i++
		case '}':
			return "", -1, false, true
		default:
			return "", -1, false, false
		}
	}
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index of the quote closing the string that opens
// at s[i], or -1, and whether the string holds escapes.
func stringEnd(s string, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(s); {
		// The first quote ends the string unless a backslash escapes it.
		// Looking for the quote, then for a backslash before it, lets
		// IndexByte's vector search do the work: escapes are rare.
		k := strings.IndexByte(s[j:], '"')
		if k < 0 {
			return -1, escaped
		}
		q := j + k
		b := strings.IndexByte(s[j:q], '\\')
		if b < 0 {
			return q, escaped
		}
		escaped = true
		p := j + b
		for p < q {
			if s[p] == '\\' {
				p += 2
			} else {
				p++
			}
		}
		if p == q {
			return q, escaped
		}
		j = q + 1 // the quote was escaped
	}
	return -1, escaped
}

// skipValue returns the index just past the JSON value at s[i], or -1.
// Nested values are skipped by counting brackets outside strings.
func skipValue(s string, i int) int {
	switch s[i] {
	case '"':
		end, _ := stringEnd(s, i)
		if end < 0 {
			return -1
		}
		return end + 1
	case '{', '[':
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			case '"':
				end, _ := stringEnd(s, i)
				if end < 0 {
					return -1
				}
				i = end
			}
			i++
		}
		return -1
	default:
		for i < len(s) && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r' {
			i++
		}
		return i
	}
}
