/* tk_text.c -- text for one-line messages. */
#include "tk_text.h"

#include <stdio.h>
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
