/* gbp_read.c -- the model, then DATA's feature columns (float32) and --keep
 * columns (float64, integer columns also as exact int64), each rank its own
 * slice of the rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbpredict.h"
#include "tk_mpi.h"
#include "tk_text.h"

/* c->feature_names: the model's, or f0, f1, ... as xgboost names unnamed
 * features. */
static int feature_names(gbp_ctx *c)
{
    size_t nf = c->model.nfeatures, j;

    c->feature_names = calloc(nf + 1, sizeof(char *));
    if (!c->feature_names)
        return tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    for (j = 0; j < nf; j++) {
        char buf[32];
        const char *name = c->model.feature_names ? c->model.feature_names[j] : buf;
        snprintf(buf, sizeof(buf), "f%zu", j);
        if (!(c->feature_names[j] = strdup(name)))
            return tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    }
    return TK_OK;
}

/* --contribs to a CSV: no --keep column may be named like a feature, whose
 * SHAP value is a column too (multi:softprob's class_K:FEATURE names are
 * refused with the command line). TK_EUSAGE, found alike on every rank. */
static int check_keep_clash(gbp_ctx *c)
{
    size_t j, k;

    if (!c->cfg.contribs || c->cfg.format != GBP_OUT_CSV || c->model.objective == TK_OBJ_SOFTPROB)
        return TK_OK;
    for (k = 0; k < c->cfg.nkeep; k++)
        for (j = 0; j < c->model.nfeatures; j++)
            if (strcmp(c->cfg.keep_names[k], c->feature_names[j]) == 0)
                return tk_err_set(&c->job.err, TK_EUSAGE,
                                  "--keep column '%.80s' clashes with an output column (with "
                                  "--contribs, every feature of %s is one)",
                                  c->cfg.keep_names[k], c->cfg.model);
    return TK_OK;
}

/* Every feature is a column of DATA; otherwise TK_EDATA naming the first
 * missing one and listing DATA's columns. */
static int check_features(gbp_ctx *c)
{
    char **have = NULL, delim = 0;
    size_t nhave = 0, nf = c->model.nfeatures, j, k, missing = 0, first = 0;

    /* the header's names: a string column named by the model is then reported
     * by tk_table_read with its row */
    tk_table_header(c->job.comm, c->cfg.data, c->cfg.group, &have, &nhave, &delim, &c->job.err);
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        goto out;
    for (j = 0; j < nf; j++) {
        for (k = 0; k < nhave && strcmp(have[k], c->feature_names[j]) != 0; k++)
            ;
        if (k == nhave && missing++ == 0)
            first = j;
    }
    if (missing) {
        char list[TK_ERR_MSG_MAX / 2], more[48] = "", hint[80], name[128];
        tk_names_fit(list, sizeof(list), (const char *const *)have, nhave, 100,
                     sizeof(list) - 25);
        if (missing > 1)
            snprintf(more, sizeof(more), " (and %zu more)", missing - 1);
        tk_table_hint(hint, sizeof(hint), (const char *const *)have, nhave, delim);
        tk_log_escapez(name, sizeof(name), c->feature_names[first], 80);
        tk_err_set(&c->job.err, TK_EDATA, "%s has no column '%s', a feature of %s%s; it has: %s%s",
                   c->cfg.data, name, c->cfg.model, more, list, hint);
    } else if (nf == 0 && nhave == 0) {
        tk_err_set(&c->job.err, TK_EDATA, "%s has no columns", c->cfg.data);
    } else if (nf == 0) {
        /* a model without features: one column of DATA counts the rows */
        free(c->feature_names[0]);
        if (!(c->feature_names[0] = strdup(have[0])))
            tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    }
out:
    tk_table_names_free(have, nhave);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}

/* xgboost refuses infinite inputs; so does gbpredict (an HDF5 value beyond
 * float32's range arrives as one). Reports the first in row order. */
static int check_finite(gbp_ctx *c)
{
    const tk_table *t = &c->feats;
    uint64_t best = UINT64_MAX, i;
    size_t j, col = 0;

    for (j = 0; j < c->model.nfeatures; j++) {
        const float *v = t->cols[j];
        for (i = 0; i < t->nrows && i < best; i++)
            if (isinf(v[i])) {
                best = i;
                col = j;
                break;
            }
    }
    if (best != UINT64_MAX)
        tk_err_set(&c->job.err, TK_EDATA,
                   "%s: feature '%.80s' is infinite or beyond float32's range in row %llu "
                   "(counting data rows from 1)",
                   c->cfg.data, t->names[col], (unsigned long long)(t->row0 + best + 1));
    return tk_mpi_agree(c->job.comm, &c->job.err); /* the lowest rank holds the first row */
}

int gbp_read(gbp_ctx *c)
{
    size_t nread;

    tk_model_load(&c->model, c->cfg.model, &c->job.err);
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        return c->job.err.status;
    c->nout = tk_model_noutputs(&c->model);
    if (feature_names(c) == TK_OK)
        check_keep_clash(c);
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK || check_features(c) != TK_OK)
        return c->job.err.status;
    nread = c->model.nfeatures ? c->model.nfeatures : 1;
    if (tk_table_read(c->job.comm, c->cfg.data, c->cfg.group, (const char *const *)c->feature_names,
                      nread, TK_COL_F32, &c->feats, &c->job.err) != TK_OK ||
        check_finite(c) != TK_OK)
        return c->job.err.status;
    c->nrows = c->feats.nrows;
    c->row0 = c->feats.row0;
    c->total = c->feats.total;
    if (c->cfg.nkeep == 0)
        return TK_OK;
    if (tk_table_read(c->job.comm, c->cfg.data, c->cfg.group,
                      (const char *const *)c->cfg.keep_names, c->cfg.nkeep, TK_COL_EXACT,
                      &c->keep, &c->job.err) != TK_OK)
        return c->job.err.status;
    if (c->keep.nrows != c->nrows || c->keep.row0 != c->row0)
        tk_err_set(&c->job.err, TK_ESOFTWARE, "%s: the two reads gave different slices",
                   c->cfg.data);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}
