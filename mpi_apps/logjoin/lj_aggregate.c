/* lj_aggregate.c -- the owner side: per-user state, distinct counts, the
 * join with LOG1 and the feature rows.
 *
 * Every (user, x) pair is one uint64 key: the user's dense index in the high
 * 32 bits and a dense index x in the low 32 bits. A play adds one key
 * (user, variant) to a counted multiset (tk_keycount: sorted compressed
 * runs), where a variant names a (song, genre) pair. Read back in key order,
 * the keys of one user come together: their counts sum to the user's plays,
 * distinct songs are counted with a per-song "last user seen" mark, and the
 * genre tallies give the top genre. A play costs two small hash lookups and
 * one sequential append; nothing grows with the number of plays. */
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
        tk_map_init(&a->more_vars, 16, 1) || tk_map_init(&a->genres, 64, 1) ||
        tk_kc_init(&a->user_var, LJ_BATCH, 1) ||
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
    tk_map_free(&a->more_vars);
    tk_map_free(&a->genres);
    tk_map_free(&a->devices);
    tk_kc_free(&a->user_var);
    tk_kc_free(&a->user_dev);
    tk_kc_free(&a->user_hour);
    free(a->u);
    free(a->song_var);
    free(a->genre_val);
    free(a->var_song);
    free(a->var_genre);
    memset(a, 0, sizeof(*a));
}

static int nomem(tk_err *e)
{
    return tk_err_set(e, TK_ESOFTWARE, "out of memory aggregating plays");
}

/* Makes room for index n in an array of *cap elements of size sz. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
    size_t c = *cap ? *cap : 1024;
    void *p;

    if (n < *cap)
        return 0;
    if (n >= UINT32_MAX)
        return -1; /* indexes live in 32 bits */
    while (c <= n)
        c *= 2;
    p = realloc(*arr, c * sz);
    if (!p)
        return -1;
    *arr = p;
    *cap = c;
    return 0;
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
            if (grow((void **)&a->u, &a->ucap, a->nu, sizeof(*a->u)))
                return nomem(e);
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

/* A new variant for (song index s, genre). Returns 0 or -1. */
static int new_variant(lj_agg *a, uint64_t s, int32_t genre, uint64_t *var)
{
    uint64_t g;
    int inserted;
    uint64_t *slot = tk_map_upsert(&a->genres, (uint64_t)(uint32_t)genre, &inserted);

    if (!slot)
        return -1;
    if (inserted) {
        if (grow((void **)&a->genre_val, &a->genres_cap, a->ngenres, sizeof(int32_t)))
            return -1;
        a->genre_val[a->ngenres] = genre;
        *slot = a->ngenres++;
    }
    g = *slot;
    {
        size_t old_cap = a->vars_cap;
        if (grow((void **)&a->var_song, &a->vars_cap, a->nvars, sizeof(uint32_t)))
            return -1;
        if (a->vars_cap != old_cap) { /* var_genre follows var_song's capacity */
            uint32_t *vg = realloc(a->var_genre, a->vars_cap * sizeof(uint32_t));
            if (!vg)
                return -1;
            a->var_genre = vg;
        }
    }
    a->var_song[a->nvars] = (uint32_t)s;
    a->var_genre[a->nvars] = (uint32_t)g;
    *var = a->nvars++;
    return 0;
}

/* The variant of (song, genre). Returns 0 or -1. */
static int variant_of(lj_agg *a, int64_t song, int32_t genre, uint64_t *var)
{
    int inserted;
    uint64_t *slot = tk_map_upsert(&a->songs, (uint64_t)song, &inserted), s;

    if (!slot)
        return -1;
    if (inserted) {
        s = a->nsongs;
        *slot = s;
        if (grow((void **)&a->song_var, &a->songs_cap, s, sizeof(uint32_t)) ||
            new_variant(a, s, genre, var))
            return -1;
        a->song_var[s] = (uint32_t)*var;
        a->nsongs++;
        return 0;
    }
    s = *slot;
    *var = a->song_var[s];
    if (a->genre_val[a->var_genre[*var]] == genre)
        return 0;
    /* the same song with another genre: its own variant */
    slot = tk_map_upsert(&a->more_vars, PAIR(s, (uint32_t)genre), &inserted);
    if (!slot)
        return -1;
    if (inserted) {
        uint64_t v;
        if (new_variant(a, s, genre, &v))
            return -1;
        slot = tk_map_find(&a->more_vars, PAIR(s, (uint32_t)genre));
        *slot = v;
    }
    *var = *slot;
    return 0;
}

int lj_agg_plays(void *agg, const void *recs, size_t n, tk_err *e)
{
    lj_agg *a = agg;
    const lj_play_rec *r = recs;
    size_t i;

    for (i = 0; i < n; i++, r++) {
        uint64_t *slot = tk_map_find(&a->users, (uint64_t)r->user), var, idx;
        uint64_t uidx;
        if (!slot)
            continue; /* no LOG1 row: the inner join drops this user */
        uidx = *slot;
        if (variant_of(a, r->song, r->genre, &var) || tk_kc_add(&a->user_var, PAIR(uidx, var)))
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

/* Folds the (user, variant) multiset: plays, distinct songs and the top
 * genre (the smallest genre on a tie) per user. */
static int fold_variants(lj_agg *a, uint32_t *songs, int32_t *genre, uint64_t *gcount)
{
    uint32_t *seen = calloc(a->nsongs + 1, sizeof(*seen));   /* last user + 1 */
    uint64_t *tally = calloc(a->ngenres + 1, sizeof(*tally)); /* this user's plays */
    uint32_t *touched = malloc((a->ngenres + 1) * sizeof(*touched));
    size_t ntouched = 0, cur = SIZE_MAX, i;
    tk_kc_iter it;
    uint64_t key, n;
    int rc = -1;

    if (!seen || !tally || !touched || tk_kc_finish(&a->user_var) != 0)
        goto out;
    for (i = 0; i < a->nu; i++) {
        songs[i] = 0;
        genre[i] = INT32_MAX;
        gcount[i] = 0;
    }
    tk_kc_iter_init(&a->user_var, &it);
    for (;;) {
        int more = tk_kc_next(&it, &key, &n);
        size_t u = more ? PAIR_USER(key) : SIZE_MAX;
        if (u != cur && cur != SIZE_MAX) {
            /* close the previous user: its top genre, tallies back to 0 */
            for (i = 0; i < ntouched; i++) {
                uint32_t g = touched[i];
                int32_t v = a->genre_val[g];
                if (tally[g] > gcount[cur] || (tally[g] == gcount[cur] && v < genre[cur])) {
                    gcount[cur] = tally[g];
                    genre[cur] = v;
                }
                tally[g] = 0;
            }
            ntouched = 0;
        }
        if (!more)
            break;
        cur = u;
        {
            uint32_t var = PAIR_X(key), s = a->var_song[var], g = a->var_genre[var];
            a->u[u].plays += n;
            if (seen[s] != u + 1) {
                seen[s] = (uint32_t)(u + 1);
                songs[u]++;
            }
            if (tally[g] == 0)
                touched[ntouched++] = g;
            tally[g] += n;
        }
    }
    tk_kc_free(&a->user_var);
    rc = 0;
out:
    free(seen);
    free(tally);
    free(touched);
    return rc;
}

/* Finishes a multiset of (user, x) pairs and folds it per user: the number
 * of distinct x (into distinct), or the x with the largest count, the
 * smallest x on a tie (into best_x/best_n). */
static int fold_per_user(tk_keycount *k, size_t nu, uint32_t *distinct, int32_t *best_x,
                         uint64_t *best_n)
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
        fold_variants(a, songs, genre, gcount) ||
        (a->extra && (fold_per_user(&a->user_dev, a->nu, devs, NULL, NULL) ||
                      fold_per_user(&a->user_hour, a->nu, NULL, hour, hcount)))) {
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
