/* gbp_write.c -- the predictions or SHAP values (and kept columns) -> OUT: a
 * CSV file written with MPI-IO, each rank its rows in rank order, or an HDF5
 * file written collectively, each rank its slice. Both are built in a
 * temporary sibling that rank 0 renames into place once every rank has
 * succeeded (gbp_run). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gbpredict.h"
#include "tk_cleanup.h"
#include "tk_fs.h"
#include "tk_h5.h"
#include "tk_mpi.h"
#include "tk_text.h"

/* ---- CSV ---- */

#define KEEP_WIDTH 32 /* a formatted kept value, with its delimiter */
#define PRED_WIDTH 24 /* a "%.9g" float, with its delimiter */

size_t gbp_put_name(char *p, const char *name)
{
    size_t n = 0;

    if (!strpbrk(name, ",\"\r\n")) {
        n = strlen(name);
        memcpy(p, name, n);
        return n;
    }
    p[n++] = '"';
    for (; *name; name++) {
        if (*name == '"')
            p[n++] = '"';
        p[n++] = *name;
    }
    p[n++] = '"';
    return n;
}

/* Kept value i of column j: empty when missing, the exact decimal of an
 * integer column (int64, no decimal point), else the shortest of 15..17
 * digits that reads back ("inf" and "-inf" for infinities). */
static size_t put_keep(char *p, const tk_table *t, size_t j, uint64_t i)
{
    double v = ((const double *)t->cols[j])[i];

    if (isnan(v))
        return 0;
    if (t->is_int[j] && t->icols && t->icols[j])
        return (size_t)snprintf(p, KEEP_WIDTH, "%" PRId64, t->icols[j][i]);
    return (size_t)tk_fmt_double(p, KEEP_WIDTH, v, 15);
}

/* The header's bytes at most: the kept names, then the outputs'. */
static size_t header_room(const gbp_ctx *c)
{
    size_t head = 2, j;

    for (j = 0; j < c->cfg.nkeep; j++)
        head += 2 * strlen(c->cfg.keep_names[j]) + 3;
    if (!c->cfg.contribs)
        return head + (size_t)c->nout * 24;
    for (j = 0; j < (size_t)c->nout; j++) { /* class_K:FEATURE, or class_K:bias */
        size_t f = j % (c->model.nfeatures + 1);
        head += 2 * (f < c->model.nfeatures ? strlen(c->feature_names[f]) + 24 : 24) + 3;
    }
    return head;
}

/* Writes the header line into buf; returns its length, 0 when out of memory. */
static size_t put_header(const gbp_ctx *c, char *buf)
{
    size_t K = (size_t)c->nout, len = 0, j, k, room = 32;
    char *name;

    for (j = 0; c->cfg.contribs && j < c->model.nfeatures; j++)
        room = strlen(c->feature_names[j]) + 32 > room ? strlen(c->feature_names[j]) + 32 : room;
    if (!(name = malloc(room)))
        return 0;

    for (j = 0; j < c->cfg.nkeep; j++) {
        len += gbp_put_name(buf + len, c->cfg.keep_names[j]);
        buf[len++] = ',';
    }
    for (k = 0; k < K; k++) {
        if (k)
            buf[len++] = ',';
        if (c->cfg.contribs)
            len += gbp_put_name(buf + len, gbp_contrib_name(c, k, name, room));
        else if (c->model.objective == TK_OBJ_SOFTPROB)
            len += (size_t)sprintf(buf + len, "class_%zu", k);
        else
            len += (size_t)sprintf(buf + len, "prediction");
    }
    buf[len++] = '\n';
    free(name);
    return len;
}

static int write_csv(gbp_ctx *c)
{
    size_t K = (size_t)c->nout, nk = c->cfg.nkeep, len = 0, j, k;
    size_t row_max = nk * KEEP_WIDTH + K * PRED_WIDTH + 2;
    char *buf;
    uint64_t i;

    buf = malloc(header_room(c) + (size_t)c->nrows * row_max + 1);
    if (!buf) {
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory formatting %s", c->cfg.out);
        return tk_mpi_agree(c->job.comm, &c->job.err);
    }
    if (c->job.rank == 0 && (len = put_header(c, buf)) == 0)
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory formatting %s", c->cfg.out);
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK) {
        free(buf);
        return c->job.err.status;
    }
    for (i = 0; i < c->nrows; i++) {
        for (j = 0; j < nk; j++) {
            len += put_keep(buf + len, &c->keep, j, i);
            buf[len++] = ',';
        }
        for (k = 0; k < K; k++) {
            if (k)
                buf[len++] = ',';
            len += (size_t)snprintf(buf + len, PRED_WIDTH, "%.9g", (double)c->pred[i * K + k]);
        }
        buf[len++] = '\n';
    }
    tk_mpi_write_ordered(c->job.comm, c->job.tmp, buf, len, &c->job.err);
    free(buf);
    return c->job.err.status; /* the same on every rank */
}

/* ---- HDF5 ---- */

/* Collective. Per kept column, 1 when it is written as int64 (an integer
 * column without missing values on any rank), else 0 (float64). An integer
 * column with missing values is float64 when every value is within +-2^53
 * (exact in float64), else TK_EDATA naming it: HDF5 has no missing int64.
 * Returns the array (owned by the caller) or NULL with e set. */
static int *int_columns(gbp_ctx *c)
{
    size_t nk = c->cfg.nkeep, j;
    int *as_int = malloc((2 * nk + 1) * sizeof(int)), *big;
    uint64_t i;

    if (!as_int)
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory writing %s", c->cfg.out);
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        return NULL;
    big = as_int + nk; /* an integer column: some value beyond 2^53 */
    for (j = 0; j < nk; j++) {
        const double *v = c->keep.cols[j];
        const int64_t *iv = c->keep.icols ? c->keep.icols[j] : NULL;
        as_int[j] = c->keep.is_int[j] && iv;
        big[j] = 0;
        for (i = 0; as_int[j] && i < c->nrows; i++) {
            if (isnan(v[i]))
                as_int[j] = -1; /* missing: not int64, but keep looking for big */
            big[j] |= iv[i] > (INT64_C(1) << 53) || iv[i] < -(INT64_C(1) << 53);
        }
        as_int[j] = as_int[j] == 1;
    }
    MPI_Allreduce(MPI_IN_PLACE, as_int, (int)nk, MPI_INT, MPI_MIN, c->job.comm);
    MPI_Allreduce(MPI_IN_PLACE, big, (int)nk, MPI_INT, MPI_MAX, c->job.comm);
    for (j = 0; j < nk && c->job.err.status == TK_OK; j++)
        if (c->keep.is_int[j] && !as_int[j] && big[j])
            tk_err_set(&c->job.err, TK_EDATA,
                       "%s: column '%.80s' has missing values and integers beyond 2^53, which "
                       "HDF5 float64 cannot hold exactly (write a .csv)",
                       c->cfg.out, c->keep.names[j]);
    if (c->job.err.status != TK_OK) { /* the same on every rank: from reduced flags */
        free(as_int);
        return NULL;
    }
    return as_int;
}

/* Collective. The float32 dataset /contribs of shape (total, K, F1) from
 * c->pred, this rank's rows at c->row0; the dataset properties of
 * tk_h5_write_array (contiguous, allocated early, no fill, no times). */
static int write_3d(gbp_ctx *c, hid_t file, hsize_t K, hsize_t F1)
{
    hsize_t dims[3] = { (hsize_t)c->total, K, F1 }, start[3] = { (hsize_t)c->row0, 0, 0 },
            cnt[3] = { (hsize_t)c->nrows, K, F1 };
    hid_t fspace, mspace = H5I_INVALID_HID, dcpl, dxpl = H5I_INVALID_HID,
                  dset = H5I_INVALID_HID;

    fspace = H5Screate_simple(3, dims, NULL);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (fspace < 0 || dcpl < 0 || H5Pset_obj_track_times(dcpl, 0) < 0 ||
        H5Pset_layout(dcpl, H5D_CONTIGUOUS) < 0 ||
        H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) < 0 ||
        H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) < 0) {
        tk_h5_fail(&c->job.err, TK_ESOFTWARE, "contribs");
        goto out;
    }
    dset = H5Dcreate2(file, "contribs", H5T_IEEE_F32LE, fspace, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dset < 0) {
        tk_h5_fail(&c->job.err, TK_ECANTCREAT, "contribs");
        goto out;
    }
    if ((mspace = H5Screate_simple(3, cnt, NULL)) < 0 ||
        (c->nrows > 0 ? H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, cnt, NULL)
                      : H5Sselect_none(fspace)) < 0 ||
        (c->nrows == 0 && H5Sselect_none(mspace) < 0) ||
        (dxpl = H5Pcreate(H5P_DATASET_XFER)) < 0 ||
        H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) < 0) {
        tk_h5_fail(&c->job.err, TK_ESOFTWARE, "contribs");
        goto out;
    }
    if (c->total > 0 && H5Dwrite(dset, H5T_NATIVE_FLOAT, mspace, fspace, dxpl, c->pred) < 0)
        tk_h5_fail(&c->job.err, TK_EIO, "contribs");
out:
    if (dxpl >= 0)
        H5Pclose(dxpl);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (dset >= 0)
        H5Dclose(dset);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (fspace >= 0)
        H5Sclose(fspace);
    if (c->job.err.status != TK_OK)
        tk_fs_explain_write(&c->job.err, c->cfg.out);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

/* Collective. /predictions of shape (n), or (n, K) for multi:softprob; with
 * --contribs /contribs of shape (n, F + 1) or (n, K, F + 1) and the names of
 * its last axis in the file's attribute contrib_names. */
static int write_outputs(gbp_ctx *c, hid_t file)
{
    size_t F1 = c->model.nfeatures + 1, j;
    int multi = c->model.objective == TK_OBJ_SOFTPROB;
    const char **names;

    if (!c->cfg.contribs)
        return tk_h5_write_array(file, "predictions", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, c->pred,
                                 c->row0, c->nrows, c->total, multi ? (uint64_t)c->nout : 0,
                                 &c->job.err);
    if ((multi ? write_3d(c, file, (hsize_t)c->nout / F1, F1)
               : tk_h5_write_array(file, "contribs", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, c->pred,
                                   c->row0, c->nrows, c->total, F1, &c->job.err)) != TK_OK)
        return c->job.err.status;
    names = malloc(F1 * sizeof(char *));
    if (!names)
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory writing %s", c->cfg.out);
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        return c->job.err.status;
    for (j = 0; j + 1 < F1; j++)
        names[j] = c->feature_names[j];
    names[F1 - 1] = "bias";
    tk_h5_attr_strs(file, "contrib_names", names, F1, &c->job.err);
    free(names);
    return c->job.err.status;
}

/* Collective. The kept columns: int64 (as_int) or float64. */
static int write_kept(gbp_ctx *c, hid_t file, const int *as_int)
{
    size_t j;

    for (j = 0; j < c->cfg.nkeep; j++) {
        const char *name = c->cfg.keep_names[j];
        if (as_int[j] ? tk_h5_write_column(file, name, H5T_STD_I64LE, H5T_NATIVE_INT64,
                                           c->keep.icols[j], c->row0, c->nrows, c->total,
                                           &c->job.err)
                      : tk_h5_write_column(file, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                           c->keep.cols[j], c->row0, c->nrows, c->total,
                                           &c->job.err))
            return c->job.err.status;
    }
    return TK_OK;
}

static int write_h5(gbp_ctx *c)
{
    size_t nk = c->cfg.nkeep, j;
    const char **names = calloc(nk + 1, sizeof(char *));
    const char *output = c->cfg.contribs ? "contribs" : c->cfg.margin ? "margin" : "prediction";
    int *as_int = NULL;
    hid_t file = H5I_INVALID_HID;

    if (!names)
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory writing %s", c->cfg.out);
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK) /* before the first collective call */
        goto out;
    if (!(as_int = int_columns(c)))
        goto out;
    for (j = 0; j < nk; j++)
        names[j] = c->cfg.keep_names[j];
    names[nk] = c->cfg.contribs ? "contribs" : "predictions";
    /* every call below is collective and returns the same status on every rank */
    if (tk_h5_create(c->job.comm, c->job.tmp, &file, &c->job.err) ||
        tk_h5_reserve(c->job.comm, c->job.tmp, c->total * ((uint64_t)c->nout * 4 + nk * 8),
                      2 * nk + 16, &c->job.err) ||
        write_outputs(c, file) || write_kept(c, file, as_int))
        goto out;
    if (tk_h5_attr_strs(file, "columns", names, nk + 1, &c->job.err) ||
        tk_h5_attr_str(file, "model", c->cfg.model, &c->job.err) ||
        tk_h5_attr_str(file, "data", c->cfg.data, &c->job.err) ||
        tk_h5_attr_str(file, "objective", tk_objective_name(c->model.objective), &c->job.err) ||
        tk_h5_attr_str(file, "output", output, &c->job.err) ||
        tk_h5_attr_i64(file, "num_class", c->model.num_class, &c->job.err) ||
        tk_h5_attr_str(file, "tool", GBP_NAME, &c->job.err) ||
        tk_h5_attr_str(file, "version", GBP_VERSION, &c->job.err))
        goto out;
out:
    tk_h5_close(c->job.comm, &file, c->job.tmp, &c->job.err);
    free(as_int);
    free(names);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

int gbp_write(gbp_ctx *c)
{
    return c->cfg.format == GBP_OUT_CSV ? write_csv(c) : write_h5(c);
}
