/* tk_table.h -- reading a numeric table for a parallel job: each rank reads
 * only its own slice of the rows.
 *
 * A table is either an HDF5 file holding a group of equal-length 1-D numeric
 * datasets, one per column (logjoin's features.h5: group "/features", column
 * order in the group attribute "columns"), or a CSV file with a header line,
 * delimiter ';' or ',' (detected from the header). A file whose name ends in
 * .h5, .hdf5 or .he5 must be HDF5 ("not an HDF5 file" otherwise).
 *
 * CSV values, one rule for every column:
 *  - an empty field, "NA", or "nan" in any case with an optional sign ("NaN",
 *    "NAN", "-nan") is missing (NaN);
 *  - "inf" or "infinity" in any case with an optional sign is +-infinity.
 *    Features and labels must be finite, as in xgboost: in a TK_COL_F32 read
 *    an infinity is an error "FILE:LINE: column 'x': 'inf' is infinite ..."
 *    (HDF5 infinities are left to the caller, which checks them: gbtrain and
 *    gbpredict refuse them naming the row); TK_COL_F64 and TK_COL_EXACT
 *    (gbpredict's kept columns) carry infinities;
 *  - "true"/"false" (any case) are 1/0;
 *  - integers: an optional sign and decimal digits;
 *  - decimals: strtod syntax without hex (digits, '.', exponent). A value that
 *    rounds to a finite number of the column type is accepted, subnormals and
 *    values that round to 0 included (1e-45 is float32's 1.4e-45;
 *    3.4028235e38 is FLT_MAX); only one that overflows the type (1e39 for
 *    float32, 1e309) is "out of range";
 *  - anything else is "not a number".
 * Integer columns: HDF5 integer (or enum) datasets, and CSV columns whose
 * every non-missing value is an integer literal, true/false, or a decimal of
 * integral value within +-2^53 ("55.0"). With TK_COL_EXACT they are also held
 * as exact int64 (an unsigned HDF5 value above INT64_MAX, or a CSV integer
 * literal outside int64, is then an error naming the column and row).
 *
 * Rows are numbered in file order from 0 whatever the number of ranks: HDF5
 * rank r reads rows [total*r/P, total*(r+1)/P); CSV rank r reads the lines
 * that start in its byte range (tk_lines) and learns its first row's number
 * by a prefix sum. Values shown in messages are escaped (tk_log_escape). */
#ifndef TK_TABLE_H
#define TK_TABLE_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "tk_status.h"

/* TK_COL_EXACT: cols[] as TK_COL_F64, and integer columns also in icols[]. */
typedef enum { TK_COL_F32, TK_COL_F64, TK_COL_EXACT } tk_coltype;

typedef struct tk_table {
    size_t ncols;
    char **names;      /* owned copies, in the order asked */
    void **cols;       /* owned; cols[j] holds nrows floats (TK_COL_F32) or doubles
                        * (TK_COL_F64, TK_COL_EXACT); NaN = missing */
    int64_t **icols;   /* owned; TK_COL_EXACT only (else NULL): icols[j] holds the
                        * nrows exact values of an integer column (0 where cols[j]
                        * is NaN: missing), NULL for other columns */
    tk_coltype type;
    int *is_int;       /* per column: 1 for an integer column (see above; CSV: over
                        * every rank; an all-missing column counts as integer) */
    uint64_t nrows;    /* this rank's rows */
    uint64_t row0;     /* global number of this rank's first row */
    uint64_t total;    /* rows over all ranks */
    int is_csv;
    char delim;        /* CSV delimiter */
} tk_table;

/* Collective. The numeric columns of path in file order, for a caller that
 * takes "every column": HDF5: the 1-D numeric datasets of group, in the
 * "columns" attribute's order when present, else by name; CSV: the header's
 * columns holding no value that is "not a number" (see above) on any row.
 * For a CSV this reads the whole file once (every rank its byte range); rows
 * with the wrong number of fields or bad quoting are left to tk_table_read to
 * report. *names is an array of n owned strings: release with
 * tk_table_names_free. group is the HDF5 group (NULL: "/features"); ignored
 * for CSV. Errors: missing/unreadable file or not a regular file
 * (TK_ENOINPUT), not HDF5 and no header (TK_EDATA), missing group (TK_EDATA,
 * naming it). */
int tk_table_list(MPI_Comm comm, const char *path, const char *group, char ***names,
                  size_t *n, tk_err *e);

/* Collective. Like tk_table_list without reading a CSV's data: every name of
 * the header (HDF5: the same as tk_table_list). For callers that name their
 * columns (a model's features), so that tk_table_read reports a non-numeric
 * value with its row. *delim: the CSV delimiter, 0 for HDF5 (may be NULL).
 * Ownership and errors as tk_table_list. */
int tk_table_header(MPI_Comm comm, const char *path, const char *group, char ***names,
                    size_t *n, char *delim, tk_err *e);

/* Local; allocates nothing. For a message about a missing column: when a CSV
 * header (delim != 0) names[0..n) is one field holding another likely
 * delimiter (tab, ';', ',', '|'), writes "; the header has one field; is the
 * file 'X'-delimited?" into the caller's hint[0..cap); else "". */
void tk_table_hint(char *hint, size_t cap, const char *const *names, size_t n, char delim);

/* Local. Releases names[0..n) and the array; NULL is allowed. */
void tk_table_names_free(char **names, size_t n);

/* Collective. Reads the columns names[0..n) as type, this rank's slice of the
 * rows, into t (release with tk_table_free; t is owned by the caller and
 * emptied on failure). Errors, each a one-line message in e and the same
 * status on every rank:
 *  - a name that is not a column: TK_EUSAGE "unknown column 'x' in FILE
 *    (available: a, b, c)", with a hint when a CSV header has one field;
 *  - HDF5 datasets of unequal length or not 1-D numeric: TK_EDATA naming them;
 *  - a CSV row with the wrong number of fields or a value that is not a
 *    number or out of range: TK_EDATA "FILE:LINE: ..." (the first such row
 *    in file order);
 *  - TK_COL_EXACT: an integer beyond int64: TK_EDATA naming column and row;
 *  - an empty table (no rows at all): TK_EDATA "FILE: no rows";
 *  - no columns asked: TK_EUSAGE; a missing group: TK_EDATA "FILE: no group 'G'".
 * cols[j] is never NULL, even on a rank with no rows. HDF5 values too large
 * for float32 become infinities (the caller checks). */
int tk_table_read(MPI_Comm comm, const char *path, const char *group,
                  const char *const *names, size_t n, tk_coltype type, tk_table *t,
                  tk_err *e);

/* Local. Releases what t owns and empties it. */
void tk_table_free(tk_table *t);

/* Local. Index of column name in t, or -1. */
int tk_table_find(const tk_table *t, const char *name);

#endif
