/* test_table.c -- tk_table_list / tk_table_read on one rank: CSV (';' and
 * ',' delimiters, missing values, CRLF, BOM, empty lines, bad rows with their
 * true line numbers) and HDF5 (written with tk_h5_*, plus raw HDF5 for the
 * datasets logjoin never writes). Multi-rank slicing is exercised by the
 * programs' integration tests. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>
#include <mpi.h>

#include "tk_h5.h"
#include "tk_table.h"
#include "tk_text.h"
#include "unit.h"

#define COMM MPI_COMM_SELF

/* ---- helpers ---- */

typedef struct fx {
    char dir[64];
    char path[PATH_MAX];
} fx;

static int fx_open(fx *f)
{
    tk_h5_quiet();
    return unit_tmpdir(f->dir, sizeof(f->dir));
}

static void fx_close(fx *f)
{
    unit_rmtree(f->dir);
}

/* Writes text to DIR/name; the full path is f->path. */
static int put(fx *f, const char *name, const char *text)
{
    return unit_write_file(f->dir, name, text, strlen(text), f->path, sizeof(f->path));
}

/* Column j of t equals want[0..n) (NaN equals NaN; float columns compared
 * with want rounded to float). */
static int col_is(const tk_table *t, int j, const double *want, size_t n)
{
    size_t i;

    if (j < 0 || (size_t)j >= t->ncols || t->nrows != n || !t->cols[j])
        return 0;
    for (i = 0; i < n; i++) {
        double got = t->type == TK_COL_F32 ? (double)((const float *)t->cols[j])[i]
                                           : ((const double *)t->cols[j])[i];
        double w = t->type == TK_COL_F32 ? (double)(float)want[i] : want[i];
        if (!(got == w || (isnan(got) && isnan(w)))) {
            fprintf(stderr, "\n  column %s row %zu = %.17g, wanted %.17g\n", t->names[j], i,
                    got, w);
            return 0;
        }
    }
    return 1;
}

static int msg_is(const tk_err *e, const char *fmt, const char *path)
{
    char want[TK_ERR_MSG_MAX];

    snprintf(want, sizeof(want), fmt, path);
    if (strcmp(e->msg, want) != 0) {
        fprintf(stderr, "\n  message \"%s\"\n  wanted  \"%s\"\n", e->msg, want);
        return 0;
    }
    return 1;
}

/* Reads names from f->path; returns the status (t and e filled). */
static int rd(fx *f, const char *group, const char *const *names, size_t n, tk_coltype type,
              tk_table *t, tk_err *e)
{
    tk_err_clear(e);
    return tk_table_read(COMM, f->path, group, names, n, type, t, e);
}

/* The status of reading names from text as a CSV; the message in e. */
static int rd_csv(fx *f, const char *text, const char *const *names, size_t n, tk_err *e)
{
    tk_table t;
    int rc;

    if (put(f, "t.csv", text) != 0)
        return -1;
    rc = rd(f, NULL, names, n, TK_COL_F64, &t, e);
    if (rc == TK_OK)
        tk_table_free(&t);
    else if (t.ncols != 0 || t.cols != NULL || t.names != NULL || t.nrows != 0)
        return -2; /* a failed read leaves an empty table */
    return rc;
}

/* The names listed for f->path equal want[0..n). */
static int list_is(fx *f, const char *group, const char *const *want, size_t n)
{
    char **names = NULL;
    size_t got = 0, i;
    tk_err e;
    int ok;

    tk_err_clear(&e);
    if (tk_table_list(COMM, f->path, group, &names, &got, &e) != TK_OK) {
        fprintf(stderr, "\n  list: %s\n", e.msg);
        return 0;
    }
    ok = got == n;
    for (i = 0; ok && i < n; i++)
        ok = strcmp(names[i], want[i]) == 0;
    if (!ok) {
        fprintf(stderr, "\n  listed:");
        for (i = 0; i < got; i++)
            fprintf(stderr, " [%s]", names[i]);
        fprintf(stderr, "\n");
    }
    tk_table_names_free(names, got);
    return ok;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- CSV ---- */

static void test_csv_semicolon(void)
{
    /* logjoin's features.csv */
    static const char text[] = "userId;topGenderId;region;paid;plays\n"
                               "242;10;0;false;7\n"
                               "296;10;0;true;116\n"
                               "301;-3;2;TRUE;1\n";
    static const char *const all[] = { "userId", "topGenderId", "region", "paid", "plays" };
    static const char *const ask[] = { "paid", "userId", "plays" };
    static const double paid[] = { 0, 1, 1 }, user[] = { 242, 296, 301 }, plays[] = { 7, 116, 1 };
    fx f;
    tk_table t;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    CU_ASSERT_EQUAL_FATAL(put(&f, "features.csv", text), 0);
    CU_ASSERT_TRUE(list_is(&f, NULL, all, N(all)));
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, ask, N(ask), TK_COL_F64, &t, &e), TK_OK);
    CU_ASSERT_EQUAL(t.ncols, 3);
    CU_ASSERT_EQUAL(t.nrows, 3);
    CU_ASSERT_EQUAL(t.row0, 0);
    CU_ASSERT_EQUAL(t.total, 3);
    CU_ASSERT_EQUAL(t.is_csv, 1);
    CU_ASSERT_EQUAL(t.delim, ';');
    CU_ASSERT_EQUAL(t.type, TK_COL_F64);
    CU_ASSERT_STRING_EQUAL(t.names[0], "paid");
    CU_ASSERT_EQUAL(tk_table_find(&t, "userId"), 1);
    CU_ASSERT_EQUAL(tk_table_find(&t, "plays"), 2);
    CU_ASSERT_EQUAL(tk_table_find(&t, "region"), -1);
    CU_ASSERT_TRUE(col_is(&t, 0, paid, 3));
    CU_ASSERT_TRUE(col_is(&t, 1, user, 3));
    CU_ASSERT_TRUE(col_is(&t, 2, plays, 3));
    CU_ASSERT_TRUE(t.is_int[0] && t.is_int[1] && t.is_int[2]);
    tk_table_free(&t);
    CU_ASSERT_EQUAL(t.ncols, 0);
    CU_ASSERT_PTR_NULL(t.cols);
    tk_table_free(&t); /* twice is harmless */
    fx_close(&f);
}

static void test_csv_comma_missing(void)
{
    /* a pandas dump: floats, empty fields and the other missing markers */
    static const char text[] = "a,b,c,target,none\n"
                               "0.5,55.0,-1e3,0,\n"
                               ",89.0,NaN,1,NA\n"
                               "nan,,2.5e-3,1,nan\n"
                               "NA,7,+4,0,NaN\n";
    static const char *const ask[] = { "a", "b", "c", "target", "none" };
    static const double a[] = { 0.5, NAN, NAN, NAN }, b[] = { 55, 89, NAN, 7 },
                        c[] = { -1000, NAN, 0.0025, 4 }, tg[] = { 0, 1, 1, 0 },
                        none[] = { NAN, NAN, NAN, NAN };
    fx f;
    tk_table t;
    tk_err e;
    int k;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    CU_ASSERT_EQUAL_FATAL(put(&f, "d.csv", text), 0);
    for (k = 0; k < 2; k++) {
        tk_coltype type = k ? TK_COL_F32 : TK_COL_F64;
        CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, ask, N(ask), type, &t, &e), TK_OK);
        CU_ASSERT_EQUAL(t.delim, ',');
        CU_ASSERT_EQUAL(t.type, type);
        CU_ASSERT_TRUE(col_is(&t, 0, a, 4));
        CU_ASSERT_TRUE(col_is(&t, 1, b, 4));
        CU_ASSERT_TRUE(col_is(&t, 2, c, 4));
        CU_ASSERT_TRUE(col_is(&t, 3, tg, 4));
        CU_ASSERT_TRUE(col_is(&t, 4, none, 4));
        /* integers by value; an all-missing column counts as integer */
        CU_ASSERT_EQUAL(t.is_int[0], 0);
        CU_ASSERT_EQUAL(t.is_int[1], 1);
        CU_ASSERT_EQUAL(t.is_int[2], 0);
        CU_ASSERT_EQUAL(t.is_int[3], 1);
        CU_ASSERT_EQUAL(t.is_int[4], 1);
        tk_table_free(&t);
    }
    fx_close(&f);
}

static void test_csv_float_precision(void)
{
    static const char text[] = "x\n0.1\n16777217\n1e-300\n";
    static const char *const ask[] = { "x" };
    fx f;
    tk_table t;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    CU_ASSERT_EQUAL_FATAL(put(&f, "p.csv", text), 0);
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, ask, 1, TK_COL_F64, &t, &e), TK_OK);
    CU_ASSERT_EQUAL(((double *)t.cols[0])[0], 0.1);
    CU_ASSERT_EQUAL(((double *)t.cols[0])[1], 16777217.0);
    CU_ASSERT_EQUAL(((double *)t.cols[0])[2], 1e-300);
    tk_table_free(&t);
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, ask, 1, TK_COL_F32, &t, &e), TK_OK);
    CU_ASSERT_EQUAL(((float *)t.cols[0])[0], 0.1f);
    CU_ASSERT_EQUAL(((float *)t.cols[0])[1], 16777216.0f);
    CU_ASSERT_EQUAL(((float *)t.cols[0])[2], 0.0f);
    tk_table_free(&t);
    fx_close(&f);
}

static void test_csv_crlf_bom_empty_lines(void)
{
    /* CRLF, a UTF-8 BOM, empty lines (LF and CRLF), quoted fields, no final newline */
    static const char text[] = "\xEF\xBB\xBF\"x\";y\r\n"
                               "1;2\r\n"
                               "\r\n"
                               "\n"
                               "\"3\";4.5\r\n"
                               " 5 ;\"\"\r\n"
                               "\n"
                               "7;8";
    static const char *const all[] = { "x", "y" };
    static const double x[] = { 1, 3, 5, 7 }, y[] = { 2, 4.5, NAN, 8 };
    fx f;
    tk_table t;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    CU_ASSERT_EQUAL_FATAL(put(&f, "crlf.csv", text), 0);
    CU_ASSERT_TRUE(list_is(&f, NULL, all, 2));
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, all, 2, TK_COL_F64, &t, &e), TK_OK);
    CU_ASSERT_EQUAL(t.delim, ';');
    CU_ASSERT_EQUAL(t.total, 4);
    CU_ASSERT_TRUE(col_is(&t, 0, x, 4));
    CU_ASSERT_TRUE(col_is(&t, 1, y, 4));
    CU_ASSERT_EQUAL(t.is_int[0], 1);
    CU_ASSERT_EQUAL(t.is_int[1], 0);
    tk_table_free(&t);
    fx_close(&f);
}

static void test_csv_large(void)
{
    /* more rows than the first column capacity and more bytes than one chunk */
    const size_t rows = 120000;
    static const char *const ask[] = { "i", "half", "flag" };
    char *text = malloc(rows * 32 + 64), *p;
    double *want = malloc(rows * sizeof(*want));
    fx f;
    tk_table t;
    tk_err e;
    size_t i, ok = 1;

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    p = text + sprintf(text, "i,half,flag\n");
    for (i = 0; i < rows; i++)
        p += sprintf(p, "%zu,%.1f,%s\n", i, (double)i / 2, i % 3 ? "true" : "false");
    CU_ASSERT_EQUAL_FATAL(put(&f, "big.csv", text), 0);
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, ask, 3, TK_COL_F64, &t, &e), TK_OK);
    CU_ASSERT_EQUAL(t.nrows, rows);
    CU_ASSERT_EQUAL(t.total, rows);
    for (i = 0; i < rows; i++)
        want[i] = (double)i;
    CU_ASSERT_TRUE(col_is(&t, 0, want, rows));
    for (i = 0; i < rows && t.nrows == rows; i++) {
        ok &= ((double *)t.cols[1])[i] == (double)i / 2;
        ok &= ((double *)t.cols[2])[i] == (i % 3 ? 1.0 : 0.0);
    }
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(t.is_int[0], 1);
    CU_ASSERT_EQUAL(t.is_int[1], 0);
    CU_ASSERT_EQUAL(t.is_int[2], 1);
    tk_table_free(&t);
    fx_close(&f);
    free(text);
    free(want);
}

static void test_csv_bad_rows(void)
{
    static const char *const xy[] = { "x", "y" }, *const y[] = { "y" };
    fx f;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    /* true line numbers: the header is line 1, empty lines count */
    CU_ASSERT_EQUAL(rd_csv(&f, "x;y\n1;2\n\n3;4\r\n\n6;abc\n7;zz\n", xy, 2, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s:6: column 'y': 'abc' is not a number", f.path));
    /* a column not asked for is not checked */
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\nabc,1\n", y, 1, &e), TK_OK);
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\n1,infinit\n", xy, 2, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s:2: column 'y': 'infinit' is not a number", f.path));
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\n1,nana\n", xy, 2, &e), TK_EDATA);
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\n1,0x10\n", xy, 2, &e), TK_EDATA);
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\n1,yes\n", xy, 2, &e), TK_EDATA);
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\n1,\"\"\"\"\n", xy, 2, &e), TK_EDATA);
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\n1,1e999\n", xy, 2, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s:2: column 'y': '1e999' is out of range", f.path));
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\n1,2\n3\n", xy, 2, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s:3: expected 2 fields, found 1", f.path));
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\n1,2,\n", xy, 2, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s:2: expected 2 fields, found 3", f.path));
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\n1,2\n1,\"2\n", xy, 2, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s:3: malformed quoting", f.path));
    /* long or control-laden values are cut and escaped */
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\n1,\"a\tbcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH\"\n",
                           xy, 2, &e),
                    TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e,
                          "%s:2: column 'y': 'a\\tbcdefghijklmnopqrstuvwxyz0123456789ABC...' is "
                          "not a number",
                          f.path));
    fx_close(&f);
}

static void test_csv_f32_range(void)
{
    static const char *const x[] = { "x" };
    fx f;
    tk_table t;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    CU_ASSERT_EQUAL_FATAL(put(&f, "r.csv", "x\n1e39\n"), 0);
    CU_ASSERT_EQUAL(rd(&f, NULL, x, 1, TK_COL_F32, &t, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s:2: column 'x': '1e39' is out of range for float32", f.path));
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, x, 1, TK_COL_F64, &t, &e), TK_OK);
    CU_ASSERT_EQUAL(((double *)t.cols[0])[0], 1e39);
    tk_table_free(&t);
    fx_close(&f);
}

static void test_csv_header_errors(void)
{
    static const char *const x[] = { "x" }, *const xz[] = { "x", "zz" };
    fx f;
    tk_err e;
    char **names = (char **)1;
    size_t n = 99;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    /* unknown column: usage error listing the header */
    CU_ASSERT_EQUAL(rd_csv(&f, "x;y;z\n1;2;3\n", xz, 2, &e), TK_EUSAGE);
    CU_ASSERT_TRUE(msg_is(&e, "unknown column 'zz' in %s (available: x, y, z)", f.path));
    /* a header only: no rows */
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\n", x, 1, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s: no rows", f.path));
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\n\n\r\n\n", x, 1, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s: no rows", f.path));
    /* an empty file, an empty header */
    CU_ASSERT_EQUAL(rd_csv(&f, "", x, 1, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s: empty file (no header line)", f.path));
    CU_ASSERT_EQUAL(rd_csv(&f, "\n1\n", x, 1, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s:1: empty header line", f.path));
    CU_ASSERT_EQUAL(rd_csv(&f, "\"x\n1\n", x, 1, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s:1: bad header: malformed quoting", f.path));
    /* a binary file is neither */
    CU_ASSERT_EQUAL_FATAL(unit_write_file(f.dir, "bin", "\x7f" "ELF\0\0x\n", 8, f.path,
                                          sizeof(f.path)),
                          0);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_table_list(COMM, f.path, NULL, &names, &n, &e), TK_EDATA);
    CU_ASSERT_PTR_NULL(names);
    CU_ASSERT_EQUAL(n, 0);
    /* the asked column twice in the header */
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y,x\n1,2,3\n", x, 1, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s: column 'x' appears more than once in the header", f.path));
    /* ... is fine when not asked */
    CU_ASSERT_EQUAL(rd_csv(&f, "y,x,y\n1,2,3\n", x, 1, &e), TK_OK);
    /* no columns asked */
    CU_ASSERT_EQUAL(rd_csv(&f, "x\n1\n", x, 0, &e), TK_EUSAGE);
    fx_close(&f);
}

static void test_unknown_column_list_truncated(void)
{
    static const char *const ask[] = { "nope" };
    char *text = malloc(64 * 1024), *p;
    fx f;
    tk_err e;
    int i;

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    p = text;
    for (i = 0; i < 300; i++)
        p += sprintf(p, "%scolumn_%03d", i ? "," : "", i);
    p += sprintf(p, "\n");
    for (i = 0; i < 300; i++)
        p += sprintf(p, "%s%d", i ? "," : "", i);
    sprintf(p, "\n");
    CU_ASSERT_EQUAL(rd_csv(&f, text, ask, 1, &e), TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "unknown column 'nope' in "));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "(available: column_000, column_001, "));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, " more)"));
    CU_ASSERT_TRUE(strlen(e.msg) < TK_ERR_MSG_MAX - 1);
    CU_ASSERT_EQUAL(e.msg[strlen(e.msg) - 1], ')');
    fx_close(&f);
    free(text);
}

static void test_missing_file(void)
{
    static const char *const x[] = { "x" };
    char **names = NULL;
    size_t n = 0;
    tk_table t;
    tk_err e;

    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_table_list(COMM, "/nonexistent/t.csv", NULL, &names, &n, &e),
                    TK_ENOINPUT);
    CU_ASSERT_STRING_EQUAL(e.msg, "/nonexistent/t.csv: No such file or directory");
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_table_read(COMM, "/nonexistent/t.h5", NULL, x, 1, TK_COL_F32, &t, &e),
                    TK_ENOINPUT);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_table_read(COMM, "/tmp", NULL, x, 1, TK_COL_F32, &t, &e), TK_ENOINPUT);
    /* an error already recorded is returned untouched */
    tk_err_clear(&e);
    tk_err_set(&e, TK_EIO, "earlier");
    CU_ASSERT_EQUAL(tk_table_read(COMM, "/tmp", NULL, x, 1, TK_COL_F32, &t, &e), TK_EIO);
    CU_ASSERT_STRING_EQUAL(e.msg, "earlier");
    tk_table_names_free(NULL, 0);
}

/* ---- one number rule (tk_table.h) ---- */

/* The value of x in the CSV "x,z\nVALUE,1\n" read as type: 0 and *v, or
 * the status (message in e). */
static int one_value(fx *f, const char *value, tk_coltype type, double *v, tk_err *e)
{
    static const char *const x[] = { "x" };
    char text[128];
    tk_table t;
    int rc;

    snprintf(text, sizeof(text), "x,z\n%s,1\n", value); /* "" is not an empty line */
    if (put(f, "v.csv", text) != 0)
        return -1;
    rc = rd(f, NULL, x, 1, type, &t, e);
    if (rc == TK_OK) {
        *v = type == TK_COL_F32 ? (double)((float *)t.cols[0])[0] : ((double *)t.cols[0])[0];
        tk_table_free(&t);
    }
    return rc;
}

static void test_csv_nan_inf_spellings(void)
{
    static const char *const nan_s[] = { "", "NA", "nan", "NaN", "NAN", "nAn", "-nan", "+NaN" };
    static const char *const pinf[] = { "inf", "INF", "Inf", "+inf", "infinity", "Infinity",
                                        "INFINITY", "+Infinity" };
    static const char *const ninf[] = { "-inf", "-INF", "-Infinity", "-infinity" };
    static const char *const bad[] = { "na", "nan1", "in", "infinit", "infinityy", "--inf",
                                       "inf inf", "n/a", "1e", "0x1p3" };
    fx f;
    tk_err e;
    double v = 0;
    size_t i;
    int k;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    for (k = 0; k < 2; k++) {
        tk_coltype type = k ? TK_COL_F32 : TK_COL_F64;
        for (i = 0; i < N(nan_s); i++) {
            CU_ASSERT_EQUAL(one_value(&f, nan_s[i], type, &v, &e), TK_OK);
            CU_ASSERT_TRUE(isnan(v));
        }
        /* infinities: values of a float64 (kept) column, refused as float32
         * features and labels (xgboost refuses them) with the line */
        for (i = 0; i < N(pinf); i++) {
            v = 0;
            CU_ASSERT_EQUAL(one_value(&f, pinf[i], type, &v, &e), k ? TK_EDATA : TK_OK);
            CU_ASSERT_TRUE(k ? strstr(e.msg, ":2: column 'x': '") && strstr(e.msg, "' is infinite")
                             : isinf(v) && v > 0);
        }
        for (i = 0; i < N(ninf); i++) {
            v = 0;
            CU_ASSERT_EQUAL(one_value(&f, ninf[i], type, &v, &e), k ? TK_EDATA : TK_OK);
            CU_ASSERT_TRUE(k ? strstr(e.msg, "' is infinite (features and labels must be "
                                             "finite)") != NULL
                             : isinf(v) && v < 0);
        }
        for (i = 0; i < N(bad); i++) {
            CU_ASSERT_EQUAL(one_value(&f, bad[i], type, &v, &e), TK_EDATA);
            CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is not a number"));
        }
    }
    fx_close(&f);
}

static void test_csv_float_limits(void)
{
    fx f;
    tk_err e;
    double v = 0;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    /* float32's maximum, written as numpy prints it, rounds to FLT_MAX */
    CU_ASSERT_EQUAL(one_value(&f, "3.4028235e38", TK_COL_F32, &v, &e), TK_OK);
    CU_ASSERT_EQUAL(v, (double)FLT_MAX);
    CU_ASSERT_EQUAL(one_value(&f, "-3.4028235e+38", TK_COL_F32, &v, &e), TK_OK);
    CU_ASSERT_EQUAL(v, -(double)FLT_MAX);
    /* just below the midpoint between FLT_MAX and 2^128 */
    CU_ASSERT_EQUAL(one_value(&f, "3.40282356e38", TK_COL_F32, &v, &e), TK_OK);
    CU_ASSERT_EQUAL(v, (double)FLT_MAX);
    CU_ASSERT_EQUAL(one_value(&f, "3.4028236e38", TK_COL_F32, &v, &e), TK_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'3.4028236e38' is out of range for float32"));
    CU_ASSERT_EQUAL(one_value(&f, "1e39", TK_COL_F32, &v, &e), TK_EDATA);
    CU_ASSERT_EQUAL(one_value(&f, "3.4028236e38", TK_COL_F64, &v, &e), TK_OK);
    CU_ASSERT_EQUAL(v, 3.4028236e38);
    /* subnormals and underflow are values, never out of range */
    CU_ASSERT_EQUAL(one_value(&f, "1e-45", TK_COL_F32, &v, &e), TK_OK);
    CU_ASSERT_EQUAL(v, (double)1.4e-45f);
    CU_ASSERT_TRUE(v > 0);
    CU_ASSERT_EQUAL(one_value(&f, "1.4e-45", TK_COL_F32, &v, &e), TK_OK);
    CU_ASSERT_EQUAL(v, (double)1.4e-45f);
    CU_ASSERT_EQUAL(one_value(&f, "-1e-46", TK_COL_F32, &v, &e), TK_OK);
    CU_ASSERT_EQUAL(v, 0.0);
    CU_ASSERT_EQUAL(one_value(&f, "1e-320", TK_COL_F64, &v, &e), TK_OK);
    CU_ASSERT_EQUAL(v, 1e-320);
    CU_ASSERT_EQUAL(one_value(&f, "1e-320", TK_COL_F32, &v, &e), TK_OK);
    CU_ASSERT_EQUAL(v, 0.0);
    CU_ASSERT_EQUAL(one_value(&f, "4.9e-324", TK_COL_F64, &v, &e), TK_OK);
    CU_ASSERT_EQUAL(v, 4.9e-324);
    CU_ASSERT_EQUAL(one_value(&f, "1e-400", TK_COL_F64, &v, &e), TK_OK);
    CU_ASSERT_EQUAL(v, 0.0);
    CU_ASSERT_EQUAL(one_value(&f, "1.8e308", TK_COL_F64, &v, &e), TK_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "'1.8e308' is out of range"));
    fx_close(&f);
}

static void test_messages_escaped(void)
{
    static const char *const xy[] = { "x", "y" }, *const nope[] = { "n\001pe" };
    fx f;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    /* a NUL byte is shown, not taken as the end of the value */
    CU_ASSERT_EQUAL_FATAL(unit_write_file(f.dir, "t.csv", "x,y\n1,ab\0cd\n", 12, f.path,
                                          sizeof(f.path)),
                          0);
    tk_err_clear(&e);
    {
        tk_table t;
        CU_ASSERT_EQUAL(tk_table_read(COMM, f.path, NULL, xy, 2, TK_COL_F32, &t, &e), TK_EDATA);
    }
    CU_ASSERT_TRUE(msg_is(&e, "%s:2: column 'y': 'ab\\0cd' is not a number", f.path));
    CU_ASSERT_EQUAL(rd_csv(&f, "x,y\n1,\"\001\r\x7f\\\"\n", xy, 2, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s:2: column 'y': '\\x01\\r\\x7f\\\\' is not a number", f.path));
    /* the name asked and the header's names too */
    CU_ASSERT_EQUAL(rd_csv(&f, "a\002,b\n1,2\n", nope, 1, &e), TK_EUSAGE);
    CU_ASSERT_TRUE(msg_is(&e, "unknown column 'n\\x01pe' in %s (available: a\\x02, b)", f.path));
    fx_close(&f);
}

static void test_not_what_the_name_says(void)
{
    static const char *const x[] = { "x" };
    char **names = NULL;
    size_t n = 0;
    tk_table t;
    tk_err e;
    fx f;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    /* text named .h5 / .hdf5: not an HDF5 file */
    CU_ASSERT_EQUAL_FATAL(put(&f, "t.h5", "x\n1\n"), 0);
    CU_ASSERT_EQUAL(rd_csv(&f, "x\n1\n", x, 1, &e), TK_OK); /* the same bytes as .csv */
    CU_ASSERT_EQUAL_FATAL(put(&f, "t.h5", "x\n1\n"), 0);
    CU_ASSERT_EQUAL(rd(&f, NULL, x, 1, TK_COL_F32, &t, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s: not an HDF5 file (no HDF5 signature)", f.path));
    CU_ASSERT_EQUAL_FATAL(unit_write_file(f.dir, "b.HDF5", "\x7f" "ELF\0\0x\n", 8, f.path,
                                          sizeof(f.path)),
                          0);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_table_list(COMM, f.path, NULL, &names, &n, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s: not an HDF5 file (no HDF5 signature)", f.path));
    /* a tab-delimited file: one field, and a hint */
    CU_ASSERT_EQUAL(rd_csv(&f, "a\tx\n1\t2\n", x, 1, &e), TK_EUSAGE);
    CU_ASSERT_TRUE(msg_is(&e,
                          "unknown column 'x' in %s (available: a\\tx); the header has one "
                          "field; is the file '\\t'-delimited?",
                          f.path));
    CU_ASSERT_EQUAL(rd_csv(&f, "a|x\n1|2\n", x, 1, &e), TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "is the file '|'-delimited?"));
    CU_ASSERT_EQUAL(rd_csv(&f, "\"a;x\"\n1\n", x, 1, &e), TK_EUSAGE); /* ';' is its delimiter */
    CU_ASSERT_PTR_NULL(strstr(e.msg, "one field"));
    fx_close(&f);
}

static void test_fifo_and_folder(void)
{
    static const char *const x[] = { "x" };
    static const char *const kinds[] = { "fifo.csv", "fifo.h5", "dir.csv", "dir.h5" };
    char **names = NULL;
    size_t n = 0, i;
    tk_table t;
    tk_err e;
    fx f;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    for (i = 0; i < N(kinds); i++) {
        snprintf(f.path, sizeof(f.path), "%s/%s", f.dir, kinds[i]);
        CU_ASSERT_EQUAL_FATAL(i < 2 ? mkfifo(f.path, 0600) : mkdir(f.path, 0700), 0);
        /* opening a FIFO without a writer must not block */
        tk_err_clear(&e);
        CU_ASSERT_EQUAL(tk_table_list(COMM, f.path, NULL, &names, &n, &e), TK_ENOINPUT);
        CU_ASSERT_TRUE(msg_is(&e, "%s: not a regular file", f.path));
        CU_ASSERT_EQUAL(rd(&f, NULL, x, 1, TK_COL_F32, &t, &e), TK_ENOINPUT);
        CU_ASSERT_TRUE(msg_is(&e, "%s: not a regular file", f.path));
    }
    fx_close(&f);
}

/* ---- exact integers (TK_COL_EXACT) ---- */

static void test_csv_exact_ints(void)
{
    static const char text[] = "id,b,d,f,gap\n"
                               "9223372036854775807,true,55.0,0.5,\n"
                               "-9223372036854775807,false,-1e3,1,9007199254740993\n"
                               "-9223372036854775808,TRUE,9007199254740992,2,NA\n"
                               "9007199254740993,0,+4,3,-5\n";
    static const char *const ask[] = { "id", "b", "d", "f", "gap" };
    static const int64_t id[] = { INT64_MAX, -INT64_MAX, INT64_MIN, 9007199254740993LL },
                         b[] = { 1, 0, 1, 0 }, d[] = { 55, -1000, 9007199254740992LL, 4 },
                         gap[] = { 0, 9007199254740993LL, 0, -5 };
    fx f;
    tk_table t;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    CU_ASSERT_EQUAL_FATAL(put(&f, "x.csv", text), 0);
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, ask, N(ask), TK_COL_EXACT, &t, &e), TK_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t.icols);
    CU_ASSERT_TRUE(t.is_int[0] && t.is_int[1] && t.is_int[2] && !t.is_int[3] && t.is_int[4]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t.icols[0]);
    CU_ASSERT_TRUE(memcmp(t.icols[0], id, sizeof(id)) == 0);
    CU_ASSERT_TRUE(memcmp(t.icols[1], b, sizeof(b)) == 0);
    CU_ASSERT_TRUE(memcmp(t.icols[2], d, sizeof(d)) == 0);
    CU_ASSERT_PTR_NULL(t.icols[3]);
    CU_ASSERT_TRUE(memcmp(t.icols[4], gap, sizeof(gap)) == 0);
    /* doubles as well; missing is NaN there */
    CU_ASSERT_EQUAL(((double *)t.cols[0])[0], 9223372036854775807.0);
    CU_ASSERT_TRUE(isnan(((double *)t.cols[4])[0]) && isnan(((double *)t.cols[4])[2]));
    tk_table_free(&t);
    CU_ASSERT_PTR_NULL(t.icols);
    /* without TK_COL_EXACT: no int64 copies, same doubles */
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, ask, N(ask), TK_COL_F64, &t, &e), TK_OK);
    CU_ASSERT_PTR_NULL(t.icols);
    tk_table_free(&t);
    fx_close(&f);
}

static void test_csv_exact_limits(void)
{
    static const char *const x[] = { "x" };
    fx f;
    tk_table t;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    /* a decimal beyond 2^53 may not be the integer written: a float column */
    CU_ASSERT_EQUAL_FATAL(put(&f, "a.csv", "x\n1\n9007199254740994.0\n"), 0);
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, x, 1, TK_COL_EXACT, &t, &e), TK_OK);
    CU_ASSERT_EQUAL(t.is_int[0], 0);
    CU_ASSERT_PTR_NULL(t.icols[0]);
    tk_table_free(&t);
    /* an integer literal outside int64: an error when exact, a double otherwise */
    CU_ASSERT_EQUAL_FATAL(put(&f, "b.csv", "x\n1\n\n-9223372036854775809\n"), 0);
    CU_ASSERT_EQUAL(rd(&f, NULL, x, 1, TK_COL_EXACT, &t, &e), TK_EDATA);
    CU_ASSERT_TRUE(
        msg_is(&e, "%s:4: column 'x': '-9223372036854775809' is an integer beyond int64", f.path));
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, x, 1, TK_COL_F64, &t, &e), TK_OK);
    CU_ASSERT_EQUAL(((double *)t.cols[0])[1], -9223372036854775808.0);
    tk_table_free(&t);
    /* an all-missing column is an integer column of zeros */
    CU_ASSERT_EQUAL_FATAL(put(&f, "c.csv", "x\n\nNA\n\"\"\n"), 0);
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, x, 1, TK_COL_EXACT, &t, &e), TK_OK);
    CU_ASSERT_TRUE(t.is_int[0] && t.icols[0] && t.nrows == 2 && t.icols[0][1] == 0);
    tk_table_free(&t);
    fx_close(&f);
}

/* An HDF5 file with int64 extremes, uint64 and int8 columns and a float. */
static int write_h5_ints(const char *path)
{
    static const int64_t i64[] = { INT64_MAX, -INT64_MAX, INT64_MIN, 9007199254740993LL };
    static const uint64_t u64[] = { (uint64_t)INT64_MAX, 0, 1, 9007199254740993ULL },
                          big[] = { 1, 2, 18446744073709551615ULL, 3 };
    static const int8_t i8[] = { -128, 127, 0, -1 };
    static const double f64[] = { 0.5, 1, 2, 3 };
    hid_t file, group;
    tk_err e;
    int ok;

    tk_err_clear(&e);
    if (tk_h5_create(COMM, path, &file, &e) != TK_OK)
        return -1;
    ok = tk_h5_create_group(file, "features", &group, &e) == TK_OK;
    ok = ok && tk_h5_write_column(group, "i64", H5T_STD_I64BE, H5T_NATIVE_INT64, i64, 0, 4, 4,
                                  &e) == TK_OK;
    ok = ok && tk_h5_write_column(group, "u64", H5T_STD_U64LE, H5T_NATIVE_UINT64, u64, 0, 4, 4,
                                  &e) == TK_OK;
    ok = ok && tk_h5_write_column(group, "big", H5T_STD_U64LE, H5T_NATIVE_UINT64, big, 0, 4, 4,
                                  &e) == TK_OK;
    ok = ok && tk_h5_write_column(group, "i8", H5T_STD_I8LE, H5T_NATIVE_INT8, i8, 0, 4, 4, &e) ==
                   TK_OK;
    ok = ok && tk_h5_write_column(group, "f64", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, f64, 0, 4, 4,
                                  &e) == TK_OK;
    if (ok)
        H5Gclose(group);
    H5Fclose(file);
    return ok ? 0 : -1;
}

static void test_h5_exact_ints(void)
{
    static const char *const ask[] = { "i64", "u64", "i8", "f64" }, *const big[] = { "big" };
    static const int64_t i64[] = { INT64_MAX, -INT64_MAX, INT64_MIN, 9007199254740993LL },
                         u64[] = { INT64_MAX, 0, 1, 9007199254740993LL },
                         i8[] = { -128, 127, 0, -1 };
    fx f;
    tk_table t;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    snprintf(f.path, sizeof(f.path), "%s/i.h5", f.dir);
    CU_ASSERT_EQUAL_FATAL(write_h5_ints(f.path), 0);
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, ask, N(ask), TK_COL_EXACT, &t, &e), TK_OK);
    CU_ASSERT_TRUE(t.is_int[0] && t.is_int[1] && t.is_int[2] && !t.is_int[3]);
    CU_ASSERT_TRUE(t.icols[0] && memcmp(t.icols[0], i64, sizeof(i64)) == 0);
    CU_ASSERT_TRUE(t.icols[1] && memcmp(t.icols[1], u64, sizeof(u64)) == 0);
    CU_ASSERT_TRUE(t.icols[2] && memcmp(t.icols[2], i8, sizeof(i8)) == 0);
    CU_ASSERT_PTR_NULL(t.icols[3]);
    CU_ASSERT_EQUAL(((double *)t.cols[2])[0], -128.0);
    CU_ASSERT_EQUAL(((double *)t.cols[3])[0], 0.5);
    tk_table_free(&t);
    /* an unsigned value above INT64_MAX: named, with its row */
    CU_ASSERT_EQUAL(rd(&f, NULL, big, 1, TK_COL_EXACT, &t, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e,
                          "%s: column 'big' holds 18446744073709551615 in row 3, beyond int64 "
                          "(counting data rows from 1)",
                          f.path));
    CU_ASSERT_EQUAL(t.ncols, 0);
    /* ... which a float read carries as a float */
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, big, 1, TK_COL_F64, &t, &e), TK_OK);
    CU_ASSERT_EQUAL(((double *)t.cols[0])[2], 18446744073709551615.0);
    tk_table_free(&t);
    fx_close(&f);
}

/* ---- every column: CSV string columns skipped ---- */

static void test_csv_list_numeric(void)
{
    static const char text[] = "id;name;x;note;y\n"
                               "1;bob;0.5;;NA\n"
                               "2;7;1;only here: x;inf\n"
                               "3;8;2\n"          /* a bad row: left to the read */
                               "4;9;1e999;;3\n";  /* out of range: numeric, the read says */
    static const char *const numeric[] = { "id", "x", "y" };
    static const char *const all[] = { "id", "name", "x", "note", "y" };
    static const char *const name[] = { "name" };
    char **names = NULL, delim = 0;
    size_t n = 0;
    fx f;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    CU_ASSERT_EQUAL_FATAL(put(&f, "s.csv", text), 0);
    CU_ASSERT_TRUE(list_is(&f, NULL, numeric, N(numeric)));
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(tk_table_header(COMM, f.path, NULL, &names, &n, &delim, &e), TK_OK);
    CU_ASSERT_EQUAL(delim, ';');
    CU_ASSERT_EQUAL_FATAL(n, N(all));
    CU_ASSERT_STRING_EQUAL(names[1], "name");
    CU_ASSERT_STRING_EQUAL(names[3], "note");
    tk_table_names_free(names, n);
    /* named, a string column is an error with its first bad row */
    CU_ASSERT_EQUAL(rd_csv(&f, text, name, 1, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s:2: column 'name': 'bob' is not a number", f.path));
    fx_close(&f);
}

/* ---- HDF5 ---- */

/* logjoin's layout: group /features, int64/int32/uint8 columns, "columns"
 * attribute; plus a float column, a 2-D, a string, a short dataset and a
 * subgroup that only raw HDF5 makes. */
static int write_h5(const char *path, int with_order)
{
    static const int64_t user[] = { 10, 20, 30, 40, 50 };
    static const int32_t region[] = { -1, 0, 1, 2, 3 };
    static const uint8_t paid[] = { 1, 0, 0, 1, 1 };
    static const double score[] = { 0.5, NAN, -2.25, 1e300, 4 };
    static const double grid[10] = { 0 };
    static const char *const order[] = { "userId", "paid", "region", "gone" };
    hsize_t dims2[2] = { 5, 2 }, dims1[1] = { 5 };
    hid_t file, group, space = H5I_INVALID_HID, d, st;
    tk_err e;
    int ok;

    tk_err_clear(&e);
    if (tk_h5_create(COMM, path, &file, &e) != TK_OK)
        return -1;
    ok = tk_h5_create_group(file, "features", &group, &e) == TK_OK;
    ok = ok && tk_h5_write_column(group, "userId", H5T_STD_I64LE, H5T_NATIVE_INT64, user, 0, 5,
                                  5, &e) == TK_OK;
    ok = ok && tk_h5_write_column(group, "region", H5T_STD_I32LE, H5T_NATIVE_INT32, region, 0,
                                  5, 5, &e) == TK_OK;
    ok = ok && tk_h5_write_column(group, "paid", H5T_STD_U8LE, H5T_NATIVE_UINT8, paid, 0, 5, 5,
                                  &e) == TK_OK;
    ok = ok && tk_h5_write_column(group, "score", H5T_IEEE_F64BE, H5T_NATIVE_DOUBLE, score, 0,
                                  5, 5, &e) == TK_OK;
    ok = ok && tk_h5_write_column(group, "short", H5T_IEEE_F32LE, H5T_NATIVE_DOUBLE, score, 0,
                                  4, 4, &e) == TK_OK;
    if (with_order)
        ok = ok && tk_h5_attr_strs(group, "columns", order, 4, &e) == TK_OK;
    if (ok && (space = H5Screate_simple(2, dims2, NULL)) >= 0 &&
        (d = H5Dcreate2(group, "grid", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT)) >= 0) {
        ok = H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, grid) >= 0;
        H5Dclose(d);
    } else
        ok = 0;
    if (space >= 0)
        H5Sclose(space);
    space = H5Screate_simple(1, dims1, NULL);
    st = H5Tcopy(H5T_C_S1);
    if (ok && space >= 0 && st >= 0 && H5Tset_size(st, 4) >= 0 &&
        (d = H5Dcreate2(group, "name", st, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0)
        H5Dclose(d);
    else
        ok = 0;
    if (st >= 0)
        H5Tclose(st);
    if (space >= 0)
        H5Sclose(space);
    if (ok && tk_h5_create_group(group, "sub", &d, &e) == TK_OK)
        H5Gclose(d);
    else
        ok = 0;
    /* a second group with one row, and one with none */
    if (ok && tk_h5_create_group(file, "one", &d, &e) == TK_OK) {
        ok = tk_h5_write_column(d, "v", H5T_STD_U64LE, H5T_NATIVE_INT64, user, 0, 1, 1, &e) ==
             TK_OK;
        H5Gclose(d);
    } else
        ok = 0;
    if (ok && tk_h5_create_group(file, "empty", &d, &e) == TK_OK) {
        ok = tk_h5_write_column(d, "v", H5T_STD_I64LE, H5T_NATIVE_INT64, user, 0, 0, 0, &e) ==
             TK_OK;
        H5Gclose(d);
    } else
        ok = 0;
    H5Gclose(group);
    H5Fclose(file);
    if (!ok)
        fprintf(stderr, "\n  write_h5: %s\n", e.msg);
    return ok ? 0 : -1;
}

static void test_h5_read(void)
{
    static const char *const ask[] = { "score", "userId", "paid", "region" };
    static const double score[] = { 0.5, NAN, -2.25, 1e300, 4 }, user[] = { 10, 20, 30, 40, 50 },
                        paid[] = { 1, 0, 0, 1, 1 }, region[] = { -1, 0, 1, 2, 3 };
    fx f;
    tk_table t;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    /* the kind comes from the content, not the name */
    snprintf(f.path, sizeof(f.path), "%s/features.csv", f.dir);
    CU_ASSERT_EQUAL_FATAL(write_h5(f.path, 1), 0);
    CU_ASSERT_EQUAL_FATAL(rd(&f, NULL, ask, 4, TK_COL_F64, &t, &e), TK_OK);
    CU_ASSERT_EQUAL(t.is_csv, 0);
    CU_ASSERT_EQUAL(t.nrows, 5);
    CU_ASSERT_EQUAL(t.row0, 0);
    CU_ASSERT_EQUAL(t.total, 5);
    CU_ASSERT_TRUE(col_is(&t, 0, score, 5));
    CU_ASSERT_TRUE(col_is(&t, 1, user, 5));
    CU_ASSERT_TRUE(col_is(&t, 2, paid, 5));
    CU_ASSERT_TRUE(col_is(&t, 3, region, 5));
    CU_ASSERT_EQUAL(t.is_int[0], 0);
    CU_ASSERT_TRUE(t.is_int[1] && t.is_int[2] && t.is_int[3]);
    CU_ASSERT_EQUAL(tk_table_find(&t, "paid"), 2);
    tk_table_free(&t);
    /* float: 1e300 does not fit (the caller checks HDF5 values for infinities) */
    CU_ASSERT_EQUAL_FATAL(rd(&f, "/features", ask, 4, TK_COL_F32, &t, &e), TK_OK);
    CU_ASSERT_EQUAL(t.type, TK_COL_F32);
    CU_ASSERT_TRUE(isinf(((float *)t.cols[0])[3]));
    CU_ASSERT_EQUAL(((float *)t.cols[0])[2], -2.25f);
    CU_ASSERT_TRUE(col_is(&t, 1, user, 5));
    CU_ASSERT_TRUE(col_is(&t, 3, region, 5));
    tk_table_free(&t);
    /* another group; a relative group name */
    {
        static const char *const v[] = { "v" };
        static const double one[] = { 10 };
        CU_ASSERT_EQUAL_FATAL(rd(&f, "one", v, 1, TK_COL_F64, &t, &e), TK_OK);
        CU_ASSERT_TRUE(col_is(&t, 0, one, 1));
        CU_ASSERT_EQUAL(t.is_int[0], 1);
        tk_table_free(&t);
        CU_ASSERT_EQUAL(rd(&f, "/empty", v, 1, TK_COL_F64, &t, &e), TK_EDATA);
        CU_ASSERT_TRUE(msg_is(&e, "%s: no rows", f.path));
    }
    fx_close(&f);
}

static void test_h5_list(void)
{
    /* "columns" order first (unknown names skipped), then the rest by name */
    static const char *const ordered[] = { "userId", "paid", "region", "score", "short" };
    static const char *const by_name[] = { "paid", "region", "score", "short", "userId" };
    static const char *const one[] = { "v" };
    fx f;
    char **names = (char **)1;
    size_t n = 7;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    snprintf(f.path, sizeof(f.path), "%s/a.h5", f.dir);
    CU_ASSERT_EQUAL_FATAL(write_h5(f.path, 1), 0);
    CU_ASSERT_TRUE(list_is(&f, NULL, ordered, N(ordered)));
    CU_ASSERT_TRUE(list_is(&f, "/one", one, 1));
    snprintf(f.path, sizeof(f.path), "%s/b.h5", f.dir);
    CU_ASSERT_EQUAL_FATAL(write_h5(f.path, 0), 0);
    CU_ASSERT_TRUE(list_is(&f, "/features", by_name, N(by_name)));
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_table_list(COMM, f.path, "/nope", &names, &n, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s: no group '/nope'", f.path));
    CU_ASSERT_PTR_NULL(names);
    CU_ASSERT_EQUAL(n, 0);
    fx_close(&f);
}

static void test_h5_errors(void)
{
    static const char *const bad_len[] = { "userId", "short" }, *const grid[] = { "grid" },
                             *const name[] = { "name" }, *const sub[] = { "paid", "sub" },
                             *const gone[] = { "gone" };
    fx f;
    tk_table t;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(fx_open(&f), 0);
    snprintf(f.path, sizeof(f.path), "%s/f.h5", f.dir);
    CU_ASSERT_EQUAL_FATAL(write_h5(f.path, 1), 0);
    CU_ASSERT_EQUAL(rd(&f, NULL, bad_len, 2, TK_COL_F32, &t, &e), TK_EDATA);
    CU_ASSERT_TRUE(
        msg_is(&e, "%s: columns 'userId' (5 rows) and 'short' (4 rows) differ in length", f.path));
    CU_ASSERT_EQUAL(t.ncols, 0);
    CU_ASSERT_EQUAL(rd(&f, NULL, grid, 1, TK_COL_F32, &t, &e), TK_EDATA);
    CU_ASSERT_TRUE(
        msg_is(&e, "%s: 'grid' in /features is not a 1-D numeric dataset (2-D float)", f.path));
    CU_ASSERT_EQUAL(rd(&f, NULL, name, 1, TK_COL_F32, &t, &e), TK_EDATA);
    CU_ASSERT_TRUE(
        msg_is(&e, "%s: 'name' in /features is not a 1-D numeric dataset (1-D string)", f.path));
    /* a subgroup or a name only in "columns" is not a column */
    CU_ASSERT_EQUAL(rd(&f, NULL, sub, 2, TK_COL_F32, &t, &e), TK_EUSAGE);
    CU_ASSERT_TRUE(msg_is(&e,
                          "unknown column 'sub' in %s (available: userId, paid, region, score, "
                          "short)",
                          f.path));
    CU_ASSERT_EQUAL(rd(&f, NULL, gone, 1, TK_COL_F32, &t, &e), TK_EUSAGE);
    CU_ASSERT_EQUAL(rd(&f, "/nope", gone, 1, TK_COL_F32, &t, &e), TK_EDATA);
    CU_ASSERT_TRUE(msg_is(&e, "%s: no group '/nope'", f.path));
    fx_close(&f);
}

/* tk_names_fit: "a, b, c", cut to the limit with "... N more", escaped */
static void test_names_fit(void)
{
    const char *abc[] = { "a", "bb", "ccc", "d\te" };
    char buf[64], big[200];
    char *many[40];
    size_t i;

    CU_ASSERT_STRING_EQUAL(tk_names_fit(buf, sizeof(buf), abc, 4, 100, 32), "a, bb, ccc, d\\te");
    CU_ASSERT_STRING_EQUAL(tk_names_fit(buf, sizeof(buf), abc, 0, 100, 32), "none");
    /* "a, bb" is 5 bytes, ", ccc" would make 10 */
    CU_ASSERT_STRING_EQUAL(tk_names_fit(buf, sizeof(buf), abc, 4, 100, 9), "a, bb, ... 2 more");
    CU_ASSERT_STRING_EQUAL(tk_names_fit(buf, sizeof(buf), abc, 4, 100, 10),
                           "a, bb, ccc, ... 1 more");
    CU_ASSERT_STRING_EQUAL(tk_names_fit(buf, sizeof(buf), abc, 4, 100, 0), "... 4 more");
    /* a name shown up to max bytes */
    CU_ASSERT_STRING_EQUAL(tk_names_fit(buf, sizeof(buf), abc + 2, 1, 2, 32), "cc...");
    /* never beyond the buffer, whatever the limit */
    for (i = 0; i < 40; i++)
        many[i] = "column_name";
    tk_names_fit(big, 40, (const char *const *)many, 40, 100, 1000);
    CU_ASSERT_TRUE(strlen(big) < 40);
    tk_names_fit(big, sizeof(big), (const char *const *)many, 40, 100, sizeof(big) - 32);
    CU_ASSERT_PTR_NOT_NULL(strstr(big, ", ... 27 more"));
    CU_ASSERT_TRUE(strlen(big) <= sizeof(big) - 32 + 13);
}

int unit_register_table(void)
{
    static const unit_test tests[] = {
        { "csv: ';' file, columns asked in any order", test_csv_semicolon },
        { "csv: ',' file, missing values, is_int", test_csv_comma_missing },
        { "csv: double and float precision", test_csv_float_precision },
        { "csv: CRLF, BOM, empty lines, no final newline", test_csv_crlf_bom_empty_lines },
        { "csv: many rows (growth, several chunks)", test_csv_large },
        { "csv: bad rows with their true line numbers", test_csv_bad_rows },
        { "csv: float32 range", test_csv_f32_range },
        { "csv: header errors, no rows, duplicates", test_csv_header_errors },
        { "unknown column: long list truncated", test_unknown_column_list_truncated },
        { "missing file, directory, earlier error", test_missing_file },
        { "hdf5: read logjoin's layout as double and float", test_h5_read },
        { "hdf5: list in 'columns' order, else by name", test_h5_list },
        { "hdf5: unequal lengths, non-numeric, unknown, no group", test_h5_errors },
        { "csv: NaN and infinity in every spelling", test_csv_nan_inf_spellings },
        { "csv: float32 maximum, subnormals, underflow, overflow", test_csv_float_limits },
        { "messages: NUL and control bytes escaped", test_messages_escaped },
        { ".h5 that is not HDF5, one-field header hint", test_not_what_the_name_says },
        { "FIFO and folder refused without blocking", test_fifo_and_folder },
        { "csv: exact int64 columns (TK_COL_EXACT)", test_csv_exact_ints },
        { "csv: exact limits: 2^53 decimals, beyond int64", test_csv_exact_limits },
        { "hdf5: exact int64, uint64 above INT64_MAX", test_h5_exact_ints },
        { "csv: list skips string columns, header keeps them", test_csv_list_numeric },
        { "names that fit a message (tk_names_fit)", test_names_fit },
        { NULL, NULL }
    };
    return unit_add_suite("table", tests);
}
