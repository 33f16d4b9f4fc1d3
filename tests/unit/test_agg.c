/* test_agg.c -- the owner side (lj_users_*, lj_agg_*, spilled or not), the
 * row encoding and exchange on one rank, lj_owner and the bad-row sample list lj_bad_add. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../mpi_apps/logjoin/logjoin.h" /* the Makefile adds only -Impi_apps/common */
#include "unit.h"

static lj_user_rec urec(int64_t user, uint64_t key, int32_t region, int32_t type, int paid)
{
    lj_user_rec r;

    memset(&r, 0, sizeof(r));
    r.user = user;
    r.key = key;
    r.region = region;
    r.type = type;
    r.paid = paid;
    return r;
}

static lj_play_rec prec(int64_t user, int64_t song, int32_t genre, int64_t device, int32_t hour)
{
    lj_play_rec r;

    memset(&r, 0, sizeof(r));
    r.user = user;
    r.song = song;
    r.genre = genre;
    r.device = device;
    r.hour = hour;
    return r;
}

static const lj_row *row_of(const lj_row *rows, size_t n, int64_t user)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (rows[i].user == user)
            return &rows[i];
    return NULL;
}

/* The rows of a one-rank fold, decoded (free). */
static lj_row *fold_rows(lj_agg *a, size_t *nrows, tk_err *e)
{
    lj_rowbuf b;
    size_t seg[2], i;
    uint64_t seg_rows[1];
    lj_row *rows = NULL;
    const uint8_t *p;
    int64_t prev = 0;

    *nrows = 0;
    if (lj_agg_rows(a, NULL, 1, &b, seg, seg_rows, e) != TK_OK) {
        free(b.data);
        return NULL;
    }
    rows = calloc(b.nrows + 1, sizeof(*rows));
    if (rows && (seg[0] != 0 || seg[1] != b.len || seg_rows[0] != b.nrows)) {
        tk_err_set(e, TK_ESOFTWARE, "segments do not cover the rows");
        free(rows);
        rows = NULL;
    }
    for (i = 0, p = b.data; rows && i < b.nrows; i++)
        p = lj_row_get(p, &rows[i], &prev);
    if (rows)
        *nrows = b.nrows;
    free(b.data);
    return rows;
}

/* Runs users then plays (n_calls consumer calls each) through fresh users
 * and aggregation with the given memory limit (0: none; 1: spill after
 * every call); rows returned (free). The spill files go to /tmp. */
static lj_row *aggregate_limit(int extra, const lj_user_rec *u, size_t nu, const lj_play_rec *p,
                               size_t np, size_t *nrows, lj_badlist *bad, uint64_t *dups,
                               uint64_t limit, size_t n_calls)
{
    lj_users us;
    lj_agg a;
    tk_err e;
    lj_row *rows = NULL;
    size_t k, step = np / n_calls + 1;
    int rc;

    tk_err_clear(&e);
    memset(bad, 0, sizeof(*bad));
    *nrows = 0;
    if (lj_users_init(&us, bad, &e) != TK_OK)
        return NULL;
    rc = lj_users_add(&us, u, nu, &e);
    if (rc == TK_OK)
        rc = lj_users_seal(&us, &e);
    if (rc == TK_OK)
        rc = lj_agg_init(&a, extra, &us, limit, "/tmp", &e);
    for (k = 0; rc == TK_OK && k < np; k += step)
        rc = lj_agg_plays(&a, p + k, np - k < step ? np - k : step, &e);
    if (rc == TK_OK && limit == 1 && np > 0 && a.spills == 0)
        rc = tk_err_set(&e, TK_ESOFTWARE, "nothing was spilled");
    if (rc == TK_OK)
        rows = fold_rows(&a, nrows, &e);
    if (!rows)
        fprintf(stderr, "\n  aggregation failed: %s\n", e.msg);
    if (dups)
        *dups = us.dups;
    if (rc == TK_OK)
        lj_agg_free(&a);
    lj_users_free(&us);
    return rows;
}

static lj_row *aggregate(int extra, const lj_user_rec *u, size_t nu, const lj_play_rec *p,
                         size_t np, size_t *nrows, lj_badlist *bad, uint64_t *dups)
{
    return aggregate_limit(extra, u, nu, p, np, nrows, bad, dups, 0, 1);
}

static void test_agg_join_basic(void)
{
    const lj_user_rec users[] = { urec(1, 10, 5, 6, 1), urec(2, 11, 7, 8, 0),
                                  urec(3, 12, -1, -2, 0) };
    const lj_play_rec plays[] = {
        prec(1, 100, 4, 1, 10), prec(1, 100, 4, 1, 10), prec(1, 101, 9, 1, 11),
        prec(1, 102, 4, 1, 12), prec(3, 100, 2, 1, 0),
        prec(4, 100, 1, 1, 0), /* no LOG1 row: dropped */
        prec(4, 101, 1, 1, 0),
    };
    lj_badlist bad;
    size_t n = 0;
    uint64_t dups = 99;
    lj_row *rows = aggregate(0, users, 3, plays, sizeof(plays) / sizeof(plays[0]), &n, &bad,
                             &dups);
    const lj_row *r;

    CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
    CU_ASSERT_EQUAL(n, 2); /* user 2 has no plays, user 4 no LOG1 row */
    CU_ASSERT_EQUAL(dups, 0);
    CU_ASSERT_EQUAL(bad.n[0] + bad.n[1], 0);
    r = row_of(rows, n, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->top_genre, 4);
    CU_ASSERT_EQUAL(r->top_genre_songs, 3); /* plays in genre 4 */
    CU_ASSERT_EQUAL(r->dist_songs, 3);
    CU_ASSERT_EQUAL(r->region, 5);
    CU_ASSERT_EQUAL(r->type, 6);
    CU_ASSERT_EQUAL(r->paid, 1);
    CU_ASSERT_EQUAL(r->peak_hour, 0);  /* extra features off */
    CU_ASSERT_EQUAL(r->dist_devices, 0);
    r = row_of(rows, n, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->top_genre, 2);
    CU_ASSERT_EQUAL(r->top_genre_songs, 1);
    CU_ASSERT_EQUAL(r->dist_songs, 1);
    CU_ASSERT_EQUAL(r->region, -1);
    CU_ASSERT_EQUAL(r->type, -2);
    CU_ASSERT_EQUAL(r->paid, 0);
    CU_ASSERT_PTR_NULL(row_of(rows, n, 2));
    CU_ASSERT_PTR_NULL(row_of(rows, n, 4));
    free(rows);
}

static void test_agg_genre_ties(void)
{
    const lj_user_rec users[] = { urec(1, 1, 0, 0, 0), urec(2, 2, 0, 0, 0),
                                  urec(3, 3, 0, 0, 0), urec(4, 4, 0, 0, 0),
                                  urec(5, 5, 0, 0, 0) };
    const lj_play_rec plays[] = {
        /* user 1: genres 5 and 3 twice each -> 3 */
        prec(1, 1, 5, 0, 0), prec(1, 2, 3, 0, 0), prec(1, 3, 5, 0, 0), prec(1, 4, 3, 0, 0),
        /* user 2: -7 and 2 tie -> -7 (smallest, signed) */
        prec(2, 1, 2, 0, 0), prec(2, 2, -7, 0, 0),
        /* user 3: INT32_MIN, INT32_MAX and 0 tie -> INT32_MIN */
        prec(3, 1, INT32_MAX, 0, 0), prec(3, 1, 0, 0, 0), prec(3, 1, INT32_MIN, 0, 0),
        /* user 4: only INT32_MAX, three plays of one song */
        prec(4, 9, INT32_MAX, 0, 0), prec(4, 9, INT32_MAX, 0, 0), prec(4, 9, INT32_MAX, 0, 0),
        /* user 5: the larger genre wins on count, not on order */
        prec(5, 1, 1, 0, 0), prec(5, 2, 8, 0, 0), prec(5, 3, 8, 0, 0),
    };
    lj_badlist bad;
    size_t n = 0;
    lj_row *rows = aggregate(0, users, 5, plays, sizeof(plays) / sizeof(plays[0]), &n, &bad,
                             NULL);
    const lj_row *r;

    CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
    CU_ASSERT_EQUAL(n, 5);
    if ((r = row_of(rows, n, 1))) {
        CU_ASSERT_EQUAL(r->top_genre, 3);
        CU_ASSERT_EQUAL(r->top_genre_songs, 2);
        CU_ASSERT_EQUAL(r->dist_songs, 4);
    }
    if ((r = row_of(rows, n, 2))) {
        CU_ASSERT_EQUAL(r->top_genre, -7);
        CU_ASSERT_EQUAL(r->top_genre_songs, 1);
    }
    if ((r = row_of(rows, n, 3))) {
        CU_ASSERT_EQUAL(r->top_genre, INT32_MIN);
        CU_ASSERT_EQUAL(r->top_genre_songs, 1);
        CU_ASSERT_EQUAL(r->dist_songs, 1);
    }
    if ((r = row_of(rows, n, 4))) {
        CU_ASSERT_EQUAL(r->top_genre, INT32_MAX);
        CU_ASSERT_EQUAL(r->top_genre_songs, 3);
        CU_ASSERT_EQUAL(r->dist_songs, 1);
    }
    if ((r = row_of(rows, n, 5))) {
        CU_ASSERT_EQUAL(r->top_genre, 8);
        CU_ASSERT_EQUAL(r->top_genre_songs, 2);
    }
    free(rows);
}

static void check_duplicate(const lj_user_rec *users, size_t nu, const char *order)
{
    const lj_play_rec plays[] = { prec(7, 1, 1, 0, 0) };
    lj_badlist bad;
    size_t n = 0;
    uint64_t dups = 0;
    lj_row *rows = aggregate(0, users, nu, plays, 1, &n, &bad, &dups);

    CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(dups, nu - 1);
    /* the row with the smallest key (LJ_KEY(0, 5)) wins */
    CU_ASSERT_EQUAL(rows[0].region, 55);
    CU_ASSERT_EQUAL(rows[0].type, 56);
    CU_ASSERT_EQUAL(rows[0].paid, 1);
    /* the losers are the bad LOG1 rows, smallest key first */
    CU_ASSERT_EQUAL(bad.n[LJ_LOG1], (int)nu - 1);
    CU_ASSERT_EQUAL(bad.n[LJ_LOG2], 0);
    CU_ASSERT_EQUAL(bad.items[LJ_LOG1][0].key, LJ_KEY(0, 10));
    CU_ASSERT_EQUAL(bad.items[LJ_LOG1][0].file, LJ_LOG1);
    CU_ASSERT_PTR_NOT_NULL(strstr(bad.items[LJ_LOG1][0].reason, "duplicate userId 7"));
    if (nu == 3)
        CU_ASSERT_EQUAL(bad.items[LJ_LOG1][1].key, LJ_KEY(1, 0));
    if (n != 1 || rows[0].region != 55)
        fprintf(stderr, "\n  duplicate LOG1 rows in order %s: wrong winner\n", order);
    free(rows);
}

static void test_agg_duplicate_log1(void)
{
    const lj_user_rec first_wins[] = { urec(7, LJ_KEY(0, 5), 55, 56, 1),
                                       urec(7, LJ_KEY(0, 10), 99, 98, 0) };
    const lj_user_rec later_wins[] = { urec(7, LJ_KEY(0, 10), 99, 98, 0),
                                       urec(7, LJ_KEY(0, 5), 55, 56, 1) };
    const lj_user_rec three_a[] = { urec(7, LJ_KEY(1, 0), 1, 1, 0),
                                    urec(7, LJ_KEY(0, 5), 55, 56, 1),
                                    urec(7, LJ_KEY(0, 10), 99, 98, 0) };
    const lj_user_rec three_b[] = { urec(7, LJ_KEY(0, 10), 99, 98, 0),
                                    urec(7, LJ_KEY(1, 0), 1, 1, 0),
                                    urec(7, LJ_KEY(0, 5), 55, 56, 1) };

    check_duplicate(first_wins, 2, "smaller key first");
    check_duplicate(later_wins, 2, "smaller key second");
    check_duplicate(three_a, 3, "three, largest first");
    check_duplicate(three_b, 3, "three, smallest last");
}

static void test_agg_duplicate_across_batches(void)
{
    /* the consumer is called once per shuffle round: duplicates may span calls */
    lj_users us;
    lj_agg a;
    lj_badlist bad;
    tk_err e;
    lj_user_rec u1 = urec(-1, LJ_KEY(2, 3), 1, 2, 0), u2 = urec(-1, LJ_KEY(0, 8), 3, 4, 1);
    lj_play_rec p1 = prec(-1, -1, -1, 0, 0), p2 = prec(-1, 5, -1, 0, 0);
    lj_row *rows = NULL;
    size_t n = 0;

    tk_err_clear(&e);
    memset(&bad, 0, sizeof(bad));
    CU_ASSERT_EQUAL_FATAL(lj_users_init(&us, &bad, &e), TK_OK);
    CU_ASSERT_EQUAL(lj_users_add(&us, &u1, 1, &e), TK_OK);
    CU_ASSERT_EQUAL(lj_users_add(&us, &u2, 1, &e), TK_OK);
    CU_ASSERT_EQUAL_FATAL(lj_users_seal(&us, &e), TK_OK);
    CU_ASSERT_EQUAL(us.dups, 1);
    CU_ASSERT_EQUAL_FATAL(lj_agg_init(&a, 0, &us, 0, "/tmp", &e), TK_OK);
    CU_ASSERT_EQUAL(lj_agg_plays(&a, &p1, 1, &e), TK_OK);
    CU_ASSERT_EQUAL(lj_agg_plays(&a, &p2, 1, &e), TK_OK);
    CU_ASSERT_EQUAL(lj_agg_plays(&a, &p1, 1, &e), TK_OK);
    rows = fold_rows(&a, &n, &e);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(rows[0].user, -1); /* userId -1 is the hash key UINT64_MAX */
    CU_ASSERT_EQUAL(rows[0].region, 3);
    CU_ASSERT_EQUAL(rows[0].paid, 1);
    CU_ASSERT_EQUAL(rows[0].top_genre, -1);
    CU_ASSERT_EQUAL(rows[0].top_genre_songs, 3);
    CU_ASSERT_EQUAL(rows[0].dist_songs, 2); /* songs -1 and 5 */
    CU_ASSERT_EQUAL(bad.n[LJ_LOG1], 1);
    CU_ASSERT_EQUAL(bad.items[LJ_LOG1][0].key, LJ_KEY(2, 3));
    free(rows);
    lj_agg_free(&a);
    lj_users_free(&us);
}

static void test_agg_extra_features(void)
{
    const lj_user_rec users[] = { urec(10, 1, 0, 0, 1), urec(20, 2, 0, 0, 0) };
    const lj_play_rec plays[] = {
        /* user 10: devices 1, 1, 2, 1 -> 2; hours 5, 3, 5, 3 -> tie -> 3 */
        prec(10, 1, 1, 1, 5), prec(10, 1, 1, 1, 3), prec(10, 2, 1, 2, 5), prec(10, 3, 2, 1, 3),
        /* user 20: same device numbers as user 10 count for it too; hour 23 wins */
        prec(20, 1, 1, 2, 23), prec(20, 1, 1, 2, 23), prec(20, 1, 1, 1, 0),
    };
    lj_badlist bad;
    size_t n = 0;
    lj_row *rows = aggregate(1, users, 2, plays, sizeof(plays) / sizeof(plays[0]), &n, &bad,
                             NULL);
    const lj_row *r;

    CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
    CU_ASSERT_EQUAL(n, 2);
    if ((r = row_of(rows, n, 10))) {
        CU_ASSERT_EQUAL(r->plays, 4);
        CU_ASSERT_EQUAL(r->dist_devices, 2);
        CU_ASSERT_EQUAL(r->peak_hour, 3);
        CU_ASSERT_EQUAL(r->dist_songs, 3);
        CU_ASSERT_EQUAL(r->top_genre, 1);
        CU_ASSERT_EQUAL(r->top_genre_songs, 3);
    } else
        CU_FAIL("no row for user 10");
    if ((r = row_of(rows, n, 20))) {
        CU_ASSERT_EQUAL(r->plays, 3);
        CU_ASSERT_EQUAL(r->dist_devices, 2);
        CU_ASSERT_EQUAL(r->peak_hour, 23);
        CU_ASSERT_EQUAL(r->dist_songs, 1);
    } else
        CU_FAIL("no row for user 20");
    free(rows);
}

/* Random users and plays against a naive reference computed per user. */
static void test_agg_random_vs_reference(void)
{
    enum { NU = 300, NP = 20000, NS = 40, NG = 6, ND = 5 };
    lj_user_rec *users = calloc(NU, sizeof(*users));
    lj_play_rec *plays = calloc(NP, sizeof(*plays));
    unsigned long long st = 2024;
    size_t i, n = 0, want_rows = 0;
    int ok = 1;
    lj_badlist bad;
    lj_row *rows;

    CU_ASSERT_PTR_NOT_NULL_FATAL(users);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plays);
    for (i = 0; i < NU; i++)
        users[i] = urec((int64_t)i * 1000003 - 150000000, i, (int32_t)i, -(int32_t)i,
                        (int)(i & 1));
    for (i = 0; i < NP; i++) {
        /* users 0..NU+49: the last 50 have no LOG1 row */
        size_t u = (size_t)(unit_rand(&st) % (NU + 50));
        u = u * u % (NU + 50); /* uneven load, some users without plays */
        plays[i] = prec((int64_t)u * 1000003 - 150000000, (int64_t)(unit_rand(&st) % NS) - 5,
                        (int32_t)(unit_rand(&st) % NG) - 2, (int64_t)(unit_rand(&st) % ND),
                        (int32_t)(unit_rand(&st) % 24));
    }
    rows = aggregate(1, users, NU, plays, NP, &n, &bad, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
    {
        /* spilled after every call, in 1 to 500 calls: the same rows */
        static const size_t calls[] = { 1, 3, 64, 500 };
        size_t c, n2;
        for (c = 0; c < sizeof(calls) / sizeof(calls[0]); c++) {
            lj_row *spilled = aggregate_limit(1, users, NU, plays, NP, &n2, &bad, NULL, 1,
                                              calls[c]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(spilled);
            CU_ASSERT_EQUAL(n2, n);
            CU_ASSERT_TRUE(n2 == n && memcmp(spilled, rows, n * sizeof(*rows)) == 0);
            free(spilled);
        }
    }
    for (i = 0; i < NU && ok; i++) {
        uint64_t songs[NS] = { 0 }, genres[NG] = { 0 }, devs[ND] = { 0 }, hours[24] = { 0 };
        uint64_t plays_n = 0, dsongs = 0, ddevs = 0, best_g = 0, best_h = 0;
        int g_arg = 0, h_arg = 0, k;
        size_t j;
        const lj_row *r;
        for (j = 0; j < NP; j++)
            if (plays[j].user == users[i].user) {
                plays_n++;
                songs[plays[j].song + 5]++;
                genres[plays[j].genre + 2]++;
                devs[plays[j].device]++;
                hours[plays[j].hour]++;
            }
        for (k = 0; k < NS; k++)
            dsongs += songs[k] > 0;
        for (k = 0; k < ND; k++)
            ddevs += devs[k] > 0;
        for (k = 0; k < NG; k++) /* strict '>' in increasing order: ties -> smallest */
            if (genres[k] > best_g) {
                best_g = genres[k];
                g_arg = k - 2;
            }
        for (k = 0; k < 24; k++)
            if (hours[k] > best_h) {
                best_h = hours[k];
                h_arg = k;
            }
        r = row_of(rows, n, users[i].user);
        if (plays_n == 0) {
            ok = r == NULL;
            continue;
        }
        want_rows++;
        ok = r && r->plays == (int64_t)plays_n && r->dist_songs == (int64_t)dsongs &&
             r->dist_devices == (int64_t)ddevs && r->top_genre == g_arg &&
             r->top_genre_songs == (int64_t)best_g && r->peak_hour == h_arg &&
             r->region == users[i].region && r->type == users[i].type &&
             r->paid == (uint8_t)users[i].paid;
        if (!ok)
            fprintf(stderr, "\n  user %lld differs from the reference\n",
                    (long long)users[i].user);
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(n, want_rows);
    free(rows);
    free(users);
    free(plays);
}

/* More plays than one multiset batch (LJ_BATCH is 2^20 keys in
 * lj_aggregate.c): counts must survive sorting and merging several runs. */
static void test_agg_many_batches(void)
{
    enum { NU = 500, NP = 2600000, NS = 64, NG = 8, ND = 8 };
    lj_user_rec *users = calloc(NU, sizeof(*users));
    lj_play_rec *plays = calloc(NP, sizeof(*plays));
    uint32_t *songs = calloc((size_t)NU * NS, sizeof(*songs));
    uint32_t *genres = calloc((size_t)NU * NG, sizeof(*genres));
    uint32_t *devs = calloc((size_t)NU * ND, sizeof(*devs));
    uint32_t *hours = calloc((size_t)NU * 24, sizeof(*hours));
    uint64_t *nplays = calloc(NU, sizeof(*nplays));
    unsigned long long st = 99;
    size_t i, n = 0, want_rows = 0;
    int ok = 1;
    lj_badlist bad;
    lj_row *rows;

    CU_ASSERT_FATAL(users && plays && songs && genres && devs && hours && nplays);
    for (i = 0; i < NU; i++)
        users[i] = urec((int64_t)i - 250, i, (int32_t)i, 1, 0);
    for (i = 0; i < NP; i++) {
        uint64_t r = unit_rand(&st);
        size_t u = (size_t)(r % (NU + 20)); /* the last 20 users have no LOG1 row */
        size_t s = (size_t)((r >> 16) % NS), g = (size_t)((r >> 24) % NG);
        size_t d = (size_t)((r >> 32) % ND), h = (size_t)((r >> 40) % 24);
        if (u % 97 == 5)
            u = 5; /* one heavy user */
        plays[i] = prec((int64_t)u - 250, (int64_t)s * 1000, (int32_t)g - 4, (int64_t)d,
                        (int32_t)h);
        if (u < NU) {
            nplays[u]++;
            songs[u * NS + s]++;
            genres[u * NG + g]++;
            devs[u * ND + d]++;
            hours[u * 24 + h]++;
        }
    }
    rows = aggregate(1, users, NU, plays, NP, &n, &bad, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
    for (i = 0; i < NU && ok; i++) {
        uint64_t dsongs = 0, ddevs = 0, best_g = 0, best_h = 0;
        int g_arg = 0, h_arg = 0, k;
        const lj_row *r = row_of(rows, n, users[i].user);
        for (k = 0; k < NS; k++)
            dsongs += songs[i * NS + (size_t)k] > 0;
        for (k = 0; k < ND; k++)
            ddevs += devs[i * ND + (size_t)k] > 0;
        for (k = 0; k < NG; k++)
            if (genres[i * NG + (size_t)k] > best_g) {
                best_g = genres[i * NG + (size_t)k];
                g_arg = k - 4;
            }
        for (k = 0; k < 24; k++)
            if (hours[i * 24 + (size_t)k] > best_h) {
                best_h = hours[i * 24 + (size_t)k];
                h_arg = k;
            }
        if (nplays[i] == 0) {
            ok = r == NULL;
            continue;
        }
        want_rows++;
        ok = r && r->plays == (int64_t)nplays[i] && r->dist_songs == (int64_t)dsongs &&
             r->dist_devices == (int64_t)ddevs && r->top_genre == g_arg &&
             r->top_genre_songs == (int64_t)best_g && r->peak_hour == h_arg &&
             r->region == users[i].region;
        if (!ok)
            fprintf(stderr, "\n  user %lld differs from the reference\n",
                    (long long)users[i].user);
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(n, want_rows);
    free(rows);
    free(users);
    free(plays);
    free(songs);
    free(genres);
    free(devs);
    free(hours);
    free(nplays);
}

static void test_agg_empty(void)
{
    lj_badlist bad;
    size_t n = 99;
    lj_row *rows = aggregate(1, NULL, 0, NULL, 0, &n, &bad, NULL);

    CU_ASSERT_PTR_NOT_NULL(rows);
    CU_ASSERT_EQUAL(n, 0);
    free(rows);
}

/* ---- rows: encoding and the exchange ---- */

static void test_rows_exchange_self(void)
{
    /* extreme values survive the encoding, and the exchange on one rank
     * gives the rows back in order */
    const size_t sizes[] = { 0, 1, 2, 7, 5000 };
    size_t si;

    for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        size_t n = sizes[si], i, seg[2];
        uint64_t seg_rows[1];
        lj_row *rows = calloc(n + 1, sizeof(*rows)), got;
        lj_rowbuf b, out;
        const uint8_t *p;
        int64_t prev = 0;
        tk_err e;
        int ok = 1;
        CU_ASSERT_PTR_NOT_NULL_FATAL(rows);
        memset(&b, 0, sizeof(b));
        for (i = 0; i < n; i++) {
            lj_row *r = &rows[i];
            r->user = i == 0 ? INT64_MIN : (i == n - 1 ? INT64_MAX : (int64_t)i * 977 - 2000000);
            r->plays = i == 1 ? INT64_MAX : (int64_t)i;
            r->top_genre_songs = (int64_t)i / 3;
            r->dist_songs = (int64_t)(i % 5);
            r->dist_devices = (int64_t)i << 20;
            r->top_genre = (i & 1) ? INT32_MIN : INT32_MAX;
            r->region = -(int32_t)i;
            r->type = (int32_t)i;
            r->peak_hour = (int32_t)(i % 24);
            r->paid = (uint8_t)(i & 1);
            CU_ASSERT_EQUAL_FATAL(lj_rowbuf_put(&b, r), TK_OK);
        }
        seg[0] = 0;
        seg[1] = b.len;
        seg_rows[0] = b.nrows;
        tk_err_clear(&e);
        CU_ASSERT_EQUAL(lj_rows_exchange(MPI_COMM_SELF, &b, seg, seg_rows, &out, &e), TK_OK);
        CU_ASSERT_EQUAL(out.nrows, n);
        for (i = 0, p = out.data; i < out.nrows && i < n; i++) {
            memset(&got, 0, sizeof(got));
            p = lj_row_get(p, &got, &prev);
            ok &= memcmp(&got, &rows[i], sizeof(got)) == 0;
        }
        CU_ASSERT_TRUE(ok);
        free(out.data);
        free(rows);
    }
}

/* ---- owner ---- */

/* lj_owner against fixed values, worked out once outside this code (an
 * independent Python implementation of MurmurHash3's fmix64 from its
 * published constants, then % size), plus properties: every owner in range,
 * and ids spread evenly over the ranks whether consecutive or strided (a
 * plain user % size would put every multiple of 4 on rank 0). */
static void test_owner(void)
{
    static const struct {
        int64_t user;
        int owner[5]; /* for sizes 2, 3, 4, 7, 16 */
    } known[] = {
        { 0, { 0, 0, 0, 0, 0 } },
        { 1, { 0, 2, 0, 0, 12 } },
        { -1, { 1, 1, 1, 5, 1 } },
        { 42, { 0, 0, 0, 3, 12 } },
        { 123456789, { 0, 2, 2, 1, 6 } },
        { INT64_MIN, { 1, 0, 3, 0, 3 } },
        { INT64_MAX, { 0, 1, 2, 3, 10 } },
        { 100000, { 0, 2, 0, 1, 4 } },
    };
    static const int sizes[5] = { 2, 3, 4, 7, 16 };
    unsigned long long st = 5;
    int size, ok = 1, k;
    size_t i;
    long counts[4] = { 0 }, strided[4] = { 0 };

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        for (k = 0; k < 5; k++)
            CU_ASSERT_EQUAL(lj_owner(known[i].user, sizes[k]), known[i].owner[k]);
    for (size = 1; size <= 17 && ok; size++)
        for (i = 0; i < 2000; i++) {
            int o = lj_owner((int64_t)unit_rand(&st), size);
            ok &= o >= 0 && o < size;
        }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(lj_owner(123456789, 1), 0);
    CU_ASSERT_EQUAL(lj_owner(INT64_MIN, 1), 0);
    /* consecutive ids, and ids 4 apart, spread evenly over 4 ranks (within 5%) */
    for (i = 0; i < 100000; i++) {
        counts[lj_owner((int64_t)i, 4)]++;
        strided[lj_owner((int64_t)i * 4, 4)]++;
    }
    for (i = 0; i < 4; i++) {
        CU_ASSERT_TRUE(counts[i] > 23750 && counts[i] < 26250);
        CU_ASSERT_TRUE(strided[i] > 23750 && strided[i] < 26250);
    }
}

/* ---- bad-row samples ---- */

static void test_bad_add(void)
{
    lj_badlist *b = calloc(1, sizeof(*b));
    uint64_t keys[1000];
    unsigned long long st = 9;
    size_t i;
    int ok = 1;

    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    /* fewer than LJ_BAD_SHOWN: all kept, sorted */
    lj_bad_add(b, LJ_LOG2, 30, "thirty");
    lj_bad_add(b, LJ_LOG2, 10, "ten");
    lj_bad_add(b, LJ_LOG2, 20, "twenty");
    CU_ASSERT_EQUAL(b->n[LJ_LOG2], 3);
    CU_ASSERT_EQUAL(b->n[LJ_LOG1], 0);
    CU_ASSERT_EQUAL(b->items[LJ_LOG2][0].key, 10);
    CU_ASSERT_STRING_EQUAL(b->items[LJ_LOG2][0].reason, "ten");
    CU_ASSERT_EQUAL(b->items[LJ_LOG2][1].key, 20);
    CU_ASSERT_EQUAL(b->items[LJ_LOG2][2].key, 30);
    CU_ASSERT_STRING_EQUAL(b->items[LJ_LOG2][2].reason, "thirty");
    CU_ASSERT_EQUAL(b->items[LJ_LOG2][2].file, LJ_LOG2);

    /* 1000 random keys into LOG1: the 20 smallest are kept, in order */
    for (i = 0; i < 1000; i++) {
        char why[40];
        keys[i] = unit_rand(&st) % 100000;
        if (i == 500)
            keys[i] = 0;
        if (i == 501)
            keys[i] = UINT64_MAX;
        snprintf(why, sizeof(why), "r%llu", (unsigned long long)keys[i]);
        lj_bad_add(b, LJ_LOG1, keys[i], why);
    }
    /* reference: insertion-sort the keys */
    for (i = 1; i < 1000; i++) {
        uint64_t k = keys[i];
        size_t j = i;
        while (j > 0 && keys[j - 1] > k) {
            keys[j] = keys[j - 1];
            j--;
        }
        keys[j] = k;
    }
    CU_ASSERT_EQUAL_FATAL(b->n[LJ_LOG1], LJ_BAD_SHOWN);
    for (i = 0; i < LJ_BAD_SHOWN; i++) {
        char why[40];
        snprintf(why, sizeof(why), "r%llu", (unsigned long long)keys[i]);
        ok &= b->items[LJ_LOG1][i].key == keys[i];
        ok &= strcmp(b->items[LJ_LOG1][i].reason, why) == 0;
        ok &= b->items[LJ_LOG1][i].file == LJ_LOG1;
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(b->items[LJ_LOG1][0].key, 0);
    /* the other file's list is untouched */
    CU_ASSERT_EQUAL(b->n[LJ_LOG2], 3);
    CU_ASSERT_EQUAL(b->items[LJ_LOG2][0].key, 10);
    free(b);
}

static void test_bad_add_descending_and_long_reason(void)
{
    lj_badlist *b = calloc(1, sizeof(*b));
    char longr[300];
    int i, ok = 1;

    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    /* keys arriving in decreasing order: each one displaces the largest */
    for (i = 100; i >= 1; i--)
        lj_bad_add(b, LJ_LOG1, (uint64_t)i, "x");
    CU_ASSERT_EQUAL(b->n[LJ_LOG1], LJ_BAD_SHOWN);
    for (i = 0; i < LJ_BAD_SHOWN; i++)
        ok &= b->items[LJ_LOG1][i].key == (uint64_t)i + 1;
    CU_ASSERT_TRUE(ok);
    /* a key not smaller than the 20th is ignored */
    lj_bad_add(b, LJ_LOG1, 20, "same as the largest kept");
    lj_bad_add(b, LJ_LOG1, 21, "larger");
    CU_ASSERT_EQUAL(b->items[LJ_LOG1][LJ_BAD_SHOWN - 1].key, 20);
    CU_ASSERT_STRING_EQUAL(b->items[LJ_LOG1][LJ_BAD_SHOWN - 1].reason, "x");
    /* reasons are cut to fit */
    memset(longr, 'r', sizeof(longr) - 1);
    longr[sizeof(longr) - 1] = '\0';
    lj_bad_add(b, LJ_LOG2, 1, longr);
    CU_ASSERT_EQUAL(strlen(b->items[LJ_LOG2][0].reason), LJ_BAD_REASON - 1);
    free(b);
}

int unit_register_agg(void)
{
    static const unit_test tests[] = {
        { "join: inner join and features", test_agg_join_basic },
        { "topGenderId ties -> smallest genre", test_agg_genre_ties },
        { "duplicate LOG1 rows in every arrival order", test_agg_duplicate_log1 },
        { "duplicate LOG1 across batches, userId -1", test_agg_duplicate_across_batches },
        { "extra features: plays, distDevices, peakHour", test_agg_extra_features },
        { "random data vs a naive reference", test_agg_random_vs_reference },
        { "more plays than one multiset batch", test_agg_many_batches },
        { "empty aggregation", test_agg_empty },
        { "rows encoded and exchanged on MPI_COMM_SELF", test_rows_exchange_self },
        { "lj_owner: known owners, range, even spread", test_owner },
        { "lj_bad_add keeps the 20 smallest", test_bad_add },
        { "lj_bad_add descending keys, long reason", test_bad_add_descending_and_long_reason },
        { NULL, NULL }
    };
    return unit_add_suite("agg", tests);
}
