/* lj_aggregate.c -- the owner side: per-user state, distinct counts, the
 * join with LOG1 and the feature rows.
 *
 * Every (user, x) pair is one uint64 key: the user's dense index in the high
 * 32 bits and x (a dense song or device index, a genre, an hour) in the low
 * 32 bits. Pairs go to counted multisets (tk_keycount: sorted compressed
 * runs), read back at the end grouped by user, so a play costs two small
 * hash lookups (user, song) and sequential appends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logjoin.h"

#define PAIR(u, x) (((uint64_t)(u) << 32) | (uint64_t)(uint32_t)(x))
#define PAIR_USER(k) ((size_t)((k) >> 32))
#define PAIR_X(k) ((uint32_t)(k))
#define NO_KEY UINT64_MAX
#define LJ_BATCH ((size_t)1 << 20) /* keys sorted at a time per multiset */

int lj_agg_init(lj_agg *a, int extra, lj_badlist *bad, tk_err *e)
{
    memset(a, 0, sizeof(*a));
    a->extra = extra;
    a->bad = bad;
    if (tk_map_init(&a->users, 1024, 1) || tk_map_init(&a->songs, 1024, 1) ||
        tk_kc_init(&a->user_song, LJ_BATCH, 0) || tk_kc_init(&a->user_genre, LJ_BATCH, 1) ||
        (extra && (tk_map_init(&a->devices, 64, 1) || tk_kc_init(&a->user_dev, LJ_BATCH, 0) ||
                   tk_kc_init(&a->user_hour, LJ_BATCH, 1)))) {
        lj_agg_free(a);
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    }
    return TK_OK;
}

void lj_agg_free(lj_agg *a)
{
    tk_map_free(&a->users);
    tk_map_free(&a->songs);
    tk_map_free(&a->devices);
    tk_kc_free(&a->user_song);
    tk_kc_free(&a->user_genre);
    tk_kc_free(&a->user_dev);
    tk_kc_free(&a->user_hour);
    free(a->u);
    memset(a, 0, sizeof(*a));
}

size_t lj_agg_bytes(const lj_agg *a)
{
    return tk_map_bytes(&a->users) + tk_map_bytes(&a->songs) + tk_map_bytes(&a->devices) +
           tk_kc_bytes(&a->user_song) + tk_kc_bytes(&a->user_genre) +
           tk_kc_bytes(&a->user_dev) + tk_kc_bytes(&a->user_hour) + a->ucap * sizeof(lj_user);
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
        uint64_t *slot = tk_map_find(&a->users, (uint64_t)r->user), idx;
        uint64_t uidx;
        if (!slot)
            continue; /* no LOG1 row: the inner join drops this user */
        uidx = *slot;
        if (dict_index(&a->songs, (uint64_t)r->song, &idx) ||
            tk_kc_add(&a->user_song, PAIR(uidx, idx)) ||
            tk_kc_add(&a->user_genre, PAIR(uidx, r->genre)))
            return nomem(e);
        if (!a->extra)
            continue;
        if (dict_index(&a->devices, (uint64_t)r->device, &idx) ||
            tk_kc_add(&a->user_dev, PAIR(uidx, idx)) ||
            tk_kc_add(&a->user_hour, PAIR(uidx, r->hour)))
            return nomem(e);
    }
    return TK_OK;
}

/* Finishes a multiset of user pairs and folds it per user: the number of
 * distinct x (into distinct) and the x with the largest count, the smallest x
 * on a tie (into best_x/best_n), and the sum of the counts (into
 * sum_into[u].plays), for whichever outputs are not NULL. */
static int fold_per_user(tk_keycount *k, size_t nu, uint32_t *distinct, int32_t *best_x,
                         uint64_t *best_n, lj_user *sum_into)
{
    tk_kc_iter it;
    uint64_t key, n;
    size_t i;

    if (tk_kc_finish(k) != 0)
        return -1;
    for (i = 0; i < nu; i++) {
        if (distinct)
            distinct[i] = 0;
        if (best_x) {
            best_x[i] = INT32_MAX;
            best_n[i] = 0;
        }
    }
    tk_kc_iter_init(k, &it);
    while (tk_kc_next(&it, &key, &n)) {
        size_t u = PAIR_USER(key);
        int32_t x = (int32_t)PAIR_X(key);
        if (distinct)
            distinct[u]++;
        if (sum_into)
            sum_into[u].plays += n;
        if (best_x && (n > best_n[u] || (n == best_n[u] && x < best_x[u]))) {
            best_n[u] = n;
            best_x[u] = x;
        }
    }
    tk_kc_free(k);
    return 0;
}

int lj_agg_rows(lj_agg *a, lj_row **rows, size_t *nrows, tk_err *e)
{
    size_t m = a->nu + 1, i, n = 0;
    int32_t *genre = malloc(m * sizeof(*genre));
    uint64_t *gcount = malloc(m * sizeof(*gcount));
    uint32_t *songs = malloc(m * sizeof(*songs));
    int32_t *hour = a->extra ? malloc(m * sizeof(*hour)) : NULL;
    uint64_t *hcount = a->extra ? malloc(m * sizeof(*hcount)) : NULL;
    uint32_t *devs = a->extra ? malloc(m * sizeof(*devs)) : NULL;
    lj_row *out = NULL;

    *rows = NULL;
    *nrows = 0;
    if (!genre || !gcount || !songs || (a->extra && (!hour || !hcount || !devs)) ||
        fold_per_user(&a->user_song, a->nu, songs, NULL, NULL, NULL) ||
        fold_per_user(&a->user_genre, a->nu, NULL, genre, gcount, a->u) ||
        (a->extra && (fold_per_user(&a->user_dev, a->nu, devs, NULL, NULL, NULL) ||
                      fold_per_user(&a->user_hour, a->nu, NULL, hour, hcount, NULL)))) {
        tk_err_set(e, TK_ESOFTWARE, "out of memory building rows");
        goto out;
    }
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
        r->dist_songs = songs[i];
        r->region = u->region;
        r->type = u->type;
        r->paid = u->paid;
        r->plays = (int64_t)u->plays;
        r->dist_devices = a->extra ? devs[i] : 0;
        r->peak_hour = a->extra ? hour[i] : 0;
    }
    *rows = out;
    *nrows = n;
out:
    free(genre);
    free(gcount);
    free(songs);
    free(hour);
    free(hcount);
    free(devs);
    return e->status;
}
