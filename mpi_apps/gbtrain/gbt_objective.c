/* gbt_objective.c -- gradients of the objectives, computed in float as
 * XGBoost 1.7 does. With quantized gradients (the default) the
 * exponentials come four at a time from glibc's vector expf (libmvec,
 * within an ulp or so of expf): the gradients are rounded to 16 bits
 * anyway. Every row's value is computed the same way wherever it falls,
 * so that the model does not depend on how rows are split over ranks.
 * Row weights (--weight) multiply gradients and hessians where xgboost's
 * objectives do (regression_obj.cu, multiclass_obj.cu). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"

#if defined(__x86_64__) && defined(__GLIBC__)
#include <emmintrin.h>
#define GBT_VEXP 1
/* glibc's libmvec: expf of 4 floats (SSE ABI; dispatches to AVX2/AVX-512) */
__m128 _ZGVbN4v_expf(__m128 x);
#endif

/* expf of x[0..n), n <= 4, into out: the vector function when there is
 * one (every lane computed alike, so a row's result does not depend on its
 * neighbours), else expf. */
static inline void exp4(const float *x, int n, float *out)
{
#ifdef GBT_VEXP
    float in[4] = { 0, 0, 0, 0 }, r[4];
    memcpy(in, x, (size_t)n * sizeof(float));
    _mm_storeu_ps(r, _ZGVbN4v_expf(_mm_loadu_ps(in)));
    memcpy(out, r, (size_t)n * sizeof(float));
#else
    int j;
    for (j = 0; j < n; j++)
        out[j] = expf(x[j]);
#endif
}

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
static int softprob_gradients(const gbt_data *d, int K, int fast, float *g, float *h)
{
    float *e = malloc((size_t)K * sizeof(float));
    uint64_t i, n = d->n;

    if (!e)
        return -1;
    for (i = 0; i < n; i++) {
        const float *m = d->margin + i * (uint64_t)K;
        float mx = m[0], sum = 0.0f;
        int j, y = (int)d->y[i];
        float wt = d->w ? d->w[i] : 1.0f;
        for (j = 1; j < K; j++)
            mx = fmaxf(mx, m[j]);
        for (j = 0; j < K; j++)
            e[j] = m[j] - mx;
        if (fast)
            for (j = 0; j < K; j += 4)
                exp4(e + j, K - j < 4 ? K - j : 4, e + j);
        else
            for (j = 0; j < K; j++)
                e[j] = expf(e[j]);
        for (j = 0; j < K; j++)
            sum += e[j];
        for (j = 0; j < K; j++) {
            float p = e[j] / sum;
            g[(size_t)j * n + i] = (y == j ? p - 1.0f : p) * wt;
            h[(size_t)j * n + i] = fmaxf(2.0f * p * (1.0f - p) * wt, 1e-16f);
        }
    }
    free(e);
    return 0;
}

/* binary:logistic; fast: exp four rows at a time */
static void logistic_gradients(const gbt_data *d, float spw, int fast, float *g, float *h)
{
    uint64_t i, j;

    for (i = 0; i < d->n; i += 4) {
        int n = d->n - i < 4 ? (int)(d->n - i) : 4;
        float p[4], x[4];
        for (j = 0; j < (uint64_t)n; j++)
            x[j] = -d->margin[i + j];
        if (fast)
            exp4(x, n, p);
        for (j = 0; j < (uint64_t)n; j++) {
            float y = d->y[i + j], w = y == 1.0f ? spw : 1.0f, q, hh;
            q = fast ? 1.0f / (1.0f + p[j]) : sigmoid(-x[j]);
            if (d->w) { /* xgboost: max(p (1 - p), eps) times the weight */
                w *= d->w[i + j];
                hh = q * (1.0f - q);
                hh = (hh > 1e-16f ? hh : 1e-16f) * w;
            } else {
                hh = q * (1.0f - q) * w;
                hh = hh > 1e-16f ? hh : 1e-16f; /* fmaxf, hh never NaN for finite margins */
            }
            g[i + j] = (q - y) * w;
            h[i + j] = hh;
        }
    }
}

int gbt_gradients(const gbt_config *cfg, const gbt_data *d, float *g, float *h)
{
    uint64_t i;

    switch (cfg->objective) {
    case TK_OBJ_SQUAREDERROR:
        for (i = 0; i < d->n; i++) {
            float w = d->w ? d->w[i] : 1.0f;
            g[i] = (d->margin[i] - d->y[i]) * w;
            h[i] = w;
        }
        break;
    case TK_OBJ_LOGISTIC:
        logistic_gradients(d, (float)cfg->scale_pos_weight, cfg->quantized_grad, g, h);
        break;
    case TK_OBJ_SOFTPROB:
        return softprob_gradients(d, gbt_noutputs(cfg), cfg->quantized_grad, g, h);
    }
    return 0;
}
