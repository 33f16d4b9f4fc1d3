/* test_collectives.c -- tk_mpi_agree, tk_shuffle_round and
 * tk_mpi_write_ordered across ranks, each against an expectation built
 * independently: the lowest failing rank's error spelled out, every rank's
 * records regenerated from their seeds, the file's bytes recomputed from the
 * formula that made them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tk_mpi.h"
#include "tk_shuffle.h"
#include "unit_mpi.h"

/* ---- tk_mpi_agree ---- */

/* every rank sets an error when fails(rank); all must get the lowest one's */
static void agree_case(int (*fails)(int rank))
{
    tk_err e;
    char want[64];
    int rc, r, first = -1;

    for (r = 0; r < um_size && first < 0; r++)
        if (fails(r))
            first = r;
    tk_err_clear(&e);
    if (fails(um_rank))
        tk_err_set(&e, 100 + um_rank, "failure on rank %d", um_rank);
    rc = tk_mpi_agree(MPI_COMM_WORLD, &e);
    if (first < 0) {
        CU_ASSERT_EQUAL(rc, TK_OK);
        CU_ASSERT_EQUAL(e.status, TK_OK);
        CU_ASSERT_STRING_EQUAL(e.msg, "");
    } else {
        snprintf(want, sizeof(want), "failure on rank %d", first);
        CU_ASSERT_EQUAL(rc, 100 + first);
        CU_ASSERT_EQUAL(e.status, 100 + first);
        CU_ASSERT_STRING_EQUAL(e.msg, want);
    }
}

static int none(int r) { (void)r; return 0; }
static int all(int r) { (void)r; return 1; }
static int last_only(int r) { return r == um_size - 1; }
static int not_zero(int r) { return r != 0; }
static int odd(int r) { return r % 2 == 1; }
static int lone_rank;
static int lone(int r) { return r == lone_rank; }

static void test_agree(void)
{
    agree_case(none);
    agree_case(all);
    agree_case(last_only);
    agree_case(not_zero);
    agree_case(odd);
    for (lone_rank = 0; lone_rank < um_size; lone_rank++)
        agree_case(lone);
}

/* a full-length message from the last rank arrives whole and terminated */
static void test_agree_long_message(void)
{
    tk_err e;
    char want[TK_ERR_MSG_MAX];
    int rc;

    memset(want, 'z', TK_ERR_MSG_MAX - 1);
    want[TK_ERR_MSG_MAX - 1] = '\0';
    tk_err_clear(&e);
    if (um_rank == um_size - 1)
        tk_err_set(&e, TK_EIO, "%s", want);
    rc = tk_mpi_agree(MPI_COMM_WORLD, &e);
    CU_ASSERT_EQUAL(rc, TK_EIO);
    CU_ASSERT_EQUAL(strlen(e.msg), TK_ERR_MSG_MAX - 1);
    CU_ASSERT_STRING_EQUAL(e.msg, want);
}

/* on a split communicator the lowest failing rank of that communicator wins,
 * by its rank there, not in MPI_COMM_WORLD */
static void test_agree_subcomm(void)
{
    MPI_Comm sub;
    tk_err e;
    char want[64];
    int srank, ssize, rc, color = um_rank % 2;

    MPI_Comm_split(MPI_COMM_WORLD, color, -um_rank, &sub); /* reversed order */
    MPI_Comm_rank(sub, &srank);
    MPI_Comm_size(sub, &ssize);
    tk_err_clear(&e);
    /* every member but the highest world rank (sub rank 0) fails */
    if (srank != 0)
        tk_err_set(&e, TK_EDATA, "world rank %d", um_rank);
    rc = tk_mpi_agree(sub, &e);
    if (ssize == 1) {
        CU_ASSERT_EQUAL(rc, TK_OK);
    } else {
        /* sub rank 1 is the second highest world rank of this colour */
        int w = -1, r, seen = 0;
        for (r = um_size - 1; r >= 0; r--)
            if (r % 2 == color && ++seen == 2)
                w = r;
        snprintf(want, sizeof(want), "world rank %d", w);
        CU_ASSERT_EQUAL(rc, TK_EDATA);
        CU_ASSERT_STRING_EQUAL(e.msg, want);
    }
    MPI_Comm_free(&sub);
}

/* ---- tk_shuffle_round ---- */

typedef struct srec {
    int32_t src, dest;
    uint64_t seq, check;
} srec;

/* rank r sends n_send(r) records; rank 1 sends nothing, rank 0 the most
 * (several rounds' worth); nobody sends to the last rank */
static size_t n_send(int r)
{
    if (r == 1)
        return 0;
    return r == 0 ? 20000 : 1500 * (size_t)r + 7;
}

static srec make_rec(int src, uint64_t seq)
{
    srec x;
    uint64_t h = um_mix(((uint64_t)src << 40) ^ seq);

    memset(&x, 0, sizeof(x));
    x.src = src;
    x.seq = seq;
    x.dest = um_size > 1 ? (int)(h % (uint64_t)(um_size - 1)) : 0;
    x.check = um_mix(h);
    return x;
}

static int cmp_srec(const void *a, const void *b)
{
    const srec *x = a, *y = b;

    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

typedef struct sink {
    srec *v;
    size_t n, cap;
    size_t calls;
    int fail_at_call; /* return TK_EDATA from this call (1-based), 0 never */
} sink;

static int consume(void *ctx, const void *recs, size_t n, tk_err *e)
{
    sink *s = ctx;

    s->calls++;
    if (s->fail_at_call && s->calls == (size_t)s->fail_at_call)
        return tk_err_set(e, TK_EDATA, "consumer refuses on rank %d", um_rank);
    if (s->n + n > s->cap) {
        s->cap = (s->n + n) * 2;
        s->v = realloc(s->v, s->cap * sizeof(srec));
        if (!s->v)
            MPI_Abort(MPI_COMM_WORLD, 2);
    }
    memcpy(s->v + s->n, recs, n * sizeof(srec));
    s->n += n;
    return TK_OK;
}

/* Streams this rank's records through the shuffle in the pattern logjoin
 * uses (fill until an outbox is full, one round, agree whether to go on).
 * Returns the first error status of tk_shuffle_round on this rank. */
static int shuffle_all(tk_shuffle *sh, sink *got, unsigned long long *rounds)
{
    size_t n = n_send(um_rank), i = 0;
    int first_rc = TK_OK, more;
    tk_err e;

    tk_err_clear(&e);
    do {
        int rc;
        while (i < n && !sh->full) {
            srec x = make_rec(um_rank, i++);
            memcpy(tk_shuffle_slot(sh, x.dest), &x, sizeof(x));
        }
        rc = tk_shuffle_round(sh, consume, got, &e);
        if (rc != TK_OK && first_rc == TK_OK)
            first_rc = rc;
        more = i < n;
        MPI_Allreduce(MPI_IN_PLACE, &more, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    } while (more);
    *rounds = sh->rounds;
    return first_rc;
}

static void test_shuffle(void)
{
    tk_shuffle sh;
    tk_err e;
    sink got = { NULL, 0, 0, 0, 0 };
    srec *want;
    size_t nwant = 0, total = 0, i;
    unsigned long long rounds = 0, rmin, rmax;
    int src, rc, init;
    uint64_t sent = n_send(um_rank), recv_sum;

    tk_err_clear(&e);
    init = tk_shuffle_init(&sh, MPI_COMM_WORLD, sizeof(srec), 0, &e);
    CU_ASSERT_EQUAL(init, TK_OK);
    if (!um_all(init == TK_OK))
        return;
    rc = shuffle_all(&sh, &got, &rounds);
    CU_ASSERT_EQUAL(rc, TK_OK);
    tk_shuffle_free(&sh);
    /* the same number of rounds everywhere, and more than one: rank 0's
     * 20000 records (469 KiB) do not fit two outboxes of about 64 KiB */
    MPI_Allreduce(&rounds, &rmin, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&rounds, &rmax, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
    CU_ASSERT_EQUAL(rmin, rmax);
    if (um_size > 1)
        CU_ASSERT(rounds >= 2);
    /* expectation: every rank's records regenerated, those addressed here */
    for (src = 0; src < um_size; src++)
        total += n_send(src);
    want = um_alloc(total * sizeof(srec));
    for (src = 0; src < um_size; src++)
        for (i = 0; i < n_send(src); i++) {
            srec x = make_rec(src, i);
            if (x.dest == um_rank)
                want[nwant++] = x;
        }
    if (got.n > 0)
        qsort(got.v, got.n, sizeof(srec), cmp_srec);
    CU_ASSERT_EQUAL(got.n, nwant);
    CU_ASSERT(got.n == nwant && (nwant == 0 || memcmp(got.v, want, nwant * sizeof(srec)) == 0));
    if (um_size > 1 && um_rank == um_size - 1)
        CU_ASSERT_EQUAL(got.n, 0); /* nobody sends to the last rank */
    if (um_size > 2 && um_rank == 1)
        CU_ASSERT(got.n > 0); /* the empty sender still receives */
    /* nothing lost or doubled overall */
    MPI_Allreduce(&got.n, &recv_sum, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, &sent, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    CU_ASSERT_EQUAL(recv_sum, sent);
    CU_ASSERT_EQUAL(recv_sum, total);
    free(want);
    free(got.v);
}

/* a consumer's error is returned on its rank only; the round completes on
 * every rank and the others get their records */
static void test_shuffle_consumer_error(void)
{
    tk_shuffle sh;
    tk_err e;
    sink got = { NULL, 0, 0, 0, 0 };
    int rc, init, bad = um_size > 1 ? 0 : -1; /* rank 0 refuses its first batch */
    unsigned long long rounds = 0;
    size_t nwant = 0, i;
    int src;

    tk_err_clear(&e);
    if (um_rank == bad)
        got.fail_at_call = 1;
    init = tk_shuffle_init(&sh, MPI_COMM_WORLD, sizeof(srec), 0, &e);
    if (!um_all(init == TK_OK)) {
        CU_FAIL("tk_shuffle_init");
        return;
    }
    rc = shuffle_all(&sh, &got, &rounds);
    tk_shuffle_free(&sh);
    if (um_rank == bad) {
        CU_ASSERT_EQUAL(rc, TK_EDATA);
    } else {
        CU_ASSERT_EQUAL(rc, TK_OK);
        for (src = 0; src < um_size; src++)
            for (i = 0; i < n_send(src); i++)
                nwant += make_rec(src, i).dest == um_rank;
        CU_ASSERT_EQUAL(got.n, nwant);
    }
    free(got.v);
}

/* ---- tk_mpi_write_ordered ---- */

static size_t w_len(int r, int variant)
{
    if (variant == 1)
        return 0; /* every rank empty */
    if (r == 1)
        return 0;
    return r == 0 ? 100003 : (size_t)r * 1000 + 5;
}

static unsigned char w_byte(int r, size_t i)
{
    return (unsigned char)((uint64_t)r * 131 + i * 7 + (i >> 8));
}

static void write_case(int variant)
{
    char dir[64], path[128];
    size_t len = w_len(um_rank, variant), i, got_len = 0, want_len = 0;
    unsigned char *buf = um_alloc(len);
    tk_err e;
    int rc, r;

    um_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/ordered.bin", dir);
    for (i = 0; i < len; i++)
        buf[i] = w_byte(um_rank, i);
    tk_err_clear(&e);
    rc = tk_mpi_write_ordered(MPI_COMM_WORLD, path, buf, len, &e);
    CU_ASSERT_EQUAL(rc, TK_OK);
    CU_ASSERT_STRING_EQUAL(e.msg, "");
    MPI_Barrier(MPI_COMM_WORLD);
    if (um_rank == 0) {
        unsigned char *got = (unsigned char *)unit_read_file(path, &got_len), *want;
        size_t at = 0;
        for (r = 0; r < um_size; r++)
            want_len += w_len(r, variant);
        want = um_alloc(want_len);
        for (r = 0; r < um_size; r++)
            for (i = 0; i < w_len(r, variant); i++)
                want[at++] = w_byte(r, i);
        CU_ASSERT_PTR_NOT_NULL(got);
        CU_ASSERT_EQUAL(got_len, want_len);
        CU_ASSERT(got && got_len == want_len && memcmp(got, want, want_len) == 0);
        free(got);
        free(want);
    }
    free(buf);
    um_tmpdir_done(dir);
}

static void test_write_ordered(void) { write_case(0); }
static void test_write_ordered_all_empty(void) { write_case(1); }

/* an existing file: every rank fails alike and the file is untouched */
static void test_write_ordered_exists(void)
{
    char dir[64], path[128], want[200];
    const char old[] = "old contents\n";
    tk_err e;
    int rc, same = 0;

    um_tmpdir(dir, sizeof(dir));
    if (um_rank == 0) {
        char out[256];
        unit_write_file(dir, "exists.bin", old, sizeof(old) - 1, out, sizeof(out));
    }
    MPI_Barrier(MPI_COMM_WORLD);
    snprintf(path, sizeof(path), "%s/exists.bin", dir);
    tk_err_clear(&e);
    rc = tk_mpi_write_ordered(MPI_COMM_WORLD, path, "new", 3, &e);
    CU_ASSERT_EQUAL(rc, TK_ECANTCREAT);
    snprintf(want, sizeof(want), "cannot create %s", path);
    CU_ASSERT_NSTRING_EQUAL(e.msg, want, strlen(want));
    if (um_rank == 0) {
        size_t n = 0;
        char *got = unit_read_file(path, &n);
        same = got && n == sizeof(old) - 1 && memcmp(got, old, n) == 0;
        free(got);
        CU_ASSERT_TRUE(same);
    }
    um_tmpdir_done(dir);
}

/* an error already recorded on one rank: all return it, no file is made */
static void test_write_ordered_prior_error(void)
{
    char dir[64], path[128], want[64];
    int bad = um_size - 1, rc;
    struct stat st;
    tk_err e;

    um_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/never.bin", dir);
    tk_err_clear(&e);
    if (um_rank == bad)
        tk_err_set(&e, TK_EDATA, "earlier failure on rank %d", bad);
    rc = tk_mpi_write_ordered(MPI_COMM_WORLD, path, "x", 1, &e);
    snprintf(want, sizeof(want), "earlier failure on rank %d", bad);
    CU_ASSERT_EQUAL(rc, TK_EDATA);
    CU_ASSERT_STRING_EQUAL(e.msg, want);
    MPI_Barrier(MPI_COMM_WORLD);
    if (um_rank == 0)
        CU_ASSERT_NOT_EQUAL(stat(path, &st), 0);
    um_tmpdir_done(dir);
}

int unit_mpi_register_collectives(void)
{
    static const unit_test tests[] = {
        { "tk_mpi_agree: the lowest failing rank's error everywhere", test_agree },
        { "tk_mpi_agree: full-length messages", test_agree_long_message },
        { "tk_mpi_agree: ranks of a split communicator", test_agree_subcomm },
        { "tk_shuffle_round: every record to its rank, uneven and empty ranks",
          test_shuffle },
        { "tk_shuffle_round: a consumer's error stays on its rank", test_shuffle_consumer_error },
        { "tk_mpi_write_ordered: bytes in rank order, an empty rank", test_write_ordered },
        { "tk_mpi_write_ordered: every rank empty", test_write_ordered_all_empty },
        { "tk_mpi_write_ordered: existing file refused on every rank",
          test_write_ordered_exists },
        { "tk_mpi_write_ordered: an earlier error on one rank", test_write_ordered_prior_error },
        { NULL, NULL }
    };
    return unit_add_suite("collectives", tests);
}
