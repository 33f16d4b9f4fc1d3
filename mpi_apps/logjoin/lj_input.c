/* lj_input.c -- LOG1 and LOG2 as lists of files and the plan of who reads
 * what. A log is a file, a folder or a glob (tk_input_list); each file is
 * plain, gzip, zstd or BGZF by its magic bytes and has its own header,
 * checked by column name (the order may differ from file to file). Rank 0
 * lists, reads the headers and plans; every rank receives the same plan:
 * plain and BGZF files cut into byte or block ranges, a gzip or zstd file
 * whole (it cannot be split), the units dealt to ranks by estimated
 * uncompressed size, so that many small files are packed onto ranks and
 * big ones are split. */
#include <stdlib.h>
#include <string.h>

#include "logjoin.h"
#include "tk_mpi.h"

#define HEADER_CHUNK (64u << 10)

/* Rank 0: the first line of s's file (decompressed), split, and the log's
 * columns found in it. */
static int read_header(lj_src *s, const char *const *names, size_t ncols, tk_err *e)
{
    const char *line, *why;
    size_t len;
    tk_reader r;
    tk_csv csv;
    int rc;

    if (tk_reader_open(&r, &s->in, 0, s->in.size, HEADER_CHUNK, e) != TK_OK)
        return e->status;
    rc = tk_reader_next(&r, &line, &len, e);
    if (rc == 0)
        tk_err_set(e, TK_EDATA, "%s: empty file (no header line)", s->in.path);
    if (rc > 0) {
        if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) { /* UTF-8 byte order mark */
            line += 3;
            len -= 3;
        }
        if (tk_csv_init(&csv, ';') != TK_OK) {
            tk_err_set(e, TK_ESOFTWARE, "out of memory");
        } else {
            rc = tk_csv_split(&csv, line, len, &why);
            if (rc != TK_OK)
                tk_err_set(e, rc, "%s:1: bad header: %s", s->in.path, why ? why : "out of memory");
            else if (tk_csv_columns(&csv, names, ncols, s->col, s->in.path, e) == TK_OK)
                s->nfields = tk_csv_nfields(&csv);
            tk_csv_free(&csv);
        }
    }
    tk_reader_close(&r);
    return e->status;
}

/* Rank 0: log f's files and their headers. */
static int list_log(lj_ctx *c, int f)
{
    lj_file *lf = &c->files[f];
    const char *const *names = f == LJ_LOG1 ? lj_log1_columns : lj_log2_columns;
    size_t ncols = f == LJ_LOG1 ? LJ_L1_NCOLS : LJ_L2_NCOLS, n = 0, i;
    tk_input_file *files = NULL;

    if (tk_input_list(lf->path, c->cfg.recursive, &files, &n, &c->job.err) != TK_OK)
        return c->job.err.status;
    lf->src = calloc(n + 1, sizeof(*lf->src));
    if (!lf->src) {
        tk_input_files_free(files, n);
        return tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    }
    for (i = 0; i < n; i++) { /* the paths move into the sources */
        lf->src[i].in = files[i];
        lf->size += files[i].size;
    }
    lf->nsrc = n;
    free(files);
    for (i = 0; i < n && c->job.err.status == TK_OK; i++)
        read_header(&lf->src[i], names, ncols, &c->job.err);
    return c->job.err.status;
}

/* Appends the units of source s (parts ranges) to f->units. */
static int add_units(lj_file *f, uint32_t s, int parts, tk_err *e)
{
    const tk_input_file *in = &f->src[s].in;
    uint64_t *starts = malloc((size_t)parts * 2 * sizeof(uint64_t)), *ends;
    int nout = 0, k;
    lj_unit *u;

    if (!starts)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    ends = starts + parts;
    if (tk_input_split(in, parts, starts, ends, &nout, e) == TK_OK) {
        u = realloc(f->units, (f->nunits + (size_t)nout + 1) * sizeof(*u));
        if (!u) {
            free(starts);
            return tk_err_set(e, TK_ESOFTWARE, "out of memory");
        }
        f->units = u;
        for (k = 0; k < nout; k++) {
            lj_unit *x = &f->units[f->nunits++];
            x->src = s;
            x->rank = 0;
            x->start = starts[k];
            x->end = ends[k];
            /* the file's estimate, shared by bytes */
            x->weight = in->size ? (uint64_t)((double)in->usize_est *
                                              (double)(ends[k] - starts[k]) / (double)in->size)
                                 : 0;
        }
    }
    free(starts);
    return e->status;
}

/* Units dealt largest first to the least loaded rank (ties: the lower
 * rank; equal units: in order). */
static int deal_units(lj_file *f, int size, tk_err *e)
{
    size_t *order = malloc((f->nunits + 1) * sizeof(size_t)), i, j;
    uint64_t *load = calloc((size_t)size, sizeof(uint64_t));
    int r, best;

    if (!order || !load) {
        free(order);
        free(load);
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    }
    for (i = 0; i < f->nunits; i++) { /* insertion sort: weight descending, stable */
        for (j = i; j > 0 && f->units[order[j - 1]].weight < f->units[i].weight; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    for (i = 0; i < f->nunits; i++) {
        for (best = 0, r = 1; r < size; r++)
            if (load[r] < load[best])
                best = r;
        f->units[order[i]].rank = best;
        load[best] += f->units[order[i]].weight + 1;
    }
    free(order);
    free(load);
    return TK_OK;
}

int lj_input_plan(lj_file *f, int size, tk_err *e)
{
    uint64_t total = 0, share;
    size_t s;

    for (s = 0; s < f->nsrc; s++)
        total += f->src[s].in.usize_est;
    share = total / (uint64_t)size + 1;
    for (s = 0; s < f->nsrc; s++) {
        const tk_input_file *in = &f->src[s].in;
        uint64_t parts = in->splittable ? (in->usize_est + share - 1) / share : 1;
        if (parts < 1)
            parts = 1;
        if (parts > (uint64_t)size)
            parts = (uint64_t)size;
        if (add_units(f, (uint32_t)s, (int)parts, e) != TK_OK)
            return e->status;
    }
    if (f->nunits > LJ_MAX_UNITS)
        return tk_err_set(e, TK_EUSAGE, "%s: more than %u pieces to read", f->path, LJ_MAX_UNITS);
    return deal_units(f, size, e);
}

/* ---- the plan, packed for the other ranks ---- */

typedef struct pack {
    char *p;
    size_t len, cap, at;
    int fail;
} pack;

static void put(pack *b, const void *v, size_t n)
{
    if (b->fail)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *p;
        while (cap < b->len + n)
            cap *= 2;
        if (!(p = realloc(b->p, cap))) {
            b->fail = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, v, n);
    b->len += n;
}

static void get(pack *b, void *v, size_t n)
{
    if (b->fail || b->at + n > b->len) {
        b->fail = 1;
        memset(v, 0, n);
        return;
    }
    memcpy(v, b->p + b->at, n);
    b->at += n;
}

/* Rank 0: both logs' sources and units into b. */
static void pack_plan(const lj_ctx *c, pack *b)
{
    int f;
    size_t s;

    for (f = 0; f < 2; f++) {
        const lj_file *lf = &c->files[f];
        put(b, &lf->nsrc, sizeof(lf->nsrc));
        put(b, &lf->size, sizeof(lf->size));
        for (s = 0; s < lf->nsrc; s++) {
            const lj_src *x = &lf->src[s];
            size_t len = strlen(x->in.path);
            put(b, &len, sizeof(len));
            put(b, x->in.path, len);
            put(b, x, sizeof(*x)); /* the path pointer in it is replaced on unpacking */
        }
        put(b, &lf->nunits, sizeof(lf->nunits));
        put(b, lf->units, lf->nunits * sizeof(*lf->units));
    }
}

/* The other ranks: the plan from b. Returns 0, or -1 when out of memory. */
static int unpack_plan(lj_ctx *c, pack *b)
{
    int f;
    size_t s, len;

    for (f = 0; f < 2 && !b->fail; f++) {
        lj_file *lf = &c->files[f];
        get(b, &lf->nsrc, sizeof(lf->nsrc));
        get(b, &lf->size, sizeof(lf->size));
        lf->src = b->fail ? NULL : calloc(lf->nsrc + 1, sizeof(*lf->src));
        for (s = 0; lf->src && s < lf->nsrc && !b->fail; s++) {
            char *path;
            get(b, &len, sizeof(len));
            path = b->fail ? NULL : malloc(len + 1);
            if (path)
                get(b, path, len);
            get(b, &lf->src[s], sizeof(lf->src[s]));
            lf->src[s].in.path = path;
            if (!path)
                b->fail = 1;
            else
                path[len] = '\0';
        }
        get(b, &lf->nunits, sizeof(lf->nunits));
        lf->units = b->fail ? NULL : malloc((lf->nunits + 1) * sizeof(*lf->units));
        if (lf->units)
            get(b, lf->units, lf->nunits * sizeof(*lf->units));
        if (!lf->src || !lf->units)
            b->fail = 1;
    }
    return b->fail ? -1 : 0;
}

/* Collective. Rank 0's plan to every rank. */
static int share_plan(lj_ctx *c)
{
    pack b;
    uint64_t len;

    memset(&b, 0, sizeof(b));
    if (c->job.rank == 0) {
        pack_plan(c, &b);
        if (b.fail)
            tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
        else if (b.len > (uint64_t)INT32_MAX)
            tk_err_set(&c->job.err, TK_EUSAGE, "%s, %s: too many files (%llu bytes of names)",
                       c->files[0].path, c->files[1].path, (unsigned long long)b.len);
    }
    len = b.len;
    if (tk_mpi_agree(c->job.comm, &c->job.err) == TK_OK) {
        MPI_Bcast(&len, 1, MPI_UINT64_T, 0, c->job.comm);
        if (c->job.rank != 0 && !(b.p = malloc(len + 1)))
            tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
        b.len = len;
    }
    if (tk_mpi_agree(c->job.comm, &c->job.err) == TK_OK) {
        MPI_Bcast(b.p, (int)len, MPI_BYTE, 0, c->job.comm);
        if (c->job.rank != 0 && unpack_plan(c, &b) != 0)
            tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    }
    free(b.p);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

int lj_input_read(lj_ctx *c)
{
    int f;

    if (c->job.rank == 0)
        for (f = 0; f < 2 && c->job.err.status == TK_OK; f++)
            if (list_log(c, f) == TK_OK)
                lj_input_plan(&c->files[f], c->job.size, &c->job.err);
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK || share_plan(c) != TK_OK)
        return c->job.err.status;
    c->bytes_total = c->files[0].size + c->files[1].size;
    for (f = 0; f < 2; f++) {
        lj_file *lf = &c->files[f];
        lf->unit_lines = calloc(lf->nunits + 1, sizeof(uint64_t));
        if (!lf->unit_lines)
            tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    }
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

void lj_input_free(lj_ctx *c)
{
    int f;
    size_t s;

    for (f = 0; f < 2; f++) {
        lj_file *lf = &c->files[f];
        for (s = 0; lf->src && s < lf->nsrc; s++)
            free(lf->src[s].in.path);
        free(lf->src);
        free(lf->units);
        free(lf->unit_lines);
        lf->src = NULL;
        lf->units = NULL;
        lf->unit_lines = NULL;
        lf->nsrc = lf->nunits = 0;
    }
}
