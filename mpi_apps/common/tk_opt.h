/* tk_opt.h -- one option table drives both command-line parsing and --help.
 *
 * A program declares a NULL-terminated array of tk_opt whose dest pointers hold
 * the defaults before parsing; --help prints those defaults. */
#ifndef TK_OPT_H
#define TK_OPT_H

#include <stdio.h>

#include "tk_status.h"

typedef enum {
    TK_OPT_FLAG,   /* --name sets *(int *)dest = 1 */
    TK_OPT_TOGGLE, /* --name sets *(int *)dest = 1, --no-name sets it to 0 */
    TK_OPT_INT,    /* --name N: *(int64_t *)dest, bounded by [min, max] */
    TK_OPT_DOUBLE, /* --name X: *(double *)dest, bounded by [min, max] */
    TK_OPT_STRING, /* --name S: *(const char **)dest points into argv */
    TK_OPT_SIZE,   /* --name SIZE: bytes (tk_parse_size) into *(int64_t *)dest, in [min, max] */
    TK_OPT_LIST    /* --name S, repeatable: appended to *(tk_opt_list *)dest (pointers into argv) */
} tk_opt_type;

/* The values of a repeatable option (TK_OPT_LIST) in command-line order;
 * no memory is owned. More than TK_OPT_LIST_MAX values are a usage error. */
#define TK_OPT_LIST_MAX 32
typedef struct tk_opt_list {
    const char *v[TK_OPT_LIST_MAX];
    int n;
} tk_opt_list;

typedef struct tk_opt {
    const char *name;    /* long name without the dashes; NULL ends the table */
    tk_opt_type type;
    void *dest;
    double min, max;     /* bounds for TK_OPT_INT and TK_OPT_DOUBLE */
    const char *metavar; /* argument name shown in --help, e.g. "N" */
    const char *help;    /* one line */
    const char *shown_default; /* text for the default in --help; NULL: from *dest */
} tk_opt;

typedef struct tk_opt_spec {
    const char *prog;        /* program name */
    const char *version;     /* version string */
    const char *synopsis;    /* e.g. "[OPTIONS] MIN_ID MAX_ID LOG1 LOG2 OUTDIR" */
    const char *description; /* paragraph shown under the usage line */
    const char *arguments;   /* lines describing the positional arguments */
    const char *example;     /* lines of examples */
    const tk_opt *opts;
    int min_pos, max_pos;    /* accepted number of positional arguments */
} tk_opt_spec;

/* Results of tk_opt_parse besides TK_OK and TK_EUSAGE. */
enum { TK_OPT_HELP = -100, TK_OPT_VERSION = -101 };

/* Local. Parses argv[1..argc): options (--name, --name=value, --name value,
 * in any position; "--" ends them; "-5" is a positional number; an option
 * given twice is a usage error, --x and --no-x included, except a
 * TK_OPT_LIST, which collects every value) and
 * positional arguments, stored as pointers into argv in pos[0..*npos)
 * (pos has room for max_pos entries). --help/-h and --version are honoured
 * before anything else is parsed, so --help shows the defaults.
 * Returns TK_OK, TK_OPT_HELP, TK_OPT_VERSION, or TK_EUSAGE with a one-line
 * message in e. */
int tk_opt_parse(const tk_opt_spec *spec, int argc, char **argv,
                 char **pos, int *npos, tk_err *e);

/* Local. Sets the option of spec named name (without dashes; '_' read as
 * '-', so xgboost's parameter names work) from the text value, with the
 * checks tk_opt_parse makes (a flag or toggle takes "0" or "1"). Returns
 * TK_OK, or TK_EUSAGE with a message in e for an unknown name or a bad
 * value. */
int tk_opt_set(const tk_opt_spec *spec, const char *name, const char *value, tk_err *e);

/* Local. Prints what a parse result asks for, on rank 0 only: the help
 * (TK_OPT_HELP) or "PROG VERSION" (TK_OPT_VERSION) on out; for TK_EUSAGE
 * "PROG: error: MESSAGE" and the usage on err. Returns rc. */
int tk_opt_report(const tk_opt_spec *spec, int rc, const tk_err *e, int rank, FILE *out,
                  FILE *err);

/* Local. Prints "usage: PROG SYNOPSIS" and a pointer to --help. */
void tk_opt_usage(const tk_opt_spec *spec, FILE *out);

/* Local. Prints the full help: usage, description, arguments, every option
 * with its default, and the examples. */
void tk_opt_help(const tk_opt_spec *spec, FILE *out);

#endif
