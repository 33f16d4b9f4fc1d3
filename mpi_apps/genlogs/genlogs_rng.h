/* genlogs_rng.h -- the generator's own PRNG: xoshiro256** seeded by splitmix64.
 *
 * Every random decision in genlogs comes from one of a few independent streams
 * (model, plays, malformed rows, paid), so the output bytes depend only on the
 * arguments and changing one option (e.g. --bad-rate) leaves the other
 * streams untouched. All functions are local and allocate nothing. */
#ifndef GENLOGS_RNG_H
#define GENLOGS_RNG_H

#include <stdint.h>

typedef struct gl_rng {
    uint64_t s[4];
} gl_rng;

/* Stream numbers: one per independent kind of decision. */
enum { GL_STREAM_MODEL = 1, GL_STREAM_PLAYS = 2, GL_STREAM_BAD = 3, GL_STREAM_PAID = 4 };

static inline uint64_t gl_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void gl_rng_seed(gl_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (0x6a09e667f3bcc909ULL * (stream + 1));
    int i;

    for (i = 0; i < 4; i++)
        r->s[i] = gl_splitmix64(&x);
}

static inline uint64_t gl_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t gl_next(gl_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = gl_rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = gl_rotl(s[3], 45);
    return result;
}

/* Maps a 32-bit random value onto [0, n) (multiply-shift; bias < n / 2^32). */
static inline uint32_t gl_scale32(uint32_t r32, uint32_t n)
{
    return (uint32_t)(((uint64_t)r32 * n) >> 32);
}

/* Unbiased integer in [0, n), n >= 1. */
static inline uint64_t gl_below64(gl_rng *r, uint64_t n)
{
    uint64_t lim = UINT64_MAX - UINT64_MAX % n, v;

    do
        v = gl_next(r);
    while (v >= lim);
    return v % n;
}

/* Uniform double in [0, 1). */
static inline double gl_unit(gl_rng *r)
{
    return (double)(gl_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform double in (0, 1]. */
static inline double gl_unit_pos(gl_rng *r)
{
    return (double)((gl_next(r) >> 11) + 1) * 0x1.0p-53;
}

/* Probability p in [0, 1] as a threshold on the low 32 bits of a draw:
 * an event happens when (uint32_t)draw < threshold (2^32 means always). */
static inline uint64_t gl_thresh32(double p)
{
    if (p <= 0.0)
        return 0;
    if (p >= 1.0)
        return (uint64_t)1 << 32;
    return (uint64_t)(p * 4294967296.0);
}

#endif
