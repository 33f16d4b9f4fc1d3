/* tk_table_internal.h -- what tk_table.c (kinds of file, names, the
 * interface), tk_table_csv.c and tk_table_h5.c share; not part of the
 * library's interface (use tk_table.h). */
#ifndef TK_TABLE_INTERNAL_H
#define TK_TABLE_INTERNAL_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "tk_status.h"
#include "tk_table.h"

#define TABLE_GROUP "/features"     /* the default HDF5 group */
#define TABLE_CHUNK (1u << 20)      /* CSV bytes read at a time */
#define TABLE_ROWS0 4096            /* first capacity of a CSV column */
#define TABLE_LIST_MAX 400          /* characters of column names in a message */
#define TABLE_VALUE_MAX 40          /* bytes of a bad value shown in a message */
#define TABLE_NAME_MAX 100          /* bytes of a column name shown in a message */
#define TABLE_SHOWN 160             /* room for an escaped name (cut with "...") */

/* A growable array of owned strings. */
typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

/* Local. Appends a copy of s[0..len) (NUL-terminated) to l. Returns 0, or -1
 * when out of memory (l unchanged). */
int tk_table_strlist_add(strlist *l, const char *s, size_t len);

/* Local. Frees l's strings and array; l is left empty. */
void tk_table_strlist_free(strlist *l);

/* Bytes of one value of a column read as type. */
static inline size_t tk_table_elem_size(tk_coltype type)
{
    return type == TK_COL_F32 ? sizeof(float) : sizeof(double);
}

/* First row (or byte) of part r of P: floor(total * r / P) without overflow. */
static inline uint64_t tk_table_slice_at(uint64_t total, int r, int p)
{
    uint64_t q = total / (uint64_t)p, m = total % (uint64_t)p;

    return q * (uint64_t)r + m * (uint64_t)r / (uint64_t)p;
}

/* Local. Records TK_EUSAGE "unknown column 'x' in FILE (available: a, b, c)",
 * listing as many names as fit in the message (escaped), with a hint when a
 * CSV header (delim, else 0) has one field. Returns the recorded status. */
int tk_table_unknown_column(tk_err *e, const char *name, const char *path,
                            const char *const *avail, size_t n, char delim);

/* Local. Allocates t's names (copies), column pointers and flags for n
 * columns of type; t owns them (tk_table_free). */
int tk_table_alloc_cols(tk_table *t, const char *const *names, size_t n, tk_coltype type,
                        tk_err *e);

/* Collective (tk_table_csv.c). The header names of the CSV path into l (owned
 * by the caller), keeping with numeric_only only the columns that hold no
 * value that is "not a number" on any row; *delim (may be NULL) receives the
 * delimiter. The same status on every rank. */
int tk_table_csv_names(MPI_Comm comm, const char *path, int numeric_only, strlist *l,
                       char *delim, tk_err *e);

/* Collective (tk_table_csv.c). tk_table_read for a CSV file. */
int tk_table_csv_read(MPI_Comm comm, const char *path, const char *const *names, size_t n,
                      tk_coltype type, tk_table *t, tk_err *e);

/* Collective (tk_table_h5.c). The columns of group in listing order into l
 * (owned by the caller). Errors as tk_table_list. */
int tk_table_h5_names(MPI_Comm comm, const char *path, const char *group, strlist *l,
                      tk_err *e);

/* Collective (tk_table_h5.c). tk_table_read for an HDF5 file. */
int tk_table_h5_read(MPI_Comm comm, const char *path, const char *group,
                     const char *const *names, size_t n, tk_coltype type, tk_table *t,
                     tk_err *e);

#endif
