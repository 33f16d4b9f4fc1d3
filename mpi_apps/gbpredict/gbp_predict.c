/* gbp_predict.c -- each rank's feature rows -> margins or predictions. */
#include <stdlib.h>

#include "gbpredict.h"

int gbp_predict(gbp_ctx *c)
{
    size_t nf = c->model.nfeatures, K = (size_t)c->nout, j;
    float *x = malloc((nf + 1) * sizeof(float));
    uint64_t i;

    c->pred = malloc((size_t)c->nrows * K * sizeof(float) + sizeof(float));
    if (!x || !c->pred) {
        free(x);
        return tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory for %llu predictions",
                          (unsigned long long)c->nrows);
    }
    for (i = 0; i < c->nrows; i++) {
        float *out = c->pred + i * K;
        for (j = 0; j < nf; j++)
            x[j] = ((const float *)c->feats.cols[j])[i];
        tk_model_margin(&c->model, x, out);
        if (!c->cfg.margin)
            tk_model_transform(&c->model, out);
    }
    free(x);
    return TK_OK;
}
