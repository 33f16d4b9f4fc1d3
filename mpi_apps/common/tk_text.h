/* tk_text.h -- text for one-line messages. */
#ifndef TK_TEXT_H
#define TK_TEXT_H

#include <stddef.h>

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

#endif
