/* gbt_sample.c -- row and column sampling that does not depend on the number
 * of ranks: every draw is a hash of (seed, round, output, ...), never a
 * per-rank random stream. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"
#include "tk_hash.h"

static uint64_t draw(const gbt_config *cfg, int64_t round, int k, uint64_t a, uint64_t b)
{
    uint64_t x = tk_hash_u64((uint64_t)cfg->seed ^ 0x5851f42d4c957f2dULL);

    x = tk_hash_u64(x ^ (uint64_t)round);
    x = tk_hash_u64(x ^ (uint64_t)k);
    x = tk_hash_u64(x ^ a);
    return tk_hash_u64(x ^ b);
}

int gbt_sample_row(const gbt_config *cfg, int64_t round, int k, uint64_t row)
{
    if (cfg->subsample >= 1.0)
        return 1;
    /* a uniform 53-bit fraction below subsample */
    return (double)(draw(cfg, round, k, 0x726f77ULL, row) >> 11) * 0x1.0p-53 < cfg->subsample;
}

typedef struct keyed {
    uint64_t key;
    uint32_t feature;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->feature > y->feature) - (x->feature < y->feature);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

size_t gbt_sample_features(const gbt_config *cfg, int64_t round, int k, int64_t node,
                           int salt, double rate, const uint32_t *in, size_t n,
                           uint32_t *out)
{
    size_t want, i;
    keyed *v;

    if (rate >= 1.0 || n == 0) {
        memcpy(out, in, n * sizeof(*out));
        return n;
    }
    /* XGBoost keeps round(rate * n) features, at least one */
    want = (size_t)llround(rate * (double)n);
    if (want < 1)
        want = 1;
    v = malloc(n * sizeof(*v));
    if (!v) { /* no memory to sample: keep them all (still deterministic) */
        memcpy(out, in, n * sizeof(*out));
        return n;
    }
    for (i = 0; i < n; i++) {
        v[i].key = draw(cfg, round, k, ((uint64_t)(uint32_t)salt << 48) ^ (uint64_t)node, in[i]);
        v[i].feature = in[i];
    }
    qsort(v, n, sizeof(*v), cmp_keyed);
    for (i = 0; i < want; i++)
        out[i] = v[i].feature;
    qsort(out, want, sizeof(*out), cmp_u32);
    free(v);
    return want;
}
