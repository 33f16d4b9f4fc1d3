/* tk_opt.c -- table-driven option parsing and help. */
#include "tk_opt.h"

#include <stdint.h>
#include <string.h>

#include "tk_parse.h"

static const tk_opt *opt_find(const tk_opt_spec *spec, const char *name, size_t n,
                              int *negated)
{
    const tk_opt *o;

    *negated = 0;
    for (o = spec->opts; o->name; o++)
        if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
            return o;
    if (n > 3 && strncmp(name, "no-", 3) == 0)
        for (o = spec->opts; o->name; o++)
            if (o->type == TK_OPT_TOGGLE && strlen(o->name) == n - 3 &&
                strncmp(o->name, name + 3, n - 3) == 0) {
                *negated = 1;
                return o;
            }
    return NULL;
}

static int takes_value(const tk_opt *o)
{
    return o->type == TK_OPT_INT || o->type == TK_OPT_DOUBLE || o->type == TK_OPT_STRING ||
           o->type == TK_OPT_SIZE;
}

static int is_option(const char *a)
{
    /* "-" alone and negative numbers are positional */
    return a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9');
}

/* A double bound as an int64, saturating (2^63 itself does not fit). */
static int64_t bound_i64(double d)
{
    if (d >= 9223372036854775807.0)
        return INT64_MAX;
    if (d <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)d;
}

static int opt_assign(const tk_opt *o, const char *val, tk_err *e)
{
    int rc;

    switch (o->type) {
    case TK_OPT_INT: {
        int64_t v;
        rc = tk_parse_i64z(val, bound_i64(o->min), bound_i64(o->max), &v);
        if (rc == TK_PARSE_SYNTAX)
            return tk_err_set(e, TK_EUSAGE, "--%s: '%s' is not an integer", o->name, val);
        if (rc == TK_PARSE_RANGE)
            return tk_err_set(e, TK_EUSAGE, "--%s: %s is out of range [%lld, %lld]",
                              o->name, val, (long long)bound_i64(o->min),
                              (long long)bound_i64(o->max));
        *(int64_t *)o->dest = v;
        break;
    }
    case TK_OPT_DOUBLE: {
        double v;
        rc = tk_parse_double(val, o->min, o->max, &v);
        if (rc == TK_PARSE_SYNTAX)
            return tk_err_set(e, TK_EUSAGE, "--%s: '%s' is not a number", o->name, val);
        if (rc == TK_PARSE_RANGE)
            return tk_err_set(e, TK_EUSAGE, "--%s: %s is out of range [%g, %g]",
                              o->name, val, o->min, o->max);
        *(double *)o->dest = v;
        break;
    }
    case TK_OPT_STRING:
        *(const char **)o->dest = val;
        break;
    case TK_OPT_SIZE: {
        int64_t v;
        rc = tk_parse_size(val, bound_i64(o->min), bound_i64(o->max), &v);
        if (rc == TK_PARSE_SYNTAX)
            return tk_err_set(e, TK_EUSAGE,
                              "--%s: '%s' is not a size (bytes, or a number with K, M, G "
                              "or T: 512M, 2G)", o->name, val);
        if (rc == TK_PARSE_RANGE)
            return tk_err_set(e, TK_EUSAGE, "--%s: %s is out of range [%lld, %lld] bytes",
                              o->name, val, (long long)bound_i64(o->min),
                              (long long)bound_i64(o->max));
        *(int64_t *)o->dest = v;
        break;
    }
    default:
        break;
    }
    return TK_OK;
}

int tk_opt_parse(const tk_opt_spec *spec, int argc, char **argv,
                 char **pos, int *npos, tk_err *e)
{
    int i, only_pos = 0;

    *npos = 0;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return TK_OPT_HELP;
        if (strcmp(argv[i], "--version") == 0)
            return TK_OPT_VERSION;
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *name, *eq, *val = NULL;
        const tk_opt *o;
        int negated;
        size_t n;

        if (only_pos || !is_option(a)) {
            if (*npos >= spec->max_pos)
                return tk_err_set(e, TK_EUSAGE, "unexpected argument '%s'", a);
            pos[(*npos)++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (a[1] != '-')
            return tk_err_set(e, TK_EUSAGE, "unknown option '%s'", a);
        name = a + 2;
        eq = strchr(name, '=');
        n = eq ? (size_t)(eq - name) : strlen(name);
        o = opt_find(spec, name, n, &negated);
        if (!o)
            return tk_err_set(e, TK_EUSAGE, "unknown option '--%.*s'", (int)n, name);
        if (!takes_value(o)) {
            if (eq)
                return tk_err_set(e, TK_EUSAGE, "option '--%s' takes no value", o->name);
            *(int *)o->dest = negated ? 0 : 1;
            continue;
        }
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return tk_err_set(e, TK_EUSAGE, "option '--%s' needs a value (%s)", o->name,
                              o->metavar ? o->metavar : "VALUE");
        if (opt_assign(o, val, e) != TK_OK)
            return e->status;
    }
    if (*npos < spec->min_pos)
        return tk_err_set(e, TK_EUSAGE, "expected %d arguments, got %d", spec->min_pos, *npos);
    return TK_OK;
}

int tk_opt_report(const tk_opt_spec *spec, int rc, const tk_err *e, int rank, FILE *out,
                  FILE *err)
{
    if (rank != 0)
        return rc;
    if (rc == TK_OPT_HELP)
        tk_opt_help(spec, out);
    else if (rc == TK_OPT_VERSION)
        fprintf(out, "%s %s\n", spec->prog, spec->version);
    else if (rc == TK_EUSAGE) {
        fprintf(err, "%s: error: %s\n", spec->prog, e->msg);
        tk_opt_usage(spec, err);
    }
    return rc;
}

void tk_opt_usage(const tk_opt_spec *spec, FILE *out)
{
    fprintf(out, "usage: %s %s\nTry '%s --help' for more information.\n", spec->prog,
            spec->synopsis, spec->prog);
}

static void opt_default(const tk_opt *o, char *buf, size_t len)
{
    if (o->shown_default) {
        snprintf(buf, len, "%s", o->shown_default);
        return;
    }
    switch (o->type) {
    case TK_OPT_FLAG:
    case TK_OPT_TOGGLE:
        snprintf(buf, len, "%s", *(int *)o->dest ? "on" : "off");
        break;
    case TK_OPT_INT:
    case TK_OPT_SIZE:
        snprintf(buf, len, "%lld", (long long)*(int64_t *)o->dest);
        break;
    case TK_OPT_DOUBLE:
        snprintf(buf, len, "%g", *(double *)o->dest);
        break;
    case TK_OPT_STRING: {
        const char *s = *(const char **)o->dest;
        snprintf(buf, len, "%s", s ? s : "none");
        break;
    }
    }
}

void tk_opt_help(const tk_opt_spec *spec, FILE *out)
{
    const tk_opt *o;

    fprintf(out, "usage: %s %s\n\n%s\n", spec->prog, spec->synopsis, spec->description);
    if (spec->arguments)
        fprintf(out, "\nArguments:\n%s", spec->arguments);
    fprintf(out, "\nOptions:\n");
    for (o = spec->opts; o->name; o++) {
        char left[64], def[64];
        if (o->type == TK_OPT_TOGGLE)
            snprintf(left, sizeof(left), "--[no-]%s", o->name);
        else if (takes_value(o))
            snprintf(left, sizeof(left), "--%s %s", o->name, o->metavar ? o->metavar : "VALUE");
        else
            snprintf(left, sizeof(left), "--%s", o->name);
        opt_default(o, def, sizeof(def));
        if (o->type == TK_OPT_FLAG && !o->shown_default)
            fprintf(out, "  %-26s %s\n", left, o->help);
        else
            fprintf(out, "  %-26s %s (default: %s)\n", left, o->help, def);
    }
    fprintf(out, "  %-26s %s\n  %-26s %s\n", "-h, --help", "show this help and exit",
            "--version", "show the version and exit");
    if (spec->example)
        fprintf(out, "\nExample:\n%s", spec->example);
}
