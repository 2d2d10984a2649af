package corpus

import "strconv"

// jw appends compact JSON to a byte slice. It tracks commas per nesting
// level so callers write fields in order without bookkeeping; it does no
// validation, and building events this way avoids reflection per event.
type jw struct {
	b        []byte
	comma    [16]bool
	depth    int
	afterKey bool
}

func (w *jw) reset(b []byte) {
	w.b = b[:0]
	w.depth = 0
	w.comma[0] = false
	w.afterKey = false
}

func (w *jw) pre() {
	if w.afterKey {
		w.afterKey = false
		return
	}
	if w.comma[w.depth] {
		w.b = append(w.b, ',')
	}
	w.comma[w.depth] = true
}

func (w *jw) key(k string) {
	w.pre()
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':')
	w.afterKey = true
}

func (w *jw) obj() {
	w.pre()
	w.b = append(w.b, '{')
	w.depth++
	w.comma[w.depth] = false
}

func (w *jw) end() {
	w.b = append(w.b, '}')
	w.depth--
}

func (w *jw) arr() {
	w.pre()
	w.b = append(w.b, '[')
	w.depth++
	w.comma[w.depth] = false
}

func (w *jw) endArr() {
	w.b = append(w.b, ']')
	w.depth--
}

func (w *jw) str(s string) {
	w.pre()
	w.b = appendJSONString(w.b, s)
}

func (w *jw) raw(s []byte) {
	w.pre()
	w.b = append(w.b, s...)
}

func (w *jw) null() {
	w.pre()
	w.b = append(w.b, "null"...)
}

func (w *jw) int(n int64) {
	w.pre()
	w.b = strconv.AppendInt(w.b, n, 10)
}

func (w *jw) bool(v bool) {
	w.pre()
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jw) kstr(k, v string) { w.key(k); w.str(v) }
func (w *jw) kint(k string, v int64) {
	w.key(k)
	w.int(v)
}
func (w *jw) kbool(k string, v bool) { w.key(k); w.bool(v) }
func (w *jw) kobj(k string)          { w.key(k); w.obj() }
func (w *jw) karr(k string)          { w.key(k); w.arr() }

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Only '"', '\\' and control
// characters need escaping; everything the generator writes is ASCII.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
