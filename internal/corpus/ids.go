package corpus

import (
	"math/rand/v2"
	"time"
)

// mixHash is the splitmix64 finaliser: a cheap, well-spread hash of one word.
func mixHash(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hash2 and hash3 combine words into one; every derived identifier (keys,
// file seeds) comes from them so it depends only on the seed and its inputs.
func hash2(a, b uint64) uint64    { return mixHash(mixHash(a) ^ b) }
func hash3(a, b, c uint64) uint64 { return mixHash(mixHash(mixHash(a)^b) ^ c) }

// strHash is FNV-1a, used to turn names into hash inputs.
func strHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

const (
	base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	alnum       = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	upperHex    = "0123456789ABCDEF"
	base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// appendID appends prefix and n characters from alphabet, drawn from h and
// rehashes of it: the shape of AWS access key and unique IDs (ASIA...,
// AROA..., AIDA...).
func appendID(b []byte, prefix string, n int, alphabet string, h uint64) []byte {
	b = append(b, prefix...)
	x := h
	for i := 0; i < n; i++ {
		if i%10 == 0 {
			h = mixHash(h + uint64(i))
			x = h
		}
		b = append(b, alphabet[x%uint64(len(alphabet))])
		x /= uint64(len(alphabet))
	}
	return b
}

// accessKey returns an ASIA/AKIA-style key ID derived from h.
func accessKey(prefix string, h uint64) string {
	return string(appendID(make([]byte, 0, 20), prefix, 16, base32Upper, h))
}

// uniqueID returns an AROA/AIDA-style IAM unique ID derived from h.
func uniqueID(prefix string, h uint64) string {
	return string(appendID(make([]byte, 0, 21), prefix, 17, base32Upper, h))
}

// appendUUID appends a random (version 4) UUID drawn from r.
func appendUUID(b []byte, r *rand.Rand) []byte {
	hi, lo := r.Uint64(), r.Uint64()
	hi = hi&^(0xf<<12) | 4<<12   // version 4
	lo = lo&^(0x3<<62) | 0x2<<62 // RFC 4122 variant
	var u [16]byte
	for i := 0; i < 8; i++ {
		u[i] = byte(hi >> (56 - 8*i))
		u[8+i] = byte(lo >> (56 - 8*i))
	}
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return b
}

// appendRand appends n characters of alphabet drawn from r.
func appendRand(b []byte, n int, alphabet string, r *rand.Rand) []byte {
	for i := 0; i < n; i++ {
		b = append(b, alphabet[r.IntN(len(alphabet))])
	}
	return b
}

const timeLayout = "2006-01-02T15:04:05Z"

func appendTime(b []byte, t int64) []byte {
	return time.Unix(t, 0).UTC().AppendFormat(b, timeLayout)
}

func fmtTime(t int64) string { return string(appendTime(nil, t)) }

// floorDiv divides rounding toward negative infinity, so session periods
// before a phase get negative indexes rather than sharing period 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
