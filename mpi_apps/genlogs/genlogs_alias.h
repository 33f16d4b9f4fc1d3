/* genlogs_alias.h -- Walker/Vose alias tables: O(1) weighted draws from one
 * 64-bit random value. */
#ifndef GENLOGS_ALIAS_H
#define GENLOGS_ALIAS_H

#include <stdint.h>

typedef struct gl_alias {
    uint32_t n;
    uint32_t *prob;  /* keep slot i when the low 32 bits of the draw are below */
    uint32_t *alias; /* otherwise take alias[i] */
} gl_alias;

/* Local. Builds a table over w[0..n) (non-negative, not all zero, n >= 1).
 * The table owns its two arrays until gl_alias_free; w stays the caller's.
 * Returns 0, or -1 when out of memory or the weights are unusable. */
int gl_alias_build(gl_alias *a, const double *w, uint32_t n);

/* Local. Frees the table's arrays; safe on a zeroed or freed table. */
void gl_alias_free(gl_alias *a);

/* Draws an index from one 64-bit random value: high half picks the slot,
 * low half decides between the slot and its alias. */
static inline uint32_t gl_alias_draw(const gl_alias *a, uint64_t r)
{
    uint32_t i = (uint32_t)(((r >> 32) * a->n) >> 32);

    return (uint32_t)r < a->prob[i] ? i : a->alias[i];
}

#endif
