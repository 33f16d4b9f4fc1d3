/* test_csv_fast.c -- the fast path of tk_csv_split against libcsv, the
 * parser of record: random and chosen lines go through tk_csv_split (fast
 * path when it can), tk_csv_split_libcsv (libcsv always) and
 * tk_csv_split_fast (the fast path alone), which must agree on the status,
 * the why message, the number of fields and each field's bytes, length and
 * NUL terminator; and the fast path must be taken exactly for the lines that
 * hold no quote, CR or LF (after the final CR is dropped). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tk_csv.h"
#include "tk_csv_internal.h"
#include "unit.h"

/* ---- the three splitters of one delimiter, and the comparison ---- */

typedef struct trio {
    tk_csv pub, ref, fast; /* tk_csv_split, tk_csv_split_libcsv, tk_csv_split_fast */
    unsigned char delim;
} trio;

typedef struct tally {
    size_t lines, fast, ok_libcsv, bad_quote, bad_cr, bad_other, mismatches;
} tally;

static void print_line(const char *what, const unsigned char *s, size_t n, unsigned char delim)
{
    size_t i;

    fprintf(stderr, "\n  %s (delimiter 0x%02x, %zu bytes): \"", what, delim, n);
    for (i = 0; i < n && i < 300; i++)
        fprintf(stderr, s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\' ? "%c" : "\\x%02x", s[i]);
    fprintf(stderr, "%s\"\n", i < n ? "..." : "");
}

/* 1 when a and b hold the same fields, each NUL-terminated. */
static int same_fields(const tk_csv *a, const tk_csv *b)
{
    size_t i;

    if (tk_csv_nfields(a) != tk_csv_nfields(b))
        return 0;
    for (i = 0; i < tk_csv_nfields(a); i++) {
        const char *fa = tk_csv_field(a, i), *fb = tk_csv_field(b, i);
        size_t la = tk_csv_field_len(a, i), lb = tk_csv_field_len(b, i);
        if (la != lb || memcmp(fa, fb, la) != 0 || fa[la] != '\0' || fb[lb] != '\0')
            return 0;
    }
    return 1;
}

/* The test's own rule for the fast path: the delimiter is not a quote, CR or
 * LF, and the line, without its final CR, holds none of them. */
static int fast_eligible(const char *line, size_t len, unsigned char delim)
{
    if (delim == '"' || delim == '\r' || delim == '\n')
        return 0;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    return !memchr(line, '"', len) && !memchr(line, '\r', len) && !memchr(line, '\n', len);
}

/* Splits line[0..len) (in a buffer of exactly len bytes, so that a sanitizer
 * sees any read past it) three ways and compares. Returns 1 when all agree. */
static int check_line(trio *t, tally *y, const char *line, size_t len)
{
    char *copy = malloc(len ? len : 1);
    const char *why_pub = "unset", *why_ref = "unset";
    int rc_pub, rc_ref, rc_fast, want_fast = fast_eligible(line, len, t->delim), same;

    if (!copy)
        return 0;
    memcpy(copy, line, len);
    rc_pub = tk_csv_split(&t->pub, copy, len, &why_pub);
    rc_ref = tk_csv_split_libcsv(&t->ref, copy, len, &why_ref);
    rc_fast = tk_csv_split_fast(&t->fast, copy, len);
    free(copy);
    y->lines++;
    y->fast += rc_fast == 1;
    if (rc_ref == TK_OK)
        y->ok_libcsv += !want_fast;
    else if (why_ref && strcmp(why_ref, "malformed quoting") == 0)
        y->bad_quote++;
    else if (why_ref && strcmp(why_ref, "carriage return inside the row") == 0)
        y->bad_cr++;
    else
        y->bad_other++;
    same = rc_pub == rc_ref && rc_fast == want_fast &&
           ((!why_pub && !why_ref) || (why_pub && why_ref && strcmp(why_pub, why_ref) == 0)) &&
           (rc_ref != TK_OK || same_fields(&t->pub, &t->ref)) &&
           (rc_fast != 1 || (rc_ref == TK_OK && same_fields(&t->fast, &t->ref)));
    if (!same && ++y->mismatches <= 5) {
        print_line("paths disagree", (const unsigned char *)line, len, t->delim);
        fprintf(stderr, "  split %d (%s, %zu fields), libcsv %d (%s, %zu fields), fast %d "
                "(wanted %d)\n", rc_pub, why_pub ? why_pub : "-", tk_csv_nfields(&t->pub),
                rc_ref, why_ref ? why_ref : "-", tk_csv_nfields(&t->ref), rc_fast, want_fast);
    }
    return same;
}

static int trio_init(trio *t, unsigned char delim)
{
    t->delim = delim;
    return tk_csv_init(&t->pub, delim) == TK_OK && tk_csv_init(&t->ref, delim) == TK_OK &&
           tk_csv_init(&t->fast, delim) == TK_OK;
}

static void trio_free(trio *t)
{
    tk_csv_free(&t->pub);
    tk_csv_free(&t->ref);
    tk_csv_free(&t->fast);
}

/* ---- chosen lines ---- */

static void test_fast_chosen(void)
{
    static const struct { const char *s; size_t n; } lines[] = {
#define L(s) { s, sizeof(s) - 1 }
        L(""), L(" "), L("\t"), L(" \t  \t"), L(";"), L(" ; "), L(";;;"), L("a"), L(" a"),
        L("a "), L("\ta\t"), L("a;b;c"), L("a;b\r"), L("\r"), L("\r\r"), L(" \r"), L(" \ra;b"),
        L("\r;a"), L("a\rb"), L("a;\r"), L("a; \r"), L("a;b\r\r"), L("a\nb"), L("\n"),
        L("a;\"b\";c"), L("\"\""), L("\"a\"\"b\""), L("\"a;b"), L("a\"b"), L(" \"a\" ;b"),
        L("\"a\" x"), L("\0"), L("a\0b;\0"), L(" \0 ; \0"), L("\x80\xff;\xc3\xa9"),
        L("a  b ; c\t d"), L("1,2;3|4\t5 6"), L(" , , "), L("|a|"), L("\t\ta\t\tb\t"),
        L("18-10-2017 07:20:53;1234567;200000123;20;3_1234567"),
        L("18-10-2017 07:20:53;1234567;200000123;20;3_1234567\r"),
        L("0123456789abcdef;"), L(";0123456789abcdef"), L("0123456789abcde;"),
        L("0123456789abcdef0123456789abcde\"f"), L("0123456789abcdef0123456789abcdef\r\r"),
#undef L
    };
    static const unsigned char delims[] = { ';', ',', '\t', ' ', '|', '\0', '"' };
    size_t d, i;

    for (d = 0; d < sizeof(delims); d++) {
        trio t;
        tally y;
        memset(&y, 0, sizeof(y));
        CU_ASSERT_TRUE_FATAL(trio_init(&t, delims[d]));
        for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
            CU_ASSERT_TRUE(check_line(&t, &y, lines[i].s, lines[i].n));
        trio_free(&t);
    }
}

/* ---- random lines ---- */

typedef struct gen {
    unsigned long long st;
    unsigned char delim;
    char *buf;
    size_t len, cap;
} gen;

static unsigned pick(gen *g, unsigned n) { return (unsigned)(unit_rand(&g->st) % n); }

static void put(gen *g, unsigned char ch)
{
    if (g->len < g->cap)
        g->buf[g->len++] = (char)ch;
}

/* A byte of a field's content: printable mostly, then blanks, other
 * delimiters, NUL, bytes >= 0x80 (and, when special, quotes, CR and LF). */
static unsigned char any_byte(gen *g, int special)
{
    static const char text[] = "0123456789abcdefxyzAZ_-:.+ ";
    static const char others[] = " \t,;|";
    unsigned r = pick(g, special ? 100 : 90);

    if (r < 60)
        return (unsigned char)text[pick(g, sizeof(text) - 1)];
    if (r < 70)
        return (unsigned char)others[pick(g, sizeof(others) - 1)];
    if (r < 74)
        return 0;
    if (r < 82)
        return (unsigned char)(0x80 + pick(g, 0x80));
    if (r < 90)
        return (unsigned char)pick(g, 256);
    return r < 94 ? '"' : r < 97 ? '\r' : '\n';
}

static void blanks(gen *g, unsigned max)
{
    unsigned n = pick(g, max + 1);

    while (n--)
        put(g, pick(g, 2) ? ' ' : '\t');
}

/* One field: blanks, content, blanks; quoted (with doubled quotes, the
 * delimiter, CR and LF inside) when quoted is set. */
static void field(gen *g, int quoted, unsigned maxlen, int special)
{
    unsigned n = pick(g, maxlen + 1), i;

    if (pick(g, 3) == 0)
        blanks(g, 3);
    if (quoted)
        put(g, '"');
    for (i = 0; i < n; i++) {
        unsigned r = pick(g, 20);
        if (quoted && r == 0) {
            put(g, '"');
            put(g, '"');
        } else if (r == 1)
            put(g, g->delim);
        else
            put(g, any_byte(g, special || quoted));
    }
    if (quoted)
        put(g, '"');
    if (pick(g, 3) == 0)
        blanks(g, 3);
}

/* A logjoin-like plays row, with 3 to 7 fields instead of 5 now and then. */
static void play_row(gen *g)
{
    unsigned n = pick(g, 10) ? 5 : 3 + pick(g, 5), i;
    char tmp[64];
    int k, j;

    for (i = 0; i < n; i++) {
        if (i)
            put(g, g->delim);
        if (i == 0)
            k = snprintf(tmp, sizeof(tmp), "%02u-%02u-2017 %02u:%02u:%02u", 1 + pick(g, 28),
                         1 + pick(g, 12), pick(g, 24), pick(g, 60), pick(g, 60));
        else
            k = snprintf(tmp, sizeof(tmp), i == 4 ? "%u_%u" : "%u", pick(g, 5),
                         pick(g, 2000000000u));
        for (j = 0; j < k; j++)
            put(g, (unsigned char)tmp[j]);
    }
}

/* Changes 1 to 3 bytes: inserts, replaces or deletes (a quote, CR, LF,
 * delimiter, blank, NUL or any byte). */
static void mutate(gen *g)
{
    static const unsigned char bytes[] = { '"', '"', '\r', '\r', '\n', 0, ' ', '\t' };
    unsigned n = 1 + pick(g, 3);

    while (n--) {
        size_t at = g->len ? pick(g, (unsigned)g->len + 1) : 0;
        unsigned r = pick(g, 10);
        unsigned char ch = r < 8 ? bytes[r] : r == 8 ? g->delim : (unsigned char)pick(g, 256);
        unsigned op = pick(g, 3);
        if (op == 0 && g->len < g->cap) {
            memmove(g->buf + at + 1, g->buf + at, g->len - at);
            g->buf[at] = (char)ch;
            g->len++;
        } else if (op == 1 && at < g->len)
            g->buf[at] = (char)ch;
        else if (at < g->len) {
            memmove(g->buf + at, g->buf + at + 1, g->len - at - 1);
            g->len--;
        }
    }
}

enum { M_PLAY, M_PLAIN, M_QUOTED, M_MUTATED, M_NOISE, M_BLANK, M_CR, M_LONG, M_MODES };

/* One random line of the given mode into g->buf[0..g->len). */
static void gen_line(gen *g, int mode)
{
    unsigned i, n;

    g->len = 0;
    switch (mode) {
    case M_PLAY:
        play_row(g);
        break;
    case M_PLAIN: /* quote-free fields, blanks around and inside, NUL, high bytes */
    case M_QUOTED:
    case M_MUTATED:
        n = pick(g, 13);
        for (i = 0; i < n; i++) {
            if (i)
                put(g, g->delim);
            field(g, mode != M_PLAIN && pick(g, 3) == 0, 12, 0);
        }
        if (mode == M_MUTATED)
            mutate(g);
        break;
    case M_NOISE:
        n = pick(g, 81);
        for (i = 0; i < n; i++)
            put(g, pick(g, 6) ? any_byte(g, 1) : g->delim);
        break;
    case M_BLANK: /* empty, or only blanks (and delimiters now and then) */
        blanks(g, 12);
        if (pick(g, 3) == 0) {
            put(g, g->delim);
            blanks(g, 4);
        }
        break;
    case M_CR: /* a lone CR inside, a CR after blanks, or CR CR at the end */
        n = pick(g, 5);
        for (i = 0; i < n; i++) {
            if (i)
                put(g, g->delim);
            field(g, pick(g, 4) == 0, 8, 0);
        }
        if (pick(g, 2)) {
            size_t at = pick(g, (unsigned)g->len + 1);
            memmove(g->buf + at + 1, g->buf + at, g->len - at);
            g->buf[at] = '\r';
            g->len++;
        } else
            put(g, '\r');
        break;
    default: /* long: many fields, or one long field */
        n = pick(g, 2) ? 1 + pick(g, 3000) : 1;
        for (i = 0; i < n && g->len + 64 < g->cap; i++) {
            if (i)
                put(g, g->delim);
            field(g, pick(g, 8) == 0, n == 1 ? 70000 : 30, pick(g, 20) == 0);
        }
    }
    if (mode != M_CR && pick(g, 4) == 0)
        put(g, '\r'); /* a CRLF line */
}

/* The mode of the next line: mostly plays and quote-free lines, 1 in 200 long. */
static int pick_mode(gen *g)
{
    unsigned r = pick(g, 1000);

    if (r < 5)
        return M_LONG;
    if (r < 300)
        return M_PLAY;
    if (r < 550)
        return M_PLAIN;
    if (r < 700)
        return M_QUOTED;
    if (r < 820)
        return M_MUTATED;
    if (r < 900)
        return M_NOISE;
    if (r < 950)
        return M_BLANK;
    return M_CR;
}

#define RANDOM_LINES 500000

static void test_fast_random(void)
{
    static const unsigned char delims[] = { ';', ',', '\t', ' ', '|', '"' };
    static const unsigned weight[] = { 70, 10, 8, 6, 4, 2 }; /* out of 100 */
    trio t[sizeof(delims)];
    tally y;
    size_t modes[M_MODES] = { 0 }, fails = 0, i, d;
    gen g = { .st = 20171018, .cap = 200000 };

    memset(&y, 0, sizeof(y));
    g.buf = malloc(g.cap + 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g.buf);
    for (d = 0; d < sizeof(delims); d++)
        CU_ASSERT_TRUE_FATAL(trio_init(&t[d], delims[d]));
    for (i = 0; i < RANDOM_LINES; i++) {
        unsigned r = pick(&g, 100), acc = 0;
        int mode = pick_mode(&g);
        for (d = 0; d + 1 < sizeof(delims) && r >= acc + weight[d]; d++)
            acc += weight[d];
        g.delim = delims[d];
        gen_line(&g, mode);
        modes[mode]++;
        fails += !check_line(&t[d], &y, g.buf, g.len);
    }
    CU_ASSERT_EQUAL(fails, 0);
    CU_ASSERT_EQUAL(y.bad_other, 0);
    /* every case was drawn: both paths, and each of libcsv's decisions */
    for (i = 0; i < M_MODES; i++)
        CU_ASSERT_TRUE(modes[i] >= RANDOM_LINES / 400);
    CU_ASSERT_TRUE(y.fast >= RANDOM_LINES / 2);
    CU_ASSERT_TRUE(y.ok_libcsv >= RANDOM_LINES / 20);
    CU_ASSERT_TRUE(y.bad_quote >= RANDOM_LINES / 50);
    CU_ASSERT_TRUE(y.bad_cr >= RANDOM_LINES / 100);
    if (fails)
        fprintf(stderr, "\n  %zu of %zu lines disagree\n", fails, y.lines);
    for (d = 0; d < sizeof(delims); d++)
        trio_free(&t[d]);
    free(g.buf);
}

/* A buffer that grows past each size class: lengths around the 16-byte
 * blocks and the capacity doublings, fields at every offset in a block. */
static void test_fast_lengths(void)
{
    trio t;
    tally y;
    char *line = malloc(5000);
    size_t n, k;

    memset(&y, 0, sizeof(y));
    CU_ASSERT_PTR_NOT_NULL_FATAL(line);
    CU_ASSERT_TRUE_FATAL(trio_init(&t, ';'));
    for (n = 0; n < 5000; n += n < 300 ? 1 : 97)
        for (k = 1; k <= 17; k += 4) {
            size_t i;
            for (i = 0; i < n; i++)
                line[i] = i % k == k - 1 ? ';' : i % 7 == 3 ? ' ' : (char)('a' + i % 26);
            CU_ASSERT_TRUE(check_line(&t, &y, line, n));
        }
    CU_ASSERT_EQUAL(y.fast, y.lines);
    trio_free(&t);
    free(line);
}

int unit_register_csv_fast(void)
{
    static const unit_test tests[] = {
        { "fast split = libcsv: chosen lines, 7 delimiters", test_fast_chosen },
        { "fast split = libcsv: lengths around blocks and capacities", test_fast_lengths },
        { "fast split = libcsv: 500000 random lines", test_fast_random },
        { NULL, NULL }
    };
    return unit_add_suite("csv-fast", tests);
}
