/* test_hash.c -- tk_map as a map and as a set, against a sorted-array
 * reference, with the special key UINT64_MAX and growth across many keys. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tk_hash.h"
#include "unit.h"

typedef struct kv {
    uint64_t k, v;
    int seen;
} kv;

static int cmp_kv(const void *a, const void *b)
{
    uint64_t x = ((const kv *)a)->k, y = ((const kv *)b)->k;

    return (x > y) - (x < y);
}

/* Reference: a sorted array searched with bsearch. */
static kv *ref_find(kv *ref, size_t n, uint64_t key)
{
    kv probe;

    probe.k = key;
    return bsearch(&probe, ref, n, sizeof(*ref), cmp_kv);
}

static void test_hash_function(void)
{
    uint64_t seen[64];
    int i, j, distinct = 1;

    CU_ASSERT_EQUAL(tk_hash_u64(0), 0); /* fmix64 fixes 0 */
    CU_ASSERT_NOT_EQUAL(tk_hash_u64(1), tk_hash_u64(2));
    CU_ASSERT_EQUAL(tk_hash_u64(12345), tk_hash_u64(12345));
    CU_ASSERT_NOT_EQUAL(tk_hash_pair(1, 2), tk_hash_pair(2, 1));
    /* single-bit inputs give distinct hashes */
    for (i = 0; i < 64; i++) {
        seen[i] = tk_hash_u64(1ULL << i);
        for (j = 0; j < i; j++)
            distinct &= seen[j] != seen[i];
    }
    CU_ASSERT_TRUE(distinct);
}

static void test_map_basic(void)
{
    tk_map m;
    int ins = -1;
    uint64_t *v, key, val;
    size_t it = 0;
    int count = 0;

    CU_ASSERT_EQUAL_FATAL(tk_map_init(&m, 0, 1), 0);
    CU_ASSERT_EQUAL(m.len, 0);
    CU_ASSERT_PTR_NULL(tk_map_find(&m, 0));
    CU_ASSERT_PTR_NULL(tk_map_find(&m, UINT64_MAX));
    CU_ASSERT_EQUAL(tk_map_next(&m, &it, &key, &val), 0);

    v = tk_map_upsert(&m, 7, &ins);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(ins, 1);
    CU_ASSERT_EQUAL(*v, 0);
    *v = 70;
    v = tk_map_upsert(&m, 7, &ins);
    CU_ASSERT_EQUAL(ins, 0);
    CU_ASSERT_EQUAL(*v, 70);
    (*v)++;
    CU_ASSERT_EQUAL(*tk_map_find(&m, 7), 71);

    v = tk_map_upsert(&m, 0, &ins);
    CU_ASSERT_EQUAL(ins, 1);
    *v = 1000;
    v = tk_map_upsert(&m, UINT64_MAX, &ins);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(ins, 1);
    CU_ASSERT_EQUAL(*v, 0);
    *v = 5;
    v = tk_map_upsert(&m, UINT64_MAX, &ins);
    CU_ASSERT_EQUAL(ins, 0);
    CU_ASSERT_EQUAL(*v, 5);
    v = tk_map_upsert(&m, UINT64_MAX - 1, &ins);
    CU_ASSERT_EQUAL(ins, 1);
    *v = UINT64_MAX;

    CU_ASSERT_EQUAL(m.len, 4);
    CU_ASSERT_EQUAL(*tk_map_find(&m, 0), 1000);
    CU_ASSERT_EQUAL(*tk_map_find(&m, UINT64_MAX), 5);
    CU_ASSERT_EQUAL(*tk_map_find(&m, UINT64_MAX - 1), UINT64_MAX);
    CU_ASSERT_PTR_NULL(tk_map_find(&m, 8));
    CU_ASSERT_PTR_NULL(tk_map_find(&m, 1));

    it = 0;
    while (tk_map_next(&m, &it, &key, &val)) {
        count++;
        CU_ASSERT_TRUE((key == 7 && val == 71) || (key == 0 && val == 1000) ||
                       (key == UINT64_MAX && val == 5) ||
                       (key == UINT64_MAX - 1 && val == UINT64_MAX));
    }
    CU_ASSERT_EQUAL(count, 4);
    CU_ASSERT_EQUAL(tk_map_next(&m, &it, &key, &val), 0); /* stays at the end */
    tk_map_free(&m);
    CU_ASSERT_PTR_NULL(m.keys);
    CU_ASSERT_EQUAL(m.len, 0);
    /* may be initialised again */
    CU_ASSERT_EQUAL_FATAL(tk_map_init(&m, 10, 1), 0);
    CU_ASSERT_PTR_NULL(tk_map_find(&m, 7));
    CU_ASSERT_PTR_NULL(tk_map_find(&m, UINT64_MAX));
    tk_map_free(&m);
}

static void test_set_basic(void)
{
    tk_map s;
    int ins = -1;
    uint64_t key, val;
    size_t it = 0;
    int count = 0, saw_max = 0, saw_zero = 0;

    CU_ASSERT_EQUAL_FATAL(tk_map_init(&s, 4, 0), 0);
    CU_ASSERT_PTR_NULL(s.vals);
    CU_ASSERT_PTR_NOT_NULL(tk_map_upsert(&s, 3, &ins));
    CU_ASSERT_EQUAL(ins, 1);
    CU_ASSERT_PTR_NOT_NULL(tk_map_upsert(&s, 3, &ins));
    CU_ASSERT_EQUAL(ins, 0);
    CU_ASSERT_PTR_NOT_NULL(tk_map_upsert(&s, 0, &ins));
    CU_ASSERT_EQUAL(ins, 1);
    CU_ASSERT_PTR_NOT_NULL(tk_map_upsert(&s, UINT64_MAX, &ins));
    CU_ASSERT_EQUAL(ins, 1);
    CU_ASSERT_PTR_NOT_NULL(tk_map_upsert(&s, UINT64_MAX, &ins));
    CU_ASSERT_EQUAL(ins, 0);
    CU_ASSERT_EQUAL(s.len, 3);
    CU_ASSERT_PTR_NOT_NULL(tk_map_find(&s, 3));
    CU_ASSERT_PTR_NOT_NULL(tk_map_find(&s, 0));
    CU_ASSERT_PTR_NOT_NULL(tk_map_find(&s, UINT64_MAX));
    CU_ASSERT_PTR_NULL(tk_map_find(&s, 4));
    while (tk_map_next(&s, &it, &key, &val)) {
        count++;
        CU_ASSERT_EQUAL(val, 0);
        saw_max += key == UINT64_MAX;
        saw_zero += key == 0;
    }
    CU_ASSERT_EQUAL(count, 3);
    CU_ASSERT_EQUAL(saw_max, 1);
    CU_ASSERT_EQUAL(saw_zero, 1);
    tk_map_free(&s);
}

static void test_set_scratch_slot(void)
{
    /* for a set, tk_map_upsert hands out a scratch slot and tk_map_next
     * reports 0 as the value, also for the key UINT64_MAX */
    tk_map s;
    int ins;
    uint64_t *p, key, val, max_val = 12345;
    size_t it = 0;

    CU_ASSERT_EQUAL_FATAL(tk_map_init(&s, 4, 0), 0);
    p = tk_map_upsert(&s, 9, &ins);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    *p = 99;
    p = tk_map_upsert(&s, UINT64_MAX, &ins);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    *p = 77;
    while (tk_map_next(&s, &it, &key, &val)) {
        if (key == UINT64_MAX)
            max_val = val;
        else
            CU_ASSERT_EQUAL(val, 0);
    }
    CU_ASSERT_EQUAL(max_val, 0);
    tk_map_free(&s);
}

/* Inserts n keys drawn from a mix of patterns (sequential, strided, random,
 * near UINT64_MAX) with repeats, then checks find/iterate against the
 * reference. */
static void check_many(size_t n, size_t expected, int with_values)
{
    tk_map m;
    kv *ref;
    uint64_t *keys = calloc(2 * n + 8, sizeof(*keys));
    size_t nk = 0, nref = 0, i, iters = 0, cap0;
    unsigned long long st = n * 31 + (unsigned)with_values;
    int ok = 1, ins;
    uint64_t key, val;
    size_t it = 0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
    CU_ASSERT_EQUAL_FATAL(tk_map_init(&m, expected, with_values), 0);
    cap0 = m.cap;
    keys[nk++] = 0;
    keys[nk++] = UINT64_MAX;
    keys[nk++] = UINT64_MAX - 1;
    keys[nk++] = 1;
    while (nk < 2 * n) {
        uint64_t r = unit_rand(&st), k;
        switch (r % 5) {
        case 0: k = nk; break;                       /* sequential */
        case 1: k = (uint64_t)nk << 32; break;       /* equal low bits */
        case 2: k = UINT64_MAX - (r >> 50); break;   /* near the top */
        case 3: k = keys[r % nk]; break;             /* a repeat */
        default: k = r; break;
        }
        keys[nk++] = k;
    }
    /* upsert i adds i + 1 to its key's value */
    for (i = 0; i < nk; i++) {
        uint64_t *v = tk_map_upsert(&m, keys[i], &ins);
        if (!v) {
            ok = 0;
            break;
        }
        if (with_values)
            *v += i + 1;
    }
    CU_ASSERT_TRUE_FATAL(ok);
    /* the reference: sorted distinct keys with summed values */
    ref = calloc(nk, sizeof(*ref));
    CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
    for (i = 0; i < nk; i++) {
        ref[i].k = keys[i];
        ref[i].v = i + 1;
    }
    qsort(ref, nk, sizeof(*ref), cmp_kv); /* not stable: only sums matter */
    for (i = 0; i < nk; i++) {
        if (nref > 0 && ref[nref - 1].k == ref[i].k)
            ref[nref - 1].v += ref[i].v;
        else
            ref[nref++] = ref[i];
    }
    CU_ASSERT_EQUAL(m.len, nref);
    CU_ASSERT_TRUE(m.cap >= cap0);
    CU_ASSERT_TRUE(m.len * 10 <= m.cap * 7 + 10); /* at most ~70% full */
    CU_ASSERT_EQUAL(m.cap & (m.cap - 1), 0);
    /* find every key with its value */
    for (i = 0; i < nref && ok; i++) {
        uint64_t *v = tk_map_find(&m, ref[i].k);
        ok = v != NULL && (!with_values || *v == ref[i].v);
        if (!ok)
            fprintf(stderr, "\n  key %llu: %s\n", (unsigned long long)ref[i].k,
                    v ? "wrong value" : "not found");
    }
    CU_ASSERT_TRUE(ok);
    /* absent keys are absent */
    for (i = 0; i < 2000 && ok; i++) {
        uint64_t k = unit_rand(&st);
        if (!ref_find(ref, nref, k))
            ok = tk_map_find(&m, k) == NULL;
    }
    CU_ASSERT_TRUE(ok);
    /* iteration visits every key exactly once */
    while (tk_map_next(&m, &it, &key, &val)) {
        kv *r = ref_find(ref, nref, key);
        iters++;
        if (!r || r->seen || (with_values ? val != r->v : val != 0)) {
            ok = 0;
            break;
        }
        r->seen = 1;
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(iters, nref);
    tk_map_free(&m);
    free(ref);
    free(keys);
}

static void test_map_growth(void)
{
    check_many(100000, 0, 1); /* grows from 16 slots */
}

static void test_set_growth(void)
{
    check_many(100000, 0, 0);
}

static void test_map_presized(void)
{
    tk_map m;
    size_t cap;
    uint64_t i;
    int ins, ok = 1;

    check_many(5000, 20000, 1);
    /* room for `expected` keys: no growth up to there */
    CU_ASSERT_EQUAL_FATAL(tk_map_init(&m, 1000, 1), 0);
    cap = m.cap;
    CU_ASSERT_TRUE(cap * 7 / 10 >= 1000);
    for (i = 0; i < 1000; i++)
        ok &= tk_map_upsert(&m, i * 0x100000001ULL, &ins) != NULL && ins == 1;
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(m.cap, cap);
    tk_map_free(&m);
}

static void test_map_pointer_after_growth(void)
{
    /* values written through earlier pointers survive rehashing */
    tk_map m;
    uint64_t i;
    int ins, ok = 1;

    CU_ASSERT_EQUAL_FATAL(tk_map_init(&m, 1, 1), 0);
    for (i = 0; i < 5000; i++) {
        uint64_t *v = tk_map_upsert(&m, i ^ 0xdeadbeefULL, &ins);
        if (!v) {
            ok = 0;
            break;
        }
        *v = i * i;
    }
    for (i = 0; i < 5000 && ok; i++) {
        uint64_t *v = tk_map_find(&m, i ^ 0xdeadbeefULL);
        ok = v && *v == i * i;
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(m.len, 5000);
    tk_map_free(&m);
}

int unit_register_hash(void)
{
    static const unit_test tests[] = {
        { "hash function", test_hash_function },
        { "map insert/find/iterate incl. 0 and UINT64_MAX", test_map_basic },
        { "set insert/find/iterate incl. UINT64_MAX", test_set_basic },
        { "set scratch slot of UINT64_MAX", test_set_scratch_slot },
        { "map growth, 100000 upserts vs reference", test_map_growth },
        { "set growth, 100000 upserts vs reference", test_set_growth },
        { "map presized", test_map_presized },
        { "map values survive growth", test_map_pointer_after_growth },
        { NULL, NULL }
    };
    return unit_add_suite("hash", tests);
}
