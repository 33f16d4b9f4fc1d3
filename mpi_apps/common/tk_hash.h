/* tk_hash.h -- 64-bit hashing and an open-addressing map from uint64 keys to
 * uint64 values (or a set, when created without values).
 *
 * Every key is allowed, UINT64_MAX included (kept outside the table). Linear
 * probing over a power-of-two table kept at most 70% full. */
#ifndef TK_HASH_H
#define TK_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "tk_status.h"

/* Local. A strong 64-bit finalizer (MurmurHash3 fmix64): every input bit
 * affects every output bit. */
static inline uint64_t tk_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Local. Combines two 64-bit words into one hash. */
static inline uint64_t tk_hash_pair(uint64_t a, uint64_t b)
{
    return tk_hash_u64(a ^ tk_hash_u64(b + 0x9e3779b97f4a7c15ULL));
}

typedef struct tk_map {
    uint64_t *keys;   /* cap slots; TK_MAP_EMPTY marks a free slot */
    uint64_t *vals;   /* cap values, or NULL for a set */
    size_t cap;       /* power of two */
    size_t len;       /* keys stored, the special key included */
    int has_special;  /* whether the key TK_MAP_EMPTY itself is stored */
    uint64_t special_val;
    uint64_t dummy;   /* value slot handed out by sets */
} tk_map;

#define TK_MAP_EMPTY UINT64_MAX

/* Local. Creates an empty map (with_values) or set with room for about
 * expected keys. The map owns its arrays; free them with tk_map_free.
 * Returns TK_OK, or TK_ESOFTWARE when out of memory. */
int tk_map_init(tk_map *m, size_t expected, int with_values);

/* Local. Frees the arrays; the map may be initialised again. */
void tk_map_free(tk_map *m);

/* Local. Finds key, inserting it with value 0 when absent (*inserted tells).
 * Returns a pointer to its value, valid until the next insertion (for a set, a
 * scratch slot), or NULL when out of memory. */
uint64_t *tk_map_upsert(tk_map *m, uint64_t key, int *inserted);

/* Local. Returns a pointer to key's value, or NULL when key is absent. */
uint64_t *tk_map_find(const tk_map *m, uint64_t key);

/* Local. Iterates: start with *it = 0; returns 1 with the next key and value
 * (0 for sets), 0 at the end. */
int tk_map_next(const tk_map *m, size_t *it, uint64_t *key, uint64_t *val);

#endif
