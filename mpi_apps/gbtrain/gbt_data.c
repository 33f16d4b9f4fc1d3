/* gbt_data.c -- TRAIN / VALID -> this rank's rows: feature columns and
 * labels, checked. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"
#include "tk_mpi.h"
#include "tk_table.h"

/* Whether name is one of the comma-separated names in list. */
static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    const char *p = list;

    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* Splits a comma-separated list into owned strings. */
static int split_list(const char *list, char ***out, size_t *n)
{
    size_t cap = 1, k = 0;
    const char *p;
    char **v;

    for (p = list; *p; p++)
        cap += *p == ',';
    v = calloc(cap, sizeof(*v));
    if (!v)
        return -1;
    p = list;
    while (p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0) {
            v[k] = strndup(p, len);
            if (!v[k]) {
                tk_table_names_free(v, k);
                return -1;
            }
            k++;
        }
        p = end ? end + 1 : NULL;
    }
    *out = v;
    *n = k;
    return 0;
}

/* No name twice among (*names)[0..*n) (xgboost refuses that); else the
 * names are freed and status set with fmt naming the duplicate. */
static int check_unique(char ***names, size_t *n, const char *fmt, int status, tk_err *e)
    __attribute__((format(printf, 3, 0)));
static int check_unique(char ***names, size_t *n, const char *fmt, int status, tk_err *e)
{
    size_t a, b;
    int dup = tk_names_duplicate((const char *const *)*names, *n, &a, &b);

    if (dup == 0)
        return TK_OK;
    if (dup < 0)
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
    else
        tk_err_set(e, status, fmt, (*names)[a]);
    tk_table_names_free(*names, *n);
    *names = NULL;
    *n = 0;
    return e->status;
}

int gbt_data_columns(MPI_Comm comm, const gbt_config *cfg, char ***names, size_t *n,
                     tk_err *e)
{
    char **all = NULL;
    size_t nall = 0, i, k = 0;

    *names = NULL;
    *n = 0;
    if (cfg->features) {
        if (split_list(cfg->features, names, n) != 0)
            return tk_err_set(e, TK_ESOFTWARE, "out of memory");
        for (i = 0; i < *n; i++)
            if (strcmp((*names)[i], cfg->label) == 0) {
                tk_table_names_free(*names, *n);
                *names = NULL;
                *n = 0;
                return tk_err_set(e, TK_EUSAGE, "the label '%s' is also in --features",
                                  cfg->label);
            }
        if (*n == 0)
            return tk_err_set(e, TK_EUSAGE, "--features names no column");
        return check_unique(names, n, "--features names '%s' twice", TK_EUSAGE, e);
    }
    if (tk_table_list(comm, cfg->train, cfg->group, &all, &nall, e) != TK_OK)
        return e->status;
    for (i = 0; i < nall; i++) {
        if (strcmp(all[i], cfg->label) == 0 || (cfg->exclude && in_list(cfg->exclude, all[i]))) {
            free(all[i]);
            continue;
        }
        all[k++] = all[i];
    }
    if (k == 0) {
        tk_table_names_free(all, k);
        return tk_err_set(e, TK_EUSAGE, "%s has no feature columns besides the label '%s'",
                          cfg->train, cfg->label);
    }
    *names = all;
    *n = k;
    return check_unique(names, n, "TRAIN has two columns named '%s'", TK_EDATA, e);
}

/* This rank's first invalid label, or NULL; its row goes into *bad. */
static const char *check_labels(const gbt_config *cfg, const float *y, uint64_t n,
                                uint64_t *bad)
{
    uint64_t i;

    for (i = 0; i < n; i++) {
        float v = y[i];
        *bad = i;
        if (isnan(v))
            return "is missing";
        if (isinf(v))
            return "is infinite";
        if (cfg->objective == TK_OBJ_LOGISTIC && v != 0.0f && v != 1.0f)
            return "is not 0 or 1 (binary:logistic)";
        if (cfg->objective == TK_OBJ_SOFTPROB &&
            (v != floorf(v) || v < 0 || v >= (float)cfg->num_class))
            return "is not a class in 0..num_class-1 (multi:softprob)";
    }
    return NULL;
}

int gbt_data_load(MPI_Comm comm, const gbt_config *cfg, const char *path,
                  const char *const *names, size_t nf, gbt_data *d, tk_err *e)
{
    const char **cols = malloc((nf + 1) * sizeof(*cols));
    tk_table t;
    const char *why;
    uint64_t i, bad = 0;
    size_t f;

    memset(d, 0, sizeof(*d));
    memset(&t, 0, sizeof(t));
    if (!cols)
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
    if (tk_mpi_agree(comm, e) != TK_OK)
        goto out;
    memcpy(cols, names, nf * sizeof(*cols));
    cols[nf] = cfg->label;
    if (tk_table_read(comm, path, cfg->group, cols, nf + 1, TK_COL_F32, &t, e) != TK_OK)
        goto out;
    d->n = t.nrows;
    d->row0 = t.row0;
    d->total = t.total;
    d->nf = nf;
    /* take the columns over from the table */
    d->xcol = malloc(nf * sizeof(*d->xcol));
    if (!d->xcol) {
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
    } else {
        for (f = 0; f < nf; f++) {
            d->xcol[f] = t.cols[f];
            t.cols[f] = NULL;
        }
        d->y = t.cols[nf];
        t.cols[nf] = NULL;
        if ((why = check_labels(cfg, d->y, d->n, &bad)))
            tk_err_set(e, TK_EDATA, "%s: label '%s' %s in row %llu (value %g)", path,
                       cfg->label, why, (unsigned long long)(d->row0 + bad + 1),
                       (double)d->y[bad]);
        for (f = 0; f < nf && e->status == TK_OK; f++)
            for (i = 0; i < d->n; i++)
                if (isinf(d->xcol[f][i])) {
                    tk_err_set(e, TK_EDATA, "%s: feature '%s' is infinite in row %llu", path,
                               names[f], (unsigned long long)(d->row0 + i + 1));
                    break;
                }
    }
    tk_mpi_agree(comm, e);
out:
    tk_table_free(&t);
    free(cols);
    if (e->status != TK_OK)
        gbt_data_free(d);
    return e->status;
}

void gbt_data_free(gbt_data *d)
{
    size_t f;

    if (d->xcol)
        for (f = 0; f < d->nf; f++)
            free(d->xcol[f]);
    free(d->xcol);
    free(d->y);
    free(d->bins);
    free(d->bins_col);
    free(d->margin);
    memset(d, 0, sizeof(*d));
}
