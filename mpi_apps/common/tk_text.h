/* tk_text.h -- text for one-line messages. */
#ifndef TK_TEXT_H
#define TK_TEXT_H

#include <stddef.h>

#define TK_NAME_SHOWN 160 /* room for one escaped name in tk_names_fit */

/* Local; allocates nothing. Copies s[0..len) into out (the caller's buffer of
 * cap bytes) so that it can be printed inside a one-line message: NUL and
 * other control bytes and DEL become C-style escapes (\0 \t \n \r, else
 * \xNN), a backslash becomes \\, other bytes (UTF-8 too) are copied as they
 * are. At most max bytes of s are shown; when s is longer, or out is too small,
 * the copy stops before an escape would be split and ends in "...". NULs
 * inside s are shown, never taken as its end. out is always NUL-terminated
 * (needs cap >= 4 to show anything). Returns out. */
char *tk_log_escape(char *out, size_t cap, const char *s, size_t len, size_t max);

/* Local. Like tk_log_escape for a NUL-terminated s. */
char *tk_log_escapez(char *out, size_t cap, const char *s, size_t max);

/* Local; allocates nothing. Writes into the caller's buf (cap bytes) the
 * names names[0..n) as "a, b, c", each escaped (tk_log_escapez, at most max
 * bytes of a name shown; a longer escape is cut at TK_NAME_SHOWN - 1 bytes
 * with "..."), as many as keep the list within limit bytes, then "... N more"
 * for the rest; "none" when n is 0. Leave cap >= limit + 32 for that tail;
 * the text always ends within buf. Returns buf. */
char *tk_names_fit(char *buf, size_t cap, const char *const *names, size_t n, size_t max,
                   size_t limit);

/* Local; allocates nothing. Writes into the caller's buf (cap bytes) the
 * "%.Pg" text of v with the least P in [min_digits, 17] that reads back
 * (strtod) as v: with min_digits 1 the shortest round trip, as Python's
 * str(float). Returns the length snprintf gives. A NaN never reads back:
 * "%.17g" ("nan"). */
int tk_fmt_double(char *buf, size_t cap, double v, int min_digits);

/* Local; allocates nothing. Like tk_fmt_double for a float32: the least P in
 * [1, 9] whose text reads back (strtof) as f ("0.5", not "0.500000000"). */
int tk_fmt_float(char *buf, size_t cap, float f);

#endif
