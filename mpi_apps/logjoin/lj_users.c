/* lj_users.c -- the owner side of LOG1: one record per in-range userId, the
 * duplicate-row rule, and after LOG1 a lookup from userId to the user's index
 * in userId order, so that everything folded per user later comes out
 * sorted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logjoin.h"
#include "tk_keycount.h"

/* a direct table userId - lo -> index + 1 when ids are at least this dense:
 * 4 bytes an id against about 24 bytes a user in the hash map */
#define LJ_DIRECT_SPAN_PER_USER 6

int lj_users_init(lj_users *u, lj_badlist *bad, tk_err *e)
{
    memset(u, 0, sizeof(*u));
    u->bad = bad;
    if (tk_map_init(&u->index, 1024, 1) != TK_OK)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    return TK_OK;
}

void lj_users_free(lj_users *u)
{
    tk_map_free(&u->index);
    free(u->id);
    free(u->key);
    free(u->attr);
    free(u->direct);
    memset(u, 0, sizeof(*u));
}

static int users_nomem(tk_err *e)
{
    return tk_err_set(e, TK_ESOFTWARE, "out of memory holding LOG1 users");
}

static int users_grow(lj_users *u)
{
    size_t cap = u->cap ? u->cap * 2 : 4096;
    int64_t *id;
    uint64_t *key;
    lj_attr *attr;

    if (u->n >= UINT32_MAX - 1)
        return -1; /* indexes live in 32 bits */
    id = realloc(u->id, cap * sizeof(*id));
    if (id)
        u->id = id;
    key = id ? realloc(u->key, cap * sizeof(*key)) : NULL;
    if (key)
        u->key = key;
    attr = key ? realloc(u->attr, cap * sizeof(*attr)) : NULL;
    if (!attr)
        return -1;
    u->attr = attr;
    u->cap = cap;
    return 0;
}

/* The duplicate-row rule, the only place it is applied: of the LOG1 rows of
 * one userId, the one earliest in the file (smallest key) is kept; every
 * other is a bad row. Returns whether rec replaces the row at slot. */
static int dup_rule(lj_users *u, size_t slot, const lj_user_rec *rec)
{
    char why[LJ_BAD_REASON];
    int replace = rec->key < u->key[slot];

    snprintf(why, sizeof(why), "duplicate userId %lld (an earlier row has it)",
             (long long)rec->user);
    lj_bad_add(u->bad, LJ_LOG1, replace ? u->key[slot] : rec->key, why);
    u->dups++;
    return replace;
}

int lj_users_add(void *users, const void *recs, size_t n, tk_err *e)
{
    lj_users *u = users;
    const lj_user_rec *r = recs;
    size_t i;

    for (i = 0; i < n; i++, r++) {
        int inserted;
        uint64_t *slot = tk_map_upsert(&u->index, (uint64_t)r->user, &inserted);
        size_t s;
        if (!slot)
            return users_nomem(e);
        if (inserted) {
            if (u->n == u->cap && users_grow(u) != 0)
                return users_nomem(e);
            *slot = u->n;
            s = u->n++;
            u->id[s] = r->user;
        } else {
            s = (size_t)*slot;
            if (!dup_rule(u, s, r))
                continue;
        }
        u->key[s] = r->key;
        u->attr[s].region = r->region;
        u->attr[s].type = r->type;
        u->attr[s].paid = (uint8_t)r->paid;
    }
    return TK_OK;
}

/* Replaces the hash map by a direct table over [lo, lo + span) when the ids
 * are dense enough. */
static int users_direct(lj_users *u)
{
    uint64_t span, i;

    if (u->n == 0)
        return 0;
    span = (uint64_t)u->id[u->n - 1] - (uint64_t)u->id[0] + 1;
    if (span == 0 || span / LJ_DIRECT_SPAN_PER_USER > u->n)
        return 0;
    u->direct = calloc((size_t)span, sizeof(*u->direct));
    if (!u->direct)
        return 0; /* the map still works */
    u->lo = u->id[0];
    u->span = span;
    for (i = 0; i < u->n; i++)
        u->direct[(uint64_t)u->id[i] - (uint64_t)u->lo] = (uint32_t)(i + 1);
    tk_map_free(&u->index);
    return 0;
}

/* Sorts the ids in place, then moves each user's columns to its sorted
 * index through the map; the LOG1 keys are dead by then and go first, so the
 * peak is the map, the ids, two copies of the columns and no more. */
int lj_users_seal(lj_users *u, tk_err *e)
{
    uint64_t *keys = (uint64_t *)u->id, *tmp;
    lj_attr *attr;
    size_t i;

    free(u->key);
    u->key = NULL;
    tmp = malloc((u->n + 1) * sizeof(*tmp));
    if (!tmp)
        return users_nomem(e);
    for (i = 0; i < u->n; i++) /* ids as unsigned keys in signed order */
        keys[i] ^= 1ULL << 63;
    tk_radix_sort_u64(keys, tmp, u->n);
    free(tmp);
    for (i = 0; i < u->n; i++)
        keys[i] ^= 1ULL << 63;
    attr = malloc((u->n + 1) * sizeof(*attr));
    if (!attr)
        return users_nomem(e);
    for (i = 0; i < u->n; i++) {
        uint64_t *slot = tk_map_find(&u->index, (uint64_t)u->id[i]);
        attr[i] = u->attr[*slot];
        *slot = i;
    }
    free(u->attr);
    u->attr = attr;
    u->cap = u->n;
    return users_direct(u);
}

size_t lj_users_bytes(const lj_users *u)
{
    return u->cap * (sizeof(*u->id) + sizeof(*u->attr) + (u->key ? sizeof(*u->key) : 0)) +
           u->index.cap * 2 * sizeof(uint64_t) + (size_t)u->span * sizeof(*u->direct);
}
