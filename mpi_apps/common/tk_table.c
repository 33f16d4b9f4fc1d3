/* tk_table.c -- a numeric table (an HDF5 group of 1-D datasets or a CSV file)
 * read in slices: each rank holds only its own rows.
 *
 * Rank 0 decides HDF5 or CSV from the file's signature. HDF5: every rank
 * opens the file with the MPI-IO driver, lists the group's datasets (all
 * ranks make the same metadata calls, so they see the same catalogue) and
 * reads its hyperslab of each column collectively, in the file's own type,
 * converting in memory afterwards (a conversion inside H5Dread would turn the
 * collective read into independent ones). CSV: rank 0 reads the header and
 * broadcasts it; every rank streams the lines starting in its byte range. */
#include "tk_table.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "tk_csv.h"
#include "tk_h5.h"
#include "tk_mpi.h"
#include "tk_parse.h"
#include "tk_text.h"

#define TABLE_GROUP "/features"     /* the default HDF5 group */
#define TABLE_CHUNK (1u << 20)      /* CSV bytes read at a time */
#define TABLE_ROWS0 4096            /* first capacity of a CSV column */
#define TABLE_LIST_MAX 400          /* characters of column names in a message */
#define TABLE_VALUE_MAX 40          /* bytes of a bad value shown in a message */
#define TABLE_NAME_MAX 100          /* bytes of a column name shown in a message */
#define TABLE_SHOWN 160             /* room for an escaped name (cut with "...") */
#define F32_OVERFLOW 0x1.ffffffp127 /* the least double that rounds to float32 infinity */
#define EXACT_MAX 9007199254740992.0 /* 2^53: a double above it may not be the literal */

enum { KIND_CSV = 0, KIND_HDF5 = 1 };

/* ---- small helpers ---- */

/* A growable array of owned strings. */
typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static int strlist_add(strlist *l, const char *s, size_t len)
{
    char *copy;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    l->v[l->n++] = copy;
    return 0;
}

static void strlist_free(strlist *l)
{
    tk_table_names_free(l->v, l->n);
    memset(l, 0, sizeof(*l));
}

static size_t elem_size(tk_coltype type)
{
    return type == TK_COL_F32 ? sizeof(float) : sizeof(double);
}

/* Whether name ends in ext (ASCII case-insensitive). */
static int has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), k = strlen(ext), i;

    if (n < k)
        return 0;
    for (i = 0; i < k; i++) {
        char c = name[n - k + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != ext[i])
            return 0;
    }
    return 1;
}

static int hdf5_name(const char *path)
{
    return has_ext(path, ".h5") || has_ext(path, ".hdf5") || has_ext(path, ".he5");
}

/* First row (or byte) of part r of P: floor(total * r / P) without overflow. */
static uint64_t slice_at(uint64_t total, int r, int p)
{
    uint64_t q = total / (uint64_t)p, m = total % (uint64_t)p;

    return q * (uint64_t)r + m * (uint64_t)r / (uint64_t)p;
}

/* s[0..len) escaped into out (size cap) for a message: at most max bytes. */
static const char *show(char *out, size_t cap, const char *s, size_t len, size_t max)
{
    return tk_log_escape(out, cap, s, len, max);
}

void tk_table_hint(char *hint, size_t cap, const char *const *avail, size_t n, char delim)
{
    static const char cand[] = "\t;,|";
    size_t i;

    hint[0] = '\0';
    if (delim == 0 || n != 1)
        return;
    for (i = 0; cand[i]; i++)
        if (cand[i] != delim && strchr(avail[0], cand[i])) {
            char d[8];
            snprintf(hint, cap, "; the header has one field; is the file '%s'-delimited?",
                     show(d, sizeof(d), &cand[i], 1, 1));
            return;
        }
}

/* Records TK_EUSAGE "unknown column 'x' in FILE (available: a, b, c)",
 * listing as many names as fit in the message (escaped), with a hint when a
 * CSV header (delim, else 0) has one field. */
static int unknown_column(tk_err *e, const char *name, const char *path,
                          const char *const *avail, size_t n, char delim)
{
    char shown[TABLE_SHOWN], list[TABLE_LIST_MAX + 32], one[TABLE_SHOWN], hint[80];
    size_t used = 0, i, fixed, budget;

    show(shown, sizeof(shown), name, strlen(name), TABLE_NAME_MAX);
    tk_table_hint(hint, sizeof(hint), avail, n, delim);
    fixed = strlen("unknown column '' in  (available: )") + strlen(shown) + strlen(path) +
            strlen(hint);
    budget = fixed + 24 < TK_ERR_MSG_MAX ? TK_ERR_MSG_MAX - 1 - fixed - 24 : 0;
    if (budget > TABLE_LIST_MAX)
        budget = TABLE_LIST_MAX;
    list[0] = '\0';
    for (i = 0; i < n; i++) {
        size_t need;
        show(one, sizeof(one), avail[i], strlen(avail[i]), TABLE_NAME_MAX);
        need = strlen(one) + (i ? 2 : 0);
        if (used + need > budget)
            break;
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", one);
    }
    if (n == 0)
        snprintf(list, sizeof(list), "none");
    else if (i < n)
        snprintf(list + used, sizeof(list) - used, "%s... %zu more", i ? ", " : "", n - i);
    return tk_err_set(e, TK_EUSAGE, "unknown column '%s' in %s (available: %s)%s", shown, path,
                      list, hint);
}

/* Allocates t's names, column pointers and flags for n columns. */
static int table_alloc(tk_table *t, const char *const *names, size_t n, tk_coltype type,
                       tk_err *e)
{
    size_t j;

    t->type = type;
    t->names = calloc(n ? n : 1, sizeof(*t->names));
    t->cols = calloc(n ? n : 1, sizeof(*t->cols));
    t->is_int = calloc(n ? n : 1, sizeof(*t->is_int));
    if (type == TK_COL_EXACT && !(t->icols = calloc(n ? n : 1, sizeof(*t->icols))))
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    if (!t->names || !t->cols || !t->is_int)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    t->ncols = n;
    for (j = 0; j < n; j++)
        if (!(t->names[j] = strdup(names[j])))
            return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    return TK_OK;
}

/* ---- which kind of file ---- */

/* Opens path for reading without blocking (a FIFO or a device opened
 * O_NONBLOCK returns at once) and checks that it is a regular file. */
static int open_regular(const char *path, uint64_t *size, tk_err *e)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

    if (fd < 0) {
        tk_err_set(e, TK_ENOINPUT, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0)
        tk_err_set(e, TK_ENOINPUT, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        tk_err_set(e, TK_ENOINPUT, "%s: not a regular file", path);
    if (e->status != TK_OK) {
        close(fd);
        return -1;
    }
    *size = (uint64_t)st.st_size;
    return fd;
}

/* Rank 0: HDF5 when the signature sits at byte 0, 512, 1024, 2048, ...
 * (HDF5 allows a user block before it), else CSV; a name ending in .h5,
 * .hdf5 or .he5 without the signature is "not an HDF5 file". */
static int detect_kind(const char *path, int *kind, tk_err *e)
{
    static const unsigned char sig[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
    unsigned char buf[8];
    uint64_t size = 0, off;
    int fd;

    *kind = KIND_CSV;
    if ((fd = open_regular(path, &size, e)) < 0)
        return e->status;
    for (off = 0; off + sizeof(sig) <= size; off = off ? off * 2 : 512) {
        ssize_t got;
        do
            got = pread(fd, buf, sizeof(buf), (off_t)off);
        while (got < 0 && errno == EINTR);
        if (got < 0) {
            tk_err_set(e, TK_ENOINPUT, "%s: %s", path, strerror(errno));
            break;
        }
        if (got == (ssize_t)sizeof(sig) && memcmp(buf, sig, sizeof(sig)) == 0) {
            *kind = KIND_HDF5;
            break;
        }
    }
    close(fd);
    if (e->status == TK_OK && *kind == KIND_CSV && hdf5_name(path))
        tk_err_set(e, TK_EDATA, "%s: not an HDF5 file (no HDF5 signature)", path);
    return e->status;
}

/* Collective. Rank 0 detects the kind of path; every rank learns it. */
static int table_kind(MPI_Comm comm, const char *path, int *kind, tk_err *e)
{
    int rank;

    MPI_Comm_rank(comm, &rank);
    *kind = KIND_CSV;
    if (rank == 0)
        detect_kind(path, kind, e);
    if (tk_mpi_agree(comm, e) != TK_OK)
        return e->status;
    MPI_Bcast(kind, 1, MPI_INT, 0, comm);
    return TK_OK;
}

/* ---- CSV ---- */

typedef struct csv_meta {
    uint64_t size, data_start; /* as rank 0 found them before the split */
    int64_t mtime_ns;          /* checked again once each rank has read its range */
    char delim;
} csv_meta;

/* Rank 0: the header of path (names, delimiter, where the data starts). */
static int csv_header(const char *path, strlist *names, csv_meta *m, tk_err *e)
{
    tk_lines r;
    tk_csv c;
    const char *line, *why;
    size_t len, j;
    int rc;

    if (tk_lines_open(&r, path, 0, 1, 64u << 10, e) != TK_OK)
        return e->status;
    m->size = r.size;
    m->mtime_ns = r.mtime_ns;
    rc = tk_lines_next(&r, &line, &len, e);
    if (rc < 0)
        goto out_lines;
    if (rc == 0) {
        tk_err_set(e, TK_EDATA, "%s: empty file (no header line)", path);
        goto out_lines;
    }
    m->data_start = r.next;
    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) { /* UTF-8 byte order mark */
        line += 3;
        len -= 3;
    }
    if (memchr(line, '\0', len)) {
        tk_err_set(e, TK_EDATA, "%s: neither HDF5 nor CSV (NUL bytes in the first line)",
                   path);
        goto out_lines;
    }
    if (len == 0 || (len == 1 && line[0] == '\r')) {
        tk_err_set(e, TK_EDATA, "%s:1: empty header line", path);
        goto out_lines;
    }
    m->delim = memchr(line, ';', len) ? ';' : ',';
    if (tk_csv_init(&c, (unsigned char)m->delim) != TK_OK) {
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
        goto out_lines;
    }
    rc = tk_csv_split(&c, line, len, &why);
    if (rc != TK_OK)
        tk_err_set(e, rc, "%s:1: bad header: %s", path, why ? why : "out of memory");
    for (j = 0; rc == TK_OK && j < tk_csv_nfields(&c); j++)
        if (strlist_add(names, tk_csv_field(&c, j), tk_csv_field_len(&c, j)) != 0) {
            tk_err_set(e, TK_ESOFTWARE, "out of memory");
            break;
        }
    tk_csv_free(&c);
out_lines:
    tk_lines_close(&r);
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
            if (strlist_add(l, buf + at, n) != 0) {
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
        void *p = realloc(t->cols[j], cap * elem_size(t->type));
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

    show(shown, sizeof(shown), name, strlen(name), TABLE_NAME_MAX);
    show(val, sizeof(val), f, fl, TABLE_VALUE_MAX);
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
        void *p = realloc(t->cols[j], rows * elem_size(t->type));
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
                    show(shown, sizeof(shown), names[j], strlen(names[j]), TABLE_NAME_MAX);
                    return tk_err_set(e, TK_EDATA,
                                      "%s: column '%s' appears more than once in the header",
                                      path, shown);
                }
                idx[j] = (int)i;
            }
        if (idx[j] < 0)
            unknown_column(e, names[j], path, (const char *const *)hdr->v, hdr->n, delim);
    }
    return e->status;
}

/* Collective. Reads this rank's rows of the CSV path into t. */
static int csv_read(MPI_Comm comm, const char *path, const char *const *names, size_t n,
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
    if (e->status == TK_OK && table_alloc(t, names, n, type, e) == TK_OK)
        for (j = 0; j < n; j++)
            t->is_int[j] = 1;
    if (e->status == TK_OK && tk_csv_init(&s.csv, (unsigned char)m.delim) != TK_OK)
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
    else if (e->status == TK_OK)
        s.csv_open = 1;
    start = m.data_start + slice_at(m.size - m.data_start, rank, size);
    end = m.data_start + slice_at(m.size - m.data_start, rank + 1, size);
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
    strlist_free(&hdr);
    return tk_mpi_agree(comm, e);
}

/* ---- HDF5 ---- */

typedef struct h5_entry {
    char *name;
    int is_dataset;
    int usable;       /* a 1-D numeric dataset: a column */
    int is_int;       /* integer or enum type */
    uint64_t len;
    char what[48];    /* e.g. "2-D float", when not usable */
} h5_entry;

typedef struct h5_table {
    hid_t file, group;
    const char *path, *gname;   /* borrowed, for messages */
    h5_entry *ent;              /* every hard or soft link of the group, by name */
    size_t nent, cap;
    size_t *listed;             /* the columns (usable entries) in listing order */
    size_t nlisted;
    int nomem;
} h5_table;

static herr_t h5_link_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    h5_table *h = data;

    (void)g;
    if (info->type != H5L_TYPE_HARD && info->type != H5L_TYPE_SOFT)
        return 0;
    if (h->nent == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        h5_entry *p = realloc(h->ent, cap * sizeof(*p));
        if (!p) {
            h->nomem = 1;
            return -1;
        }
        h->ent = p;
        h->cap = cap;
    }
    memset(&h->ent[h->nent], 0, sizeof(h->ent[h->nent]));
    if (!(h->ent[h->nent].name = strdup(name))) {
        h->nomem = 1;
        return -1;
    }
    h->nent++;
    return 0;
}

static const char *class_name(H5T_class_t c)
{
    switch (c) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "float";
    case H5T_STRING: return "string";
    case H5T_ENUM: return "enum";
    case H5T_COMPOUND: return "compound";
    case H5T_ARRAY: return "array";
    case H5T_VLEN: return "variable-length";
    case H5T_BITFIELD: return "bitfield";
    case H5T_OPAQUE: return "opaque";
    case H5T_REFERENCE: return "reference";
    default: return "non-numeric";
    }
}

/* Fills in what entry en is: a dataset? 1-D and numeric? its length. */
static int h5_examine(h5_table *h, h5_entry *en, tk_err *e)
{
    hid_t obj = H5I_INVALID_HID, type = H5I_INVALID_HID, space = H5I_INVALID_HID,
          super = H5I_INVALID_HID;
    char what[512];
    H5T_class_t cls;
    htri_t exists;
    int ndims, numeric;

    snprintf(what, sizeof(what), "%s: %s/%s", h->path, h->gname, en->name);
    exists = H5Oexists_by_name(h->group, en->name, H5P_DEFAULT);
    if (exists <= 0) { /* a dangling soft link: not a column */
        H5Eclear2(H5E_DEFAULT);
        return TK_OK;
    }
    if ((obj = H5Oopen(h->group, en->name, H5P_DEFAULT)) < 0)
        return tk_h5_fail(e, TK_EDATA, what);
    if (H5Iget_type(obj) != H5I_DATASET)
        goto out;
    en->is_dataset = 1;
    if ((type = H5Dget_type(obj)) < 0 || (space = H5Dget_space(obj)) < 0 ||
        (cls = H5Tget_class(type)) == H5T_NO_CLASS ||
        (ndims = H5Sget_simple_extent_ndims(space)) < 0) {
        tk_h5_fail(e, TK_EDATA, what);
        goto out;
    }
    numeric = cls == H5T_INTEGER || cls == H5T_FLOAT;
    if (cls == H5T_ENUM && (super = H5Tget_super(type)) >= 0) /* e.g. h5py's bool */
        numeric = H5Tget_class(super) == H5T_INTEGER;
    if (ndims == 1) {
        hsize_t dims[1];
        if (H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
            tk_h5_fail(e, TK_EDATA, what);
            goto out;
        }
        en->len = (uint64_t)dims[0];
    }
    en->usable = numeric && ndims == 1;
    en->is_int = cls != H5T_FLOAT;
    if (ndims == 0)
        snprintf(en->what, sizeof(en->what), "a scalar %s", class_name(cls));
    else
        snprintf(en->what, sizeof(en->what), "%d-D %s", ndims, class_name(cls));
out:
    if (super >= 0)
        H5Tclose(super);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    H5Oclose(obj);
    return e->status;
}

/* The group's "columns" attribute (strings), when present, into order. */
static int h5_order(h5_table *h, strlist *order, tk_err *e)
{
    hid_t attr = H5I_INVALID_HID, atype = H5I_INVALID_HID, space = H5I_INVALID_HID,
          mtype = H5I_INVALID_HID;
    char what[512];
    hssize_t npoints;
    htri_t exists;
    size_t i, size;
    void *buf = NULL;

    snprintf(what, sizeof(what), "%s: %s: attribute 'columns'", h->path, h->gname);
    exists = H5Aexists(h->group, "columns");
    if (exists < 0)
        return tk_h5_fail(e, TK_EDATA, what);
    if (exists == 0)
        return TK_OK;
    if ((attr = H5Aopen(h->group, "columns", H5P_DEFAULT)) < 0 ||
        (atype = H5Aget_type(attr)) < 0 || (space = H5Aget_space(attr)) < 0 ||
        (npoints = H5Sget_simple_extent_npoints(space)) < 0) {
        tk_h5_fail(e, TK_EDATA, what);
        goto out;
    }
    if (H5Tget_class(atype) != H5T_STRING || npoints == 0)
        goto out; /* not a list of names: ignored */
    if ((mtype = H5Tcopy(H5T_C_S1)) < 0) {
        tk_h5_fail(e, TK_ESOFTWARE, what);
        goto out;
    }
    if (H5Tis_variable_str(atype) > 0) {
        char **s = calloc((size_t)npoints, sizeof(*s));
        if (!s) {
            tk_err_set(e, TK_ESOFTWARE, "out of memory");
            goto out;
        }
        buf = s;
        if (H5Tset_size(mtype, H5T_VARIABLE) < 0 ||
            H5Tset_cset(mtype, H5Tget_cset(atype)) < 0 || H5Aread(attr, mtype, s) < 0) {
            tk_h5_fail(e, TK_EDATA, what);
            goto out;
        }
        for (i = 0; i < (size_t)npoints; i++)
            if (s[i] && e->status == TK_OK && strlist_add(order, s[i], strlen(s[i])) != 0)
                tk_err_set(e, TK_ESOFTWARE, "out of memory");
#if H5_VERSION_GE(1, 12, 0)
        H5Treclaim(mtype, space, H5P_DEFAULT, s);
#else
        H5Dvlen_reclaim(mtype, space, H5P_DEFAULT, s);
#endif
    } else {
        char *s;
        size = H5Tget_size(atype) + 1;
        if (size < 2 || !(s = calloc((size_t)npoints, size))) {
            if (size >= 2)
                tk_err_set(e, TK_ESOFTWARE, "out of memory");
            goto out;
        }
        buf = s;
        if (H5Tset_size(mtype, size) < 0 || H5Tset_strpad(mtype, H5T_STR_NULLTERM) < 0 ||
            H5Tset_cset(mtype, H5Tget_cset(atype)) < 0 || H5Aread(attr, mtype, s) < 0) {
            tk_h5_fail(e, TK_EDATA, what);
            goto out;
        }
        for (i = 0; i < (size_t)npoints && e->status == TK_OK; i++)
            if (strlist_add(order, s + i * size, strnlen(s + i * size, size)) != 0)
                tk_err_set(e, TK_ESOFTWARE, "out of memory");
    }
out:
    free(buf);
    if (mtype >= 0)
        H5Tclose(mtype);
    if (space >= 0)
        H5Sclose(space);
    if (atype >= 0)
        H5Tclose(atype);
    if (attr >= 0)
        H5Aclose(attr);
    return e->status;
}

static long h5_find(const h5_table *h, const char *name)
{
    size_t i;

    for (i = 0; i < h->nent; i++)
        if (strcmp(h->ent[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* The columns in listing order: those of "columns" first, then by name. */
static int h5_list(h5_table *h, tk_err *e)
{
    strlist order = { 0 };
    char *taken = NULL;
    size_t i;

    if (h5_order(h, &order, e) != TK_OK)
        goto out;
    h->listed = malloc((h->nent ? h->nent : 1) * sizeof(*h->listed));
    taken = calloc(h->nent ? h->nent : 1, 1);
    if (!h->listed || !taken) {
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
        goto out;
    }
    for (i = 0; i < order.n; i++) {
        long k = h5_find(h, order.v[i]);
        if (k >= 0 && h->ent[k].usable && !taken[k]) {
            taken[k] = 1;
            h->listed[h->nlisted++] = (size_t)k;
        }
    }
    for (i = 0; i < h->nent; i++)
        if (h->ent[i].usable && !taken[i])
            h->listed[h->nlisted++] = i;
out:
    free(taken);
    strlist_free(&order);
    return e->status;
}

/* Collective (closes the file). */
static void h5_close(h5_table *h)
{
    size_t i;

    if (h->group >= 0)
        H5Gclose(h->group);
    if (h->file >= 0)
        H5Fclose(h->file);
    for (i = 0; i < h->nent; i++)
        free(h->ent[i].name);
    free(h->ent);
    free(h->listed);
    memset(h, 0, sizeof(*h));
    h->file = h->group = H5I_INVALID_HID;
}

/* Collective. Opens path with MPI-IO on comm and catalogues group. Every rank
 * makes the same metadata calls on the same file and so sees the same. On
 * failure the caller still calls h5_close. */
static int h5_open(MPI_Comm comm, const char *path, const char *group, h5_table *h, tk_err *e)
{
    hid_t fapl;
    size_t i;

    memset(h, 0, sizeof(*h));
    h->file = h->group = H5I_INVALID_HID;
    h->path = path;
    h->gname = group;
    fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) < 0
#if H5_VERSION_GE(1, 10, 7)
        || H5Pset_file_locking(fapl, 0, 1) < 0
#endif
    )
        tk_h5_fail(e, TK_ESOFTWARE, path);
    else if ((h->file = H5Fopen(path, H5F_ACC_RDONLY, fapl)) < 0)
        tk_h5_fail(e, TK_ENOINPUT, path);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (tk_mpi_agree(comm, e) != TK_OK)
        return e->status;
    if ((h->group = H5Gopen2(h->file, group, H5P_DEFAULT)) < 0) {
        H5Eclear2(H5E_DEFAULT);
        tk_err_set(e, TK_EDATA, "%s: no group '%s'", path, group);
    } else if (H5Literate(h->group, H5_INDEX_NAME, H5_ITER_INC, NULL, h5_link_cb, h) < 0) {
        if (h->nomem)
            tk_err_set(e, TK_ESOFTWARE, "out of memory");
        else
            tk_h5_fail(e, TK_EDATA, path);
    }
    for (i = 0; e->status == TK_OK && i < h->nent; i++)
        h5_examine(h, &h->ent[i], e);
    if (e->status == TK_OK)
        h5_list(h, e);
    return tk_mpi_agree(comm, e);
}

/* Local. The exact int64 copy of nrows integer values buf[] of HDF5 type
 * ctype (this rank's rows from row0) into *out (owned by the caller); an
 * unsigned value above INT64_MAX is TK_EDATA naming the column and row. */
static int h5_exact(const h5_table *h, const h5_entry *en, hid_t ctype, const void *buf,
                    uint64_t row0, uint64_t nrows, int64_t **out, tk_err *e)
{
    size_t esz = H5Tget_size(ctype), i;
    int64_t *v = malloc((size_t)(nrows ? nrows : 1) * (esz > 8 ? esz : 8));

    if (!v)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", h->path);
    memcpy(v, buf, (size_t)nrows * esz);
    if (H5Tget_sign(ctype) == H5T_SGN_NONE && esz == 8)
        for (i = 0; i < nrows; i++)
            if (((const uint64_t *)buf)[i] > (uint64_t)INT64_MAX) {
                char shown[TABLE_SHOWN];
                show(shown, sizeof(shown), en->name, strlen(en->name), TABLE_NAME_MAX);
                free(v);
                return tk_err_set(e, TK_EDATA,
                                  "%s: column '%s' holds %llu in row %llu, beyond int64 "
                                  "(counting data rows from 1)",
                                  h->path, shown,
                                  (unsigned long long)((const uint64_t *)buf)[i],
                                  (unsigned long long)(row0 + i + 1));
            }
    if (nrows > 0 && H5Tconvert(ctype, H5T_NATIVE_INT64, (size_t)nrows, v, NULL, H5P_DEFAULT) < 0) {
        free(v);
        return tk_h5_fail(e, TK_ESOFTWARE, h->path);
    }
    *out = v;
    return TK_OK;
}

/* Collective. Reads rows [row0, row0 + nrows) of entry en as type into *out. */
static int h5_read_column(MPI_Comm comm, h5_table *h, const h5_entry *en, tk_coltype type,
                          uint64_t row0, uint64_t nrows, void **out, int64_t **iout,
                          tk_err *e)
{
    hid_t dset = H5I_INVALID_HID, ftype = H5I_INVALID_HID, ntype = H5I_INVALID_HID,
          ctype = H5I_INVALID_HID, fspace = H5I_INVALID_HID, mspace = H5I_INVALID_HID,
          dxpl = H5I_INVALID_HID;
    hid_t dst = type == TK_COL_F32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    hsize_t start[1] = { (hsize_t)row0 }, cnt[1] = { (hsize_t)nrows };
    size_t dsz = elem_size(type), esz = 0;
    void *buf = NULL;
    char what[512];

    snprintf(what, sizeof(what), "%s: %s/%s", h->path, h->gname, en->name);
    if ((dset = H5Dopen2(h->group, en->name, H5P_DEFAULT)) < 0 ||
        (ftype = H5Dget_type(dset)) < 0 ||
        (ntype = H5Tget_native_type(ftype, H5T_DIR_ASCEND)) < 0 ||
        (ctype = H5Tget_class(ntype) == H5T_ENUM ? H5Tget_super(ntype) : H5Tcopy(ntype)) < 0 ||
        (esz = H5Tget_size(ntype)) == 0 || (fspace = H5Dget_space(dset)) < 0 ||
        (mspace = H5Screate_simple(1, cnt, NULL)) < 0 ||
        (nrows > 0 ? H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, cnt, NULL)
                   : H5Sselect_none(fspace)) < 0 ||
        (nrows == 0 && H5Sselect_none(mspace) < 0) ||
        (dxpl = H5Pcreate(H5P_DATASET_XFER)) < 0 ||
        H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) < 0)
        tk_h5_fail(e, TK_EDATA, what);
    else {
        /* read in the file's type, then convert in place: room for either */
        if (esz < dsz)
            esz = dsz;
        if (!(buf = malloc((size_t)(nrows ? nrows : 1) * esz)))
            tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", h->path);
    }
    if (tk_mpi_agree(comm, e) != TK_OK)
        goto out;
    if (H5Dread(dset, ntype, mspace, fspace, dxpl, buf) < 0)
        tk_h5_fail(e, TK_EIO, what);
    else if (type == TK_COL_EXACT && en->is_int &&
             h5_exact(h, en, ctype, buf, row0, nrows, iout, e) != TK_OK)
        ; /* e says why */
    else if (nrows > 0 && H5Tconvert(ctype, dst, (size_t)nrows, buf, NULL, H5P_DEFAULT) < 0)
        tk_h5_fail(e, TK_ESOFTWARE, what);
    else if (esz > dsz && nrows > 0) {
        void *p = realloc(buf, (size_t)nrows * dsz);
        if (p)
            buf = p;
    }
    if (tk_mpi_agree(comm, e) == TK_OK) {
        *out = buf;
        buf = NULL;
    }
out:
    free(buf);
    if (dxpl >= 0)
        H5Pclose(dxpl);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    if (ctype >= 0)
        H5Tclose(ctype);
    if (ntype >= 0)
        H5Tclose(ntype);
    if (ftype >= 0)
        H5Tclose(ftype);
    if (dset >= 0)
        H5Dclose(dset);
    return e->status;
}

/* The listed column names as borrowed pointers (for messages). */
static const char **h5_listed_names(const h5_table *h)
{
    const char **v = malloc((h->nlisted ? h->nlisted : 1) * sizeof(*v));
    size_t i;

    if (v)
        for (i = 0; i < h->nlisted; i++)
            v[i] = h->ent[h->listed[i]].name;
    return v;
}

/* Collective. Reads this rank's rows of the HDF5 path into t. */
static int h5_read(MPI_Comm comm, const char *path, const char *group,
                   const char *const *names, size_t n, tk_coltype type, tk_table *t,
                   tk_err *e)
{
    h5_table h;
    long *idx = NULL;
    uint64_t total = 0;
    size_t j;
    int rank, size;

    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    if (h5_open(comm, path, group, &h, e) != TK_OK)
        goto out;
    if (!(idx = malloc((n ? n : 1) * sizeof(*idx))))
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
    for (j = 0; e->status == TK_OK && j < n; j++) {
        idx[j] = h5_find(&h, names[j]);
        if (idx[j] < 0 || !h.ent[idx[j]].is_dataset) {
            const char **avail = h5_listed_names(&h);
            if (!avail)
                tk_err_set(e, TK_ESOFTWARE, "out of memory");
            else
                unknown_column(e, names[j], path, avail, h.nlisted, 0);
            free(avail);
        } else if (!h.ent[idx[j]].usable) {
            char shown[104];
            show(shown, sizeof(shown), names[j], strlen(names[j]), 100);
            tk_err_set(e, TK_EDATA, "%s: '%s' in %s is not a 1-D numeric dataset (%s)", path,
                       shown, group, h.ent[idx[j]].what);
        } else if (j > 0 && h.ent[idx[j]].len != h.ent[idx[0]].len) {
            tk_err_set(e, TK_EDATA,
                       "%s: columns '%s' (%llu rows) and '%s' (%llu rows) differ in length",
                       path, names[0], (unsigned long long)h.ent[idx[0]].len, names[j],
                       (unsigned long long)h.ent[idx[j]].len);
        }
    }
    if (e->status == TK_OK && n > 0) {
        total = h.ent[idx[0]].len;
        if (total == 0)
            tk_err_set(e, TK_EDATA, "%s: no rows", path);
    }
    if (e->status == TK_OK)
        table_alloc(t, names, n, type, e);
    if (tk_mpi_agree(comm, e) != TK_OK)
        goto out;
    t->row0 = slice_at(total, rank, size);
    t->nrows = slice_at(total, rank + 1, size) - t->row0;
    t->total = total;
    for (j = 0; j < n; j++) {
        if (h5_read_column(comm, &h, &h.ent[idx[j]], type, t->row0, t->nrows, &t->cols[j],
                           t->icols ? &t->icols[j] : NULL, e) != TK_OK)
            break;
        t->is_int[j] = h.ent[idx[j]].is_int;
    }
out:
    free(idx);
    h5_close(&h);
    return tk_mpi_agree(comm, e);
}

/* ---- the interface ---- */

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
    start = m->data_start + slice_at(m->size - m->data_start, rank, size);
    end = m->data_start + slice_at(m->size - m->data_start, rank + 1, size);
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

/* Collective. tk_table_list (numeric_only) or tk_table_header. */
static int table_names(MPI_Comm comm, const char *path, const char *group, int numeric_only,
                       char ***names, size_t *n, char *delim, tk_err *e)
{
    strlist l = { 0 };
    int kind;

    *names = NULL;
    *n = 0;
    if (delim)
        *delim = 0;
    if (!group)
        group = TABLE_GROUP;
    if (tk_mpi_agree(comm, e) != TK_OK || table_kind(comm, path, &kind, e) != TK_OK)
        return e->status;
    if (kind == KIND_HDF5) {
        h5_table h;
        size_t i;
        if (h5_open(comm, path, group, &h, e) == TK_OK)
            for (i = 0; i < h.nlisted; i++) {
                const char *s = h.ent[h.listed[i]].name;
                if (strlist_add(&l, s, strlen(s)) != 0) {
                    tk_err_set(e, TK_ESOFTWARE, "out of memory");
                    break;
                }
            }
        h5_close(&h);
    } else {
        csv_meta m;
        if (csv_open(comm, path, &l, &m, e) == TK_OK && numeric_only)
            csv_numeric(comm, path, &m, &l, e);
        if (delim)
            *delim = m.delim;
    }
    if (tk_mpi_agree(comm, e) != TK_OK) {
        strlist_free(&l);
        return e->status;
    }
    *names = l.v;
    *n = l.n;
    return TK_OK;
}

int tk_table_list(MPI_Comm comm, const char *path, const char *group, char ***names,
                  size_t *n, tk_err *e)
{
    return table_names(comm, path, group, 1, names, n, NULL, e);
}

int tk_table_header(MPI_Comm comm, const char *path, const char *group, char ***names,
                    size_t *n, char *delim, tk_err *e)
{
    return table_names(comm, path, group, 0, names, n, delim, e);
}

void tk_table_names_free(char **names, size_t n)
{
    size_t i;

    if (!names)
        return;
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int tk_table_read(MPI_Comm comm, const char *path, const char *group,
                  const char *const *names, size_t n, tk_coltype type, tk_table *t,
                  tk_err *e)
{
    int kind;

    memset(t, 0, sizeof(*t));
    if (!group)
        group = TABLE_GROUP;
    if (tk_mpi_agree(comm, e) != TK_OK)
        return e->status;
    if (n == 0) {
        tk_err_set(e, TK_EUSAGE, "%s: no columns asked", path);
        return e->status; /* the same on every rank */
    }
    if (table_kind(comm, path, &kind, e) != TK_OK)
        return e->status;
    if (kind == KIND_HDF5)
        h5_read(comm, path, group, names, n, type, t, e);
    else
        csv_read(comm, path, names, n, type, t, e);
    if (e->status != TK_OK)
        tk_table_free(t);
    return e->status;
}

void tk_table_free(tk_table *t)
{
    size_t j;

    if (t->names)
        for (j = 0; j < t->ncols; j++)
            free(t->names[j]);
    if (t->cols)
        for (j = 0; j < t->ncols; j++)
            free(t->cols[j]);
    if (t->icols)
        for (j = 0; j < t->ncols; j++)
            free(t->icols[j]);
    free(t->names);
    free(t->cols);
    free(t->icols);
    free(t->is_int);
    memset(t, 0, sizeof(*t));
}

int tk_table_find(const tk_table *t, const char *name)
{
    size_t j;

    for (j = 0; j < t->ncols; j++)
        if (strcmp(t->names[j], name) == 0)
            return (int)j;
    return -1;
}
