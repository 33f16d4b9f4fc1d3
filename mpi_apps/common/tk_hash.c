/* tk_hash.c -- open-addressing map with linear probing. */
#include "tk_hash.h"

#include <stdlib.h>
#include <string.h>

static int map_alloc(tk_map *m, size_t cap, int with_values)
{
    m->keys = malloc(cap * sizeof(*m->keys));
    m->vals = with_values ? calloc(cap, sizeof(*m->vals)) : NULL;
    if (!m->keys || (with_values && !m->vals)) {
        free(m->keys);
        free(m->vals);
        m->keys = m->vals = NULL;
        return TK_ESOFTWARE;
    }
    memset(m->keys, 0xff, cap * sizeof(*m->keys));
    m->cap = cap;
    return 0;
}

int tk_map_init(tk_map *m, size_t expected, int with_values)
{
    size_t cap = 16;

    while (cap * 7 / 10 < expected)
        cap <<= 1;
    memset(m, 0, sizeof(*m));
    return map_alloc(m, cap, with_values);
}

void tk_map_free(tk_map *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

static int map_grow(tk_map *m)
{
    tk_map n;
    size_t i;

    memset(&n, 0, sizeof(n));
    if (map_alloc(&n, m->cap * 2, m->vals != NULL) != 0)
        return TK_ESOFTWARE;
    for (i = 0; i < m->cap; i++) {
        uint64_t k = m->keys[i];
        size_t j;
        if (k == TK_MAP_EMPTY)
            continue;
        j = tk_hash_u64(k) & (n.cap - 1);
        while (n.keys[j] != TK_MAP_EMPTY)
            j = (j + 1) & (n.cap - 1);
        n.keys[j] = k;
        if (n.vals)
            n.vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = n.keys;
    m->vals = n.vals;
    m->cap = n.cap;
    return 0;
}

uint64_t *tk_map_upsert(tk_map *m, uint64_t key, int *inserted)
{
    size_t j;

    *inserted = 0;
    if (key == TK_MAP_EMPTY) {
        if (!m->has_special) {
            m->has_special = 1;
            m->special_val = 0;
            m->len++;
            *inserted = 1;
        }
        return m->vals ? &m->special_val : &m->dummy;
    }
    j = tk_hash_u64(key) & (m->cap - 1);
    for (;;) {
        uint64_t k = m->keys[j];
        if (k == key)
            return m->vals ? &m->vals[j] : &m->dummy;
        if (k == TK_MAP_EMPTY)
            break;
        j = (j + 1) & (m->cap - 1);
    }
    if ((m->len + 1) * 10 > m->cap * 7) {
        if (map_grow(m) != 0)
            return NULL;
        j = tk_hash_u64(key) & (m->cap - 1);
        while (m->keys[j] != TK_MAP_EMPTY)
            j = (j + 1) & (m->cap - 1);
    }
    m->keys[j] = key;
    m->len++;
    *inserted = 1;
    if (!m->vals)
        return &m->dummy;
    m->vals[j] = 0;
    return &m->vals[j];
}

uint64_t *tk_map_find(const tk_map *m, uint64_t key)
{
    size_t j;

    if (key == TK_MAP_EMPTY)
        return m->has_special ? (uint64_t *)&m->special_val : NULL;
    j = tk_hash_u64(key) & (m->cap - 1);
    for (;;) {
        uint64_t k = m->keys[j];
        if (k == key)
            return m->vals ? &m->vals[j] : (uint64_t *)&m->dummy;
        if (k == TK_MAP_EMPTY)
            return NULL;
        j = (j + 1) & (m->cap - 1);
    }
}

int tk_map_next(const tk_map *m, size_t *it, uint64_t *key, uint64_t *val)
{
    while (*it < m->cap) {
        size_t i = (*it)++;
        if (m->keys[i] != TK_MAP_EMPTY) {
            *key = m->keys[i];
            *val = m->vals ? m->vals[i] : 0;
            return 1;
        }
    }
    if (*it == m->cap && m->has_special) {
        (*it)++;
        *key = TK_MAP_EMPTY;
        *val = m->special_val;
        return 1;
    }
    return 0;
}
