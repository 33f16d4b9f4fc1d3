/* lj_write.c -- the sorted slices -> OUTDIR's features.csv (MPI-IO, each
 * rank writing its own byte range) and features.h5 (parallel HDF5, each rank
 * its own slice of every column). One column table drives both. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logjoin.h"
#include "tk_fs.h"
#include "tk_h5.h"
#include "tk_mpi.h"

typedef enum { COL_I64, COL_I32, COL_BOOL } col_kind;

typedef struct lj_column {
    const char *name;
    col_kind kind;
    size_t row_off;  /* of the field in lj_row */
    size_t feat_off; /* of the column's array in lj_features */
    int extra;     /* only with --extra-features */
} lj_column;

static const lj_column lj_columns[] = {
    { "userId", COL_I64, offsetof(lj_row, user), offsetof(lj_features, user), 0 },
    { "topGenderId", COL_I32, offsetof(lj_row, top_genre), offsetof(lj_features, top_genre), 0 },
    { "topGenderIdSongs", COL_I64, offsetof(lj_row, top_genre_songs), offsetof(lj_features, top_genre_songs), 0 },
    { "distSongIds", COL_I64, offsetof(lj_row, dist_songs), offsetof(lj_features, dist_songs), 0 },
    { "region", COL_I32, offsetof(lj_row, region), offsetof(lj_features, region), 0 },
    { "type", COL_I32, offsetof(lj_row, type), offsetof(lj_features, type), 0 },
    { "paid", COL_BOOL, offsetof(lj_row, paid), offsetof(lj_features, paid), 0 },
    { "plays", COL_I64, offsetof(lj_row, plays), offsetof(lj_features, plays), 1 },
    { "distDevices", COL_I64, offsetof(lj_row, dist_devices), offsetof(lj_features, dist_devices), 1 },
    { "peakHour", COL_I32, offsetof(lj_row, peak_hour), offsetof(lj_features, peak_hour), 1 },
};
#define LJ_NCOLUMNS (sizeof(lj_columns) / sizeof(lj_columns[0]))

static size_t ncolumns(const lj_ctx *c)
{
    return c->cfg.extra_features ? LJ_NCOLUMNS : LJ_NCOLUMNS - 3;
}

/* Writes v in decimal at p; returns the length. */
static size_t fmt_i64(char *p, int64_t v)
{
    char tmp[24];
    size_t n = 0, i;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[n++] = '-';
    for (i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

/* The column's array in f. */
static const void *column_of(const lj_features *f, const lj_column *col)
{
    const void *p;

    memcpy(&p, (const char *)f + col->feat_off, sizeof(p));
    return p;
}

static size_t fmt_row(const lj_ctx *c, const lj_row *r, char *p)
{
    size_t k, n = 0;
    const char *base = (const char *)r;

    for (k = 0; k < ncolumns(c); k++) {
        const lj_column *col = &lj_columns[k];
        if (k)
            p[n++] = ';';
        switch (col->kind) {
        case COL_I64: {
            int64_t v;
            memcpy(&v, base + col->row_off, sizeof(v));
            n += fmt_i64(p + n, v);
            break;
        }
        case COL_I32: {
            int32_t v;
            memcpy(&v, base + col->row_off, sizeof(v));
            n += fmt_i64(p + n, v);
            break;
        }
        case COL_BOOL:
            if (base[col->row_off]) {
                memcpy(p + n, "true", 4);
                n += 4;
            } else {
                memcpy(p + n, "false", 5);
                n += 5;
            }
            break;
        }
    }
    p[n++] = '\n';
    return n;
}

static int write_csv(lj_ctx *c, const char *path)
{
    /* longest row: 10 columns of at most 20 chars and separators */
    char *buf = malloc(c->rows.nrows * 240 + 512);
    const uint8_t *p = c->rows.data;
    int64_t prev = 0;
    size_t len = 0, i, k;
    lj_row r;

    if (!buf)
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory formatting %s", path);
    else {
        if (c->job.rank == 0)
            for (k = 0; k < ncolumns(c); k++) {
                size_t n = strlen(lj_columns[k].name);
                if (k)
                    buf[len++] = ';';
                memcpy(buf + len, lj_columns[k].name, n);
                len += n;
                if (k + 1 == ncolumns(c))
                    buf[len++] = '\n';
            }
        for (i = 0; i < c->rows.nrows; i++) {
            p = lj_row_get(p, &r, &prev);
            len += fmt_row(c, &r, buf + len);
        }
    }
    tk_mpi_write_ordered(c->job.comm, path, buf, len, &c->job.err);
    free(buf);
    return c->job.err.status;
}

/* Bytes of one row in features.h5. */
static uint64_t row_bytes(const lj_ctx *c)
{
    uint64_t n = 0;
    size_t k;

    for (k = 0; k < ncolumns(c); k++)
        n += lj_columns[k].kind == COL_I64 ? 8 : lj_columns[k].kind == COL_I32 ? 4 : 1;
    return n;
}

static int write_h5(lj_ctx *c, const char *path, uint64_t offset, uint64_t total)
{
    hid_t file = H5I_INVALID_HID, group = H5I_INVALID_HID;
    const char *names[LJ_NCOLUMNS];
    size_t k;
    const lj_config *g = &c->cfg;
    lj_features f;

    if (lj_features_decode(&c->rows, c->cfg.extra_features, &f) != TK_OK)
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory writing %s", path);
    free(c->rows.data); /* the columns hold it all now */
    c->rows.data = NULL;
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        goto out;

    /* every call below is collective and returns the same status on every rank */
    if (tk_h5_create(c->job.comm, path, &file, &c->job.err) ||
        tk_h5_reserve(c->job.comm, path, total * row_bytes(c), 2 * LJ_NCOLUMNS + 16, &c->job.err) ||
        tk_h5_create_group(file, "features", &group, &c->job.err))
        goto out;
    for (k = 0; k < ncolumns(c); k++)
        names[k] = lj_columns[k].name;
    if (tk_h5_attr_strs(group, "columns", names, ncolumns(c), &c->job.err) ||
        tk_h5_attr_str(group, "log1", g->log1, &c->job.err) ||
        tk_h5_attr_str(group, "log2", g->log2, &c->job.err) ||
        tk_h5_attr_i64(group, "min_id", g->min_id, &c->job.err) ||
        tk_h5_attr_i64(group, "max_id", g->max_id, &c->job.err) ||
        tk_h5_attr_i64(group, "log1_rows_read", (int64_t)c->total[LJ_LOG1].read, &c->job.err) ||
        tk_h5_attr_i64(group, "log1_bad_rows", (int64_t)c->total[LJ_LOG1].bad, &c->job.err) ||
        tk_h5_attr_i64(group, "log1_rows_kept", (int64_t)c->total[LJ_LOG1].kept, &c->job.err) ||
        tk_h5_attr_i64(group, "log2_rows_read", (int64_t)c->total[LJ_LOG2].read, &c->job.err) ||
        tk_h5_attr_i64(group, "log2_bad_rows", (int64_t)c->total[LJ_LOG2].bad, &c->job.err) ||
        tk_h5_attr_i64(group, "log2_rows_kept", (int64_t)c->total[LJ_LOG2].kept, &c->job.err) ||
        tk_h5_attr_i64(group, "log1_files", (int64_t)c->files[LJ_LOG1].nsrc, &c->job.err) ||
        tk_h5_attr_i64(group, "log1_bytes", (int64_t)c->files[LJ_LOG1].size, &c->job.err) ||
        tk_h5_attr_i64(group, "log1_bytes_uncompressed", (int64_t)c->files[LJ_LOG1].usize,
                       &c->job.err) ||
        tk_h5_attr_i64(group, "log2_files", (int64_t)c->files[LJ_LOG2].nsrc, &c->job.err) ||
        tk_h5_attr_i64(group, "log2_bytes", (int64_t)c->files[LJ_LOG2].size, &c->job.err) ||
        tk_h5_attr_i64(group, "log2_bytes_uncompressed", (int64_t)c->files[LJ_LOG2].usize,
                       &c->job.err) ||
        tk_h5_attr_i64(group, "users_written", (int64_t)c->users_written, &c->job.err) ||
        tk_h5_attr_i64(group, "extra_features", g->extra_features, &c->job.err) ||
        tk_h5_attr_str(group, "tool", LJ_NAME, &c->job.err) ||
        tk_h5_attr_str(group, "version", LJ_VERSION, &c->job.err))
        goto out;
    for (k = 0; k < ncolumns(c); k++) {
        const lj_column *lc = &lj_columns[k];
        hid_t ft, mt;
        switch (lc->kind) {
        case COL_I64:
            ft = H5T_STD_I64LE, mt = H5T_NATIVE_INT64;
            break;
        case COL_I32:
            ft = H5T_STD_I32LE, mt = H5T_NATIVE_INT32;
            break;
        default:
            ft = H5T_STD_U8LE, mt = H5T_NATIVE_UINT8;
            break;
        }
        if (tk_h5_write_column(group, lc->name, ft, mt, column_of(&f, lc), offset, f.n,
                               total, &c->job.err))
            goto out;
    }
out:
    if (group >= 0 && H5Gclose(group) < 0)
        tk_h5_fail(&c->job.err, TK_EIO, path);
    if (c->job.err.status != TK_OK && c->job.rank == 0) {
        /* the output is lost: free features.csv's space for HDF5's close */
        char csv[sizeof(c->job.tmp) + 16];
        snprintf(csv, sizeof(csv), "%s/features.csv", c->job.tmp);
        (void)truncate(csv, 0);
    }
    tk_h5_close(c->job.comm, &file, path, &c->job.err);
    lj_features_free(&f);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

int lj_write_outputs(lj_ctx *c)
{
    char path[TK_PATH_MAX + 96]; /* c->job.tmp (TK_PATH_MAX + 64) and "/features.csv" */
    uint64_t offset, total;

    tk_mpi_exscan_u64(c->job.comm, c->rows.nrows, &offset, &total);
    c->users_written = total;
    snprintf(path, sizeof(path), "%s/features.csv", c->job.tmp);
    if (write_csv(c, path) != TK_OK)
        return c->job.err.status;
    snprintf(path, sizeof(path), "%s/features.h5", c->job.tmp);
    return write_h5(c, path, offset, total);
}
