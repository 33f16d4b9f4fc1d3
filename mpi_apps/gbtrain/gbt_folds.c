/* gbt_folds.c -- --cv-folds: TRAIN's rows -> folds, and a fold's training
 * and test rows as data sets of their own.
 *
 * A row's fold depends only on the row (its --fold-col value, or a hash of
 * its --fold-key value or of its global index, with --seed), never on how
 * the rows are split over ranks; a fold's rows keep TRAIN's order and are
 * numbered over all ranks as in a file holding just them, so sampling and
 * quantile cuts see the same rows for any number of ranks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"
#include "tk_hash.h"
#include "tk_mpi.h"
#include "tk_table.h"

/* The hash key of a --fold-key value: integers (and integral floats within
 * int64) by their value, so that an HDF5 int64 column and the same numbers
 * in a CSV or a float column give the same folds; other values by their
 * float64 bits (-0 as 0; every NaN alike). */
static uint64_t key_of(double v, const int64_t *exact, uint64_t i)
{
    uint64_t bits;

    if (exact && !isnan(v))
        return (uint64_t)exact[i];
    if (v == floor(v) && v >= -9223372036854775808.0 && v < 9223372036854775808.0)
        return (uint64_t)(int64_t)v;
    if (isnan(v))
        v = NAN;
    memcpy(&bits, &v, sizeof(bits));
    return bits ^ 0x8000000000000000ULL; /* apart from the integers' keys */
}

/* This rank's folds from the table's column: explicit fold numbers
 * (--fold-col) or hashes of keys (--fold-key). */
static int folds_from_column(const gbt_config *cfg, const tk_table *t, uint32_t *fold, tk_err *e)
{
    const double *v = t->cols[0];
    const int64_t *exact = t->icols && t->is_int[0] ? t->icols[0] : NULL;
    uint64_t K = (uint64_t)cfg->cv_folds, i;

    for (i = 0; i < t->nrows; i++) {
        if (cfg->fold_key) {
            fold[i] = (uint32_t)(tk_hash_pair((uint64_t)cfg->seed, key_of(v[i], exact, i)) % K);
            continue;
        }
        if (isnan(v[i]) || v[i] != floor(v[i]) || v[i] < 0 || v[i] >= (double)K)
            return tk_err_set(e, TK_EDATA,
                              "%s: --fold-col '%s' is %.17g in row %llu, not a fold in 0..%llu",
                              cfg->train, cfg->fold_col, v[i],
                              (unsigned long long)(t->row0 + i + 1), (unsigned long long)(K - 1));
        fold[i] = (uint32_t)v[i];
    }
    return TK_OK;
}

/* Collective. Reads the --fold-col or --fold-key column of TRAIN, the same
 * rows as d, into fold. */
static int read_folds(MPI_Comm comm, const gbt_config *cfg, const gbt_data *d, uint32_t *fold,
                      tk_err *e)
{
    const char *name = cfg->fold_key ? cfg->fold_key : cfg->fold_col;
    tk_table t;

    memset(&t, 0, sizeof(t));
    if (tk_table_read(comm, cfg->train, cfg->group, &name, 1, TK_COL_EXACT, &t, e) != TK_OK)
        return e->status;
    if (t.nrows != d->n || t.row0 != d->row0 || t.total != d->total)
        tk_err_set(e, TK_EDATA, "%s changed while it was read: %llu rows, then %llu", cfg->train,
                   (unsigned long long)d->total, (unsigned long long)t.total);
    else
        folds_from_column(cfg, &t, fold, e);
    tk_table_free(&t);
    return tk_mpi_agree(comm, e);
}

int gbt_folds_assign(MPI_Comm comm, const gbt_config *cfg, const gbt_data *d, uint32_t **fold,
                     tk_err *e)
{
    uint64_t K = (uint64_t)cfg->cv_folds, i, *count = calloc(K, sizeof(uint64_t));
    uint32_t *f = malloc((d->n + 1) * sizeof(uint32_t));

    *fold = NULL;
    if (!f || !count)
        tk_err_set(e, TK_ESOFTWARE, "out of memory for the folds");
    if (tk_mpi_agree(comm, e) == TK_OK && K > d->total)
        tk_err_set(e, TK_EDATA, "--cv-folds %llu is more than TRAIN's %llu rows",
                   (unsigned long long)K, (unsigned long long)d->total);
    if (e->status == TK_OK && (cfg->fold_key || cfg->fold_col))
        read_folds(comm, cfg, d, f, e);
    else if (e->status == TK_OK)
        for (i = 0; i < d->n; i++)
            f[i] = (uint32_t)(tk_hash_pair((uint64_t)cfg->seed, d->row0 + i) % K);
    if (e->status == TK_OK) {
        for (i = 0; i < d->n; i++)
            count[f[i]]++;
        tk_mpi_sum_u64(comm, count, (int)K);
        for (i = 0; i < K && count[i] > 0; i++)
            ;
        if (i < K)
            tk_err_set(e, TK_EDATA, "%s: fold %llu of %llu has no rows (%s)", cfg->train,
                       (unsigned long long)i, (unsigned long long)K,
                       cfg->fold_col ? "--fold-col" : "use fewer folds");
    }
    free(count);
    if (e->status != TK_OK) {
        free(f);
        return e->status;
    }
    *fold = f;
    return TK_OK;
}

/* Local. Copies the rows i of src with keep(i) into dst's arrays (already
 * sized): features, labels and weights. */
static void copy_rows(const gbt_data *src, const uint32_t *fold, uint32_t k, int in,
                      gbt_data *dst)
{
    uint64_t i, j = 0;
    size_t f;

    for (i = 0; i < src->n; i++) {
        if ((fold[i] == k) != in)
            continue;
        for (f = 0; f < src->nf; f++)
            dst->xcol[f][j] = src->xcol[f][i];
        dst->y[j] = src->y[i];
        if (src->w)
            dst->w[j] = src->w[i];
        j++;
    }
}

int gbt_data_subset(MPI_Comm comm, const gbt_data *src, const uint32_t *fold, uint32_t k,
                    int in, gbt_data *dst, tk_err *e)
{
    uint64_t n = 0, i;
    size_t f;
    int fail;

    memset(dst, 0, sizeof(*dst));
    for (i = 0; i < src->n; i++)
        n += (fold[i] == k) == in;
    dst->n = n;
    dst->nf = src->nf;
    tk_mpi_exscan_u64(comm, n, &dst->row0, &dst->total);
    dst->xcol = calloc(src->nf + 1, sizeof(float *));
    dst->y = malloc((n + 1) * sizeof(float));
    dst->w = src->w ? malloc((n + 1) * sizeof(float)) : NULL;
    fail = !dst->xcol || !dst->y || (src->w && !dst->w);
    for (f = 0; !fail && f < src->nf; f++)
        fail = !(dst->xcol[f] = malloc((n + 1) * sizeof(float)));
    if (!fail)
        copy_rows(src, fold, k, in, dst);
    else
        tk_err_set(e, TK_ESOFTWARE, "out of memory for the rows of fold %u", k);
    if (tk_mpi_agree(comm, e) != TK_OK)
        gbt_data_free(dst);
    return e->status;
}
