/* gbt_objective.c -- gradients of the objectives, computed in float as
 * XGBoost 1.7 does. */
#include <math.h>

#include "gbtrain.h"

int gbt_noutputs(const gbt_config *cfg)
{
    return cfg->objective == TK_OBJ_SOFTPROB ? (int)cfg->num_class : 1;
}

static float sigmoid(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

void gbt_gradients(const gbt_config *cfg, const gbt_data *d, int k, float *g, float *h)
{
    uint64_t i;
    int K = gbt_noutputs(cfg);

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
        for (i = 0; i < d->n; i++) {
            const float *m = d->margin + i * (uint64_t)K;
            float mx = m[0], sum = 0.0f, p;
            int j;
            for (j = 1; j < K; j++)
                mx = fmaxf(mx, m[j]);
            for (j = 0; j < K; j++)
                sum += expf(m[j] - mx);
            p = expf(m[k] - mx) / sum;
            g[i] = (int)d->y[i] == k ? p - 1.0f : p;
            h[i] = fmaxf(2.0f * p * (1.0f - p), 1e-16f);
        }
        break;
    }
}
