/* test_csv.c -- tk_csv_split (libcsv strict splitting of one line),
 * tk_csv_columns (header lookup), tk_csv_read_header and the byte-range line
 * reader tk_lines_*. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../mpi_apps/logjoin/logjoin.h" /* the Makefile adds only -Impi_apps/common */
#include "tk_csv.h"
#include "unit.h"

/* ---- splitting ---- */

/* Splits line and compares the fields with want[0..n) (NULL want: only rc). */
static int split_is(tk_csv *c, const char *line, size_t len, int want_rc,
                    const char *const *want, size_t n)
{
    const char *why = "unset";
    int rc = tk_csv_split(c, line, len, &why);
    size_t i;

    if (rc != want_rc) {
        fprintf(stderr, "\n  split(\"%.*s\") = %d, wanted %d\n", (int)len, line, rc, want_rc);
        return 0;
    }
    if (rc != TK_OK)
        return why != NULL && why[0] != '\0';
    if (why != NULL)
        return 0;
    if (tk_csv_nfields(c) != n) {
        fprintf(stderr, "\n  split(\"%.*s\"): %zu fields, wanted %zu\n", (int)len, line,
                tk_csv_nfields(c), n);
        return 0;
    }
    for (i = 0; i < n; i++) {
        const char *f = tk_csv_field(c, i);
        size_t fl = tk_csv_field_len(c, i);
        if (fl != strlen(want[i]) || memcmp(f, want[i], fl) != 0 || f[fl] != '\0') {
            fprintf(stderr, "\n  split(\"%.*s\") field %zu = \"%s\", wanted \"%s\"\n",
                    (int)len, line, i, f, want[i]);
            return 0;
        }
    }
    return 1;
}

#define SPLIT_OK(c, line, ...)                                                             \
    do {                                                                                   \
        static const char *const w_[] = { __VA_ARGS__ };                                   \
        CU_ASSERT_TRUE(split_is(c, line, strlen(line), TK_OK, w_, sizeof(w_) / sizeof(w_[0]))); \
    } while (0)
#define SPLIT_BAD(c, line) CU_ASSERT_TRUE(split_is(c, line, strlen(line), TK_EDATA, NULL, 0))

static void test_split_plain(void)
{
    tk_csv c;

    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    SPLIT_OK(&c, "a;b;c", "a", "b", "c");
    SPLIT_OK(&c, "one", "one");
    SPLIT_OK(&c, "1,2;3", "1,2", "3");
    SPLIT_OK(&c, "a;b\r", "a", "b");  /* CRLF line: the CR is dropped */
    SPLIT_OK(&c, "\r", "");
    tk_csv_free(&c);
    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ','), TK_OK);
    SPLIT_OK(&c, "1,2;3", "1", "2;3");
    tk_csv_free(&c);
}

static void test_split_empty_fields(void)
{
    tk_csv c;

    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    SPLIT_OK(&c, "", "");
    SPLIT_OK(&c, "   ", "");
    SPLIT_OK(&c, ";", "", "");
    SPLIT_OK(&c, ";;", "", "", "");
    SPLIT_OK(&c, "a;", "a", "");
    SPLIT_OK(&c, ";a", "", "a");
    SPLIT_OK(&c, "a;;b", "a", "", "b");
    SPLIT_OK(&c, "\"\"", "");
    SPLIT_OK(&c, "\"\";\"\"", "", "");
    SPLIT_OK(&c, " ; ;\t", "", "", "");
    tk_csv_free(&c);
}

static void test_split_quotes(void)
{
    tk_csv c;

    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    SPLIT_OK(&c, "\"a;b\";c", "a;b", "c");
    SPLIT_OK(&c, "\"say \"\"hi\"\"\";x", "say \"hi\"", "x");
    SPLIT_OK(&c, "\"\"\"\"", "\"");
    SPLIT_OK(&c, "x;\"12\"", "x", "12");
    SPLIT_OK(&c, "\" a \";b", " a ", "b");          /* quoted blanks are data */
    SPLIT_OK(&c, "  \"q\"  ;b", "q", "b");          /* blanks around quotes ignored */
    SPLIT_OK(&c, "\"a\rb\";c", "a\rb", "c");        /* CR inside quotes is data */
    SPLIT_OK(&c, "\"a;b\";\"c\"\"d\";e\r", "a;b", "c\"d", "e");
    tk_csv_free(&c);
}

static void test_split_malformed(void)
{
    tk_csv c;

    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    SPLIT_BAD(&c, "\"ab\"c");        /* junk after a closing quote */
    SPLIT_BAD(&c, "x;\"ab\"c;d");
    SPLIT_BAD(&c, "\"abc");          /* unterminated */
    SPLIT_BAD(&c, "a;\"b;c");
    SPLIT_BAD(&c, "\"");
    SPLIT_BAD(&c, "\"abc\r");        /* CR dropped, quote still open */
    SPLIT_BAD(&c, "z\"q;1");         /* quote inside an unquoted field */
    SPLIT_BAD(&c, "a\nb");           /* stray line breaks */
    SPLIT_BAD(&c, "a;b\rc;d");
    /* the splitter recovers after each bad line */
    SPLIT_OK(&c, "a;\"b\";c", "a", "b", "c");
    SPLIT_BAD(&c, "\"ab\"c");
    SPLIT_OK(&c, "ok", "ok");
    tk_csv_free(&c);
}

static void test_split_trim(void)
{
    tk_csv c;

    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    SPLIT_OK(&c, "  a  ;\tb\t; c d ", "a", "b", "c d");
    SPLIT_OK(&c, " 12 ; -3 ;\ttrue \r", "12", "-3", "true");
    tk_csv_free(&c);
}

static void test_split_stray_cr_before_crlf(void)
{
    /* Regression (2c493fa accepted it as "1","2"): only the final CR of
     * "1;2\r\r" is dropped; the remaining unquoted CR is a stray line break, so
     * the line is TK_EDATA (as in tests/reference_join.py). A field "2\r" would
     * also be acceptable here: it is not a valid integer either. */
    tk_csv c;
    const char *why = NULL;
    int rc;

    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    rc = tk_csv_split(&c, "1;2\r\r", 5, &why);
    CU_ASSERT_TRUE(rc == TK_EDATA ||
                   (rc == TK_OK && tk_csv_nfields(&c) == 2 &&
                    strcmp(tk_csv_field(&c, 1), "2\r") == 0));
    if (rc == TK_OK && tk_csv_nfields(&c) == 2 && strcmp(tk_csv_field(&c, 1), "2") == 0)
        fprintf(stderr, "\n  \"1;2\\r\\r\" splits into \"1\",\"2\"\n");
    tk_csv_free(&c);
}

static void test_split_large(void)
{
    tk_csv c;
    char *line = malloc(20000), *p;
    size_t i, ok = 1;

    CU_ASSERT_PTR_NOT_NULL_FATAL(line);
    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    /* 500 fields: more than the initial field capacity */
    p = line;
    for (i = 0; i < 500; i++)
        p += sprintf(p, "%s%zu", i ? ";" : "", i * 7);
    {
        const char *why;
        CU_ASSERT_EQUAL(tk_csv_split(&c, line, strlen(line), &why), TK_OK);
    }
    CU_ASSERT_EQUAL(tk_csv_nfields(&c), 500);
    for (i = 0; i < tk_csv_nfields(&c) && i < 500; i++) {
        char want[32];
        snprintf(want, sizeof(want), "%zu", i * 7);
        ok &= strcmp(tk_csv_field(&c, i), want) == 0;
    }
    CU_ASSERT_TRUE(ok);
    /* one 19998-byte field, then a short line: no stale fields */
    memset(line, 'x', 19998);
    line[0] = '"';
    line[19997] = '"';
    line[19998] = '\0';
    {
        const char *why;
        CU_ASSERT_EQUAL(tk_csv_split(&c, line, 19998, &why), TK_OK);
        CU_ASSERT_EQUAL(tk_csv_nfields(&c), 1);
        CU_ASSERT_EQUAL(tk_csv_field_len(&c, 0), 19996);
    }
    SPLIT_OK(&c, "p;q", "p", "q");
    tk_csv_free(&c);
    free(line);
}

/* ---- header lookup ---- */

static void test_columns(void)
{
    tk_csv c;
    tk_err e;
    int idx[LJ_L2_NCOLS];
    const char *why;
    const char *hdr = "extra;deviceId;genderId; songId ;\"userId\";hour";

    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_split(&c, hdr, strlen(hdr), &why), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_columns(&c, lj_log2_columns, LJ_L2_NCOLS, idx, "log2.csv", &e),
                    TK_OK);
    CU_ASSERT_EQUAL(e.status, TK_OK);
    CU_ASSERT_EQUAL(idx[LJ_L2_HOUR], 5);
    CU_ASSERT_EQUAL(idx[LJ_L2_USER], 4);
    CU_ASSERT_EQUAL(idx[LJ_L2_SONG], 3);
    CU_ASSERT_EQUAL(idx[LJ_L2_GENRE], 2);
    CU_ASSERT_EQUAL(idx[LJ_L2_DEVICE], 1);
    /* names match exactly: case matters */
    hdr = "userid;region;type;paid";
    CU_ASSERT_EQUAL(tk_csv_split(&c, hdr, strlen(hdr), &why), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_columns(&c, lj_log1_columns, LJ_L1_NCOLS, idx, "a.csv", &e),
                    TK_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "missing column 'userId'"));
    tk_csv_free(&c);
}

static void test_columns_missing(void)
{
    tk_csv c;
    tk_err e;
    int idx[LJ_L1_NCOLS];
    const char *why;
    const char *hdr = "userId;region;paid";

    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_split(&c, hdr, strlen(hdr), &why), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_columns(&c, lj_log1_columns, LJ_L1_NCOLS, idx, "in/log1.csv", &e),
                    TK_EDATA);
    CU_ASSERT_EQUAL(e.status, TK_EDATA);
    CU_ASSERT_STRING_EQUAL(e.msg,
                           "in/log1.csv: missing column 'type' (header has: userId,region,paid)");
    /* a very long header is cut in the message, without overflow */
    {
        char *big = malloc(8000), *p = big;
        int i;
        CU_ASSERT_PTR_NOT_NULL_FATAL(big);
        for (i = 0; i < 300; i++)
            p += sprintf(p, "%scolumn_number_%03d", i ? ";" : "", i);
        tk_err_clear(&e);
        CU_ASSERT_EQUAL(tk_csv_split(&c, big, strlen(big), &why), TK_OK);
        CU_ASSERT_EQUAL(tk_csv_columns(&c, lj_log1_columns, LJ_L1_NCOLS, idx, "x", &e),
                        TK_EDATA);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "x: missing column 'userId' (header has: column_number_000,"));
        CU_ASSERT_TRUE(strlen(e.msg) < TK_ERR_MSG_MAX);
        free(big);
    }
    tk_csv_free(&c);
}

static void test_columns_one_field_hint(void)
{
    tk_csv c;
    tk_err e;
    int idx[LJ_L1_NCOLS];
    const char *why;
    const char *hdr = "userId,region,type,paid";

    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_split(&c, hdr, strlen(hdr), &why), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_columns(&c, lj_log1_columns, LJ_L1_NCOLS, idx, "log1.csv", &e),
                    TK_EDATA);
    CU_ASSERT_STRING_EQUAL(e.msg, "log1.csv: missing column 'userId' (the header has one "
                                  "field; is the file ','-delimited?)");
    hdr = "userId\tregion\ttype\tpaid";
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_csv_split(&c, hdr, strlen(hdr), &why), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_columns(&c, lj_log1_columns, LJ_L1_NCOLS, idx, "log1.csv", &e),
                    TK_EDATA);
    CU_ASSERT_STRING_EQUAL(e.msg, "log1.csv: missing column 'userId' (the header has one "
                                  "field; is the file '\\t'-delimited?)");
    /* one field without another delimiter: the usual message */
    hdr = "userId";
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_csv_split(&c, hdr, strlen(hdr), &why), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_columns(&c, lj_log1_columns, LJ_L1_NCOLS, idx, "log1.csv", &e),
                    TK_EDATA);
    CU_ASSERT_STRING_EQUAL(e.msg, "log1.csv: missing column 'region' (header has: userId)");
    tk_csv_free(&c);
    /* the other way round: a ','-reader given a ';' file */
    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ','), TK_OK);
    hdr = "userId;region;type;paid";
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_csv_split(&c, hdr, strlen(hdr), &why), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_columns(&c, lj_log1_columns, LJ_L1_NCOLS, idx, "x.csv", &e),
                    TK_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is the file ';'-delimited?"));
    tk_csv_free(&c);
}

static void test_columns_escaped(void)
{
    static const char *const want[] = { "a\001b" };
    tk_csv c;
    tk_err e;
    int idx[1];
    const char *why;
    static const char hdr[] = "x;\"y\0z\";w\x7f";

    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_split(&c, hdr, sizeof(hdr) - 1, &why), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_columns(&c, want, 1, idx, "f.csv", &e), TK_EDATA);
    CU_ASSERT_STRING_EQUAL(e.msg, "f.csv: missing column 'a\\x01b' (header has: x,y\\0z,w\\x7f)");
    tk_csv_free(&c);
}

static void test_columns_duplicate(void)
{
    /* a required column named twice is ambiguous: TK_EDATA */
    tk_csv c;
    tk_err e;
    int idx[LJ_L1_NCOLS];
    const char *why;
    const char *hdr = "userId;region;type;paid;region";
    const char *ok_hdr = "userId;region;type;paid;extra;extra";

    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_split(&c, hdr, strlen(hdr), &why), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_columns(&c, lj_log1_columns, LJ_L1_NCOLS, idx, "l1", &e), TK_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "l1: column 'region'"));
    /* a repeated column that is not required is fine */
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_csv_split(&c, ok_hdr, strlen(ok_hdr), &why), TK_OK);
    CU_ASSERT_EQUAL(tk_csv_columns(&c, lj_log1_columns, LJ_L1_NCOLS, idx, "l1", &e), TK_OK);
    CU_ASSERT_EQUAL(idx[LJ_L1_PAID], 3);
    tk_csv_free(&c);
}

/* ---- line reader ---- */

typedef struct ref_lines {
    size_t n;
    size_t start[256], len[256];
} ref_lines;

/* The file's lines by definition: split on LF, a final LF ends the last line. */
static void ref_split(const char *data, size_t size, ref_lines *r)
{
    size_t s = 0, i;

    r->n = 0;
    while (s < size) {
        for (i = s; i < size && data[i] != '\n'; i++)
            ;
        r->start[r->n] = s;
        r->len[r->n] = i - s;
        r->n++;
        s = i + 1;
    }
}

/* Lines returned for [a, b): indexes into ref (or -1 for a line that matches
 * none), checked against the definition. Returns the count, -1 on error. */
typedef struct got_range {
    int n;
    short idx[64];
} got_range;

static int read_range(const char *path, const char *data, const ref_lines *ref, uint64_t a,
                      uint64_t b, size_t chunk, got_range *g)
{
    tk_lines r;
    tk_err e;
    const char *line;
    size_t len;
    int rc;

    tk_err_clear(&e);
    g->n = 0;
    if (tk_lines_open(&r, path, a, b, chunk, &e) != TK_OK) {
        fprintf(stderr, "\n  tk_lines_open: %s\n", e.msg);
        return -1;
    }
    while ((rc = tk_lines_next(&r, &line, &len, &e)) == 1) {
        /* identify the line by its file offset (the reader's buffer starts at
         * buf_pos), then check its length and bytes */
        uint64_t at = r.buf_pos + (uint64_t)(line - r.buf);
        int hit = -1;
        size_t j;
        for (j = 0; j < ref->n; j++)
            if (ref->start[j] == at) {
                if (ref->len[j] == len && memcmp(data + at, line, len) == 0)
                    hit = (int)j;
                break;
            }
        if (g->n < 64)
            g->idx[g->n] = (short)hit;
        g->n++;
        if (g->n > 300)
            break;
    }
    tk_lines_close(&r);
    return rc < 0 ? -1 : g->n;
}

static int range_matches_definition(const ref_lines *ref, uint64_t a, uint64_t b,
                                    const got_range *g)
{
    int want = 0, i = 0;
    size_t j;

    for (j = 0; j < ref->n; j++)
        if (ref->start[j] >= a && ref->start[j] < b) {
            if (i >= g->n || i >= 64 || g->idx[i] != (short)j)
                return 0;
            i++;
            want++;
        }
    return g->n == want;
}

typedef struct split_ctx {
    const ref_lines *ref;
    got_range *memo; /* (M+1) x (M+1) */
    size_t m;
    unsigned long long splits, bad;
} split_ctx;

/* Walks every split of [from, end) into exactly k ranges; pos is the next
 * file line the union must produce. */
static void walk_splits(split_ctx *s, size_t from, size_t end, int k, size_t pos)
{
    size_t cut;

    if (k == 1) {
        const got_range *g = &s->memo[from * (s->m + 1) + end];
        int i;
        for (i = 0; i < g->n; i++)
            if (g->idx[i] != (short)(pos + (size_t)i)) {
                s->bad++;
                s->splits++;
                return;
            }
        s->splits++;
        if (pos + (size_t)g->n != s->ref->n)
            s->bad++;
        return;
    }
    for (cut = from; cut <= end; cut++) {
        const got_range *g = &s->memo[from * (s->m + 1) + cut];
        int i, ok = 1;
        for (i = 0; i < g->n && ok; i++)
            ok = g->idx[i] == (short)(pos + (size_t)i);
        if (!ok) {
            s->bad++;
            continue;
        }
        walk_splits(s, cut, end, k - 1, pos + (size_t)g->n);
    }
}

static unsigned long long choose(size_t n, size_t k)
{
    unsigned long long r = 1;
    size_t i;

    for (i = 1; i <= k; i++) {
        r = r * (n - k + i) / i;
        if (r > 1000000000ULL)
            return r;
    }
    return r;
}

/* Checks one file content with one chunk size: every range [a, b) with
 * 0 <= a <= b <= size + 3 against the definition, then every split of
 * [0, size) and [0, size + 3) into 1..7 ranges (sampled when there are more
 * than 300000 splits for some k). Returns the number of failures. */
static int check_file(const char *dir, const char *name, const char *data, size_t size,
                      size_t chunk)
{
    char path[512];
    ref_lines ref;
    size_t m = size + 3, a, b;
    got_range *memo;
    int fails = 0, k;
    split_ctx s;

    if (unit_write_file(dir, name, data, size, path, sizeof(path)) != 0)
        return 1;
    ref_split(data, size, &ref);
    memo = calloc((m + 1) * (m + 1), sizeof(*memo));
    if (!memo)
        return 1;
    for (a = 0; a <= m; a++)
        for (b = a; b <= m; b++) {
            got_range *g = &memo[a * (m + 1) + b];
            if (read_range(path, data, &ref, a, b, chunk, g) < 0 ||
                !range_matches_definition(&ref, a, b, g)) {
                if (fails++ < 3)
                    fprintf(stderr, "\n  %s chunk %zu: range [%zu,%zu) returned %d lines"
                            " (first idx %d)\n", name, chunk, a, b, g->n, g->n ? g->idx[0] : -9);
            }
        }
    s.ref = &ref;
    s.memo = memo;
    s.m = m;
    for (k = 1; k <= 7; k++) {
        size_t ends[2] = { size, m };
        int ei;
        for (ei = 0; ei < 2; ei++) {
            size_t end = ends[ei];
            s.splits = s.bad = 0;
            if (choose(end + (size_t)k - 1, (size_t)k - 1) <= 300000) {
                walk_splits(&s, 0, end, k, 0);
            } else {
                /* sampled: k-1 sorted random cut points */
                unsigned long long st = 12345 + (unsigned long long)k;
                int t;
                for (t = 0; t < 20000; t++) {
                    size_t cuts[8], i, j, pos = 0;
                    int ok = 1;
                    cuts[0] = 0;
                    for (i = 1; i < (size_t)k; i++)
                        cuts[i] = (size_t)(unit_rand(&st) % (end + 1));
                    cuts[k] = end;
                    for (i = 1; i < (size_t)k; i++) /* insertion sort */
                        for (j = i; j > 1 && cuts[j - 1] > cuts[j]; j--) {
                            size_t x = cuts[j];
                            cuts[j] = cuts[j - 1];
                            cuts[j - 1] = x;
                        }
                    for (i = 0; i < (size_t)k && ok; i++) {
                        const got_range *g = &memo[cuts[i] * (m + 1) + cuts[i + 1]];
                        int q;
                        for (q = 0; q < g->n && ok; q++)
                            ok = g->idx[q] == (short)(pos + (size_t)q);
                        pos += (size_t)g->n;
                    }
                    s.splits++;
                    if (!ok || pos != ref.n)
                        s.bad++;
                }
            }
            if (s.bad) {
                fails++;
                fprintf(stderr, "\n  %s chunk %zu: %llu of %llu splits into %d ranges of"
                        " [0,%zu) are wrong\n", name, chunk, s.bad, s.splits, k, end);
            }
        }
    }
    free(memo);
    unlink(path);
    return fails;
}

static void check_contents(const char *const *files, size_t nfiles)
{
    static const size_t chunks[] = { 1, 3, 16, 4096 };
    char dir[64];
    size_t f, ci;
    int fails = 0;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    for (f = 0; f < nfiles; f++)
        for (ci = 0; ci < sizeof(chunks) / sizeof(chunks[0]); ci++) {
            char name[32];
            snprintf(name, sizeof(name), "f%zu_c%zu", f, chunks[ci]);
            fails += check_file(dir, name, files[f], strlen(files[f]), chunks[ci]);
        }
    CU_ASSERT_EQUAL(fails, 0);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_lines_final_newline(void)
{
    static const char *const files[] = { "h1;h2\na;b\nccc;ddd\n", "ab\ncd\n", "x\n",
                                         "userId;region\n1;2\n3;4\n5;6\n7;8\n" };
    check_contents(files, sizeof(files) / sizeof(files[0]));
}

static void test_lines_no_final_newline(void)
{
    static const char *const files[] = { "x\nyy\nzzz", "abc", "a", "h\n1;2\n33;44\n555" };
    check_contents(files, sizeof(files) / sizeof(files[0]));
}

static void test_lines_crlf(void)
{
    static const char *const files[] = { "a;b\r\nc;d\r\n\r\ne\r\n", "a\r\nb", "\r\n\r\n",
                                         "x\r\ny\r\n" };
    check_contents(files, sizeof(files) / sizeof(files[0]));
}

static void test_lines_empty_lines(void)
{
    static const char *const files[] = { "", "\n", "\n\n\n", "\n\nfoo\n\n\nbar\n\n",
                                         "a\n\nbc\r\nd" };
    check_contents(files, sizeof(files) / sizeof(files[0]));
}

static void test_lines_long_line(void)
{
    /* lines longer than the 16-byte (and 1- and 3-byte) chunks */
    static const char *const files[] = {
        "short\n0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN\nend",
        "0123456789abcdefghijklmnopqrstuvwxyz0123456789\n",
        "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghij",
        "a\n0123456789abcdefghijklmnopqrstuvwxyz\n\n0123456789abcdefghij\nb\n",
    };
    check_contents(files, sizeof(files) / sizeof(files[0]));
}

static void test_lines_counters_and_errors(void)
{
    char dir[64], path[512], sub[600];
    const char *data = "h\nline one\nline two\n";
    tk_lines r;
    tk_err e;
    const char *line;
    size_t len;
    uint64_t size = 0;
    int n = 0;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    CU_ASSERT_EQUAL_FATAL(unit_write_file(dir, "f.csv", data, strlen(data), path, sizeof(path)),
                          0);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_lines_open(&r, path, 0, UINT64_MAX, 4, &e), TK_OK);
    size = r.size;
    CU_ASSERT_EQUAL(size, strlen(data));
    CU_ASSERT_EQUAL(tk_lines_done(&r, 0), 0);
    while (tk_lines_next(&r, &line, &len, &e) == 1)
        n++;
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_EQUAL(r.lines, 3);
    CU_ASSERT_EQUAL(tk_lines_done(&r, 0), strlen(data));
    CU_ASSERT_EQUAL(tk_lines_next(&r, &line, &len, &e), 0); /* stays done */
    CU_ASSERT_EQUAL(tk_lines_verify(&r, size, r.mtime_ns, &e), TK_OK);
    /* the file cut after the read: the check says so */
    CU_ASSERT_EQUAL(truncate(path, 2), 0);
    CU_ASSERT_EQUAL(tk_lines_verify(&r, size, r.mtime_ns, &e), TK_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "changed while being read"));
    tk_lines_close(&r);
    /* errors: a missing file and a folder */
    snprintf(sub, sizeof(sub), "%s/missing.csv", dir);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_lines_open(&r, sub, 0, 10, 16, &e), TK_ENOINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "missing.csv"));
    tk_lines_close(&r);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_lines_open(&r, dir, 0, 10, 16, &e), TK_ENOINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not a regular file"));
    tk_lines_close(&r);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_lines_too_long(void)
{
    /* a sparse file of 65 MiB of NUL bytes: one line over TK_LINES_MAX_LINE */
    char dir[64], path[512];
    tk_lines r;
    tk_err e;
    const char *line;
    size_t len;
    int fd, rc;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    CU_ASSERT_EQUAL_FATAL(unit_write_file(dir, "big", "x\n", 2, path, sizeof(path)), 0);
    fd = open(path, O_WRONLY);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(ftruncate(fd, (off_t)TK_LINES_MAX_LINE + (1 << 20)), 0);
    close(fd);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_lines_open(&r, path, 0, UINT64_MAX, 1 << 20, &e), TK_OK);
    CU_ASSERT_EQUAL(tk_lines_next(&r, &line, &len, &e), 1);
    CU_ASSERT_EQUAL(len, 1);
    rc = tk_lines_next(&r, &line, &len, &e);
    CU_ASSERT_TRUE(rc < 0);
    CU_ASSERT_EQUAL(e.status, TK_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "longer than"));
    tk_lines_close(&r);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* tk_csv_read_header: BOM, delimiter, where the data starts, size and mtime,
 * the errors with and without TK_CSV_HEADER_TEXT. */
static void test_read_header(void)
{
    char dir[64], path[4096];
    tk_csv_header h;
    tk_csv c;
    tk_err e;
    struct stat st;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    CU_ASSERT_EQUAL_FATAL(unit_write_file(dir, "a.csv", "\xEF\xBB\xBFx,y;z\r\n1,2;3\n", 16, path,
                                          sizeof(path)), 0);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_csv_read_header(path, 0, TK_CSV_HEADER_TEXT, &c, &h, &e), TK_OK);
    CU_ASSERT_EQUAL(h.delim, ';');
    CU_ASSERT_EQUAL(h.data_start, 10);
    CU_ASSERT_EQUAL(h.size, 16);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT_EQUAL(h.mtime_ns, (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec);
    CU_ASSERT_EQUAL_FATAL(tk_csv_nfields(&c), 2);
    CU_ASSERT_STRING_EQUAL(tk_csv_field(&c, 0), "x,y");
    CU_ASSERT_STRING_EQUAL(tk_csv_field(&c, 1), "z");
    tk_csv_free(&c);
    /* a fixed delimiter; without ';' the detected one is ',' */
    CU_ASSERT_EQUAL(tk_csv_read_header(path, ',', 0, &c, &h, &e), TK_OK);
    CU_ASSERT_EQUAL(h.delim, ',');
    CU_ASSERT_EQUAL(tk_csv_nfields(&c), 2);
    tk_csv_free(&c);
    CU_ASSERT_EQUAL_FATAL(unit_write_file(dir, "b.csv", "p,q\n", 4, path, sizeof(path)), 0);
    CU_ASSERT_EQUAL(tk_csv_read_header(path, 0, 0, &c, &h, &e), TK_OK);
    CU_ASSERT_EQUAL(h.delim, ',');
    CU_ASSERT_EQUAL(h.data_start, 4);
    CU_ASSERT_EQUAL(tk_csv_nfields(&c), 2);
    tk_csv_free(&c);
    /* empty file, empty line, NUL byte, bad quoting, missing file */
    CU_ASSERT_EQUAL_FATAL(unit_write_file(dir, "e.csv", "", 0, path, sizeof(path)), 0);
    CU_ASSERT_EQUAL(tk_csv_read_header(path, ';', 0, &c, &h, &e), TK_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "e.csv: empty file (no header line)"));
    CU_ASSERT_EQUAL_FATAL(unit_write_file(dir, "n.csv", "\r\n1\n", 4, path, sizeof(path)), 0);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_csv_read_header(path, 0, TK_CSV_HEADER_TEXT, &c, &h, &e), TK_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "n.csv:1: empty header line"));
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_csv_read_header(path, ';', 0, &c, &h, &e), TK_OK); /* one empty field */
    CU_ASSERT_EQUAL(tk_csv_nfields(&c), 1);
    tk_csv_free(&c);
    CU_ASSERT_EQUAL_FATAL(unit_write_file(dir, "z.csv", "a\0b\n", 4, path, sizeof(path)), 0);
    CU_ASSERT_EQUAL(tk_csv_read_header(path, 0, TK_CSV_HEADER_TEXT, &c, &h, &e), TK_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "z.csv: neither HDF5 nor CSV"));
    CU_ASSERT_EQUAL_FATAL(unit_write_file(dir, "q.csv", "a;\"b\n", 5, path, sizeof(path)), 0);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_csv_read_header(path, ';', 0, &c, &h, &e), TK_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "q.csv:1: bad header: malformed quoting"));
    tk_err_clear(&e);
    snprintf(path, sizeof(path), "%s/missing.csv", dir);
    CU_ASSERT_EQUAL(tk_csv_read_header(path, ';', 0, &c, &h, &e), TK_ENOINPUT);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

int unit_register_csv(void)
{
    static const unit_test tests[] = {
        { "split plain fields and CRLF", test_split_plain },
        { "split empty fields", test_split_empty_fields },
        { "split quotes and doubled quotes", test_split_quotes },
        { "split malformed quoting and stray breaks", test_split_malformed },
        { "split trims blanks of unquoted fields", test_split_trim },
        { "split stray CR before the CRLF", test_split_stray_cr_before_crlf },
        { "split many fields and a long field", test_split_large },
        { "header lookup", test_columns },
        { "header lookup: missing column message", test_columns_missing },
        { "header lookup: one field: is the file ','-delimited?", test_columns_one_field_hint },
        { "header lookup: names escaped in messages", test_columns_escaped },
        { "header lookup: duplicate column", test_columns_duplicate },
        { "lines: every split, final newline", test_lines_final_newline },
        { "lines: every split, no final newline", test_lines_no_final_newline },
        { "lines: every split, CRLF", test_lines_crlf },
        { "lines: every split, empty lines and files", test_lines_empty_lines },
        { "lines: every split, lines longer than the chunk", test_lines_long_line },
        { "lines: counters and open errors", test_lines_counters_and_errors },
        { "lines: line over the maximum length", test_lines_too_long },
        { "header: BOM, delimiter, data start, size and mtime, errors", test_read_header },
        { NULL, NULL }
    };
    return unit_add_suite("csv", tests);
}
