/* gbp_contribs.c -- --contribs and --contribs-summary: each rank's SHAP
 * values (tk_shap) and the exact sums of their magnitudes; the summary
 * (mean |SHAP| per feature) reduced once over the ranks and written by rank 0
 * through a temporary sibling. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gbpredict.h"
#include "tk_cleanup.h"
#include "tk_fs.h"
#include "tk_mpi.h"
#include "tk_text.h"

#define CHUNK 4096  /* rows per tk_shap_rows call (its blocks have up to 1024) */
#define NLIMB 9     /* of GBP_LIMBS: the fixed-point limbs; the last one counts non-finite values */

/* ---- exact sums: fixed point, 32-bit limbs from 2^-149 ---- */

/* Adds |f| exactly to the limbs L[0..GBP_LIMBS). */
static void add_abs(int64_t *L, float f)
{
    uint32_t u, ex, man, pos;
    uint64_t sh;

    memcpy(&u, &f, sizeof(u));
    u &= 0x7fffffffu;
    ex = u >> 23;
    man = u & 0x7fffffu;
    if (ex == 0xff) { /* infinite or NaN: the mean is NaN */
        L[NLIMB]++;
        return;
    }
    pos = ex ? ex - 1 : 0; /* value = mantissa * 2^(pos - 149) */
    if (ex)
        man |= 0x800000u;
    sh = (uint64_t)man << (pos & 31);
    L[pos >> 5] += (int64_t)(sh & 0xffffffffu);
    L[(pos >> 5) + 1] += (int64_t)(sh >> 32); /* pos <= 253: at most limb 8 */
}

/* Carries so that every limb but the last is in [0, 2^32). */
static void normalize(int64_t *L)
{
    int k;

    for (k = 0; k + 1 < NLIMB; k++) {
        L[k + 1] += L[k] >> 32;
        L[k] &= 0xffffffff;
    }
}

/* The sum the (normalized) limbs hold. */
static long double limbs_value(const int64_t *L)
{
    long double v = 0.0L;
    int k;

    if (L[NLIMB] > 0)
        return NAN;
    for (k = NLIMB - 1; k >= 0; k--)
        v = v * 4294967296.0L + (long double)L[k];
    return ldexpl(v, -149);
}

/* ---- the values ---- */

const char *gbp_contrib_name(const gbp_ctx *c, size_t j, char *buf, size_t len)
{
    size_t F1 = c->model.nfeatures + 1, k = j / F1, f = j % F1;
    const char *name = f + 1 == F1 ? "bias" : c->feature_names[f];

    if (c->model.objective == TK_OBJ_SOFTPROB)
        snprintf(buf, len, "class_%zu:%s", k, name);
    else
        snprintf(buf, len, "%s", name);
    return buf;
}

/* Rows i0 .. i0 + n of c->feats into x, row-major. */
static void gather(const gbp_ctx *c, uint64_t i0, size_t n, float *x)
{
    size_t nf = c->model.nfeatures, j, r;

    for (j = 0; j < nf; j++) {
        const float *col = (const float *)c->feats.cols[j] + i0;
        for (r = 0; r < n; r++)
            x[r * nf + j] = col[r];
    }
}

/* Rows i0 .. i0 + n's values v (W per row) into c->pred and the limbs. */
static void store(gbp_ctx *c, uint64_t i0, size_t n, const double *v, size_t W)
{
    size_t r, j;

    for (r = 0; r < n; r++)
        for (j = 0; j < W; j++) {
            float f = (float)v[r * W + j];
            if (c->cfg.contribs)
                c->pred[(i0 + r) * W + j] = f;
            if (c->limbs)
                add_abs(c->limbs + j * GBP_LIMBS, f);
        }
}

int gbp_contribs(gbp_ctx *c)
{
    size_t nf = c->model.nfeatures, W, n;
    tk_shap shap;
    float *x = NULL;
    double *v = NULL;
    uint64_t i0;

    if (tk_shap_init(&shap, &c->model, (size_t)c->cfg.tables, c->cfg.model, &c->job.err) !=
        TK_OK)
        return c->job.err.status;
    W = tk_shap_width(&shap);
    c->shap_fast = shap.nfast;
    c->shap_bytes = shap.table_bytes;
    x = malloc(CHUNK * (nf + 1) * sizeof(float));
    v = malloc(CHUNK * W * sizeof(double));
    if (c->cfg.contribs) {
        free(c->pred);
        c->nout = (int)W;
        c->pred = malloc((size_t)c->nrows * W * sizeof(float) + sizeof(float));
    }
    if (c->cfg.summary)
        c->limbs = calloc(W * GBP_LIMBS, sizeof(int64_t));
    if (!x || !v || (c->cfg.contribs && !c->pred) || (c->cfg.summary && !c->limbs)) {
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory for the SHAP values of %llu rows",
                   (unsigned long long)c->nrows);
        goto out;
    }
    for (i0 = 0; i0 < c->nrows; i0 += n) {
        n = c->nrows - i0 < CHUNK ? (size_t)(c->nrows - i0) : CHUNK;
        gather(c, i0, n, x);
        if (tk_shap_rows(&shap, x, n, v, &c->job.err) != TK_OK)
            goto out;
        store(c, i0, n, v, W);
    }
    if (c->limbs)
        for (n = 0; n < W; n++)
            normalize(c->limbs + n * GBP_LIMBS);
out:
    free(x);
    free(v);
    tk_shap_free(&shap);
    return c->job.err.status;
}

/* ---- the summary file ---- */

int gbp_summary_prepare(gbp_ctx *c)
{
    const char *s = c->cfg.summary, *others[3];
    struct stat st;
    int i;

    others[0] = c->cfg.out;
    others[1] = c->cfg.model;
    others[2] = c->cfg.data;
    c->sum_tmp[0] = c->sum_parents[0] = '\0';
    for (i = 0; c->job.rank == 0 && i < 3 && c->job.err.status == TK_OK; i++)
        if (tk_fs_overlap(s, others[i]))
            tk_err_set(&c->job.err, TK_EUSAGE,
                       "--contribs-summary %s overlaps %s %s (is it, holds it or lies inside it)",
                       s, i == 0 ? "OUT" : i == 1 ? "MODEL" : "DATA", others[i]);
    if (c->job.rank == 0 && c->job.err.status == TK_OK) {
        if (stat(s, &st) == 0 && S_ISDIR(st.st_mode))
            tk_err_set(&c->job.err, TK_ECANTCREAT, "%s is a folder", s);
        else if (tk_fs_exists(s) && !c->cfg.overwrite)
            tk_err_set(&c->job.err, TK_ECANTCREAT, "%s already exists (use --overwrite)", s);
        else if (tk_fs_mkparents(s, c->sum_parents, sizeof(c->sum_parents)) != 0)
            tk_err_set(&c->job.err, TK_ECANTCREAT, "cannot create the folder of %s: %s", s,
                       strerror(errno));
    }
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

typedef struct ranked {
    double mean;
    size_t f;
} ranked;

static int by_importance(const void *a, const void *b)
{
    const ranked *x = a, *y = b;

    if (x->mean != y->mean) /* NaN after everything */
        return isnan(x->mean) ? 1 : isnan(y->mean) ? -1 : x->mean < y->mean ? 1 : -1;
    return (x->f > y->f) - (x->f < y->f);
}

/* Rank 0: the summary's text from the reduced limbs (owned by the caller). */
static char *summary_text(gbp_ctx *c, size_t *len)
{
    size_t nf = c->model.nfeatures, F1 = nf + 1, K = (size_t)tk_model_noutputs(&c->model);
    size_t cap = 64, k, j, n = 0;
    int multi = c->model.objective == TK_OBJ_SOFTPROB;
    ranked *rk = malloc((nf + 1) * sizeof(ranked));
    char *buf;

    for (j = 0; j < nf; j++)
        cap += K * (2 * strlen(c->feature_names[j]) + 3 + 32 + 24);
    if (!rk || !(buf = malloc(cap))) {
        free(rk);
        return NULL;
    }
    n += (size_t)sprintf(buf, multi ? "class,feature,mean_abs_shap\n" : "feature,mean_abs_shap\n");
    for (k = 0; k < K; k++) {
        for (j = 0; j < nf; j++) {
            rk[j].f = j;
            rk[j].mean = (double)(limbs_value(c->limbs + (k * F1 + j) * GBP_LIMBS) /
                                  (long double)c->total);
        }
        qsort(rk, nf, sizeof(ranked), by_importance);
        for (j = 0; j < nf; j++) {
            if (multi)
                n += (size_t)sprintf(buf + n, "%zu,", k);
            n += gbp_put_name(buf + n, c->feature_names[rk[j].f]);
            buf[n++] = ',';
            n += (size_t)tk_fmt_double(buf + n, 32, rk[j].mean, 1);
            buf[n++] = '\n';
        }
    }
    free(rk);
    *len = n;
    return buf;
}

/* Rank 0: text[0..len) into a new temporary sibling of the summary, synced. */
static int write_tmp(gbp_ctx *c, const char *text, size_t len)
{
    const char *s = c->cfg.summary;
    size_t done = 0;
    int fd;

    if (tk_fs_tmp_sibling(s, "tmp", c->sum_tmp, sizeof(c->sum_tmp), &c->job.err) != TK_OK)
        return c->job.err.status;
    fd = open(c->sum_tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        tk_err_set(&c->job.err, TK_ECANTCREAT, "cannot create %s: %s", c->sum_tmp,
                   strerror(errno));
        c->sum_tmp[0] = '\0';
        return c->job.err.status;
    }
    tk_cleanup_add(c->sum_tmp);
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    if (done < len || fsync(fd) != 0)
        tk_err_set(&c->job.err, TK_EIO, "cannot write %s: %s", s, strerror(errno));
    if (close(fd) != 0)
        tk_err_set(&c->job.err, TK_EIO, "cannot write %s: %s", s, strerror(errno));
    tk_fs_explain_write(&c->job.err, s);
    return c->job.err.status;
}

int gbp_summary_write(gbp_ctx *c)
{
    int n = tk_model_noutputs(&c->model) * (int)(c->model.nfeatures + 1) * GBP_LIMBS, k;
    size_t len = 0;
    char *text;

    MPI_Allreduce(MPI_IN_PLACE, c->limbs, n, MPI_INT64_T, MPI_SUM, c->job.comm);
    if (c->job.rank == 0) {
        for (k = 0; k < n; k += GBP_LIMBS)
            normalize(c->limbs + k);
        if (!(text = summary_text(c, &len)))
            tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory formatting %s",
                       c->cfg.summary);
        else
            write_tmp(c, text, len);
        free(text);
    }
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

int gbp_summary_publish(gbp_ctx *c)
{
    if (c->job.rank == 0 &&
        tk_fs_publish(c->sum_tmp, c->cfg.summary, c->cfg.overwrite, &c->job.err) == TK_OK) {
        tk_cleanup_forget(c->sum_tmp);
        c->sum_tmp[0] = '\0';
        c->sum_parents[0] = '\0';
    }
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

void gbp_summary_discard(gbp_ctx *c)
{
    if (c->job.rank != 0 || !c->cfg.summary)
        return;
    if (c->sum_tmp[0]) {
        unlink(c->sum_tmp);
        tk_cleanup_forget(c->sum_tmp);
        c->sum_tmp[0] = '\0';
    }
    if (c->sum_parents[0])
        tk_fs_rmparents(c->cfg.summary, c->sum_parents);
    c->sum_parents[0] = '\0';
}
