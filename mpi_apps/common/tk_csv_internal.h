/* tk_csv_internal.h -- the two paths of tk_csv_split, one at a time, for
 * the tests that compare them; not part of the library's interface (use
 * tk_csv.h). */
#ifndef TK_CSV_INTERNAL_H
#define TK_CSV_INTERNAL_H

#include <stddef.h>

#include "tk_csv.h"

/* Local. tk_csv_split through libcsv whatever the line holds (the parser of
 * record): the same contract as tk_csv_split. */
int tk_csv_split_libcsv(tk_csv *c, const char *line, size_t len, const char **why);

/* Local. The fast path of tk_csv_split alone (a final CR is ignored): returns
 * 1 when it split the line into c's fields, 0 when the line is libcsv's to
 * split (it holds a quote, CR or LF, or the delimiter is one of them; c's
 * fields are then undefined), or -1 when out of memory. */
int tk_csv_split_fast(tk_csv *c, const char *line, size_t len);

#endif
