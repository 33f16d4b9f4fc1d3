/* tk_table.c -- a numeric table (an HDF5 group of 1-D datasets or a CSV file)
 * read in slices: each rank holds only its own rows.
 *
 * Rank 0 decides HDF5 or CSV from the file's signature; the readers are
 * tk_table_csv.c and tk_table_h5.c. This file holds what both use (names,
 * messages, allocation) and the interface of tk_table.h. */
#include "tk_table.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk_mpi.h"
#include "tk_table_internal.h"
#include "tk_text.h"

enum { KIND_CSV = 0, KIND_HDF5 = 1 };

/* ---- small helpers ---- */

int tk_table_strlist_add(strlist *l, const char *s, size_t len)
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

void tk_table_strlist_free(strlist *l)
{
    tk_table_names_free(l->v, l->n);
    memset(l, 0, sizeof(*l));
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
                     tk_log_escape(d, sizeof(d), &cand[i], 1, 1));
            return;
        }
}

int tk_table_unknown_column(tk_err *e, const char *name, const char *path,
                            const char *const *avail, size_t n, char delim)
{
    char shown[TABLE_SHOWN], list[TABLE_LIST_MAX + 32], hint[80];
    size_t fixed, budget;

    tk_log_escape(shown, sizeof(shown), name, strlen(name), TABLE_NAME_MAX);
    tk_table_hint(hint, sizeof(hint), avail, n, delim);
    fixed = strlen("unknown column '' in  (available: )") + strlen(shown) + strlen(path) +
            strlen(hint);
    budget = fixed + 24 < TK_ERR_MSG_MAX ? TK_ERR_MSG_MAX - 1 - fixed - 24 : 0;
    if (budget > TABLE_LIST_MAX)
        budget = TABLE_LIST_MAX;
    tk_names_fit(list, sizeof(list), avail, n, TABLE_NAME_MAX, budget);
    return tk_err_set(e, TK_EUSAGE, "unknown column '%s' in %s (available: %s)%s", shown, path,
                      list, hint);
}

int tk_table_alloc_cols(tk_table *t, const char *const *names, size_t n, tk_coltype type,
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

/* ---- the interface ---- */

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
    if (kind == KIND_HDF5)
        tk_table_h5_names(comm, path, group, &l, e);
    else
        tk_table_csv_names(comm, path, numeric_only, &l, delim, e);
    if (tk_mpi_agree(comm, e) != TK_OK) {
        tk_table_strlist_free(&l);
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
        tk_table_h5_read(comm, path, group, names, n, type, t, e);
    else
        tk_table_csv_read(comm, path, names, n, type, t, e);
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
