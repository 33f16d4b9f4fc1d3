/* test_sort.c -- logjoin's row exchange across ranks (lj_rows_splitters,
 * lj_rowbuf_put and lj_rows_exchange, as lj_run drives them), compared
 * with a qsort of every rank's rows gathered on rank 0 (the expectation),
 * for uneven, empty, one-rank-only, skewed and edge-value distributions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../mpi_apps/logjoin/logjoin.h" /* the Makefile adds only -Impi_apps/common */
#include "unit_mpi.h"

static int cmp_user(const void *a, const void *b)
{
    int64_t x = ((const lj_row *)a)->user, y = ((const lj_row *)b)->user;

    return (x > y) - (x < y);
}

/* Sorts the rows across ranks the way logjoin does: each rank's rows in
 * order, splitters from every rank's ids, segments encoded, exchanged and
 * merged; decoded back into *rows. */
static int lj_sort_rows(MPI_Comm comm, lj_row **rows, size_t *n, tk_err *e)
{
    int size, dest = 0;
    int64_t *ids, *split;
    size_t *seg, i;
    uint64_t *seg_rows;
    lj_rowbuf b, out;
    const uint8_t *q;
    int64_t prev = 0;
    lj_row *got;

    MPI_Comm_size(comm, &size);
    qsort(*rows, *n, sizeof(lj_row), cmp_user);
    ids = um_alloc((*n + 1) * sizeof(*ids));
    split = um_alloc((size_t)size * sizeof(*split));
    seg = um_alloc(((size_t)size + 1) * sizeof(*seg));
    seg_rows = um_alloc((size_t)size * sizeof(*seg_rows));
    memset(seg, 0, ((size_t)size + 1) * sizeof(*seg));
    memset(seg_rows, 0, (size_t)size * sizeof(*seg_rows));
    memset(&b, 0, sizeof(b));
    for (i = 0; i < *n; i++)
        ids[i] = (*rows)[i].user;
    if (lj_rows_splitters(comm, ids, *n, split, e) != TK_OK)
        return e->status;
    for (i = 0; i < *n; i++) {
        while (dest < size - 1 && (*rows)[i].user >= split[dest]) {
            seg[++dest] = b.len;
            b.prev = 0;
        }
        seg_rows[dest]++;
        if (lj_rowbuf_put(&b, &(*rows)[i]) != TK_OK)
            return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    }
    while (dest < size - 1)
        seg[++dest] = b.len;
    seg[size] = b.len;
    if (lj_rows_exchange(comm, &b, seg, seg_rows, &out, e) != TK_OK)
        return e->status;
    got = um_alloc((out.nrows + 1) * sizeof(*got));
    memset(got, 0, (out.nrows + 1) * sizeof(*got));
    for (i = 0, q = out.data; i < out.nrows; i++)
        q = lj_row_get(q, &got[i], &prev);
    free(*rows);
    *rows = got;
    *n = out.nrows;
    free(out.data);
    free(ids);
    free(split);
    free(seg);
    free(seg_rows);
    return TK_OK;
}

/* a row whose other fields are derived from its id and its origin, so that
 * a row torn apart or mixed with another shows */
static lj_row make_row(int64_t user, int origin)
{
    lj_row r;
    uint64_t h = um_mix((uint64_t)user);

    memset(&r, 0, sizeof(r));
    r.user = user;
    r.top_genre_songs = (int64_t)(h >> 1);
    r.dist_songs = origin;
    r.plays = (int64_t)(h & 0xffff);
    r.dist_devices = user ^ 0x5555555555555555LL;
    r.top_genre = (int32_t)(h >> 32);
    r.region = origin * 10;
    r.type = (int32_t)(h & 7);
    r.peak_hour = (int32_t)(h % 24);
    r.paid = (uint8_t)(h & 1);
    return r;
}

enum { D_UNEVEN, D_ONE_RANK, D_EMPTY, D_ONE_ROW, D_SKEWED, D_EDGES, D_SORTED, D_COUNT };
static const char *const dist_name[D_COUNT] = { "uneven", "one rank", "empty", "one row",
                                                "skewed", "edges", "presorted" };

static size_t rows_of(int dist, int r)
{
    switch (dist) {
    case D_UNEVEN: return r == 1 ? 0 : r == 0 ? 4000 : 37 * (size_t)r + 3;
    case D_ONE_RANK: return r == um_size - 1 ? 3000 : 0;
    case D_EMPTY: return 0;
    case D_ONE_ROW: return r == um_size - 1 ? 1 : 0;
    case D_SKEWED: return r == 1 ? 0 : 500;
    case D_EDGES: return r == 1 ? 0 : 6;
    default: return r == 1 ? 0 : 800;
    }
}

/* the rows of rank r: user ids unique over all ranks */
static lj_row *make_rows(int dist, int r, size_t *n)
{
    size_t i, k = rows_of(dist, r);
    lj_row *v = um_alloc((k + 1) * sizeof(*v));
    static const int64_t edges[] = { INT64_MIN, INT64_MAX, -1, 0, 1, INT64_MIN + 1 };

    for (i = 0; i < k; i++) {
        uint64_t g = ((uint64_t)r << 32) | i; /* unique over all ranks */
        int64_t u;
        switch (dist) {
        case D_SKEWED: /* most ids in a narrow band, a few far away */
            u = i % 50 == 0 ? (int64_t)um_mix(g) : 1000000 + (int64_t)i * um_size + r;
            break;
        case D_EDGES:
            u = r == 0 ? edges[i] : (int64_t)um_mix(g) / 4; /* no edge twice */
            break;
        case D_SORTED: /* every rank's block is already in order and they interleave */
            u = (int64_t)i * um_size + r;
            break;
        default:
            u = (int64_t)um_mix(g); /* splitmix64's bijection: distinct */
        }
        v[i] = make_row(u, r);
    }
    *n = k;
    return v;
}

static void sort_case(int dist)
{
    size_t n, before_total = 0, after_total = 0, i;
    lj_row *rows = make_rows(dist, um_rank, &n), *before, *after;
    tk_err e;
    int rc, sorted = 1;

    before = um_gather(rows, n * sizeof(lj_row), &before_total);
    tk_err_clear(&e);
    rc = lj_sort_rows(MPI_COMM_WORLD, &rows, &n, &e);
    CU_ASSERT_EQUAL(rc, TK_OK);
    for (i = 1; i < n; i++)
        sorted &= rows[i - 1].user < rows[i].user;
    CU_ASSERT_TRUE(sorted);
    after = um_gather(rows, n * sizeof(lj_row), &after_total);
    if (um_rank == 0) {
        size_t m = before_total / sizeof(lj_row);
        qsort(before, m, sizeof(lj_row), cmp_user);
        CU_ASSERT_EQUAL(after_total, before_total);
        if (after_total != before_total || memcmp(before, after, before_total) != 0) {
            fprintf(stderr, "    lj_sort_rows (%s): rows differ from a qsort of them all\n",
                    dist_name[dist]);
            CU_FAIL("lj_sort_rows == qsort of the gathered rows");
        }
    }
    free(before);
    free(after);
    free(rows);
}

static void test_sort_uneven(void) { sort_case(D_UNEVEN); }
static void test_sort_one_rank(void) { sort_case(D_ONE_RANK); }
static void test_sort_empty(void) { sort_case(D_EMPTY); }
static void test_sort_one_row(void) { sort_case(D_ONE_ROW); }
static void test_sort_skewed(void) { sort_case(D_SKEWED); }
static void test_sort_edges(void) { sort_case(D_EDGES); }
static void test_sort_presorted(void) { sort_case(D_SORTED); }

/* the slices are balanced for spread-out ids: no rank far above n/P */
static void test_sort_balance(void)
{
    size_t n, total = 0, i;
    lj_row *rows = NULL;
    tk_err e;
    uint64_t mine, most, all;

    n = um_rank == 1 ? 0 : 6000;
    rows = um_alloc((n + 1) * sizeof(*rows));
    for (i = 0; i < n; i++)
        rows[i] = make_row((int64_t)um_mix(((uint64_t)um_rank << 32) | i), um_rank);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(lj_sort_rows(MPI_COMM_WORLD, &rows, &n, &e), TK_OK);
    mine = n;
    MPI_Allreduce(&mine, &most, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(&mine, &all, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    for (i = 0; i < (size_t)um_size; i++)
        total += i == 1 ? 0 : 6000;
    CU_ASSERT_EQUAL(all, total);
    CU_ASSERT(most * (uint64_t)um_size <= all * 2); /* within twice the mean */
    free(rows);
}

int unit_mpi_register_sort(void)
{
    static const unit_test tests[] = {
        { "lj_sort_rows == qsort: uneven, rank 1 empty", test_sort_uneven },
        { "lj_sort_rows == qsort: all rows on the last rank", test_sort_one_rank },
        { "lj_sort_rows == qsort: no rows anywhere", test_sort_empty },
        { "lj_sort_rows == qsort: one row in all", test_sort_one_row },
        { "lj_sort_rows == qsort: skewed ids", test_sort_skewed },
        { "lj_sort_rows == qsort: INT64_MIN, INT64_MAX, -1, 0, 1", test_sort_edges },
        { "lj_sort_rows == qsort: presorted interleaved blocks", test_sort_presorted },
        { "lj_sort_rows: balanced slices", test_sort_balance },
        { NULL, NULL }
    };
    return unit_add_suite("sort", tests);
}
