/* gbt_data.c -- TRAIN / VALID -> this rank's rows: feature columns,
 * labels and weights, checked; which features are categorical. */
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
            if (strcmp((*names)[i], cfg->label) == 0 ||
                (cfg->weight && strcmp((*names)[i], cfg->weight) == 0) ||
                (cfg->fold_col && strcmp((*names)[i], cfg->fold_col) == 0)) {
                const char *what = strcmp((*names)[i], cfg->label) == 0 ? "label"
                                   : cfg->weight && strcmp((*names)[i], cfg->weight) == 0
                                       ? "weight column"
                                       : "--fold-col";
                tk_err_set(e, TK_EUSAGE, "the %s '%s' is also in --features", what, (*names)[i]);
                tk_table_names_free(*names, *n);
                *names = NULL;
                *n = 0;
                return e->status;
            }
        if (*n == 0)
            return tk_err_set(e, TK_EUSAGE, "--features names no column");
        return check_unique(names, n, "--features names '%s' twice", TK_EUSAGE, e);
    }
    if (tk_table_list(comm, cfg->train, cfg->group, &all, &nall, e) != TK_OK)
        return e->status;
    for (i = 0; i < nall; i++) {
        if (strcmp(all[i], cfg->label) == 0 || (cfg->weight && strcmp(all[i], cfg->weight) == 0) ||
            (cfg->fold_col && strcmp(all[i], cfg->fold_col) == 0) ||
            (cfg->exclude && in_list(cfg->exclude, all[i]))) {
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

/* This rank's first invalid weight, or NULL; its row goes into *bad. */
static const char *check_weights(const float *w, uint64_t n, uint64_t *bad)
{
    uint64_t i;

    for (i = 0; i < n; i++) {
        *bad = i;
        if (isnan(w[i]))
            return "is missing";
        if (isinf(w[i]))
            return "is infinite";
        if (w[i] < 0.0f)
            return "is negative";
    }
    return NULL;
}

/* Collective. Whether path has the column name (1, or 0), or -1 on error
 * (recorded in e). */
static int has_column(MPI_Comm comm, const gbt_config *cfg, const char *path, const char *name,
                      tk_err *e)
{
    char **all = NULL;
    size_t nall = 0, i;
    int found = 0;

    if (tk_table_header(comm, path, cfg->group, &all, &nall, NULL, e) != TK_OK)
        return -1;
    for (i = 0; i < nall; i++)
        found |= strcmp(all[i], name) == 0;
    tk_table_names_free(all, nall);
    return found;
}

/* Moves the table's columns into d (features, label, weights). */
static int take_columns(tk_table *t, size_t nf, int weighted, gbt_data *d, tk_err *e)
{
    size_t f;

    d->n = t->nrows;
    d->row0 = t->row0;
    d->total = t->total;
    d->nf = nf;
    d->xcol = malloc((nf + 1) * sizeof(*d->xcol));
    if (!d->xcol)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    for (f = 0; f < nf; f++) {
        d->xcol[f] = t->cols[f];
        t->cols[f] = NULL;
    }
    d->y = t->cols[nf];
    t->cols[nf] = NULL;
    if (weighted) {
        d->w = t->cols[nf + 1];
        t->cols[nf + 1] = NULL;
    }
    return TK_OK;
}

int gbt_data_load(MPI_Comm comm, const gbt_config *cfg, const char *path,
                  const char *const *names, size_t nf, int need_weight, gbt_data *d,
                  tk_err *e)
{
    const char **cols = malloc((nf + 2) * sizeof(*cols));
    int weighted = cfg->weight != NULL;
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
    if (weighted && !need_weight &&
        (weighted = has_column(comm, cfg, path, cfg->weight, e)) < 0)
        goto out;
    memcpy(cols, names, nf * sizeof(*cols));
    cols[nf] = cfg->label;
    cols[nf + 1] = cfg->weight;
    if (tk_table_read(comm, path, cfg->group, cols, nf + 1 + (size_t)weighted, TK_COL_F32, &t,
                      e) != TK_OK)
        goto out;
    if (take_columns(&t, nf, weighted, d, e) == TK_OK) {
        if ((why = check_labels(cfg, d->y, d->n, &bad)))
            tk_err_set(e, TK_EDATA, "%s: label '%s' %s in row %llu (value %g)", path,
                       cfg->label, why, (unsigned long long)(d->row0 + bad + 1),
                       (double)d->y[bad]);
        else if (d->w && (why = check_weights(d->w, d->n, &bad)))
            tk_err_set(e, TK_EDATA, "%s: weight '%s' %s in row %llu (value %g)", path,
                       cfg->weight, why, (unsigned long long)(d->row0 + bad + 1),
                       (double)d->w[bad]);
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

/* Why v is not a category gbtrain takes, or NULL when it is one (NaN:
 * missing, fine). */
static const char *bad_category(float v)
{
    if (isnan(v))
        return NULL;
    if (v < 0.0f || v >= GBT_CAT_LIMIT)
        return "categories are integers in [0, 2^24)";
    if (v != floorf(v))
        return "not an integer, as categories must be";
    if (v > (float)GBT_MAX_CAT)
        return "above 65533, the largest category gbtrain keeps (number the categories "
               "0..K-1)";
    return NULL;
}

int gbt_data_check_categories(MPI_Comm comm, const char *path, const char *const *names,
                              const uint8_t *cat, const gbt_data *d, tk_err *e)
{
    size_t f;
    uint64_t i;

    for (f = 0; cat && f < d->nf && e->status == TK_OK; f++) {
        if (!cat[f])
            continue;
        for (i = 0; i < d->n; i++) {
            const char *why = bad_category(d->xcol[f][i]);
            if (why) {
                tk_err_set(e, TK_EDATA, "%s: categorical feature '%s' has %.9g in row %llu: %s",
                           path, names[f], (double)d->xcol[f][i],
                           (unsigned long long)(d->row0 + i + 1), why);
                break;
            }
        }
    }
    return tk_mpi_agree(comm, e);
}

/* Local. Whether feature column x[0..n) holds only categories (NaN or
 * integers in [0, GBT_MAX_CAT]): their distinct values then go into seen
 * (a bitmap of GBT_MAX_CAT + 1 bits, zeroed) and, up to max + 1 of them,
 * ascending into out (*nout). */
static int local_categories(const float *x, uint64_t n, uint64_t *seen, uint32_t max,
                            uint32_t *out, uint32_t *nout)
{
    uint64_t i;
    uint32_t v;

    *nout = 0;
    for (i = 0; i < n; i++) {
        if (bad_category(x[i]))
            return 0;
        if (!isnan(x[i]))
            seen[(uint32_t)x[i] >> 6] |= (uint64_t)1 << ((uint32_t)x[i] & 63);
    }
    for (v = 0; v <= GBT_MAX_CAT && *nout <= max; v++)
        if (seen[v >> 6] >> (v & 63) & 1)
            out[(*nout)++] = v;
    return 1;
}

/* Collective. --categorical auto: feature f is categorical when every rank
 * finds only categories in it and all ranks' distinct values are at most
 * cfg->max_cat. */
static int auto_categorical(MPI_Comm comm, const gbt_config *cfg, const gbt_data *d,
                            uint8_t *cat, tk_err *e)
{
    uint32_t max = (uint32_t)cfg->max_cat, mine[2], *vals = NULL, *all = NULL;
    uint64_t *seen = malloc(((GBT_MAX_CAT >> 6) + 1) * sizeof(uint64_t));
    int size, p, *counts = NULL, *displs;
    size_t f;

    MPI_Comm_size(comm, &size);
    vals = malloc(((size_t)max + 2) * sizeof(*vals));
    all = malloc((size_t)size * ((size_t)max + 2) * sizeof(*all));
    counts = malloc(2 * (size_t)size * sizeof(*counts));
    if (!seen || !vals || !all || !counts)
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
    for (f = 0; f < d->nf && tk_mpi_agree(comm, e) == TK_OK; f++) {
        int ok, total = 0, k, distinct = 0;
        memset(seen, 0, ((GBT_MAX_CAT >> 6) + 1) * sizeof(uint64_t));
        ok = local_categories(d->xcol[f], d->n, seen, max, vals, &mine[1]);
        MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_LAND, comm);
        if (!ok)
            continue;
        mine[0] = mine[1];
        MPI_Allgather(&mine[0], 1, MPI_INT, counts, 1, MPI_INT, comm);
        displs = counts + size;
        for (p = 0; p < size; p++) {
            displs[p] = total;
            total += counts[p];
        }
        MPI_Allgatherv(vals, (int)mine[0], MPI_UINT32_T, all, counts, displs, MPI_UINT32_T,
                       comm);
        memset(seen, 0, ((GBT_MAX_CAT >> 6) + 1) * sizeof(uint64_t));
        for (k = 0; k < total; k++)
            if (!(seen[all[k] >> 6] >> (all[k] & 63) & 1)) {
                seen[all[k] >> 6] |= (uint64_t)1 << (all[k] & 63);
                distinct++;
            }
        cat[f] = distinct <= (int)max;
    }
    free(seen);
    free(vals);
    free(all);
    free(counts);
    return e->status;
}

int gbt_data_categorical(MPI_Comm comm, const gbt_config *cfg, const char *const *names,
                         size_t nf, const gbt_data *d, uint8_t **cat, tk_err *e)
{
    uint8_t *v = calloc(nf + 1, 1);
    char **list = NULL;
    size_t n = 0, i, f, any = 0;

    *cat = NULL;
    if (!cfg->categorical)
        goto done;
    if (!v)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    if (strcmp(cfg->categorical, "auto") == 0) {
        if (auto_categorical(comm, cfg, d, v, e) != TK_OK)
            goto done;
    } else if (split_list(cfg->categorical, &list, &n) != 0) {
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
    } else {
        for (i = 0; i < n && e->status == TK_OK; i++) {
            for (f = 0; f < nf && strcmp(names[f], list[i]) != 0; f++)
                ;
            if (f == nf)
                tk_err_set(e, TK_EUSAGE, "--categorical names '%s', which is not a feature column",
                           list[i]);
            else
                v[f] = 1;
        }
        tk_table_names_free(list, n);
    }
    for (f = 0; f < nf; f++)
        any += v[f];
    if (e->status == TK_OK && any > 0) {
        *cat = v;
        v = NULL;
    }
done:
    free(v);
    return tk_mpi_agree(comm, e);
}

void gbt_data_free(gbt_data *d)
{
    size_t f;

    if (d->xcol)
        for (f = 0; f < d->nf; f++)
            free(d->xcol[f]);
    free(d->xcol);
    free(d->y);
    free(d->w);
    free(d->bins);
    free(d->bins_col);
    free(d->margin);
    memset(d, 0, sizeof(*d));
}
