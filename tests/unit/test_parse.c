/* test_parse.c -- tk_parse (integers, doubles, booleans) and logjoin's row
 * validation: lj_parse_hour, lj_parse_log1, lj_parse_log2. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../mpi_apps/logjoin/logjoin.h" /* the Makefile adds only -Impi_apps/common */
#include "tk_csv.h"
#include "tk_parse.h"
#include "tk_text.h"
#include "unit.h"

/* ---- tk_parse_i64 ---- */

static int p64(const char *s, int64_t *v)
{
    return tk_parse_i64z(s, INT64_MIN, INT64_MAX, v);
}

static void test_i64_valid(void)
{
    int64_t v = 77;

    CU_ASSERT_EQUAL(p64("0", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(p64("-0", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(p64("+0", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(p64("+5", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 5);
    CU_ASSERT_EQUAL(p64("-17", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, -17);
    CU_ASSERT_EQUAL(p64("000000000000000000000000000042", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 42);
    CU_ASSERT_EQUAL(p64("-000000000000000000000000000000", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(p64("1234567890123", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 1234567890123LL);
}

static void test_i64_limits(void)
{
    int64_t v = 0;

    CU_ASSERT_EQUAL(p64("9223372036854775807", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, INT64_MAX);
    CU_ASSERT_EQUAL(p64("+9223372036854775807", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, INT64_MAX);
    CU_ASSERT_EQUAL(p64("-9223372036854775808", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, INT64_MIN);
    CU_ASSERT_EQUAL(p64("-9223372036854775807", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, -INT64_MAX);
    CU_ASSERT_EQUAL(p64("0009223372036854775807", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, INT64_MAX);
    /* 18 digits (cannot overflow) and 19 digits around the limit */
    CU_ASSERT_EQUAL(p64("999999999999999999", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 999999999999999999LL);
    CU_ASSERT_EQUAL(p64("-999999999999999999", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, -999999999999999999LL);
    CU_ASSERT_EQUAL(p64("9999999999999999999", &v), TK_PARSE_RANGE);
    CU_ASSERT_EQUAL(p64("1000000000000000000", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 1000000000000000000LL);
    CU_ASSERT_EQUAL(p64("99999999999999999x", &v), TK_PARSE_SYNTAX);
    CU_ASSERT_EQUAL(p64("9223372036854775806", &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, INT64_MAX - 1);
    v = 99;
    CU_ASSERT_EQUAL(p64("9223372036854775808", &v), TK_PARSE_RANGE);
    CU_ASSERT_EQUAL(p64("-9223372036854775809", &v), TK_PARSE_RANGE);
    CU_ASSERT_EQUAL(p64("18446744073709551615", &v), TK_PARSE_RANGE);
    CU_ASSERT_EQUAL(p64("18446744073709551616", &v), TK_PARSE_RANGE);
    CU_ASSERT_EQUAL(p64("99999999999999999999999999999", &v), TK_PARSE_RANGE);
    CU_ASSERT_EQUAL(p64("-99999999999999999999999999999", &v), TK_PARSE_RANGE);
    CU_ASSERT_EQUAL(v, 99); /* untouched on error */
}

static void test_i64_syntax(void)
{
    static const char *const bad[] = { "",    "+",   "-",    "+-1", "--1", "1e3",  " 1",
                                       "1 ",  "1.0", "0x10", "12x", "x12", "1,000", "\xd9\xa3",
                                       "\t7", "+ 1", "1-",   "inf", "nan" };
    int64_t v = 5;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = p64(bad[i], &v);
        CU_ASSERT_EQUAL(rc, TK_PARSE_SYNTAX);
        if (rc != TK_PARSE_SYNTAX)
            fprintf(stderr, "\n  tk_parse_i64z(\"%s\") = %d\n", bad[i], rc);
    }
    /* overflowing digits followed by junk: still a syntax error */
    CU_ASSERT_EQUAL(p64("99999999999999999999999x", &v), TK_PARSE_SYNTAX);
    CU_ASSERT_EQUAL(v, 5);
}

static void test_i64_fast_vs_slow(void)
{
    /* the inline 8-digits-at-a-time path against the plain one, on random
     * fields of 0..20 bytes: mostly digits, with a sign, a space, a colon, a
     * slash (the bytes around '0'..'9') or a high byte mixed in */
    static const char other[] = "+- :/\x80\xb9\x3a\x2f\x00a";
    unsigned long long st = 31;
    char buf[24];
    int i, ok = 1;

    for (i = 0; i < 300000 && ok; i++) {
        size_t n = (size_t)(unit_rand(&st) % 21), k;
        int64_t a = 7, b = 7, lo = (i & 3) ? INT64_MIN : 0, hi = (i & 4) ? 99999999 : INT64_MAX;
        int ra, rb;
        for (k = 0; k < n; k++) {
            uint64_t r = unit_rand(&st);
            buf[k] = (r % 23 == 0) ? other[(r >> 8) % (sizeof(other) - 1)] : (char)('0' + r % 10);
        }
        ra = tk_parse_i64(buf, n, lo, hi, &a);
        rb = tk_parse_i64_slow(buf, n, lo, hi, &b);
        if (ra != rb || (ra == TK_PARSE_OK && a != b)) {
            fprintf(stderr, "\n  '%.*s': fast %d %lld, slow %d %lld\n", (int)n, buf, ra,
                    (long long)a, rb, (long long)b);
            ok = 0;
        }
    }
    CU_ASSERT_TRUE(ok);
}

static void test_i64_bounds_and_length(void)
{
    int64_t v = 0;

    CU_ASSERT_EQUAL(tk_parse_i64z("10", 0, 10, &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 10);
    CU_ASSERT_EQUAL(tk_parse_i64z("11", 0, 10, &v), TK_PARSE_RANGE);
    CU_ASSERT_EQUAL(tk_parse_i64z("-1", 0, 10, &v), TK_PARSE_RANGE);
    CU_ASSERT_EQUAL(tk_parse_i64z("-5", -5, -5, &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, -5);
    CU_ASSERT_EQUAL(tk_parse_i64z("2147483648", INT32_MIN, INT32_MAX, &v), TK_PARSE_RANGE);
    CU_ASSERT_EQUAL(tk_parse_i64z("-2147483648", INT32_MIN, INT32_MAX, &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, INT32_MIN);
    /* only s[0..n) is looked at */
    CU_ASSERT_EQUAL(tk_parse_i64("123xyz", 3, INT64_MIN, INT64_MAX, &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 123);
    CU_ASSERT_EQUAL(tk_parse_i64("-9", 1, INT64_MIN, INT64_MAX, &v), TK_PARSE_SYNTAX);
    CU_ASSERT_EQUAL(tk_parse_i64("7", 0, INT64_MIN, INT64_MAX, &v), TK_PARSE_SYNTAX);
    {
        char one[1] = { '8' }; /* not NUL-terminated */
        CU_ASSERT_EQUAL(tk_parse_i64(one, 1, INT64_MIN, INT64_MAX, &v), TK_PARSE_OK);
        CU_ASSERT_EQUAL(v, 8);
    }
}

static void test_i64_round_trip(void)
{
    unsigned long long st = 1;
    int i;

    for (i = 0; i < 20000; i++) {
        int64_t x = (int64_t)unit_rand(&st), y = 0;
        char buf[32];
        if (i % 3 == 1)
            x >>= (i % 61);
        snprintf(buf, sizeof(buf), "%lld", (long long)x);
        if (p64(buf, &y) != TK_PARSE_OK || y != x) {
            CU_FAIL("round trip of a random int64");
            fprintf(stderr, "\n  %s -> %lld\n", buf, (long long)y);
            return;
        }
    }
    CU_PASS("20000 random int64 values round-trip");
}

/* ---- tk_parse_double / tk_parse_bool ---- */

static void test_double(void)
{
    double v = 0;

    CU_ASSERT_EQUAL(tk_parse_double("1e3", -1e9, 1e9, &v), TK_PARSE_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, 1000.0, 0.0);
    CU_ASSERT_EQUAL(tk_parse_double("-2.5", -1e9, 1e9, &v), TK_PARSE_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, -2.5, 0.0);
    CU_ASSERT_EQUAL(tk_parse_double(".5", 0, 1, &v), TK_PARSE_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, 0.5, 0.0);
    CU_ASSERT_EQUAL(tk_parse_double("+7E-1", 0, 1, &v), TK_PARSE_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, 0.7, 1e-15);
    v = 42;
    CU_ASSERT_EQUAL(tk_parse_double("", -1, 1, &v), TK_PARSE_SYNTAX);
    CU_ASSERT_EQUAL(tk_parse_double("inf", -INFINITY, INFINITY, &v), TK_PARSE_SYNTAX);
    CU_ASSERT_EQUAL(tk_parse_double("nan", -INFINITY, INFINITY, &v), TK_PARSE_SYNTAX);
    CU_ASSERT_EQUAL(tk_parse_double("0x10", 0, 100, &v), TK_PARSE_SYNTAX);
    CU_ASSERT_EQUAL(tk_parse_double("1.5x", 0, 100, &v), TK_PARSE_SYNTAX);
    CU_ASSERT_EQUAL(tk_parse_double(" 1", 0, 100, &v), TK_PARSE_SYNTAX);
    CU_ASSERT_EQUAL(tk_parse_double("-", -1, 1, &v), TK_PARSE_SYNTAX);
    CU_ASSERT_EQUAL(tk_parse_double("1e", 0, 100, &v), TK_PARSE_SYNTAX);
    CU_ASSERT_EQUAL(tk_parse_double("1e400", -INFINITY, INFINITY, &v), TK_PARSE_RANGE);
    CU_ASSERT_EQUAL(tk_parse_double("2", 0, 1, &v), TK_PARSE_RANGE);
    CU_ASSERT_EQUAL(tk_parse_double("-0.001", 0, 1, &v), TK_PARSE_RANGE);
    CU_ASSERT_DOUBLE_EQUAL(v, 42, 0.0);
}

static void test_bool(void)
{
    static const char *const bad[] = { "", "t", "1", "0", "yes", "truee", "fals", " true",
                                       "true ", "tru", "FALSEY" };
    int v = -1;
    size_t i;

    CU_ASSERT_EQUAL(tk_parse_bool("true", 4, &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 1);
    CU_ASSERT_EQUAL(tk_parse_bool("FALSE", 5, &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(tk_parse_bool("TrUe", 4, &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 1);
    CU_ASSERT_EQUAL(tk_parse_bool("fAlSe", 5, &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(tk_parse_bool("truex", 4, &v), TK_PARSE_OK); /* length-bounded */
    CU_ASSERT_EQUAL(v, 1);
    v = -1;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_EQUAL(tk_parse_bool(bad[i], strlen(bad[i]), &v), TK_PARSE_SYNTAX);
    CU_ASSERT_EQUAL(v, -1);
}

static void test_double_underflow(void)
{
    double v = 0;

    /* below DBL_MIN: the subnormal or zero it rounds to, never out of range */
    CU_ASSERT_EQUAL(tk_parse_double("1e-320", -1, 1, &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 1e-320);
    CU_ASSERT_EQUAL(tk_parse_double("-4.9e-324", -1, 1, &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, -4.9e-324);
    CU_ASSERT_EQUAL(tk_parse_double("1e-400", -1, 1, &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, 0.0);
    CU_ASSERT_EQUAL(tk_parse_double("1.4e-45", -FLT_MAX, FLT_MAX, &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(tk_parse_double("1.7976931348623157e308", -DBL_MAX, DBL_MAX, &v), TK_PARSE_OK);
    CU_ASSERT_EQUAL(v, DBL_MAX);
    CU_ASSERT_EQUAL(tk_parse_double("1.8e308", -DBL_MAX, DBL_MAX, &v), TK_PARSE_RANGE);
    CU_ASSERT_EQUAL(tk_parse_double("-1e309", -DBL_MAX, DBL_MAX, &v), TK_PARSE_RANGE);
    /* the bounds still apply */
    CU_ASSERT_EQUAL(tk_parse_double("1e-320", 1e-9, 1, &v), TK_PARSE_RANGE);
}

static void test_nonfinite(void)
{
    static const char *const nans[] = { "nan", "NaN", "NAN", "-nan", "+nAn" };
    static const char *const pos[] = { "inf", "INF", "+Inf", "infinity", "Infinity", "+INFINITY" };
    static const char *const neg[] = { "-inf", "-Infinity", "-INFINITY" };
    static const char *const bad[] = { "", "-", "na", "nan(1)", "in", "infinit", "infinityy",
                                       "--inf", " inf", "1", "NA" };
    double v = 0;
    size_t i;

    for (i = 0; i < sizeof(nans) / sizeof(nans[0]); i++) {
        CU_ASSERT_EQUAL(tk_parse_nonfinite(nans[i], strlen(nans[i]), &v), TK_PARSE_OK);
        CU_ASSERT_TRUE(isnan(v));
    }
    for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
        v = 0;
        CU_ASSERT_EQUAL(tk_parse_nonfinite(pos[i], strlen(pos[i]), &v), TK_PARSE_OK);
        CU_ASSERT_TRUE(isinf(v) && v > 0);
    }
    for (i = 0; i < sizeof(neg) / sizeof(neg[0]); i++) {
        v = 0;
        CU_ASSERT_EQUAL(tk_parse_nonfinite(neg[i], strlen(neg[i]), &v), TK_PARSE_OK);
        CU_ASSERT_TRUE(isinf(v) && v < 0);
    }
    v = 42;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_EQUAL(tk_parse_nonfinite(bad[i], strlen(bad[i]), &v), TK_PARSE_SYNTAX);
    CU_ASSERT_EQUAL(v, 42);
    CU_ASSERT_EQUAL(tk_parse_nonfinite("infinity", 3, &v), TK_PARSE_OK); /* length-bounded */
}

/* ---- tk_log_escape ---- */

static void test_log_escape(void)
{
    char out[64];

    CU_ASSERT_STRING_EQUAL(tk_log_escape(out, sizeof(out), "a\0b", 3, 40), "a\\0b");
    CU_ASSERT_STRING_EQUAL(tk_log_escape(out, sizeof(out), "\001\t\n\r\x7f\x1f", 6, 40),
                           "\\x01\\t\\n\\r\\x7f\\x1f");
    CU_ASSERT_STRING_EQUAL(tk_log_escape(out, sizeof(out), "c:\\x", 4, 40), "c:\\\\x");
    CU_ASSERT_STRING_EQUAL(tk_log_escape(out, sizeof(out), "h\xc3\xa9", 3, 40), "h\xc3\xa9");
    CU_ASSERT_STRING_EQUAL(tk_log_escapez(out, sizeof(out), "", 40), "");
    /* cut at max bytes of the input */
    CU_ASSERT_STRING_EQUAL(tk_log_escape(out, sizeof(out), "abcdef", 6, 3), "abc...");
    CU_ASSERT_STRING_EQUAL(tk_log_escape(out, sizeof(out), "abc", 3, 3), "abc");
    /* cut by the buffer, never inside an escape, always terminated */
    CU_ASSERT_STRING_EQUAL(tk_log_escape(out, 8, "abcd", 4, 40), "abcd");
    CU_ASSERT_STRING_EQUAL(tk_log_escape(out, 8, "abcdefgh", 8, 40), "abcd...");
    CU_ASSERT_STRING_EQUAL(tk_log_escape(out, 8, "ab\001cdef", 7, 40), "ab...");
    CU_ASSERT_STRING_EQUAL(tk_log_escape(out, 8, "abc\001", 4, 40), "abc\\x01"); /* just fits */
    CU_ASSERT_STRING_EQUAL(tk_log_escape(out, 8, "ab\001", 3, 40), "ab\\x01");
    CU_ASSERT_STRING_EQUAL(tk_log_escape(out, 4, "abcdef", 6, 40), "...");
    CU_ASSERT_STRING_EQUAL(tk_log_escape(out, 3, "ab", 2, 40), "");
    out[0] = 'z';
    tk_log_escape(out, 0, "ab", 2, 40);
    CU_ASSERT_EQUAL(out[0], 'z');
}

/* ---- lj_parse_hour ---- */

static int hour_of(const char *s)
{
    int h = -99;

    return lj_parse_hour(s, strlen(s), &h) == 0 ? h : -1;
}

static void test_hour_valid(void)
{
    CU_ASSERT_EQUAL(hour_of("01-01-2020 00:00:00"), 0);
    CU_ASSERT_EQUAL(hour_of("31-12-1999 23:59:59"), 23);
    CU_ASSERT_EQUAL(hour_of("15-06-2021 07:30:00"), 7);
    CU_ASSERT_EQUAL(hour_of("01-01-0001 12:00:00"), 12);
    CU_ASSERT_EQUAL(hour_of("31-12-9999 13:00:00"), 13);
    CU_ASSERT_EQUAL(hour_of("31-01-2021 10:00:00"), 10);
    CU_ASSERT_EQUAL(hour_of("30-04-2021 10:00:00"), 10);
    CU_ASSERT_EQUAL(hour_of("31-07-2021 10:00:00"), 10);
    CU_ASSERT_EQUAL(hour_of("31-08-2021 10:00:00"), 10);
    CU_ASSERT_EQUAL(hour_of("28-02-2023 10:00:00"), 10);
}

static void test_hour_leap_years(void)
{
    CU_ASSERT_EQUAL(hour_of("29-02-2000 05:00:00"), 5);  /* divisible by 400 */
    CU_ASSERT_EQUAL(hour_of("29-02-2024 06:00:00"), 6);  /* divisible by 4 */
    CU_ASSERT_EQUAL(hour_of("29-02-0004 06:00:00"), 6);
    CU_ASSERT_EQUAL(hour_of("29-02-1600 06:00:00"), 6);
    CU_ASSERT_EQUAL(hour_of("29-02-1900 05:00:00"), -1); /* divisible by 100 */
    CU_ASSERT_EQUAL(hour_of("29-02-2100 05:00:00"), -1);
    CU_ASSERT_EQUAL(hour_of("29-02-2023 05:00:00"), -1);
    CU_ASSERT_EQUAL(hour_of("30-02-2000 05:00:00"), -1);
}

static void test_hour_invalid(void)
{
    static const char *const bad[] = {
        "31-04-2021 10:00:00", /* April has 30 days */
        "31-06-2021 10:00:00", "31-09-2021 10:00:00", "31-11-2021 10:00:00",
        "32-01-2021 10:00:00", "00-01-2021 10:00:00", "01-00-2021 10:00:00",
        "01-13-2021 10:00:00", "01-01-0000 10:00:00", /* no year 0 */
        "01-01-2021 24:00:00", "01-01-2021 23:60:00", "01-01-2021 23:59:60",
        "01-01-2021 99:00:00",
        "1-01-2021 10:00:00",   /* short */
        "01-01-2021 10:00:000", /* long */
        "01/01/2021 10:00:00", "01-01-2021T10:00:00", "01-01-2021 10-00-00",
        "2021-01-01 10:00:00", "0a-01-2021 10:00:00", "01-01-20x1 10:00:00",
        "01-01-2021 1 :00:00", "+1-01-2021 10:00:00", "01-01-2021 -1:00:00", "",
    };
    size_t i;
    int h = 77;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = lj_parse_hour(bad[i], strlen(bad[i]), &h);
        CU_ASSERT_EQUAL(rc, -1);
        if (rc != -1)
            fprintf(stderr, "\n  lj_parse_hour(\"%s\") accepted\n", bad[i]);
    }
    CU_ASSERT_EQUAL(h, 77);
    /* length-bounded: a valid prefix with a shorter n is rejected */
    CU_ASSERT_EQUAL(lj_parse_hour("01-01-2021 10:00:00", 18, &h), -1);
}

static void test_hour_every_day(void)
{
    /* every day of 1896..2104 against an independent calendar */
    static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, m, d, ok = 1;

    for (y = 1896; y <= 2104 && ok; y++)
        for (m = 1; m <= 12 && ok; m++) {
            int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            int days = dim[m - 1] + (m == 2 && leap);
            for (d = 1; d <= 31; d++) {
                char s[80];
                int h = -1, want = d <= days ? 0 : -1;
                snprintf(s, sizeof(s), "%02d-%02d-%04d %02d:%02d:%02d", d, m, y, d % 24,
                         (d * 7) % 60, (d * 13) % 60);
                if (lj_parse_hour(s, strlen(s), &h) != want || (want == 0 && h != d % 24)) {
                    fprintf(stderr, "\n  lj_parse_hour(\"%s\") wrong\n", s);
                    ok = 0;
                    break;
                }
            }
        }
    CU_ASSERT_TRUE(ok);
}

/* ---- lj_parse_log1 / lj_parse_log2 ---- */

static const int col_identity[5] = { 0, 1, 2, 3, 4 };

static const char *row_log1(tk_csv *c, const char *line, lj_user_rec *rec, char *why, size_t wl)
{
    const char *w = NULL;

    if (tk_csv_split(c, line, strlen(line), &w) != TK_OK)
        return "split failed";
    return lj_parse_log1(c, 4, col_identity, rec, why, wl);
}

static void test_log1_valid(void)
{
    tk_csv c;
    lj_user_rec r;
    char why[128];
    /* columns in another order: paid;type;region;userId */
    const int col[4] = { 3, 2, 1, 0 };
    const char *w;

    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    memset(&r, 0x55, sizeof(r));
    CU_ASSERT_PTR_NULL(row_log1(&c, "42;7;-3;true", &r, why, sizeof(why)));
    CU_ASSERT_EQUAL(r.user, 42);
    CU_ASSERT_EQUAL(r.region, 7);
    CU_ASSERT_EQUAL(r.type, -3);
    CU_ASSERT_EQUAL(r.paid, 1);
    CU_ASSERT_EQUAL(r.pad, 0);
    CU_ASSERT_PTR_NULL(row_log1(&c, "-9223372036854775808;2147483647;-2147483648;FALSE", &r, why,
                            sizeof(why)));
    CU_ASSERT_EQUAL(r.user, INT64_MIN);
    CU_ASSERT_EQUAL(r.region, INT32_MAX);
    CU_ASSERT_EQUAL(r.type, INT32_MIN);
    CU_ASSERT_EQUAL(r.paid, 0);
    CU_ASSERT_PTR_NULL(row_log1(&c, " +5 ; -0 ;\"9\"; True ", &r, why, sizeof(why)));
    CU_ASSERT_EQUAL(r.user, 5);
    CU_ASSERT_EQUAL(r.region, 0);
    CU_ASSERT_EQUAL(r.type, 9);
    CU_ASSERT_EQUAL(r.paid, 1);
    CU_ASSERT_EQUAL(tk_csv_split(&c, "false;8;11;9223372036854775807", 30, &w), TK_OK);
    CU_ASSERT_PTR_NULL(lj_parse_log1(&c, 4, col, &r, why, sizeof(why)));
    CU_ASSERT_EQUAL(r.user, INT64_MAX);
    CU_ASSERT_EQUAL(r.region, 11);
    CU_ASSERT_EQUAL(r.type, 8);
    CU_ASSERT_EQUAL(r.paid, 0);
    tk_csv_free(&c);
}

static void test_log1_invalid(void)
{
    static const struct {
        const char *line, *needle;
    } bad[] = {
        { "1;2;3", "expected 4 fields, found 3" },
        { "1;2;3;true;5", "expected 4 fields, found 5" },
        { ";2;3;true", "userId" },
        { "1e3;2;3;true", "userId '1e3' is not an integer" },
        { "9223372036854775808;2;3;true", "userId '9223372036854775808' is out of range" },
        { "1;2147483648;3;true", "region '2147483648' is out of range" },
        { "1;-2147483649;3;true", "region" },
        { "1;x;3;true", "region 'x' is not an integer" },
        { "1;2;2147483648;true", "type '2147483648' is out of range" },
        { "1;2;3.0;true", "type '3.0' is not an integer" },
        { "1;2;3;yes", "paid 'yes' is not true or false" },
        { "1;2;3;", "paid" },
        { "1;2;3;1", "paid" },
    };
    tk_csv c;
    lj_user_rec r;
    char why[128];
    size_t i;

    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *w = row_log1(&c, bad[i].line, &r, why, sizeof(why));
        CU_ASSERT_PTR_NOT_NULL(w);
        if (w && !strstr(w, bad[i].needle)) {
            CU_FAIL("reason does not name the problem");
            fprintf(stderr, "\n  '%s': reason '%s', wanted '%s'\n", bad[i].line, w,
                    bad[i].needle);
        }
    }
    /* a long bad value is cut in the reason, which stays within why_len */
    {
        const char *w = row_log1(&c, "1;2;3;abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
                             &r, why, 40);
        CU_ASSERT_PTR_NOT_NULL(w);
        CU_ASSERT_TRUE(w && strlen(w) < 40);
    }
    tk_csv_free(&c);
}

static const char *row_log2(tk_csv *c, const char *line, lj_play_rec *rec, char *why, size_t wl)
{
    const char *w = NULL;

    if (tk_csv_split(c, line, strlen(line), &w) != TK_OK)
        return "split failed";
    return lj_parse_log2(c, 5, col_identity, rec, why, wl);
}

static void test_log2_valid(void)
{
    tk_csv c;
    lj_play_rec r;
    char why[128];

    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    memset(&r, 0, sizeof(r));
    CU_ASSERT_PTR_NULL(row_log2(&c, "29-02-2000 17:05:59;12;345;-6;3_12", &r, why, sizeof(why)));
    CU_ASSERT_EQUAL(r.hour, 17);
    CU_ASSERT_EQUAL(r.user, 12);
    CU_ASSERT_EQUAL(r.song, 345);
    CU_ASSERT_EQUAL(r.genre, -6);
    CU_ASSERT_EQUAL(r.device, 3);
    /* leading zeros in D; USERID in another spelling of the same number */
    CU_ASSERT_PTR_NULL(row_log2(&c, "01-01-2020 00:00:00;+12;0;0;007_0012", &r, why, sizeof(why)));
    CU_ASSERT_EQUAL(r.user, 12);
    CU_ASSERT_EQUAL(r.device, 7);
    CU_ASSERT_EQUAL(r.hour, 0);
    CU_ASSERT_PTR_NULL(row_log2(&c, "01-01-2020 23:00:00;-5;-9223372036854775808;2147483647;0_-5",
                            &r, why, sizeof(why)));
    CU_ASSERT_EQUAL(r.user, -5);
    CU_ASSERT_EQUAL(r.song, INT64_MIN);
    CU_ASSERT_EQUAL(r.genre, INT32_MAX);
    CU_ASSERT_EQUAL(r.device, 0);
    CU_ASSERT_PTR_NULL(row_log2(&c, "01-01-2020 23:00:00;0;1;1;9223372036854775807_-0", &r, why,
                            sizeof(why)));
    CU_ASSERT_EQUAL(r.device, INT64_MAX);
    CU_ASSERT_EQUAL(r.user, 0);
    tk_csv_free(&c);
}

static void test_log2_invalid(void)
{
    static const struct {
        const char *line, *needle;
    } bad[] = {
        { "01-01-2020 10:00:00;1;2;3", "expected 5 fields, found 4" },
        { "01-01-2020 10:00:00;x;2;3;1_1", "userId 'x' is not an integer" },
        { "01-01-2020 10:00:00;1;;3;1_1", "songId" },
        { "01-01-2020 10:00:00;1;2;2147483648;1_1", "genderId '2147483648' is out of range" },
        { "01-01-2020 10:00:00;1;2;-2147483649;1_1", "genderId" },
        { "29-02-1900 10:00:00;1;2;3;1_1", "hour '29-02-1900 10:00:00' is not" },
        { "31-04-2021 10:00:00;1;2;3;1_1", "hour" },
        { "01-01-2020 24:00:00;1;2;3;1_1", "hour" },
        { "01-01-2020 10:00:00;1;2;3;1_2", "deviceId '1_2' belongs to user 2, not 1" },
        { "01-01-2020 10:00:00;1;2;3;x_1", "deviceId 'x_1' is not DEVICE_USERID" },
        { "01-01-2020 10:00:00;1;2;3;_1", "deviceId '_1' is not DEVICE_USERID" },
        { "01-01-2020 10:00:00;1;2;3;1_", "deviceId '1_' is not DEVICE_USERID" },
        { "01-01-2020 10:00:00;-1;2;3;-1_-1", "deviceId '-1_-1' is not" },
        { "01-01-2020 10:00:00;5;2;3;-1_5", "deviceId '-1_5' is not" },
        { "01-01-2020 10:00:00;5;2;3;+1_5", "deviceId '+1_5' is not" },
        { "01-01-2020 10:00:00;1;2;3;11", "deviceId '11' is not" },
        { "01-01-2020 10:00:00;1;2;3;", "deviceId" },
        { "01-01-2020 10:00:00;1;2;3;1_1_1", "deviceId" },
        { "01-01-2020 10:00:00;1;2;3;1_1x", "deviceId" },
        { "01-01-2020 10:00:00;1;2;3;1 _1", "deviceId" },
        { "01-01-2020 10:00:00;1;2;3;1_99999999999999999999", "deviceId" },
    };
    tk_csv c;
    lj_play_rec r;
    char why[128];
    size_t i;

    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *w = row_log2(&c, bad[i].line, &r, why, sizeof(why));
        CU_ASSERT_PTR_NOT_NULL(w);
        if (!w || !strstr(w, bad[i].needle)) {
            CU_FAIL("LOG2 row accepted or reason does not name the problem");
            fprintf(stderr, "\n  '%s': reason '%s', wanted '%s'\n", bad[i].line,
                    w ? w : "(accepted)", bad[i].needle);
        }
    }
    tk_csv_free(&c);
}

static void test_log2_long_device_number(void)
{
    /* D of deviceId "D_USERID" is a device number: it must fit int64
     * (README and tests/reference_join.py); longer ones make the row bad */
    tk_csv c;
    lj_play_rec r;
    char why[128];
    const char *w;

    CU_ASSERT_EQUAL_FATAL(tk_csv_init(&c, ';'), TK_OK);
    w = row_log2(&c, "01-01-2020 10:00:00;1;2;3;99999999999999999999_1", &r, why, sizeof(why));
    CU_ASSERT_PTR_NOT_NULL(w);
    CU_ASSERT_PTR_NOT_NULL(w ? strstr(w, "device number out of range") : NULL);
    w = row_log2(&c, "01-01-2020 10:00:00;1;2;3;9223372036854775807_1", &r, why, sizeof(why));
    CU_ASSERT_PTR_NULL(w);
    CU_ASSERT_EQUAL(r.device, INT64_MAX);
    w = row_log2(&c, "01-01-2020 10:00:00;1;2;3;007_1", &r, why, sizeof(why));
    CU_ASSERT_PTR_NULL(w);
    CU_ASSERT_EQUAL(r.device, 7);
    tk_csv_free(&c);
}

int unit_register_parse(void)
{
    static const unit_test tests[] = {
        { "i64 valid values, -0, +5", test_i64_valid },
        { "i64 limits and overflow", test_i64_limits },
        { "i64 syntax errors (\"\", 1e3, ...)", test_i64_syntax },
        { "i64 inline 8-digit path equals the plain one", test_i64_fast_vs_slow },
        { "i64 bounds and length", test_i64_bounds_and_length },
        { "i64 random round trip", test_i64_round_trip },
        { "double", test_double },
        { "bool", test_bool },
        { "double: underflow to subnormal or zero, overflow", test_double_underflow },
        { "nonfinite: nan and infinity spellings", test_nonfinite },
        { "log_escape: NUL, control bytes, cuts", test_log_escape },
        { "hour valid", test_hour_valid },
        { "hour leap years", test_hour_leap_years },
        { "hour invalid dates and times", test_hour_invalid },
        { "hour every day 1896-2104", test_hour_every_day },
        { "log1 valid rows", test_log1_valid },
        { "log1 invalid rows", test_log1_invalid },
        { "log2 valid rows", test_log2_valid },
        { "log2 invalid rows", test_log2_invalid },
        { "log2 device number beyond int64", test_log2_long_device_number },
        { NULL, NULL }
    };
    return unit_add_suite("parse", tests);
}
