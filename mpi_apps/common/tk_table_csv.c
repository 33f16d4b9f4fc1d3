/* tk_table_csv.c -- tk_table's CSV reader: rank 0 reads the header and
 * broadcasts it; every rank streams the lines starting in its byte range
 * (tk_lines) and parses each value by the rule of tk_table.h. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tk_csv.h"
#include "tk_mpi.h"
#include "tk_parse.h"
#include "tk_table_internal.h"
#include "tk_text.h"

#define F32_OVERFLOW 0x1.ffffffp127 /* the least double that rounds to float32 infinity */
#define EXACT_MAX 9007199254740992.0 /* 2^53: a double above it may not be the literal */

typedef struct csv_meta {
    uint64_t size, data_start; /* as rank 0 found them before the split */
    int64_t mtime_ns;          /* checked again once each rank has read its range */
    char delim;
} csv_meta;

/* Rank 0: the header of path (names, delimiter, where the data starts). */
static int csv_header(const char *path, strlist *names, csv_meta *m, tk_err *e)
{
    tk_csv_header h;
    tk_csv c;
    size_t j;

    tk_csv_read_header(path, 0, TK_CSV_HEADER_TEXT, &c, &h, e);
    m->size = h.size;
    m->mtime_ns = h.mtime_ns;
    m->data_start = h.data_start;
    m->delim = (char)h.delim;
    if (e->status != TK_OK)
        return e->status;
    for (j = 0; j < tk_csv_nfields(&c); j++)
        if (tk_table_strlist_add(names, tk_csv_field(&c, j), tk_csv_field_len(&c, j)) != 0) {
            tk_err_set(e, TK_ESOFTWARE, "out of memory");
            break;
        }
    tk_csv_free(&c);
    return e->status;
}

/* Collective. Rank 0's names reach every rank. */
static int bcast_names(MPI_Comm comm, strlist *l, tk_err *e)
{
    uint64_t hdr[2] = { 0, 0 }; /* bytes, names */
    char *buf = NULL;
    size_t i, at;
    int rank;

    MPI_Comm_rank(comm, &rank);
    if (rank == 0) {
        for (i = 0; i < l->n; i++)
            hdr[0] += strlen(l->v[i]) + 1;
        hdr[1] = l->n;
        if (hdr[0] > INT_MAX)
            tk_err_set(e, TK_EDATA, "header too long");
        else if (!(buf = malloc(hdr[0] ? hdr[0] : 1)))
            tk_err_set(e, TK_ESOFTWARE, "out of memory");
        else
            for (i = 0, at = 0; i < l->n; i++) {
                size_t n = strlen(l->v[i]) + 1;
                memcpy(buf + at, l->v[i], n);
                at += n;
            }
    }
    if (tk_mpi_agree(comm, e) != TK_OK)
        goto out;
    MPI_Bcast(hdr, 2, MPI_UINT64_T, 0, comm);
    if (rank != 0 && !(buf = malloc(hdr[0] ? hdr[0] : 1)))
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
    if (tk_mpi_agree(comm, e) != TK_OK)
        goto out;
    MPI_Bcast(buf, (int)hdr[0], MPI_CHAR, 0, comm);
    if (rank != 0)
        for (i = 0, at = 0; i < hdr[1]; i++) {
            size_t n = strlen(buf + at);
            if (tk_table_strlist_add(l, buf + at, n) != 0) {
                tk_err_set(e, TK_ESOFTWARE, "out of memory");
                break;
            }
            at += n + 1;
        }
    tk_mpi_agree(comm, e);
out:
    free(buf);
    return e->status;
}

/* Collective. The header on every rank. */
static int csv_open(MPI_Comm comm, const char *path, strlist *names, csv_meta *m, tk_err *e)
{
    uint64_t meta[4];
    int rank;

    MPI_Comm_rank(comm, &rank);
    memset(m, 0, sizeof(*m));
    if (rank == 0)
        csv_header(path, names, m, e);
    if (tk_mpi_agree(comm, e) != TK_OK)
        return e->status;
    meta[0] = m->size;
    meta[1] = m->data_start;
    meta[2] = (unsigned char)m->delim;
    meta[3] = (uint64_t)m->mtime_ns;
    MPI_Bcast(meta, 4, MPI_UINT64_T, 0, comm);
    m->size = meta[0];
    m->data_start = meta[1];
    m->delim = (char)meta[2];
    m->mtime_ns = (int64_t)meta[3];
    return bcast_names(comm, names, e);
}

enum { VAL_OK = 0, VAL_NAN = 1, VAL_RANGE = 2, VAL_BEYOND_I64 = 3, VAL_INF = 4 };

/* Parses one field by the rule of tk_table.h into *v (NaN when missing).
 * *exact says whether the value is an integer held exactly in *iv (a missing
 * value is: *iv = 0). Returns VAL_OK, VAL_NAN (not a number), VAL_RANGE (out
 * of range for type), VAL_INF (an infinity in a TK_COL_F32 column) or, with
 * TK_COL_EXACT, VAL_BEYOND_I64 (an integer literal outside int64). */
static int parse_value(const char *s, size_t len, tk_coltype type, double *v, int64_t *iv,
                       int *exact)
{
    int b, rc;

    *iv = 0;
    *exact = 1;
    if (len == 0 || (len == 2 && memcmp(s, "NA", 2) == 0) ||
        (tk_parse_nonfinite(s, len, v) == TK_PARSE_OK && isnan(*v))) {
        *v = NAN;
        return VAL_OK;
    }
    if (memchr(s, '\0', len)) /* a NUL byte inside the field */
        return VAL_NAN;
    rc = tk_parse_i64(s, len, INT64_MIN, INT64_MAX, iv);
    if (rc == TK_PARSE_OK) {
        *v = (double)*iv;
        return VAL_OK;
    }
    if (rc == TK_PARSE_RANGE && type == TK_COL_EXACT)
        return VAL_BEYOND_I64;
    *exact = 0;
    if (tk_parse_bool(s, len, &b) == TK_PARSE_OK) {
        *v = b;
        *iv = b;
        *exact = 1;
        return VAL_OK;
    }
    if (tk_parse_nonfinite(s, len, v) == TK_PARSE_OK) /* an infinity */
        return type == TK_COL_F32 ? VAL_INF : VAL_OK;
    rc = tk_parse_double(s, -DBL_MAX, DBL_MAX, v);
    if (rc != TK_PARSE_OK)
        return rc == TK_PARSE_RANGE ? VAL_RANGE : VAL_NAN;
    if (type == TK_COL_F32 && fabs(*v) >= F32_OVERFLOW)
        return VAL_RANGE;
    if (*v == trunc(*v) && fabs(*v) <= EXACT_MAX) { /* "55.0", "-1e3" */
        *iv = (int64_t)*v;
        *exact = 1;
    }
    return VAL_OK;
}

typedef struct csv_reader {
    tk_lines lines;
    int lines_open;
    tk_csv csv;
    int csv_open;
    size_t cap;           /* rows each column can hold */
    int bad;              /* a bad row was met: stop */
    uint64_t bad_line;    /* its index among this rank's lines, from 0 */
    char why[TK_ERR_MSG_MAX];
} csv_reader;

/* Makes room for one more row in every column of t. */
static int csv_grow(csv_reader *s, tk_table *t, const char *path, tk_err *e)
{
    size_t cap = s->cap ? s->cap * 2 : TABLE_ROWS0, j;

    if (t->nrows < s->cap)
        return TK_OK;
    for (j = 0; j < t->ncols; j++) {
        void *p = realloc(t->cols[j], cap * tk_table_elem_size(t->type));
        if (!p)
            return tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", path);
        t->cols[j] = p;
        if (t->icols && t->is_int[j]) {
            if (!(p = realloc(t->icols[j], cap * sizeof(int64_t))))
                return tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", path);
            t->icols[j] = p;
        }
    }
    s->cap = cap;
    return TK_OK;
}

/* Why field f[0..fl) of column name is bad (rc from parse_value), into why. */
static void bad_value(char *why, size_t cap, const char *name, const char *f, size_t fl,
                      int rc, tk_coltype type)
{
    char shown[TABLE_SHOWN], val[TABLE_VALUE_MAX * 2];
    const char *what = rc == VAL_NAN          ? "not a number"
                       : rc == VAL_BEYOND_I64 ? "an integer beyond int64"
                       : rc == VAL_INF        ? "infinite (features and labels must be finite)"
                       : type == TK_COL_F32   ? "out of range for float32"
                                              : "out of range";

    tk_log_escape(shown, sizeof(shown), name, strlen(name), TABLE_NAME_MAX);
    tk_log_escape(val, sizeof(val), f, fl, TABLE_VALUE_MAX);
    if (snprintf(why, cap, "column '%s': '%s' is %s", shown, val, what) < 0)
        why[0] = '\0';
}

/* One non-empty line: appends a row to t, or records why it is bad. */
static int csv_row(csv_reader *s, tk_table *t, const int *idx, size_t nfields,
                   const char *line, size_t len, const char *path, tk_err *e)
{
    const char *why;
    size_t j;
    int rc = tk_csv_split(&s->csv, line, len, &why);

    if (rc == TK_ESOFTWARE)
        return tk_err_set(e, rc, "out of memory parsing %s", path);
    if (rc != TK_OK) {
        snprintf(s->why, sizeof(s->why), "%s", why);
        goto bad;
    }
    if (tk_csv_nfields(&s->csv) != nfields) {
        snprintf(s->why, sizeof(s->why), "expected %zu fields, found %zu", nfields,
                 tk_csv_nfields(&s->csv));
        goto bad;
    }
    if (csv_grow(s, t, path, e) != TK_OK)
        return e->status;
    for (j = 0; j < t->ncols; j++) {
        const char *f = tk_csv_field(&s->csv, (size_t)idx[j]);
        size_t fl = tk_csv_field_len(&s->csv, (size_t)idx[j]);
        double v = 0;
        int64_t iv;
        int exact, bad = parse_value(f, fl, t->type, &v, &iv, &exact);
        if (bad) {
            bad_value(s->why, sizeof(s->why), t->names[j], f, fl, bad, t->type);
            goto bad;
        }
        if (t->type == TK_COL_F32)
            ((float *)t->cols[j])[t->nrows] = (float)v;
        else
            ((double *)t->cols[j])[t->nrows] = v;
        if (!exact && t->is_int[j]) {
            t->is_int[j] = 0;
            if (t->icols) {
                free(t->icols[j]);
                t->icols[j] = NULL;
            }
        } else if (t->icols && t->is_int[j]) {
            t->icols[j][t->nrows] = iv;
        }
    }
    t->nrows++;
    return TK_OK;
bad:
    s->bad = 1;
    s->bad_line = s->lines.lines - 1;
    return TK_OK;
}

/* Collective. is_int over all ranks; columns trimmed to this rank's rows
 * (never NULL); exact copies kept for integer columns only. */
static int csv_finish(MPI_Comm comm, tk_table *t, tk_err *e)
{
    size_t n = t->ncols, j, rows = (size_t)(t->nrows ? t->nrows : 1);
    int *all_int = malloc(n * sizeof(*all_int));

    if (!all_int)
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
    if (tk_mpi_agree(comm, e) != TK_OK)
        return e->status;
    MPI_Allreduce(t->is_int, all_int, (int)n, MPI_INT, MPI_MIN, comm);
    for (j = 0; j < n; j++) {
        void *p = realloc(t->cols[j], rows * tk_table_elem_size(t->type));
        t->is_int[j] = all_int[j];
        if (p)
            t->cols[j] = p;
        else if (!t->cols[j])
            tk_err_set(e, TK_ESOFTWARE, "out of memory");
        if (t->icols && !t->is_int[j]) {
            free(t->icols[j]);
            t->icols[j] = NULL;
        } else if (t->icols) {
            p = realloc(t->icols[j], rows * sizeof(int64_t));
            if (p)
                t->icols[j] = p;
            else if (!t->icols[j])
                tk_err_set(e, TK_ESOFTWARE, "out of memory");
        }
    }
    free(all_int);
    return tk_mpi_agree(comm, e);
}

/* Local. The header index of each of names[0..n) into idx[], or the error:
 * an unknown column (TK_EUSAGE, with the one-field hint) or an asked one the
 * header holds twice (TK_EDATA). */
static int csv_find(const char *path, const strlist *hdr, char delim,
                    const char *const *names, size_t n, int *idx, tk_err *e)
{
    size_t i, j;

    for (j = 0; e->status == TK_OK && j < n; j++) {
        idx[j] = -1;
        for (i = 0; i < hdr->n; i++)
            if (strcmp(hdr->v[i], names[j]) == 0) {
                if (idx[j] >= 0) {
                    char shown[TABLE_SHOWN];
                    tk_log_escape(shown, sizeof(shown), names[j], strlen(names[j]), TABLE_NAME_MAX);
                    return tk_err_set(e, TK_EDATA,
                                      "%s: column '%s' appears more than once in the header",
                                      path, shown);
                }
                idx[j] = (int)i;
            }
        if (idx[j] < 0)
            tk_table_unknown_column(e, names[j], path, (const char *const *)hdr->v, hdr->n, delim);
    }
    return e->status;
}

/* Collective (tk_table_internal.h). Reads this rank's rows of the CSV path
 * into t. */
int tk_table_csv_read(MPI_Comm comm, const char *path, const char *const *names, size_t n,
                      tk_coltype type, tk_table *t, tk_err *e)
{
    strlist hdr = { 0 };
    csv_meta m;
    csv_reader s;
    int *idx = NULL, rank, size;
    uint64_t start, end, before, total_lines, row0, total;
    size_t j;

    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    memset(&s, 0, sizeof(s));
    if (csv_open(comm, path, &hdr, &m, e) != TK_OK)
        goto out;

    /* the asked columns; every rank holds the same header, so agrees */
    if (!(idx = malloc((n ? n : 1) * sizeof(*idx))))
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
    else
        csv_find(path, &hdr, m.delim, names, n, idx, e);
    if (e->status == TK_OK && tk_table_alloc_cols(t, names, n, type, e) == TK_OK)
        for (j = 0; j < n; j++)
            t->is_int[j] = 1;
    if (e->status == TK_OK && tk_csv_init(&s.csv, (unsigned char)m.delim) != TK_OK)
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
    else if (e->status == TK_OK)
        s.csv_open = 1;
    start = m.data_start + tk_table_slice_at(m.size - m.data_start, rank, size);
    end = m.data_start + tk_table_slice_at(m.size - m.data_start, rank + 1, size);
    if (e->status == TK_OK && tk_lines_open(&s.lines, path, start, end, TABLE_CHUNK, e) == TK_OK)
        s.lines_open = 1;
    if (tk_mpi_agree(comm, e) != TK_OK)
        goto out;

    /* stream the lines starting in [start, end) up to the first bad row */
    while (e->status == TK_OK && !s.bad) {
        const char *line;
        size_t len;
        int rc = tk_lines_next(&s.lines, &line, &len, e);
        if (rc <= 0)
            break;
        if (len == 0 || (len == 1 && line[0] == '\r'))
            continue;
        csv_row(&s, t, idx, hdr.n, line, len, path, e);
    }
    /* a file cut, grown or rewritten while we read it gives no table */
    if (e->status == TK_OK && !s.bad)
        tk_lines_verify(&s.lines, m.size, m.mtime_ns, e);

    /* the first bad row in file order: lines before it on lower ranks (every
     * line of theirs was read, or their own error comes first) */
    tk_mpi_exscan_u64(comm, s.lines.lines, &before, &total_lines);
    if (s.bad)
        tk_err_set(e, TK_EDATA, "%s:%llu: %s", path,
                   (unsigned long long)(1 + before + s.bad_line + 1), s.why);
    if (tk_mpi_agree(comm, e) != TK_OK)
        goto out;
    tk_mpi_exscan_u64(comm, t->nrows, &row0, &total);
    if (total == 0) {
        tk_err_set(e, TK_EDATA, "%s: no rows", path);
        goto out;
    }
    t->row0 = row0;
    t->total = total;
    t->is_csv = 1;
    t->delim = m.delim;

    csv_finish(comm, t, e);
out:
    if (s.lines_open)
        tk_lines_close(&s.lines);
    if (s.csv_open)
        tk_csv_free(&s.csv);
    free(idx);
    tk_table_strlist_free(&hdr);
    return tk_mpi_agree(comm, e);
}

/* Local. Sets nonnum[i] for every column i of the header (ncols) where a line
 * of this rank's byte range holds a value that is not a number. Lines with
 * the wrong number of fields or bad quoting are skipped: tk_table_read
 * reports them. */
static int csv_scan_lines(tk_lines *r, char delim, size_t ncols, int *nonnum, tk_err *e)
{
    tk_csv c;
    const char *line, *why;
    size_t len, i;

    if (tk_csv_init(&c, (unsigned char)delim) != TK_OK)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    while (tk_lines_next(r, &line, &len, e) > 0) {
        int rc;
        if (len == 0 || (len == 1 && line[0] == '\r'))
            continue;
        rc = tk_csv_split(&c, line, len, &why);
        if (rc == TK_ESOFTWARE) {
            tk_err_set(e, rc, "out of memory parsing %s", r->path);
            break;
        }
        if (rc != TK_OK || tk_csv_nfields(&c) != ncols)
            continue;
        for (i = 0; i < ncols; i++) {
            double v;
            int64_t iv;
            int exact;
            if (!nonnum[i] && parse_value(tk_csv_field(&c, i), tk_csv_field_len(&c, i),
                                          TK_COL_F64, &v, &iv, &exact) == VAL_NAN)
                nonnum[i] = 1;
        }
    }
    tk_csv_free(&c);
    return e->status;
}

/* Collective. Drops from l (the header of the CSV path) every column that
 * holds a value that is not a number on some row of some rank. */
static int csv_numeric(MPI_Comm comm, const char *path, const csv_meta *m, strlist *l,
                       tk_err *e)
{
    int *nonnum = calloc(l->n ? l->n : 1, sizeof(int)), rank, size;
    uint64_t start, end;
    size_t i, k = 0;
    tk_lines r;

    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    start = m->data_start + tk_table_slice_at(m->size - m->data_start, rank, size);
    end = m->data_start + tk_table_slice_at(m->size - m->data_start, rank + 1, size);
    if (!nonnum)
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
    else if (tk_lines_open(&r, path, start, end, TABLE_CHUNK, e) == TK_OK) {
        csv_scan_lines(&r, m->delim, l->n, nonnum, e);
        tk_lines_close(&r);
    }
    if (tk_mpi_agree(comm, e) == TK_OK) {
        MPI_Allreduce(MPI_IN_PLACE, nonnum, (int)l->n, MPI_INT, MPI_MAX, comm);
        for (i = 0; i < l->n; i++) {
            if (nonnum[i])
                free(l->v[i]);
            else
                l->v[k++] = l->v[i];
        }
        l->n = k;
    }
    free(nonnum);
    return e->status;
}

int tk_table_csv_names(MPI_Comm comm, const char *path, int numeric_only, strlist *l,
                       char *delim, tk_err *e)
{
    csv_meta m;

    if (csv_open(comm, path, l, &m, e) == TK_OK && numeric_only)
        csv_numeric(comm, path, &m, l, e);
    if (delim)
        *delim = m.delim;
    return e->status;
}
