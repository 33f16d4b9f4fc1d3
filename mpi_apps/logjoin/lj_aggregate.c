/* lj_aggregate.c -- the owner side: per-user state, distinct counts, the
 * join with LOG1 and the feature rows.
 *
 * Every (user, x) pair is one uint64 key: the user's dense index in the high
 * 32 bits and x (a dense song or device index, a genre, an hour) in the low
 * 32 bits, so one kind of hash table serves every count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logjoin.h"

#define PAIR(u, x) (((uint64_t)(u) << 32) | (uint64_t)(uint32_t)(x))
#define PAIR_USER(k) ((size_t)((k) >> 32))
#define PAIR_X(k) ((uint32_t)(k))
#define NO_KEY UINT64_MAX

int lj_agg_init(lj_agg *a, int extra, lj_badlist *bad, tk_err *e)
{
    memset(a, 0, sizeof(*a));
    a->extra = extra;
    a->bad = bad;
    if (tk_map_init(&a->users, 1024, 1) || tk_map_init(&a->songs, 1024, 1) ||
        tk_map_init(&a->user_song, 4096, 0) || tk_map_init(&a->user_genre, 4096, 1) ||
        (extra && (tk_map_init(&a->devices, 64, 1) || tk_map_init(&a->user_dev, 1024, 0) ||
                   tk_map_init(&a->user_hour, 1024, 1)))) {
        lj_agg_free(a);
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    }
    return TK_OK;
}

void lj_agg_free(lj_agg *a)
{
    tk_map_free(&a->users);
    tk_map_free(&a->songs);
    tk_map_free(&a->user_song);
    tk_map_free(&a->user_genre);
    tk_map_free(&a->devices);
    tk_map_free(&a->user_dev);
    tk_map_free(&a->user_hour);
    free(a->u);
    memset(a, 0, sizeof(*a));
}

size_t lj_agg_bytes(const lj_agg *a)
{
    return tk_map_bytes(&a->users) + tk_map_bytes(&a->songs) + tk_map_bytes(&a->user_song) +
           tk_map_bytes(&a->user_genre) + tk_map_bytes(&a->devices) +
           tk_map_bytes(&a->user_dev) + tk_map_bytes(&a->user_hour) + a->ucap * sizeof(lj_user);
}

static int nomem(tk_err *e)
{
    return tk_err_set(e, TK_ESOFTWARE, "out of memory aggregating plays");
}

int lj_agg_users(void *agg, const void *recs, size_t n, tk_err *e)
{
    lj_agg *a = agg;
    const lj_user_rec *r = recs;
    size_t i;

    for (i = 0; i < n; i++, r++) {
        int inserted;
        uint64_t *slot = tk_map_upsert(&a->users, (uint64_t)r->user, &inserted);
        lj_user *u;
        if (!slot)
            return nomem(e);
        if (inserted) {
            if (a->nu == a->ucap) {
                size_t cap = a->ucap ? a->ucap * 2 : 1024;
                lj_user *nu = realloc(a->u, cap * sizeof(*nu));
                if (!nu)
                    return nomem(e);
                a->u = nu;
                a->ucap = cap;
            }
            if (a->nu >= UINT32_MAX)
                return tk_err_set(e, TK_ESOFTWARE, "more than 2^32 users on one rank");
            *slot = a->nu;
            u = &a->u[a->nu++];
            memset(u, 0, sizeof(*u));
            u->id = r->user;
            u->log1_key = NO_KEY;
        } else {
            u = &a->u[*slot];
        }
        if (u->log1_key != NO_KEY) {
            /* a duplicate: the row earlier in the file wins */
            char why[LJ_BAD_REASON];
            uint64_t loser = r->key > u->log1_key ? r->key : u->log1_key;
            snprintf(why, sizeof(why), "duplicate userId %lld (an earlier row has it)",
                     (long long)r->user);
            lj_bad_add(a->bad, LJ_LOG1, loser, why);
            a->dup_rows++;
            if (r->key > u->log1_key)
                continue;
        }
        u->log1_key = r->key;
        u->region = r->region;
        u->type = r->type;
        u->paid = (uint8_t)r->paid;
    }
    return TK_OK;
}

/* Dense index of key in dict, assigned in order of first sight. */
static int dict_index(tk_map *dict, uint64_t key, uint64_t *idx)
{
    int inserted;
    uint64_t *slot = tk_map_upsert(dict, key, &inserted);

    if (!slot)
        return -1;
    if (inserted) {
        if (dict->len - 1 >= UINT32_MAX)
            return -1;
        *slot = dict->len - 1;
    }
    *idx = *slot;
    return 0;
}

int lj_agg_plays(void *agg, const void *recs, size_t n, tk_err *e)
{
    lj_agg *a = agg;
    const lj_play_rec *r = recs;
    size_t i;

    for (i = 0; i < n; i++, r++) {
        uint64_t *slot = tk_map_find(&a->users, (uint64_t)r->user), idx, *cnt;
        uint64_t uidx;
        lj_user *u;
        int inserted;
        if (!slot)
            continue; /* no LOG1 row: the inner join drops this user */
        uidx = *slot;
        u = &a->u[uidx];
        u->plays++;
        if (dict_index(&a->songs, (uint64_t)r->song, &idx) ||
            !tk_map_upsert(&a->user_song, PAIR(uidx, idx), &inserted))
            return nomem(e);
        u->dist_songs += (uint32_t)inserted;
        if (!(cnt = tk_map_upsert(&a->user_genre, PAIR(uidx, r->genre), &inserted)))
            return nomem(e);
        (*cnt)++;
        if (!a->extra)
            continue;
        if (dict_index(&a->devices, (uint64_t)r->device, &idx) ||
            !tk_map_upsert(&a->user_dev, PAIR(uidx, idx), &inserted))
            return nomem(e);
        u->dist_devices += (uint32_t)inserted;
        if (!(cnt = tk_map_upsert(&a->user_hour, PAIR(uidx, r->hour), &inserted)))
            return nomem(e);
        (*cnt)++;
    }
    return TK_OK;
}

/* For each user the x with the largest count, the smallest x on a tie. */
static int argmax_per_user(const tk_map *m, size_t nu, int32_t *best_x, uint64_t *best_n)
{
    size_t it = 0, i;
    uint64_t key, val;

    for (i = 0; i < nu; i++) {
        best_x[i] = INT32_MAX;
        best_n[i] = 0;
    }
    while (tk_map_next(m, &it, &key, &val)) {
        size_t u = PAIR_USER(key);
        int32_t x = (int32_t)PAIR_X(key);
        if (val > best_n[u] || (val == best_n[u] && x < best_x[u])) {
            best_n[u] = val;
            best_x[u] = x;
        }
    }
    return 0;
}

int lj_agg_rows(lj_agg *a, lj_row **rows, size_t *nrows, tk_err *e)
{
    int32_t *genre = malloc((a->nu + 1) * sizeof(*genre));
    uint64_t *gcount = malloc((a->nu + 1) * sizeof(*gcount));
    int32_t *hour = a->extra ? malloc((a->nu + 1) * sizeof(*hour)) : NULL;
    uint64_t *hcount = a->extra ? malloc((a->nu + 1) * sizeof(*hcount)) : NULL;
    lj_row *out = NULL;
    size_t i, n = 0;

    *rows = NULL;
    *nrows = 0;
    if (!genre || !gcount || (a->extra && (!hour || !hcount))) {
        tk_err_set(e, TK_ESOFTWARE, "out of memory building rows");
        goto out;
    }
    argmax_per_user(&a->user_genre, a->nu, genre, gcount);
    if (a->extra)
        argmax_per_user(&a->user_hour, a->nu, hour, hcount);
    for (i = 0; i < a->nu; i++)
        n += a->u[i].plays > 0 && a->u[i].log1_key != NO_KEY;
    out = calloc(n + 1, sizeof(*out));
    if (!out) {
        tk_err_set(e, TK_ESOFTWARE, "out of memory building rows");
        goto out;
    }
    n = 0;
    for (i = 0; i < a->nu; i++) {
        const lj_user *u = &a->u[i];
        lj_row *r;
        if (u->plays == 0 || u->log1_key == NO_KEY)
            continue;
        r = &out[n++];
        r->user = u->id;
        r->top_genre = genre[i];
        r->top_genre_songs = (int64_t)gcount[i];
        r->dist_songs = u->dist_songs;
        r->region = u->region;
        r->type = u->type;
        r->paid = u->paid;
        r->plays = (int64_t)u->plays;
        r->dist_devices = u->dist_devices;
        r->peak_hour = a->extra ? hour[i] : 0;
    }
    *rows = out;
    *nrows = n;
out:
    free(genre);
    free(gcount);
    free(hour);
    free(hcount);
    return e->status;
}
