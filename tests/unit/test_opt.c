/* test_opt.c -- tk_opt_parse, tk_opt_usage and tk_opt_help with a table of
 * every option type. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tk_opt.h"
#include "unit.h"

/* The destinations of one parse, with their defaults. */
typedef struct vals {
    int flag, toggle;
    int64_t n, big;
    double x;
    const char *s;
    tk_opt_list l;
} vals;

typedef struct parsed {
    int rc, npos;
    char *pos[3];
    tk_err e;
} parsed;

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Parses argv with a table over v (defaults set here). */
static void parse(vals *v, int argc, char **argv, parsed *p)
{
    const tk_opt opts[] = {
        { "flag", TK_OPT_FLAG, &v->flag, 0, 0, NULL, "a flag", NULL },
        { "toggle", TK_OPT_TOGGLE, &v->toggle, 0, 0, NULL, "a toggle", "when it likes" },
        { "n", TK_OPT_INT, &v->n, -10, 10, "N", "a bounded integer", NULL },
        { "x", TK_OPT_DOUBLE, &v->x, 0, 1, "X", "a fraction", NULL },
        { "s", TK_OPT_STRING, &v->s, 0, 0, "S", "a string", NULL },
        { "l", TK_OPT_LIST, &v->l, 0, 0, "L", "a repeatable string", NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL, NULL }
    };
    const tk_opt_spec spec = { "prog", "1.2.3", "[OPTIONS] A [B [C]]", "Does things.",
                               "  A  first\n", "  prog 1\n", opts, 1, 3 };

    v->flag = 0;
    v->toggle = 1;
    v->n = 7;
    v->x = 0.25;
    v->s = "dflt";
    v->l.n = 0;
    tk_err_clear(&p->e);
    memset(p->pos, 0, sizeof(p->pos));
    p->npos = -1;
    p->rc = tk_opt_parse(&spec, argc, argv, p->pos, &p->npos, &p->e);
}

static void test_opt_defaults_and_positionals(void)
{
    char *argv[] = { "prog", "a", "b" };
    vals v;
    parsed p;

    parse(&v, ARGC(argv), argv, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OK);
    CU_ASSERT_EQUAL(p.npos, 2);
    CU_ASSERT_PTR_EQUAL(p.pos[0], argv[1]);
    CU_ASSERT_PTR_EQUAL(p.pos[1], argv[2]);
    CU_ASSERT_EQUAL(v.flag, 0);
    CU_ASSERT_EQUAL(v.toggle, 1);
    CU_ASSERT_EQUAL(v.n, 7);
    CU_ASSERT_DOUBLE_EQUAL(v.x, 0.25, 0);
    CU_ASSERT_STRING_EQUAL(v.s, "dflt");
}

static void test_opt_values_both_forms(void)
{
    char *argv[] = { "prog", "--n=3", "pos", "--x", "0.5", "--s", "hello", "--flag" };
    char *argv2[] = { "prog", "--n", "-4", "--x=1e-1", "--s=", "p" };
    char *argv3[] = { "prog", "--s", "--flag", "p" }; /* a value may look like an option */
    char *argv4[] = { "prog", "--s=a=b", "p" };
    vals v;
    parsed p;

    parse(&v, ARGC(argv), argv, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OK);
    CU_ASSERT_EQUAL(v.n, 3);
    CU_ASSERT_DOUBLE_EQUAL(v.x, 0.5, 0);
    CU_ASSERT_STRING_EQUAL(v.s, "hello");
    CU_ASSERT_PTR_EQUAL(v.s, argv[6]);
    CU_ASSERT_EQUAL(v.flag, 1);
    CU_ASSERT_EQUAL(p.npos, 1);
    CU_ASSERT_STRING_EQUAL(p.pos[0], "pos");

    parse(&v, ARGC(argv2), argv2, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OK);
    CU_ASSERT_EQUAL(v.n, -4);
    CU_ASSERT_DOUBLE_EQUAL(v.x, 0.1, 1e-15);
    CU_ASSERT_STRING_EQUAL(v.s, "");
    CU_ASSERT_EQUAL(p.npos, 1);

    parse(&v, ARGC(argv3), argv3, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OK);
    CU_ASSERT_STRING_EQUAL(v.s, "--flag");
    CU_ASSERT_EQUAL(v.flag, 0);
    CU_ASSERT_EQUAL(p.npos, 1);

    parse(&v, ARGC(argv4), argv4, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OK);
    CU_ASSERT_STRING_EQUAL(v.s, "a=b");
}

static void test_opt_toggle(void)
{
    char *a1[] = { "prog", "--no-toggle", "p" };
    char *a2[] = { "prog", "--no-toggle", "--toggle", "p" };
    char *a3[] = { "prog", "--toggle", "--no-toggle", "p" };
    char *a4[] = { "prog", "--no-flag", "p" };    /* only toggles have --no- */
    char *a5[] = { "prog", "--no-toggle=1", "p" };
    char *a6[] = { "prog", "--flag=1", "p" };
    vals v;
    parsed p;

    parse(&v, ARGC(a1), a1, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OK);
    CU_ASSERT_EQUAL(v.toggle, 0);
    parse(&v, ARGC(a2), a2, &p); /* either way round: never silently the last */
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_STRING_EQUAL(p.e.msg, "option '--[no-]toggle' is given more than once");
    parse(&v, ARGC(a3), a3, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    parse(&v, ARGC(a4), a4, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.e.msg, "unknown option '--no-flag'"));
    parse(&v, ARGC(a5), a5, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.e.msg, "takes no value"));
    parse(&v, ARGC(a6), a6, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.e.msg, "'--flag' takes no value"));
}

static void test_opt_errors(void)
{
    char *unknown[] = { "prog", "p", "--bogus" };
    char *unknown_eq[] = { "prog", "--bogus=3", "p" };
    char *short_opt[] = { "prog", "-x", "p" };
    char *missing[] = { "prog", "p", "--n" };
    char *range_hi[] = { "prog", "--n", "11", "p" };
    char *range_lo[] = { "prog", "--n=-11", "p" };
    char *not_int[] = { "prog", "--n", "1.5", "p" };
    char *not_num[] = { "prog", "--x", "abc", "p" };
    char *x_range[] = { "prog", "--x", "1.01", "p" };
    char *x_nan[] = { "prog", "--x", "nan", "p" };
    char *too_many[] = { "prog", "a", "b", "c", "d" };
    char *too_few[] = { "prog", "--flag" };
    char *prefix[] = { "prog", "--fla", "p" }; /* no abbreviations */
    vals v;
    parsed p;

    parse(&v, ARGC(unknown), unknown, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_EQUAL(p.e.status, TK_EUSAGE);
    CU_ASSERT_STRING_EQUAL(p.e.msg, "unknown option '--bogus'");
    parse(&v, ARGC(unknown_eq), unknown_eq, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_STRING_EQUAL(p.e.msg, "unknown option '--bogus'");
    parse(&v, ARGC(short_opt), short_opt, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.e.msg, "'-x'"));
    parse(&v, ARGC(missing), missing, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.e.msg, "'--n' needs a value (N)"));
    parse(&v, ARGC(range_hi), range_hi, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.e.msg, "out of range [-10, 10]"));
    CU_ASSERT_EQUAL(v.n, 7); /* unchanged */
    parse(&v, ARGC(range_lo), range_lo, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.e.msg, "out of range"));
    parse(&v, ARGC(not_int), not_int, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.e.msg, "'1.5' is not an integer"));
    parse(&v, ARGC(not_num), not_num, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.e.msg, "not a number"));
    parse(&v, ARGC(x_range), x_range, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.e.msg, "out of range [0, 1]"));
    CU_ASSERT_DOUBLE_EQUAL(v.x, 0.25, 0);
    parse(&v, ARGC(x_nan), x_nan, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    parse(&v, ARGC(too_many), too_many, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.e.msg, "unexpected argument 'd'"));
    parse(&v, ARGC(too_few), too_few, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.e.msg, "expected 1 arguments, got 0"));
    parse(&v, ARGC(prefix), prefix, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
}

static void test_opt_negative_positional(void)
{
    char *argv[] = { "prog", "-5", "--n", "-3", "-", "-0" };
    vals v;
    parsed p;

    parse(&v, ARGC(argv), argv, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OK);
    CU_ASSERT_EQUAL(p.npos, 3);
    CU_ASSERT_STRING_EQUAL(p.pos[0], "-5");
    CU_ASSERT_STRING_EQUAL(p.pos[1], "-");
    CU_ASSERT_STRING_EQUAL(p.pos[2], "-0");
    CU_ASSERT_EQUAL(v.n, -3);
}

static void test_opt_double_dash(void)
{
    char *argv[] = { "prog", "--flag", "--", "--n", "--help", "-x" };
    char *argv2[] = { "prog", "--", "--" };
    vals v;
    parsed p;

    parse(&v, ARGC(argv), argv, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OK); /* --help after -- is an argument */
    CU_ASSERT_EQUAL(v.flag, 1);
    CU_ASSERT_EQUAL(v.n, 7);
    CU_ASSERT_EQUAL(p.npos, 3);
    CU_ASSERT_STRING_EQUAL(p.pos[0], "--n");
    CU_ASSERT_STRING_EQUAL(p.pos[1], "--help");
    CU_ASSERT_STRING_EQUAL(p.pos[2], "-x");
    parse(&v, ARGC(argv2), argv2, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OK);
    CU_ASSERT_EQUAL(p.npos, 1);
    CU_ASSERT_STRING_EQUAL(p.pos[0], "--");
}

static void test_opt_help_version(void)
{
    char *h1[] = { "prog", "--n", "3", "p", "--help" };
    char *h2[] = { "prog", "--bogus", "--n=99", "-h" };   /* before errors are seen */
    char *h3[] = { "prog", "a", "b", "c", "d", "--help" }; /* too many positionals */
    char *v1[] = { "prog", "--n", "--version" };
    char *hv[] = { "prog", "--help", "--version" };
    vals v;
    parsed p;

    parse(&v, ARGC(h1), h1, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OPT_HELP);
    CU_ASSERT_EQUAL(v.n, 7); /* defaults intact for the help text */
    parse(&v, ARGC(h2), h2, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OPT_HELP);
    CU_ASSERT_EQUAL(p.e.status, TK_OK);
    parse(&v, ARGC(h3), h3, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OPT_HELP);
    parse(&v, ARGC(v1), v1, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OPT_VERSION);
    parse(&v, ARGC(hv), hv, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OPT_HELP);
}

static void test_opt_int64_bounds(void)
{
    /* Regression (2c493fa failed it): a table max of (double)INT64_MAX is
     * 2^63, which does not fit int64_t; converting it with a plain cast is
     * undefined (x86-64 yields INT64_MIN) and made every value "out of range",
     * e.g. `logjoin --max-bad-rows 5`. The bound must saturate. */
    int64_t big = 1000;
    const tk_opt opts[] = {
        { "big", TK_OPT_INT, &big, 0, (double)INT64_MAX, "N", "unbounded count", NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL, NULL }
    };
    const tk_opt_spec spec = { "prog", "1", "", "", NULL, NULL, opts, 0, 0 };
    char *a1[] = { "prog", "--big", "5" };
    char *a2[] = { "prog", "--big=9223372036854775807" };
    char *pos[1];
    int npos;
    tk_err e;

    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_opt_parse(&spec, ARGC(a1), a1, pos, &npos, &e), TK_OK);
    CU_ASSERT_EQUAL(big, 5);
    if (e.status)
        fprintf(stderr, "\n  %s\n", e.msg);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_opt_parse(&spec, ARGC(a2), a2, pos, &npos, &e), TK_OK);
    CU_ASSERT_EQUAL(big, INT64_MAX);
}

static void test_opt_repeated(void)
{
    char *str[] = { "prog", "--s", "a", "p", "--s=b" };
    char *num[] = { "prog", "--n=1", "--n", "1", "p" };
    char *flag[] = { "prog", "--flag", "p", "--flag" };
    char *list[] = { "prog", "--l", "a,b", "p", "--l=c", "--l", "" };
    char *many[TK_OPT_LIST_MAX + 3];
    vals v;
    parsed p;
    int i;

    parse(&v, ARGC(str), str, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_STRING_EQUAL(p.e.msg, "option '--s' is given more than once");
    parse(&v, ARGC(num), num, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_STRING_EQUAL(p.e.msg, "option '--n' is given more than once");
    parse(&v, ARGC(flag), flag, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_STRING_EQUAL(p.e.msg, "option '--flag' is given more than once");
    parse(&v, ARGC(list), list, &p);
    CU_ASSERT_EQUAL(p.rc, TK_OK);
    CU_ASSERT_EQUAL(v.l.n, 3);
    if (v.l.n == 3) {
        CU_ASSERT_STRING_EQUAL(v.l.v[0], "a,b");
        CU_ASSERT_STRING_EQUAL(v.l.v[1], "c");
        CU_ASSERT_STRING_EQUAL(v.l.v[2], "");
    }
    many[0] = "prog";
    many[1] = "p";
    for (i = 2; i < ARGC(many); i++)
        many[i] = "--l=x";
    parse(&v, ARGC(many), many, &p);
    CU_ASSERT_EQUAL(p.rc, TK_EUSAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(p.e.msg, "--l: more than"));
}

static void test_opt_set(void)
{
    vals v = { 0, 1, 7, 0, 0.25, "dflt", { { NULL }, 0 } };
    const tk_opt opts[] = {
        { "flag", TK_OPT_FLAG, &v.flag, 0, 0, NULL, "a flag", NULL },
        { "max-n", TK_OPT_INT, &v.n, -10, 10, "N", "a bounded integer", NULL },
        { "x", TK_OPT_DOUBLE, &v.x, 0, 1, "X", "a fraction", NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL, NULL }
    };
    const tk_opt_spec spec = { "prog", "1", "", "", NULL, NULL, opts, 0, 0 };
    tk_err e;

    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_opt_set(&spec, "max_n", "-3", &e), TK_OK);
    CU_ASSERT_EQUAL(v.n, -3);
    CU_ASSERT_EQUAL(tk_opt_set(&spec, "max-n", "4", &e), TK_OK);
    CU_ASSERT_EQUAL(v.n, 4);
    CU_ASSERT_EQUAL(tk_opt_set(&spec, "x", "0.5", &e), TK_OK);
    CU_ASSERT_DOUBLE_EQUAL(v.x, 0.5, 0);
    CU_ASSERT_EQUAL(tk_opt_set(&spec, "flag", "1", &e), TK_OK);
    CU_ASSERT_EQUAL(v.flag, 1);
    CU_ASSERT_EQUAL(tk_opt_set(&spec, "max_n", "11", &e), TK_EUSAGE);
    CU_ASSERT_STRING_EQUAL(e.msg, "--max-n: 11 is out of range [-10, 10]");
    tk_err_clear(&e);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_opt_set(&spec, "flag", "yes", &e), TK_EUSAGE);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_opt_set(&spec, "bogus", "1", &e), TK_EUSAGE);
    CU_ASSERT_STRING_EQUAL(e.msg, "unknown option 'bogus'");
    CU_ASSERT_EQUAL(v.n, 4);
}

static char *capture(const tk_opt_spec *spec, int help)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        return NULL;
    if (help)
        tk_opt_help(spec, f);
    else
        tk_opt_usage(spec, f);
    fclose(f);
    return buf;
}

static void test_opt_help_text(void)
{
    int flag = 0, toggle = 1;
    int64_t n = 7;
    double x = 0.25;
    const char *s = NULL;
    const tk_opt opts[] = {
        { "flag", TK_OPT_FLAG, &flag, 0, 0, NULL, "a flag", NULL },
        { "toggle", TK_OPT_TOGGLE, &toggle, 0, 0, NULL, "a toggle", "when it likes" },
        { "n", TK_OPT_INT, &n, -10, 10, "N", "a bounded integer", NULL },
        { "x", TK_OPT_DOUBLE, &x, 0, 1, NULL, "a fraction", NULL },
        { "s", TK_OPT_STRING, &s, 0, 0, "S", "a string", NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL, NULL }
    };
    const tk_opt_spec spec = { "prog", "1.2.3", "[OPTIONS] A", "Does things.",
                               "  A  first\n", "  prog 1\n", opts, 1, 1 };
    char *h = capture(&spec, 1), *u = capture(&spec, 0);

    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    CU_ASSERT_STRING_EQUAL(u, "usage: prog [OPTIONS] A\nTry 'prog --help' for more information.\n");
    CU_ASSERT_EQUAL(strncmp(h, "usage: prog [OPTIONS] A\n\nDoes things.\n", 38), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "Arguments:\n  A  first\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "--[no-]toggle"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "a toggle (default: when it likes)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "--n N"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "a bounded integer (default: 7)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "--x VALUE"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "a fraction (default: 0.25)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "a string (default: none)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "a flag\n"));
    CU_ASSERT_PTR_NULL(strstr(h, "a flag (default"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "-h, --help"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "--version"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "Example:\n  prog 1\n"));
    free(h);
    free(u);
}

int unit_register_opt(void)
{
    static const unit_test tests[] = {
        { "defaults and positionals", test_opt_defaults_and_positionals },
        { "--x=v and --x v for every type", test_opt_values_both_forms },
        { "toggle --no-, flags take no value", test_opt_toggle },
        { "errors: unknown, missing value, range, counts", test_opt_errors },
        { "negative positional -5", test_opt_negative_positional },
        { "-- ends options", test_opt_double_dash },
        { "--help/--version anywhere", test_opt_help_version },
        { "a repeated option is an error, a list collects", test_opt_repeated },
        { "tk_opt_set by name, '_' as '-'", test_opt_set },
        { "INT option bounded by (double)INT64_MAX", test_opt_int64_bounds },
        { "help and usage text", test_opt_help_text },
        { NULL, NULL }
    };
    return unit_add_suite("opt", tests);
}
