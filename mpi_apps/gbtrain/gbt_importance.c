/* gbt_importance.c -- feature importance from the model's splits: total
 * gain, weight (number of splits) and total cover (hessian sums), as
 * XGBoost's get_score reports them. */
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"
#include "tk_fs.h"

typedef struct imp {
    size_t f;
    double gain, cover;
    uint64_t weight;
} imp;

static int cmp_imp(const void *a, const void *b)
{
    const imp *x = a, *y = b;

    if (x->gain != y->gain)
        return x->gain > y->gain ? -1 : 1;
    return (x->f > y->f) - (x->f < y->f);
}

int gbt_importance_write(const gbt_ctx *c, tk_err *e)
{
    const tk_model *m = &c->model;
    imp *v = calloc(c->nf + 1, sizeof(*v));
    char path[TK_PATH_MAX], *buf = NULL;
    size_t t, f, len = 0, cap;
    int32_t id;

    if (!v)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    for (f = 0; f < c->nf; f++)
        v[f].f = f;
    for (t = 0; t < m->ntrees; t++) {
        const tk_tree *tr = &m->trees[t];
        for (id = 0; id < tr->nnodes; id++) {
            size_t sf = (size_t)tr->split_index[id];
            if (tr->left[id] < 0 || sf >= c->nf)
                continue;
            v[sf].gain += tr->loss_chg[id];
            v[sf].cover += tr->sum_hess[id];
            v[sf].weight++;
        }
    }
    qsort(v, c->nf, sizeof(*v), cmp_imp);
    cap = 64 + c->nf * 128;
    for (f = 0; f < c->nf; f++)
        cap += strlen(c->names[f]);
    buf = malloc(cap);
    if (!buf) {
        free(v);
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    }
    len += (size_t)snprintf(buf + len, cap - len, "feature,gain,weight,cover\n");
    for (f = 0; f < c->nf; f++)
        len += (size_t)snprintf(buf + len, cap - len, "%s,%.9g,%llu,%.9g\n", c->names[v[f].f],
                                v[f].gain, (unsigned long long)v[f].weight, v[f].cover);
    if (gbt_side_path(&c->cfg, ".importance.csv", path, sizeof(path)) != 0)
        tk_err_set(e, TK_EUSAGE, "MODEL_OUT %s: the path is too long", c->cfg.model_out);
    else if (tk_fs_write_atomic(path, buf, len, e) == TK_OK && c->cfg.top_features > 0) {
        fprintf(c->job.log.out, "%s: top features by total gain:", GBT_NAME);
        for (f = 0; f < c->nf && f < (size_t)c->cfg.top_features && v[f].weight > 0; f++)
            fprintf(c->job.log.out, "%s %s %.1f", f ? "," : "", c->names[v[f].f], v[f].gain);
        fputc('\n', c->job.log.out);
    }
    free(buf);
    free(v);
    return e->status;
}
