/* lj_users.c -- the owner side of LOG1: its rows, sorted by userId after
 * LOG1, the duplicate-row rule, and a lookup from userId to the user's index
 * in userId order, so that everything folded per user later comes out
 * sorted. No hashing: LOG1 rows are appended, radix-sorted once, and found
 * through a bucket index over the sorted ids (4 bytes a bucket, about one
 * user in each). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logjoin.h"
#include "tk_keycount.h"

int lj_users_init(lj_users *u, lj_badlist *bad, tk_err *e)
{
    (void)e;
    memset(u, 0, sizeof(*u));
    u->bad = bad;
    return TK_OK;
}

void lj_users_free(lj_users *u)
{
    free(u->id);
    free(u->key);
    free(u->attr);
    free(u->start);
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

int lj_users_add(void *users, const void *recs, size_t n, tk_err *e)
{
    lj_users *u = users;
    const lj_user_rec *r = recs;
    size_t i;

    for (i = 0; i < n; i++, r++) {
        size_t s = u->n;
        if (s == u->cap && users_grow(u) != 0)
            return users_nomem(e);
        u->id[s] = r->user;
        u->key[s] = r->key;
        u->attr[s].region = r->region;
        u->attr[s].type = r->type;
        u->attr[s].paid = (uint8_t)r->paid;
        u->n = s + 1;
    }
    return TK_OK;
}

/* The duplicate-row rule, the only place it is applied: of the LOG1 rows of
 * one userId (rows[0..n) of the sorted pairs, n > 1), the one earliest in
 * the file (smallest key) is kept; every other is a bad row. Returns the
 * index of the row kept. */
static uint64_t dup_rule(lj_users *u, const tk_kv *rows, size_t n)
{
    char why[LJ_BAD_REASON];
    uint64_t best = rows[0].v;
    size_t i;

    for (i = 1; i < n; i++)
        if (u->key[rows[i].v] < u->key[best])
            best = rows[i].v;
    snprintf(why, sizeof(why), "duplicate userId %lld (an earlier row has it)",
             (long long)u->id[best]);
    for (i = 0; i < n; i++)
        if (rows[i].v != best)
            lj_bad_add(u->bad, LJ_LOG1, u->key[rows[i].v], why);
    u->dups += n - 1;
    return best;
}

/* The bucket index over the sorted, distinct ids. */
static int users_index(lj_users *u)
{
    uint64_t b;
    size_t j = 0;

    u->lo = u->n ? u->id[0] : 0;
    u->range = u->n ? (uint64_t)u->id[u->n - 1] - (uint64_t)u->lo : 0;
    for (u->nb = 1; u->nb < u->n; u->nb *= 2)
        ;
    for (u->shift = 0; u->shift < 63 && (u->range >> u->shift) >= u->nb; u->shift++)
        ;
    u->start = malloc((size_t)(u->nb + 1) * sizeof(*u->start));
    if (!u->start)
        return -1;
    for (b = 0; b <= u->nb; b++) {
        while (j < u->n && (((uint64_t)u->id[j] - (uint64_t)u->lo) >> u->shift) < b)
            j++;
        u->start[b] = (uint32_t)j;
    }
    return 0;
}

/* Sorts (id, row) pairs, keeps one row per id by the duplicate rule and
 * compacts the columns into userId order. Longer than usual: the order of
 * the frees keeps the peak at the rows plus the two pair arrays. */
int lj_users_seal(lj_users *u, tk_err *e)
{
    tk_kv *pairs = malloc((u->n + 1) * sizeof(*pairs));
    tk_kv *tmp = malloc((u->n + 1) * sizeof(*tmp));
    lj_attr *attr = NULL;
    int64_t *id = NULL;
    size_t i, j, m = 0;

    if (!pairs || !tmp) {
        free(pairs);
        free(tmp);
        return users_nomem(e);
    }
    for (i = 0; i < u->n; i++) { /* ids as unsigned keys in signed order */
        pairs[i].k = (uint64_t)u->id[i] ^ (1ULL << 63);
        pairs[i].v = i;
    }
    tk_radix_sort_kv(pairs, tmp, u->n);
    free(tmp);
    attr = malloc((u->n + 1) * sizeof(*attr));
    if (!attr) {
        free(pairs);
        return users_nomem(e);
    }
    for (i = 0; i < u->n; i = j) {
        uint64_t row = pairs[i].v;
        for (j = i + 1; j < u->n && pairs[j].k == pairs[i].k; j++)
            ;
        if (j - i > 1)
            row = dup_rule(u, pairs + i, j - i);
        attr[m] = u->attr[row];
        pairs[m++].k = (uint64_t)u->id[row]; /* m <= i: in place */
    }
    free(u->attr);
    free(u->key);
    u->key = NULL;
    u->attr = attr;
    id = realloc(u->id, (m + 1) * sizeof(*id));
    if (id)
        u->id = id;
    for (i = 0; i < m; i++)
        u->id[i] = (int64_t)pairs[i].k;
    free(pairs);
    u->n = u->cap = m;
    return users_index(u) == 0 ? TK_OK : users_nomem(e);
}

size_t lj_users_bytes(const lj_users *u)
{
    return u->cap * (sizeof(*u->id) + sizeof(*u->attr) + (u->key ? sizeof(*u->key) : 0)) +
           (u->start ? (size_t)(u->nb + 1) * sizeof(*u->start) : 0);
}
