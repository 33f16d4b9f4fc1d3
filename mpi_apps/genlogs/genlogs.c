/* genlogs.c -- deterministic synthetic LOG1/LOG2 generator.
 *
 * genlogs [OPTIONS] OUTDIR writes OUTDIR/log1.csv (users) and OUTDIR/log2.csv
 * (plays). The bytes depend only on the arguments. */
#ifndef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime, strdup, ssize_t */
#endif
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "genlogs.h"
#include "tk_opt.h"

#define GL_VERSION "1.0"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int check_opts(gl_ctx *c)
{
    const gl_opts *o = &c->opt;

    if (o->min_id > o->max_id)
        return tk_err_set(&c->err, TK_EUSAGE, "--min-id %lld is greater than --max-id %lld",
                          (long long)o->min_id, (long long)o->max_id);
    if (o->users > o->max_id - o->min_id + 1)
        return tk_err_set(&c->err, TK_EUSAGE,
                          "--users %lld exceeds the %lld ids in [%lld, %lld]",
                          (long long)o->users, (long long)(o->max_id - o->min_id + 1),
                          (long long)o->min_id, (long long)o->max_id);
    return TK_OK;
}

static int run(gl_ctx *c)
{
    int rc;

    c->eol = c->opt.crlf ? "\r\n" : "\n";
    c->eol_len = strlen(c->eol);
    rc = gl_mkdir_p(c->opt.outdir, &c->err);
    if (rc != TK_OK)
        goto out;
    rc = gl_rows_init(c);
    if (rc != TK_OK)
        goto out;
    rc = gl_model_build(c);
    if (rc != TK_OK)
        goto free_model;
    rc = gl_write_log2(c);
    if (rc != TK_OK)
        goto free_model;
    rc = gl_model_paid(c);
    if (rc != TK_OK)
        goto free_model;
    rc = gl_write_log1(c);
free_model:
    gl_model_free(&c->model);
    gl_rows_free(c);
out:
    return rc;
}

int main(int argc, char **argv)
{
    gl_ctx c;
    char *pos[1];
    int npos = 0, rc;
    double t0 = now_s();
    const tk_opt opts[] = {
        {"plays", TK_OPT_INT, &c.opt.plays, 0, 4e9, "N", "plays (rows of log2.csv)", NULL},
        {"users", TK_OPT_INT, &c.opt.users, 1, 1e7, "N", "users (rows of log1.csv)", NULL},
        {"min-id", TK_OPT_INT, &c.opt.min_id, 0, 1e15, "N", "smallest userId", NULL},
        {"max-id", TK_OPT_INT, &c.opt.max_id, 0, 1e15, "N", "largest userId", NULL},
        {"songs", TK_OPT_INT, &c.opt.songs, 1, 1e7, "N", "songs in the catalog", NULL},
        {"days", TK_OPT_INT, &c.opt.days, 1, 3650, "N", "days of plays from 18-10-2017", NULL},
        {"seed", TK_OPT_INT, &c.opt.seed, 0, 9007199254740992.0, "N", "random seed", NULL},
        {"bad-rate", TK_OPT_DOUBLE, &c.opt.bad_rate, 0, 1, "F",
         "fraction of rows replaced by malformed rows", NULL},
        {"crlf", TK_OPT_FLAG, &c.opt.crlf, 0, 0, NULL, "end lines with CRLF", NULL},
        {"quiet", TK_OPT_FLAG, &c.opt.quiet, 0, 0, NULL, "print no summary line", NULL},
        {NULL, TK_OPT_FLAG, NULL, 0, 0, NULL, NULL, NULL},
    };
    const tk_opt_spec spec = {
        "genlogs", GL_VERSION, "[OPTIONS] OUTDIR",
        "Writes deterministic synthetic logs: OUTDIR/log1.csv (userId;region;type;paid,\n"
        "one row per user) and OUTDIR/log2.csv (hour;userId;songId;genderId;deviceId,\n"
        "one row per play). The bytes depend only on the arguments. User activity is\n"
        "heavy-tailed, each user has a favourite genre, devices and a preferred hour,\n"
        "and paid depends on behaviour. About 3% of users never play and about 1% of\n"
        "plays come from ids in [min-id, max-id] that are not in log1.csv.\n"
        "Each file is written under a temporary name and renamed when complete.",
        "  OUTDIR                     output directory (created if missing)\n",
        "  genlogs --plays 1000000 --users 20000 data/demo\n"
        "  genlogs --plays 20000000 --users 200000 --max-id 1000000 --seed 7 \\\n"
        "          --bad-rate 0.001 data/bench\n",
        opts, 1, 1};

    memset(&c, 0, sizeof(c));
    c.opt.plays = 100000;
    c.opt.users = 10000;
    c.opt.min_id = 1;
    c.opt.max_id = 100000;
    c.opt.songs = 50000;
    c.opt.days = 30;
    c.opt.seed = 42;
    c.opt.bad_rate = 0.0;
    tk_err_clear(&c.err);

    rc = tk_opt_parse(&spec, argc, argv, pos, &npos, &c.err);
    if (rc == TK_OPT_HELP) {
        tk_opt_help(&spec, stdout);
        return fflush(stdout) == 0 ? 0 : TK_EIO;
    }
    if (rc == TK_OPT_VERSION) {
        printf("genlogs %s\n", GL_VERSION);
        return fflush(stdout) == 0 ? 0 : TK_EIO;
    }
    if (rc == TK_OK) {
        c.opt.outdir = pos[0];
        rc = check_opts(&c);
    }
    if (rc != TK_OK) {
        fprintf(stderr, "genlogs: error: %s\n", c.err.msg);
        tk_opt_usage(&spec, stderr);
        return TK_EUSAGE;
    }

    rc = run(&c);
    if (rc != TK_OK) {
        fprintf(stderr, "genlogs: error: %s\n", c.err.msg);
        return rc;
    }
    if (!c.opt.quiet) {
        printf("genlogs: %s/log1.csv %llu rows %llu bytes, %s/log2.csv %llu rows %llu bytes"
               " (%llu orphan plays, %llu+%llu malformed rows), %.2f s\n",
               c.opt.outdir, (unsigned long long)c.log1.rows,
               (unsigned long long)c.log1.bytes, c.opt.outdir,
               (unsigned long long)c.log2.rows, (unsigned long long)c.log2.bytes,
               (unsigned long long)c.orphan_plays, (unsigned long long)c.log1.bad,
               (unsigned long long)c.log2.bad, now_s() - t0);
        if (fflush(stdout) != 0) {
            fprintf(stderr, "genlogs: error: writing the summary failed\n");
            return TK_EIO;
        }
    }
    return TK_OK;
}
