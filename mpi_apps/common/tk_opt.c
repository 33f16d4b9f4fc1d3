/* tk_opt.c -- table-driven option parsing and help. */
#include "tk_opt.h"

#include <stdint.h>
#include <stdlib.h>
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
           o->type == TK_OPT_SIZE || o->type == TK_OPT_LIST;
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
    case TK_OPT_LIST: {
        tk_opt_list *l = o->dest;
        if (l->n >= TK_OPT_LIST_MAX)
            return tk_err_set(e, TK_EUSAGE, "--%s: more than %d values", o->name,
                              TK_OPT_LIST_MAX);
        l->v[l->n++] = val;
        break;
    }
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

static int help_or_version(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return TK_OPT_HELP;
        if (strcmp(argv[i], "--version") == 0)
            return TK_OPT_VERSION;
    }
    return TK_OK;
}

/* Parses the option at argv[*i] (its value may be argv[*i + 1]: *i then
 * moves on), marking it in seen (one flag per table entry). */
static int parse_option(const tk_opt_spec *spec, int argc, char **argv, int *i,
                        unsigned char *seen, tk_err *e)
{
    const char *name = argv[*i] + 2, *eq = strchr(name, '='), *val = NULL;
    size_t n = eq ? (size_t)(eq - name) : strlen(name);
    int negated;
    const tk_opt *o = opt_find(spec, name, n, &negated);

    if (!o)
        return tk_err_set(e, TK_EUSAGE, "unknown option '--%.*s'", (int)n, name);
    if (seen[o - spec->opts]++ && o->type != TK_OPT_LIST)
        return tk_err_set(e, TK_EUSAGE, "option '--%s%s' is given more than once",
                          o->type == TK_OPT_TOGGLE ? "[no-]" : "", o->name);
    if (!takes_value(o)) {
        if (eq)
            return tk_err_set(e, TK_EUSAGE, "option '--%s' takes no value", o->name);
        *(int *)o->dest = negated ? 0 : 1;
        return TK_OK;
    }
    if (eq)
        val = eq + 1;
    else if (*i + 1 < argc)
        val = argv[++*i];
    else
        return tk_err_set(e, TK_EUSAGE, "option '--%s' needs a value (%s)", o->name,
                          o->metavar ? o->metavar : "VALUE");
    return opt_assign(o, val, e);
}

int tk_opt_parse(const tk_opt_spec *spec, int argc, char **argv,
                 char **pos, int *npos, tk_err *e)
{
    size_t nopts = 0;
    unsigned char *seen;
    int i, only_pos = 0, rc = help_or_version(argc, argv);

    *npos = 0;
    if (rc != TK_OK)
        return rc;
    while (spec->opts[nopts].name)
        nopts++;
    seen = calloc(nopts + 1, 1);
    if (!seen)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    for (i = 1; i < argc && rc == TK_OK; i++) {
        const char *a = argv[i];
        if (only_pos || !is_option(a)) {
            if (*npos >= spec->max_pos)
                rc = tk_err_set(e, TK_EUSAGE, "unexpected argument '%s'", a);
            else
                pos[(*npos)++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            only_pos = 1;
        } else if (a[1] != '-') {
            rc = tk_err_set(e, TK_EUSAGE, "unknown option '%s'", a);
        } else {
            rc = parse_option(spec, argc, argv, &i, seen, e);
        }
    }
    free(seen);
    if (rc == TK_OK && *npos < spec->min_pos)
        rc = tk_err_set(e, TK_EUSAGE, "expected %d arguments, got %d", spec->min_pos, *npos);
    return rc;
}

int tk_opt_set(const tk_opt_spec *spec, const char *name, const char *value, tk_err *e)
{
    char opt[64];
    size_t n = strlen(name), j;
    const tk_opt *o;
    int negated;

    if (n == 0 || n >= sizeof(opt))
        return tk_err_set(e, TK_EUSAGE, "unknown option '%.63s'", name);
    for (j = 0; j <= n; j++)
        opt[j] = name[j] == '_' ? '-' : name[j];
    o = opt_find(spec, opt, n, &negated);
    if (!o || negated)
        return tk_err_set(e, TK_EUSAGE, "unknown option '%s'", name);
    if (takes_value(o))
        return opt_assign(o, value, e);
    if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
        return tk_err_set(e, TK_EUSAGE, "--%s: '%s' is not 0 or 1", o->name, value);
    *(int *)o->dest = value[0] == '1';
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
    case TK_OPT_LIST: {
        const tk_opt_list *l = o->dest;
        size_t at = 0;
        int k;
        snprintf(buf, len, "none");
        for (k = 0; k < l->n && at < len; k++)
            at += (size_t)snprintf(buf + at, len - at, "%s%s", k ? "," : "", l->v[k]);
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
        else if (o->type == TK_OPT_LIST)
            snprintf(left, sizeof(left), "--%s %s...", o->name, o->metavar ? o->metavar : "VALUE");
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
