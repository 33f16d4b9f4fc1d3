/* tk_parse.h -- bounded number parsing for fields and options (never atoi).
 * All functions are local and allocate nothing. */
#ifndef TK_PARSE_H
#define TK_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { TK_PARSE_OK = 0, TK_PARSE_SYNTAX = -1, TK_PARSE_RANGE = -2 };

/* Parses s[0..n): an optional '+' or '-' then one or more decimal digits and
 * nothing else. Stores the value in *out when it lies in [min, max].
 * Returns TK_PARSE_OK, TK_PARSE_SYNTAX or TK_PARSE_RANGE. */
int tk_parse_i64_slow(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "tk_digits8/tk_value8 read 8 digits little-endian"
#endif

/* Local. Whether the 8 bytes in x (read little-endian) are all '0'..'9':
 * each high nibble 3, and the low nibble + 6 no carry into it. */
static inline int tk_digits8(uint64_t x)
{
    return (x & 0xF0F0F0F0F0F0F0F0ULL) == 0x3030303030303030ULL &&
           ((x + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) == 0x3030303030303030ULL;
}

/* Local. The value of 8 decimal digits (checked by tk_digits8), the first
 * in the lowest byte: pairs, then quads, then the eight (SWAR). */
static inline uint64_t tk_value8(uint64_t x)
{
    x -= 0x3030303030303030ULL;
    x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFULL;
    x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFULL;
    return (x * 10000 + (x >> 32)) & 0xFFFFFFFFULL;
}

static inline int tk_parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
    /* the common case inline: 1 to 18 plain digits cannot overflow; the
     * digits after the first n % 8 go eight at a time */
    if (n >= 1 && n <= 18 && (unsigned)((unsigned char)s[0] - '0') <= 9) {
        uint64_t v = 0;
        size_t i, head = n & 7;
        for (i = 0; i < head; i++) {
            unsigned d = (unsigned char)s[i] - '0';
            if (d > 9)
                return TK_PARSE_SYNTAX;
            v = v * 10 + d;
        }
        for (; i < n; i += 8) {
            uint64_t x;
            memcpy(&x, s + i, 8);
            if (!tk_digits8(x))
                return TK_PARSE_SYNTAX;
            v = v * 100000000ULL + tk_value8(x);
        }
        if ((int64_t)v < min || (int64_t)v > max)
            return TK_PARSE_RANGE;
        *out = (int64_t)v;
        return TK_PARSE_OK;
    }
    return tk_parse_i64_slow(s, n, min, max, out);
}

/* Like tk_parse_i64 for a NUL-terminated string. */
int tk_parse_i64z(const char *s, int64_t min, int64_t max, int64_t *out);

/* Parses a NUL-terminated finite decimal or exponent number (strtod syntax,
 * no hex, no inf/nan) within [min, max]. Only overflow is TK_PARSE_RANGE
 * (1e309); a value below DBL_MIN is accepted as the subnormal or zero it
 * rounds to (1e-320, 1e-400). */
int tk_parse_double(const char *s, double min, double max, double *out);

/* Parses s[0..n) as a non-finite value: "nan" in any case with an optional
 * sign (*out = NaN), or "inf"/"infinity" in any case with an optional sign
 * (*out = +-INFINITY). Returns TK_PARSE_OK or TK_PARSE_SYNTAX. */
int tk_parse_nonfinite(const char *s, size_t n, double *out);

/* Parses a NUL-terminated size: decimal digits, optionally followed by K, M,
 * G or T (binary: 2^10 ...; also KB/KiB and friends, any case) and within
 * [min, max] bytes. */
int tk_parse_size(const char *s, int64_t min, int64_t max, int64_t *out);

/* Parses "true"/"false" (case-insensitive) in s[0..n) into *out (1/0). */
int tk_parse_bool(const char *s, size_t n, int *out);

#endif
