package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// elementSplitter cuts the elements out of a JSON array as raw byte slices,
// finding their ends by counting brackets outside strings. It does not
// validate the JSON inside an element: DuckDB's parser, which reads every
// element next, does that. This is the one hot path of ingest that does not
// go through a JSON library: tokenising each element with one cost twice as
// much CPU as decompressing it (BenchmarkDecode).
type elementSplitter struct {
	r   io.Reader
	buf []byte
	beg int // start of unconsumed data in buf
	end int // end of valid data in buf
	eof bool
}

const splitterChunk = 256 << 10

func newElementSplitter(r io.Reader, prefix []byte) *elementSplitter {
	s := &elementSplitter{r: r, buf: make([]byte, max(splitterChunk, 2*len(prefix)))}
	s.end = copy(s.buf, prefix)
	return s
}

// fill reads more data, keeping buf[beg:end] and moving it to the front.
func (s *elementSplitter) fill() error {
	if s.eof {
		return io.ErrUnexpectedEOF
	}
	if s.beg > 0 {
		s.end = copy(s.buf, s.buf[s.beg:s.end])
		s.beg = 0
	}
	if s.end == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if err == io.EOF {
		s.eof = true
		if n == 0 {
			return io.ErrUnexpectedEOF
		}
		return nil
	}
	return err
}

// skipSpace advances past white space and returns the next byte.
func (s *elementSplitter) skipSpace() (byte, error) {
	for {
		for s.beg < s.end {
			switch c := s.buf[s.beg]; c {
			case ' ', '\t', '\r', '\n':
				s.beg++
			default:
				return c, nil
			}
		}
		if err := s.fill(); err != nil {
			return 0, err
		}
	}
}

var errNotArray = errors.New("expected '['")

// open consumes the '[' that starts the array.
func (s *elementSplitter) open() error {
	c, err := s.skipSpace()
	if err != nil {
		return err
	}
	if c != '[' {
		return errNotArray
	}
	s.beg++
	return nil
}

// next returns the next element, or io.EOF after the closing ']'. The slice
// is valid until the next call.
func (s *elementSplitter) next(first bool) ([]byte, error) {
	c, err := s.skipSpace()
	if err != nil {
		return nil, err
	}
	if c == ']' {
		s.beg++
		return nil, io.EOF
	}
	if !first {
		if c != ',' {
			return nil, fmt.Errorf("expected ',' or ']', found %q", c)
		}
		s.beg++
		if c, err = s.skipSpace(); err != nil {
			return nil, err
		}
	}
	if c != '{' {
		return nil, fmt.Errorf("%w: element is not an object", ErrNotCloudTrail)
	}
	// Scan to the matching '}', refilling as needed. pos is relative to
	// beg so that it survives fill moving the data.
	depth, pos := 0, 0
	for {
		data := s.buf[s.beg:s.end]
		for pos < len(data) {
			switch data[pos] {
			case '"':
				// Jump to the closing quote: the bulk of an event is
				// string content, which IndexByte crosses fast.
				q := pos + 1
				for {
					i := bytes.IndexByte(data[q:], '"')
					if i < 0 {
						q = -1
						break
					}
					q += i
					if !escaped(data, q) {
						break
					}
					q++
				}
				if q < 0 {
					goto more // the string continues past the data read
				}
				pos = q + 1
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					el := data[:pos+1]
					s.beg += pos + 1
					return el, nil
				}
			}
			pos++
		}
	more:
		if err := s.fill(); err != nil {
			return nil, err
		}
	}
}

// escaped reports whether the quote at data[i] is escaped by an odd number
// of backslashes.
func escaped(data []byte, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && data[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// rest returns what follows the array, for the caller to check.
func (s *elementSplitter) rest() io.Reader {
	return io.MultiReader(bytes.NewReader(s.buf[s.beg:s.end]), s.r)
}
