/* tk_text.c -- text for one-line messages. */
#include "tk_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The escape for byte c into esc (at most 5 characters and a NUL); returns
 * its length, or 0 when c is shown as it is. */
static size_t escape_of(unsigned char c, char esc[6])
{
    static const char named[] = { '0', 0, 0, 0, 0, 0, 0, 'a', 'b', 't', 'n', 'v', 'f', 'r' };

    if (c == '\\')
        return (size_t)snprintf(esc, 6, "\\\\");
    if (c < sizeof(named) && named[c])
        return (size_t)snprintf(esc, 6, "\\%c", named[c]);
    if (c < 0x20 || c == 0x7f)
        return (size_t)snprintf(esc, 6, "\\x%02x", c);
    return 0;
}

char *tk_log_escape(char *out, size_t cap, const char *s, size_t len, size_t max)
{
    size_t i, n = 0, shown = len < max ? len : max;

    if (cap == 0)
        return out;
    if (cap < 4) {
        out[0] = '\0';
        return out;
    }
    for (i = 0; i < shown; i++) {
        char esc[6];
        size_t k = escape_of((unsigned char)s[i], esc);
        if (k == 0) {
            esc[0] = s[i];
            k = 1;
        }
        if (n + k + 3 + 1 > cap && (i + 1 < len || n + k + 1 > cap))
            break; /* no room for this byte and a final "..." */
        memcpy(out + n, esc, k);
        n += k;
    }
    if (i < len) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

char *tk_log_escapez(char *out, size_t cap, const char *s, size_t max)
{
    return tk_log_escape(out, cap, s, strlen(s), max);
}

char *tk_names_fit(char *buf, size_t cap, const char *const *names, size_t n, size_t max,
                   size_t limit)
{
    size_t used = 0, i;

    if (cap == 0)
        return buf;
    buf[0] = '\0';
    for (i = 0; i < n; i++) {
        char one[TK_NAME_SHOWN];
        size_t need = strlen(tk_log_escapez(one, sizeof(one), names[i], max)) + (i ? 2 : 0);
        if (used + need > limit || used + need >= cap)
            break;
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", one);
    }
    if (n == 0)
        snprintf(buf, cap, "none");
    else if (i < n)
        snprintf(buf + used, cap - used, "%s... %zu more", i ? ", " : "", n - i);
    return buf;
}

/* "%.Pg" of v with the least P in [lo, hi] that reads back as v: through
 * strtof when f32 (v is then a float32's value), else strtod. */
static int fmt_shortest(char *buf, size_t cap, double v, int lo, int hi, int f32)
{
    int p, n = 0;

    for (p = lo; p <= hi; p++) {
        n = snprintf(buf, cap, "%.*g", p, v);
        if (f32 ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v)
            break;
    }
    return n;
}

int tk_fmt_double(char *buf, size_t cap, double v, int min_digits)
{
    return fmt_shortest(buf, cap, v, min_digits, 17, 0);
}

int tk_fmt_float(char *buf, size_t cap, float f)
{
    return fmt_shortest(buf, cap, (double)f, 1, 9, 1);
}
