/* gbt_objective.c -- gradients of the objectives, computed in float as
 * XGBoost 1.7 does. */
#include <math.h>
#include <stdlib.h>

#include "gbtrain.h"

int gbt_noutputs(const gbt_config *cfg)
{
    return cfg->objective == TK_OBJ_SOFTPROB ? (int)cfg->num_class : 1;
}

static float sigmoid(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

/* softmax of every row once: g[k*n + i], h[k*n + i] for every class k.
 * The sums run in the same order for every class, so each p is the one a
 * per-class pass would compute, bit for bit, in O(n K) instead of O(n K^2). */
static int softprob_gradients(const gbt_data *d, int K, float *g, float *h)
{
    float *e = malloc((size_t)K * sizeof(float));
    uint64_t i, n = d->n;

    if (!e)
        return -1;
    for (i = 0; i < n; i++) {
        const float *m = d->margin + i * (uint64_t)K;
        float mx = m[0], sum = 0.0f;
        int j, y = (int)d->y[i];
        for (j = 1; j < K; j++)
            mx = fmaxf(mx, m[j]);
        for (j = 0; j < K; j++) {
            e[j] = expf(m[j] - mx);
            sum += e[j];
        }
        for (j = 0; j < K; j++) {
            float p = e[j] / sum;
            g[(size_t)j * n + i] = y == j ? p - 1.0f : p;
            h[(size_t)j * n + i] = fmaxf(2.0f * p * (1.0f - p), 1e-16f);
        }
    }
    free(e);
    return 0;
}

int gbt_gradients(const gbt_config *cfg, const gbt_data *d, float *g, float *h)
{
    uint64_t i;

    switch (cfg->objective) {
    case TK_OBJ_SQUAREDERROR:
        for (i = 0; i < d->n; i++) {
            g[i] = d->margin[i] - d->y[i];
            h[i] = 1.0f;
        }
        break;
    case TK_OBJ_LOGISTIC: {
        float spw = (float)cfg->scale_pos_weight;
        for (i = 0; i < d->n; i++) {
            float p = sigmoid(d->margin[i]), w = d->y[i] == 1.0f ? spw : 1.0f;
            g[i] = (p - d->y[i]) * w;
            h[i] = fmaxf(p * (1.0f - p) * w, 1e-16f);
        }
        break;
    }
    case TK_OBJ_SOFTPROB:
        return softprob_gradients(d, gbt_noutputs(cfg), g, h);
    }
    return 0;
}
