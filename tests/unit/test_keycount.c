/* test_keycount.c -- tk_radix_sort_u64 and the counted multiset tk_keycount
 * (batches, run merging, varint deltas) against qsort and a sorted reference. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tk_keycount.h"
#include "unit.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Fills keys[0..n) following pattern p. */
static void fill(uint64_t *keys, size_t n, int p, unsigned long long *st)
{
    size_t i;

    for (i = 0; i < n; i++) {
        uint64_t r = unit_rand(st);
        switch (p) {
        case 0: keys[i] = r; break;                              /* random */
        case 1: keys[i] = 42; break;                             /* all equal */
        case 2: keys[i] = (r & 0xff) << 56; break;               /* high byte only */
        case 3: keys[i] = r & 0xff; break;                       /* low byte only */
        case 4: keys[i] = (r & 1) ? UINT64_MAX : 0; break;       /* extremes */
        case 5: keys[i] = (uint64_t)(n - i); break;              /* descending */
        case 6: keys[i] = (r % 1000) << 32 | (r >> 60); break;   /* pairs */
        default: keys[i] = r % 7 == 0 ? UINT64_MAX - (r % 3) : r % 50; break;
        }
    }
}

static void test_radix_sort(void)
{
    static const size_t sizes[] = { 0, 1, 2, 3, 255, 256, 257, 10000 };
    unsigned long long st = 3;
    size_t si;
    int p, ok = 1;

    for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
        for (p = 0; p < 8; p++) {
            size_t n = sizes[si];
            uint64_t *a = malloc((n + 1) * sizeof(*a)), *b = malloc((n + 1) * sizeof(*b)),
                     *t = malloc((n + 1) * sizeof(*t));
            CU_ASSERT_PTR_NOT_NULL_FATAL(a);
            CU_ASSERT_PTR_NOT_NULL_FATAL(b);
            CU_ASSERT_PTR_NOT_NULL_FATAL(t);
            fill(a, n, p, &st);
            memcpy(b, a, n * sizeof(*a));
            tk_radix_sort_u64(a, t, n);
            qsort(b, n, sizeof(*b), cmp_u64);
            if (n && memcmp(a, b, n * sizeof(*a)) != 0) {
                ok = 0;
                fprintf(stderr, "\n  radix sort differs: n %zu pattern %d\n", n, p);
            }
            free(a);
            free(b);
            free(t);
        }
    CU_ASSERT_TRUE(ok);
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

    return (a > b) - (a < b);
}

/* The 32-bit sort: the same patterns cut to their low and high halves. */
static void test_radix_sort_u32(void)
{
    static const size_t sizes[] = { 0, 1, 2, 3, 255, 256, 257, 10000 };
    unsigned long long st = 5;
    size_t si, i;
    int p, half, ok = 1;

    for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
        for (p = 0; p < 8; p++)
            for (half = 0; half < 2; half++) {
                size_t n = sizes[si];
                uint64_t *w = malloc((n + 1) * sizeof(*w));
                uint32_t *a = malloc((n + 1) * sizeof(*a)), *b = malloc((n + 1) * sizeof(*b)),
                         *t = malloc((n + 1) * sizeof(*t));
                CU_ASSERT_FATAL(w && a && b && t);
                fill(w, n, p, &st);
                for (i = 0; i < n; i++)
                    a[i] = b[i] = (uint32_t)(half ? w[i] >> 32 : w[i]);
                tk_radix_sort_u32(a, t, n);
                qsort(b, n, sizeof(*b), cmp_u32);
                if (n && memcmp(a, b, n * sizeof(*a)) != 0)
                    ok = 0;
                free(w);
                free(a);
                free(b);
                free(t);
            }
    CU_ASSERT_TRUE(ok);
}

/* Adds keys[0..n) with batches of batch keys, spilling to /tmp every
 * spill_every keys (0: never), and compares the result with the sorted
 * reference. Returns 1 when equal. */
static int check_kc_spill(const uint64_t *keys, size_t n, size_t batch, int counted,
                          size_t spill_every)
{
    tk_keycount k;
    tk_kc_iter it;
    tk_err e;
    uint64_t *ref = malloc((n + 1) * sizeof(*ref)), key, cnt;
    size_t i = 0, distinct = 0, max_runs = 0;
    int ok = 1;

    tk_err_clear(&e);
    memset(&it, 0, sizeof(it));
    if (!ref || tk_kc_init(&k, batch, counted) != 0) {
        free(ref);
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (tk_kc_add(&k, keys[i]) != 0) {
            ok = 0;
            break;
        }
        if (k.nruns > max_runs)
            max_runs = k.nruns;
        if (spill_every && (i + 1) % spill_every == 0 && tk_kc_spill(&k, "/tmp", &e) != TK_OK)
            ok = 0;
    }
    if (ok && tk_kc_finish(&k) != 0)
        ok = 0;
    memcpy(ref, keys, n * sizeof(*ref));
    qsort(ref, n, sizeof(*ref), cmp_u64);
    if (ok && tk_kc_iter_init(&k, &it, &e) != TK_OK)
        ok = 0;
    i = 0;
    while (ok && tk_kc_next(&it, &key, &cnt) > 0) {
        size_t j = i;
        while (j < n && ref[j] == ref[i])
            j++;
        if (i >= n || key != ref[i] || cnt != (counted ? (uint64_t)(j - i) : 1)) {
            fprintf(stderr, "\n  keycount: entry %zu is %llu x%llu, wanted %llu x%zu\n",
                    distinct, (unsigned long long)key, (unsigned long long)cnt,
                    i < n ? (unsigned long long)ref[i] : 0ULL, j - i);
            ok = 0;
        }
        distinct++;
        i = j;
    }
    tk_kc_iter_free(&it);
    if (ok && i != n) {
        fprintf(stderr, "\n  keycount: iteration stopped at %zu of %zu keys\n", i, n);
        ok = 0;
    }
    if (ok && k.nruns + k.nspilled <= 1 && tk_kc_distinct(&k) != distinct)
        ok = 0;
    /* runs stay logarithmic in the number of batches: at most
     * TK_KC_FANIN - 1 waiting per level, plus the newest */
    {
        size_t batches = n / (batch ? batch : 1) + 1, levels = 1;
        while (batches > 1) {
            batches /= TK_KC_FANIN;
            levels++;
        }
        if (max_runs > (TK_KC_FANIN - 1) * levels + 1) {
            fprintf(stderr, "\n  keycount: %zu runs at once\n", max_runs);
            ok = 0;
        }
    }
    tk_kc_free(&k);
    free(ref);
    return ok;
}

static int check_kc(const uint64_t *keys, size_t n, size_t batch, int counted)
{
    return check_kc_spill(keys, n, batch, counted, 0);
}

static void test_kc_empty_and_tiny(void)
{
    tk_keycount k;
    tk_kc_iter it;
    tk_err e;
    uint64_t key = 5, cnt = 5;
    const uint64_t one[] = { 0 }, ext[] = { UINT64_MAX, 0, UINT64_MAX, 1, 0, UINT64_MAX };

    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_kc_init(&k, 16, 1), 0);
    CU_ASSERT_EQUAL(tk_kc_finish(&k), 0);
    CU_ASSERT_EQUAL(tk_kc_distinct(&k), 0);
    CU_ASSERT_EQUAL(tk_kc_iter_init(&k, &it, &e), TK_OK);
    CU_ASSERT_EQUAL(tk_kc_next(&it, &key, &cnt), 0);
    tk_kc_iter_free(&it);
    tk_kc_free(&k);
    CU_ASSERT_TRUE(check_kc(one, 1, 16, 1));
    CU_ASSERT_TRUE(check_kc(one, 1, 1, 0));
    CU_ASSERT_TRUE(check_kc(ext, 6, 1, 1)); /* 10-byte varint deltas */
    CU_ASSERT_TRUE(check_kc(ext, 6, 2, 1));
    CU_ASSERT_TRUE(check_kc(ext, 6, 100, 1));
    CU_ASSERT_TRUE(check_kc(ext, 6, 0, 0)); /* batch 0 means 1 */
}

static void test_kc_counted_many_batches(void)
{
    static const size_t batches[] = { 1, 7, 64, 1000, 1 << 16 };
    enum { N = 60000 };
    uint64_t *keys = malloc(N * sizeof(*keys));
    unsigned long long st = 11;
    size_t bi;
    int p;

    CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
    for (p = 0; p < 8; p++) {
        fill(keys, N, p, &st);
        for (bi = 0; bi < sizeof(batches) / sizeof(batches[0]); bi++) {
            int ok = check_kc(keys, N, batches[bi], 1);
            CU_ASSERT_TRUE(ok);
            if (!ok)
                fprintf(stderr, "\n  pattern %d batch %zu\n", p, batches[bi]);
        }
    }
    free(keys);
}

static void test_kc_uncounted(void)
{
    enum { N = 50000 };
    uint64_t *keys = malloc(N * sizeof(*keys));
    unsigned long long st = 12;
    int p;

    CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
    for (p = 0; p < 8; p++) {
        fill(keys, N, p, &st);
        CU_ASSERT_TRUE(check_kc(keys, N, 333, 0));
        CU_ASSERT_TRUE(check_kc(keys, N, 1 << 20, 0)); /* one batch */
    }
    free(keys);
}

static void test_kc_large_counts(void)
{
    /* a count over 127 (two-byte varint) and counts summed across merges */
    tk_keycount k;
    tk_kc_iter it;
    tk_err e;
    uint64_t key, cnt, i;
    int ok = 1, n = 0;

    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_kc_init(&k, 100, 1), 0);
    for (i = 0; i < 300000; i++)
        ok &= tk_kc_add(&k, i % 3 == 0 ? 7 : (i % 3 == 1 ? UINT64_MAX : i)) == 0;
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL_FATAL(tk_kc_finish(&k), 0);
    CU_ASSERT_EQUAL_FATAL(tk_kc_iter_init(&k, &it, &e), TK_OK);
    while (tk_kc_next(&it, &key, &cnt) > 0) {
        n++;
        if (key == 7)
            ok &= cnt == 100000;
        else if (key == UINT64_MAX)
            ok &= cnt == 100000;
        else
            ok &= key % 3 == 2 && cnt == 1;
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(n, 2 + 100000);
    CU_ASSERT_TRUE(tk_kc_distinct(&k) >= 2 + 100000); /* an upper bound over runs */
    tk_kc_iter_free(&it);
    tk_kc_free(&k);
}

static void test_kc_spill(void)
{
    /* spilled runs read back merged with memory: the same multiset, whatever
     * the spill period (1 key, mid-batch, many files, none left in memory) */
    static const size_t every[] = { 7, 333, 5000, 19999, 20000 };
    enum { N = 20000 };
    uint64_t *keys = malloc(N * sizeof(*keys));
    unsigned long long st = 13;
    size_t i;
    int p, ok;

    CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
    for (p = 0; p < 8; p++) {
        fill(keys, N, p, &st);
        for (i = 0; i < sizeof(every) / sizeof(every[0]); i++) {
            ok = check_kc_spill(keys, N, 1000, p & 1, every[i]);
            CU_ASSERT_TRUE(ok);
            if (!ok)
                fprintf(stderr, "\n  pattern %d spill every %zu\n", p, every[i]);
        }
    }
    /* every key: 2000 spills, merged 32 files at a time */
    CU_ASSERT_TRUE(check_kc_spill(keys, 2000, 1000, 1, 1));
    free(keys);
}

static void test_kc_spill_errors(void)
{
    tk_keycount k;
    tk_err e;

    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_kc_init(&k, 16, 1), 0);
    CU_ASSERT_EQUAL(tk_kc_add(&k, 5), 0);
    CU_ASSERT_EQUAL(tk_kc_spill(&k, "/nonexistent-folder", &e), TK_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "cannot write a spill file in /nonexistent-folder"));
    tk_kc_free(&k);
}

int unit_register_keycount(void)
{
    static const unit_test tests[] = {
        { "radix sort vs qsort", test_radix_sort },
        { "32-bit radix sort vs qsort", test_radix_sort_u32 },
        { "empty, tiny, extreme keys", test_kc_empty_and_tiny },
        { "counted, many batch sizes and key patterns", test_kc_counted_many_batches },
        { "uncounted", test_kc_uncounted },
        { "large counts across merges", test_kc_large_counts },
        { "spilled runs merged back", test_kc_spill },
        { "spill to a missing folder", test_kc_spill_errors },
        { NULL, NULL }
    };
    return unit_add_suite("keycount", tests);
}
