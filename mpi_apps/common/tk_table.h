/* tk_table.h -- reading a numeric table for a parallel job: each rank reads
 * only its own slice of the rows.
 *
 * A table is either an HDF5 file holding a group of equal-length 1-D numeric
 * datasets, one per column (logjoin's features.h5: group "/features", column
 * order in the group attribute "columns"), or a CSV file with a header line,
 * delimiter ';' or ',' (detected from the header). CSV values: integers and
 * decimals (strtod syntax, no hex/inf), "true"/"false" (1/0, case-insensitive);
 * an empty field, "NaN", "nan" or "NA" is missing (NaN). Rows are numbered in
 * file order from 0 whatever the number of ranks: HDF5 rank r reads rows
 * [total*r/P, total*(r+1)/P); CSV rank r reads the lines that start in its
 * byte range (tk_lines) and learns its first row's number by a prefix sum. */
#ifndef TK_TABLE_H
#define TK_TABLE_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "tk_status.h"

typedef enum { TK_COL_F32, TK_COL_F64 } tk_coltype;

typedef struct tk_table {
    size_t ncols;
    char **names;      /* owned copies, in the order asked */
    void **cols;       /* owned; cols[j] holds nrows floats or doubles (NaN = missing) */
    tk_coltype type;
    int *is_int;       /* per column: 1 when every value is an integer (HDF5: an integer
                        * type; CSV: every non-missing value on every rank) */
    uint64_t nrows;    /* this rank's rows */
    uint64_t row0;     /* global number of this rank's first row */
    uint64_t total;    /* rows over all ranks */
    int is_csv;
    char delim;        /* CSV delimiter */
} tk_table;

/* Collective. The names of the columns of path in file order (HDF5: the
 * "columns" attribute's order when present, else the group's 1-D numeric
 * datasets by name; CSV: the header). *names is an array of n owned strings:
 * release with tk_table_names_free. group is the HDF5 group (NULL: "/features");
 * ignored for CSV. Errors: missing/unreadable file (TK_ENOINPUT), not HDF5 and
 * no header (TK_EDATA), missing group (TK_EDATA, naming it). */
int tk_table_list(MPI_Comm comm, const char *path, const char *group, char ***names,
                  size_t *n, tk_err *e);

void tk_table_names_free(char **names, size_t n);

/* Collective. Reads the columns names[0..n) as type, this rank's slice of the
 * rows, into t (release with tk_table_free). Errors, each a one-line message
 * in e and the same status on every rank:
 *  - a name that is not a column: TK_EUSAGE "unknown column 'x' in FILE
 *    (available: a, b, c)";
 *  - HDF5 datasets of unequal length or not 1-D numeric: TK_EDATA naming them;
 *  - a CSV row with the wrong number of fields or a non-numeric value:
 *    TK_EDATA "FILE:LINE: ..." (the first such row in file order);
 *  - an empty table (no rows at all): TK_EDATA "FILE: no rows";
 *  - no columns asked: TK_EUSAGE; a missing group: TK_EDATA "FILE: no group 'G'".
 * cols[j] is never NULL, even on a rank with no rows. CSV is_int goes by
 * value ("55.0" is an integer; an all-missing column counts as integer).
 * HDF5 values too large for float32 become infinities (the caller checks);
 * CSV values too large are an error. */
int tk_table_read(MPI_Comm comm, const char *path, const char *group,
                  const char *const *names, size_t n, tk_coltype type, tk_table *t,
                  tk_err *e);

/* Local. */
void tk_table_free(tk_table *t);

/* Local. Index of column name in t, or -1. */
int tk_table_find(const tk_table *t, const char *name);

#endif
