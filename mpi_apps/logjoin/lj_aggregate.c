/* lj_aggregate.c -- the owner side of LOG2: distinct counts per user, the
 * join with the sealed LOG1 users, and the feature rows.
 *
 * Every (user, x) pair is one uint64 key: the user's dense index in the high
 * 32 bits and a dense index x in the low 32 bits. A play adds one key
 * (user, variant) to a counted multiset (tk_keycount: sorted compressed
 * runs), where a variant names a (song, genre) pair. Read back in key order,
 * the keys of one user come together: their counts sum to the user's plays,
 * distinct songs are counted with a per-song "last user seen" mark, and the
 * genre tallies give the top genre. A play costs a user lookup (lj_users),
 * a song lookup and one sequential append; nothing grows with the number of
 * plays. Above the memory limit the pairs are spilled as sorted runs to disk
 * (tk_kc_spill) and merged back by the fold. User indexes follow userId
 * order, so the rows come out sorted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logjoin.h"

#define PAIR(u, x) (((uint64_t)(u) << 32) | (uint64_t)(uint32_t)(x))
#define PAIR_USER(k) ((size_t)((k) >> 32))
#define PAIR_X(k) ((uint32_t)(k))
#define LJ_BATCH ((size_t)1 << 20) /* keys sorted at a time per multiset */

int lj_agg_init(lj_agg *a, int extra, const lj_users *users, uint64_t limit,
                const char *spill_dir, tk_err *e)
{
    memset(a, 0, sizeof(*a));
    a->extra = extra;
    a->users = users;
    a->limit = limit;
    a->spill_dir = spill_dir;
    if (tk_map_init(&a->songs, 1024, 1) || tk_map_init(&a->more_vars, 16, 1) ||
        tk_map_init(&a->genres, 64, 1) || tk_kc_init(&a->user_var, LJ_BATCH, 1) ||
        (extra && (tk_map_init(&a->devices, 64, 1) || tk_kc_init(&a->user_dev, LJ_BATCH, 0) ||
                   tk_kc_init(&a->user_hour, LJ_BATCH, 1)))) {
        lj_agg_free(a);
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    }
    return TK_OK;
}

void lj_agg_free(lj_agg *a)
{
    tk_map_free(&a->songs);
    tk_map_free(&a->more_vars);
    tk_map_free(&a->genres);
    tk_map_free(&a->devices);
    tk_kc_free(&a->user_var);
    tk_kc_free(&a->user_dev);
    tk_kc_free(&a->user_hour);
    free(a->song_var);
    free(a->genre_val);
    free(a->var_song);
    free(a->var_genre);
    memset(a, 0, sizeof(*a));
}

static size_t map_bytes(const tk_map *m)
{
    return m->cap * (m->vals ? 2 : 1) * sizeof(uint64_t);
}

size_t lj_agg_bytes(const lj_agg *a)
{
    return lj_users_bytes(a->users) + map_bytes(&a->songs) + map_bytes(&a->more_vars) +
           map_bytes(&a->genres) + map_bytes(&a->devices) + a->songs_cap * 4 +
           a->genres_cap * 4 + a->vars_cap * 8 + tk_kc_bytes(&a->user_var) +
           tk_kc_bytes(&a->user_dev) + tk_kc_bytes(&a->user_hour);
}

/* Above the limit, moves the counted pairs to sorted runs on disk. A spill
 * moves at least an eighth of the limit (or 1 MiB), so that state which
 * cannot spill (users, songs) does not make a file of every round. */
static int spill_if_over(lj_agg *a, tk_err *e)
{
    size_t now = lj_agg_bytes(a), pairs, least;

    if (now > a->peak_bytes)
        a->peak_bytes = now;
    if (a->limit == 0 || now <= a->limit)
        return TK_OK;
    pairs = tk_kc_run_bytes(&a->user_var) + tk_kc_run_bytes(&a->user_dev) +
            tk_kc_run_bytes(&a->user_hour) +
            (a->user_var.nbatch + a->user_dev.nbatch + a->user_hour.nbatch) * sizeof(uint64_t);
    least = a->limit / 8 < ((size_t)1 << 20) ? (size_t)(a->limit / 8) : (size_t)1 << 20;
    if (pairs < least)
        return TK_OK;
    if (tk_kc_spill(&a->user_var, a->spill_dir, e) ||
        (a->extra && (tk_kc_spill(&a->user_dev, a->spill_dir, e) ||
                      tk_kc_spill(&a->user_hour, a->spill_dir, e))))
        return e->status;
    a->spills++;
    a->spilled_bytes += pairs;
    return TK_OK;
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
        int64_t uidx = lj_users_find(a->users, r->user);
        uint64_t var, idx;
        if (uidx < 0)
            continue; /* no LOG1 row: the inner join drops this user */
        if (variant_of(a, r->song, r->genre, &var) || tk_kc_add(&a->user_var, PAIR(uidx, var)))
            return nomem(e);
        if (!a->extra)
            continue;
        if (dict_index(&a->devices, (uint64_t)r->device, &idx) ||
            tk_kc_add(&a->user_dev, PAIR(uidx, idx)) ||
            tk_kc_add(&a->user_hour, PAIR(uidx, r->hour)))
            return nomem(e);
    }
    return spill_if_over(a, e);
}


/* The fold's scratch: per song the last user seen, per genre this user's
 * plays and the genres touched. */
typedef struct fold_state {
    uint32_t *seen;
    uint64_t *tally;
    uint32_t *touched;
    size_t ntouched;
    tk_kc_iter var, dev, hour;
    int have_dev, have_hour;
    uint64_t dev_key, dev_n, hour_key, hour_n; /* the next entries, read ahead */
    int dev_more, hour_more;
} fold_state;

static void fold_free(fold_state *f)
{
    free(f->seen);
    free(f->tally);
    free(f->touched);
    tk_kc_iter_free(&f->var);
    if (f->have_dev)
        tk_kc_iter_free(&f->dev);
    if (f->have_hour)
        tk_kc_iter_free(&f->hour);
}

static int fold_init(lj_agg *a, fold_state *f, tk_err *e)
{
    memset(f, 0, sizeof(*f));
    f->seen = calloc(a->nsongs + 1, sizeof(*f->seen));
    f->tally = calloc(a->ngenres + 1, sizeof(*f->tally));
    f->touched = malloc((a->ngenres + 1) * sizeof(*f->touched));
    if (!f->seen || !f->tally || !f->touched || tk_kc_finish(&a->user_var) ||
        (a->extra && (tk_kc_finish(&a->user_dev) || tk_kc_finish(&a->user_hour))))
        return tk_err_set(e, TK_ESOFTWARE, "out of memory building rows");
    if (tk_kc_iter_init(&a->user_var, &f->var, e) != TK_OK)
        return e->status;
    if (!a->extra)
        return TK_OK;
    if (tk_kc_iter_init(&a->user_dev, &f->dev, e) != TK_OK)
        return e->status;
    f->have_dev = 1;
    if (tk_kc_iter_init(&a->user_hour, &f->hour, e) != TK_OK)
        return e->status;
    f->have_hour = 1;
    f->dev_more = tk_kc_next(&f->dev, &f->dev_key, &f->dev_n);
    f->hour_more = tk_kc_next(&f->hour, &f->hour_key, &f->hour_n);
    return f->dev_more < 0 || f->hour_more < 0 ? e->status : TK_OK;
}

/* Distinct devices and the peak hour (most plays, the smallest on a tie) of
 * user u, from the read-ahead entries of the two multisets. */
static int fold_extra(fold_state *f, size_t u, lj_row *r)
{
    uint64_t best = 0;

    r->dist_devices = 0;
    while (f->dev_more > 0 && PAIR_USER(f->dev_key) == u) {
        r->dist_devices++;
        f->dev_more = tk_kc_next(&f->dev, &f->dev_key, &f->dev_n);
    }
    r->peak_hour = INT32_MAX;
    while (f->hour_more > 0 && PAIR_USER(f->hour_key) == u) {
        int32_t h = (int32_t)PAIR_X(f->hour_key);
        if (f->hour_n > best || (f->hour_n == best && h < r->peak_hour)) {
            best = f->hour_n;
            r->peak_hour = h;
        }
        f->hour_more = tk_kc_next(&f->hour, &f->hour_key, &f->hour_n);
    }
    return f->dev_more < 0 || f->hour_more < 0 ? -1 : 0;
}

/* Closes user u: its top genre (the smallest genre on a tie), the tallies
 * back to 0, the LOG1 columns. */
static void fold_close(const lj_agg *a, fold_state *f, size_t u, lj_row *r)
{
    size_t i;

    r->user = a->users->id[u];
    r->region = a->users->attr[u].region;
    r->type = a->users->attr[u].type;
    r->paid = a->users->attr[u].paid;
    r->top_genre = INT32_MAX;
    r->top_genre_songs = 0;
    for (i = 0; i < f->ntouched; i++) {
        uint32_t g = f->touched[i];
        int32_t v = a->genre_val[g];
        if ((int64_t)f->tally[g] > r->top_genre_songs ||
            ((int64_t)f->tally[g] == r->top_genre_songs && v < r->top_genre)) {
            r->top_genre_songs = (int64_t)f->tally[g];
            r->top_genre = v;
        }
        f->tally[g] = 0;
    }
    f->ntouched = 0;
}

/* Emits row r into out, moving to the segment of the rank that owns it. */
static int emit(lj_rowbuf *out, const lj_row *r, const int64_t *split, int size, int *dest,
                size_t *seg, uint64_t *seg_rows)
{
    while (*dest < size - 1 && r->user >= split[*dest]) {
        (*dest)++;
        seg[*dest] = out->len;
        out->prev = 0; /* each segment decodes on its own */
    }
    seg_rows[*dest]++;
    return lj_rowbuf_put(out, r);
}

/* The fold walks the (user, variant) pairs in key order, that is by user
 * index, that is by userId: the rows come out sorted. */
int lj_agg_rows(lj_agg *a, const int64_t *split, int size, lj_rowbuf *out, size_t *seg,
                uint64_t *seg_rows, tk_err *e)
{
    fold_state f;
    size_t cur = SIZE_MAX;
    lj_row r;
    int dest = 0, p;

    memset(out, 0, sizeof(*out));
    memset(&r, 0, sizeof(r));
    for (p = 0; p <= size; p++)
        seg[p] = 0;
    for (p = 0; p < size; p++)
        seg_rows[p] = 0;
    if (fold_init(a, &f, e) != TK_OK)
        goto out;
    for (;;) {
        uint64_t key, n;
        int more = tk_kc_next(&f.var, &key, &n);
        size_t u = more > 0 ? PAIR_USER(key) : SIZE_MAX;
        if (more < 0)
            goto out;
        if (u != cur && cur != SIZE_MAX) {
            fold_close(a, &f, cur, &r);
            if ((a->extra && fold_extra(&f, cur, &r)) ||
                emit(out, &r, split, size, &dest, seg, seg_rows) != TK_OK) {
                tk_err_set(e, TK_ESOFTWARE, "out of memory building rows");
                goto out;
            }
            r.plays = r.dist_songs = 0;
        }
        if (more == 0)
            break;
        cur = u;
        {
            uint32_t var = PAIR_X(key), s = a->var_song[var], g = a->var_genre[var];
            r.plays += (int64_t)n;
            if (f.seen[s] != u + 1) {
                f.seen[s] = (uint32_t)(u + 1);
                r.dist_songs++;
            }
            if (f.tally[g] == 0)
                f.touched[f.ntouched++] = g;
            f.tally[g] += n;
        }
    }
    while (dest < size - 1)
        seg[++dest] = out->len;
    seg[size] = out->len;
out:
    fold_free(&f);
    tk_kc_free(&a->user_var);
    tk_kc_free(&a->user_dev);
    tk_kc_free(&a->user_hour);
    return e->status;
}
