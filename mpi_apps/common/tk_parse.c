/* tk_parse.c -- bounded number parsing. */
#include "tk_parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int tk_parse_i64_slow(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    uint64_t v = 0;
    /* magnitude limit: 2^63 for negatives, 2^63-1 for positives */
    uint64_t lim;

    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return TK_PARSE_SYNTAX;
    lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    if (n - i <= 18) {
        /* up to 18 digits cannot overflow: no per-digit check */
        for (; i < n; i++) {
            unsigned d = (unsigned char)s[i] - '0';
            if (d > 9)
                return TK_PARSE_SYNTAX;
            v = v * 10 + d;
        }
    }
    for (; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            return TK_PARSE_SYNTAX;
        if (v > (lim - d) / 10) {
            /* keep checking the syntax so "12x" is a syntax error */
            for (i++; i < n; i++)
                if ((unsigned)((unsigned char)s[i] - '0') > 9)
                    return TK_PARSE_SYNTAX;
            return TK_PARSE_RANGE;
        }
        v = v * 10 + d;
    }
    {
        int64_t r = neg ? (v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v)
                        : (int64_t)v;
        if (r < min || r > max)
            return TK_PARSE_RANGE;
        *out = r;
    }
    return TK_PARSE_OK;
}

int tk_parse_i64z(const char *s, int64_t min, int64_t max, int64_t *out)
{
    return tk_parse_i64(s, strlen(s), min, max, out);
}

int tk_parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    double v;
    const char *p;

    if (*s == '\0')
        return TK_PARSE_SYNTAX;
    for (p = s; *p; p++) /* strtod's hex, inf and nan forms are not numbers here */
        if (!strchr("0123456789+-.eE", *p))
            return TK_PARSE_SYNTAX;
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0')
        return TK_PARSE_SYNTAX;
    /* ERANGE with a finite result is underflow: the subnormal or zero it rounds to */
    if ((errno == ERANGE && isinf(v)) || !isfinite(v) || v < min || v > max)
        return TK_PARSE_RANGE;
    *out = v;
    return TK_PARSE_OK;
}

int tk_parse_nonfinite(const char *s, size_t n, double *out)
{
    int neg = 0;

    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    if (n == 3 && strncasecmp(s, "nan", 3) == 0) {
        *out = NAN;
        return TK_PARSE_OK;
    }
    if ((n == 3 && strncasecmp(s, "inf", 3) == 0) ||
        (n == 8 && strncasecmp(s, "infinity", 8) == 0)) {
        *out = neg ? -INFINITY : INFINITY;
        return TK_PARSE_OK;
    }
    return TK_PARSE_SYNTAX;
}

int tk_parse_bool(const char *s, size_t n, int *out)
{
    if (n == 4 && strncasecmp(s, "true", 4) == 0) {
        *out = 1;
        return TK_PARSE_OK;
    }
    if (n == 5 && strncasecmp(s, "false", 5) == 0) {
        *out = 0;
        return TK_PARSE_OK;
    }
    return TK_PARSE_SYNTAX;
}

int tk_parse_size(const char *s, int64_t min, int64_t max, int64_t *out)
{
    static const char units[] = "KMGT";
    size_t n = 0, len = strlen(s);
    const char *u;
    int64_t v;
    int shift = 0, rc;

    while (n < len && s[n] >= '0' && s[n] <= '9')
        n++;
    if (n == 0)
        return TK_PARSE_SYNTAX;
    if (n < len) {
        const char *rest = s + n;
        u = strchr(units, rest[0] & ~0x20);
        if (!u || rest[0] == '\0')
            return TK_PARSE_SYNTAX;
        shift = 10 * (int)(u - units + 1);
        rest++;
        if (strcasecmp(rest, "") != 0 && strcasecmp(rest, "B") != 0 &&
            strcasecmp(rest, "iB") != 0)
            return TK_PARSE_SYNTAX;
    }
    rc = tk_parse_i64(s, n, 0, INT64_MAX, &v);
    if (rc != TK_PARSE_OK)
        return rc;
    if (shift && v > (INT64_MAX >> shift))
        return TK_PARSE_RANGE;
    v <<= shift;
    if (v < min || v > max)
        return TK_PARSE_RANGE;
    *out = v;
    return TK_PARSE_OK;
}
