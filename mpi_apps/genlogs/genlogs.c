/* genlogs.c -- deterministic synthetic LOG1/LOG2 generator: the command line
 * (tk_opt) and the run (genlogs_run, called by main.c).
 *
 * genlogs [OPTIONS] OUTDIR writes OUTDIR/log1.csv (users) and OUTDIR/log2.csv
 * (plays); with --files N or --compress, LOG2 is the folder OUTDIR/log2/ of N
 * daily files and the files are compressed (genlogs_out.c). The bytes depend
 * only on the arguments. */
#include <stdio.h>
#include <string.h>

#include "genlogs.h"
#include "tk_fs.h"
#include "tk_log.h"
#include "tk_opt.h"

#define GL_VERSION "1.2"

/* --compress NAME into o->comp (TK_COMP_NONE for "none"). */
static int parse_compress(gl_ctx *c)
{
    static const struct { const char *name; tk_comp comp; } names[] = {
        {"none", TK_COMP_NONE}, {"gzip", TK_COMP_GZIP}, {"zstd", TK_COMP_ZSTD},
        {"bgzf", TK_COMP_BGZF}};
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(c->opt.compress, names[i].name) == 0) {
            c->opt.comp = names[i].comp;
            return TK_OK;
        }
    return tk_err_set(&c->err, TK_EUSAGE, "--compress must be none, gzip, zstd or bgzf, not '%s'",
                      c->opt.compress);
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
    if (o->genres > o->songs)
        return tk_err_set(&c->err, TK_EUSAGE,
                          "--genres %lld exceeds --songs %lld (every genre has a song)",
                          (long long)o->genres, (long long)o->songs);
    if ((o->hot_users > 0.0) != (o->hot_share > 0.0))
        return tk_err_set(&c->err, TK_EUSAGE, "--hot-users and --hot-share go together");
    if (o->hot_users >= 1.0 || o->hot_share >= 1.0)
        return tk_err_set(&c->err, TK_EUSAGE,
                          "--hot-users and --hot-share must be below 1 (%g, %g)",
                          o->hot_users, o->hot_share);
    if (o->hot_share < o->hot_users)
        return tk_err_set(&c->err, TK_EUSAGE,
                          "--hot-share %g is below --hot-users %g (the busiest F of the "
                          "users hold at least F of the plays)",
                          o->hot_share, o->hot_users);
    return parse_compress(c);
}

static int run(gl_ctx *c)
{
    char created[TK_PATH_MAX];
    int rc;

    c->eol = c->opt.crlf ? "\r\n" : "\n";
    c->eol_len = strlen(c->eol);
    rc = gl_outdir_make(c->opt.outdir, created, sizeof(created), &c->err);
    if (rc != TK_OK)
        return rc;
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
    if (rc != TK_OK)
        gl_outdir_unmake(c->opt.outdir, created);
    return rc;
}

/* --help's paragraph and examples. */
static const char gl_description[] =
    "Writes deterministic synthetic logs: OUTDIR/log1.csv (userId;region;type;paid,\n"
    "one row per user) and OUTDIR/log2.csv (hour;userId;songId;genderId;deviceId,\n"
    "one row per play). The bytes depend only on the arguments. User activity is\n"
    "heavy-tailed, each user has a favourite genre, devices and a preferred hour,\n"
    "and paid depends on behaviour. About 3% of users never play and about 1% of\n"
    "plays come from ids in [min-id, max-id] that are not in log1.csv.\n"
    "Each song has one genre: songId = genderId * 10^7 + a 7-digit suffix.\n"
    "--hot-users F --hot-share S (0 < F <= S < 1) raise every activity weight\n"
    "to one power, chosen so that the round(F * users) busiest log1 users are\n"
    "expected to hold S of the log1 users' plays (each playing user keeps one\n"
    "play, so S is only approached when it asks for more than that allows).\n"
    "Without the new options (--genres, --hot-*) the bytes are those of 1.0.\n"
    "--files N (N > 1) or --compress C makes LOG2 the folder OUTDIR/log2/ of N\n"
    "files named for the days from 2017-10-18 on (2017-10-18.csv, 2017-10-19.csv,\n"
    "...), each with the header line and the rows split in order into N nearly\n"
    "equal parts: their rows concatenated are those of log2.csv without these\n"
    "options. --compress names the suffix: gzip .csv.gz (zlib, level 1), zstd\n"
    ".csv.zst (level 1, with a checksum), bgzf .csv.bgz (htslib's BGZF, level 1:\n"
    "gzip in independent blocks, which readers can split); LOG1 is then\n"
    "OUTDIR/log1.csv.gz (.zst, .bgz). The folder is written beside its final\n"
    "name and renamed into place, replacing an older OUTDIR/log2/; files of the\n"
    "other layout from an earlier run (log2.csv, log1.csv) are left as they are.\n"
    "Each file is written under a temporary name and renamed when complete.";

static const char gl_examples[] =
    "  genlogs --plays 1000000 --users 20000 data/demo\n"
    "  genlogs --plays 20000000 --users 200000 --max-id 1000000 --seed 7 \\\n"
    "          --bad-rate 0.001 data/bench\n"
    "  genlogs --plays 20000000 --users 200000 --max-id 1000000 --seed 7 \\\n"
    "          --hot-users 0.01 --hot-share 0.3 data/skewed\n"
    "  genlogs --plays 20000000 --users 200000 --max-id 1000000 --seed 7 \\\n"
    "          --songs 1000000 --genres 1000 data/wide\n"
    "  genlogs --plays 20000000 --users 200000 --max-id 1000000 --seed 7 \\\n"
    "          --files 30 --compress bgzf data/daily\n";

/* Parses the command line into c->opt (defaults first) and checks it. Prints
 * what tk_opt_report prints; *done is set when the program ends here (help,
 * version, usage error) with the returned status. */
static int parse(gl_ctx *c, int argc, char **argv, FILE *out, FILE *err, int *done)
{
    char *pos[1];
    int npos = 0, rc;
    const tk_opt opts[] = {
        {"plays", TK_OPT_INT, &c->opt.plays, 0, 4e9, "N", "plays (rows of log2.csv)", NULL},
        {"users", TK_OPT_INT, &c->opt.users, 1, 1e7, "N", "users (rows of log1.csv)", NULL},
        {"min-id", TK_OPT_INT, &c->opt.min_id, 0, 1e15, "N", "smallest userId", NULL},
        {"max-id", TK_OPT_INT, &c->opt.max_id, 0, 1e15, "N", "largest userId", NULL},
        {"songs", TK_OPT_INT, &c->opt.songs, 1, 1e7, "N", "songs in the catalog", NULL},
        {"genres", TK_OPT_INT, &c->opt.genres, 1, GL_GENRES_LIMIT, "N",
         "genres (genderIds 10..N+9)", "24 or --songs if fewer"},
        {"hot-users", TK_OPT_DOUBLE, &c->opt.hot_users, 0, 1, "F",
         "skew: busiest fraction of the users", "off"},
        {"hot-share", TK_OPT_DOUBLE, &c->opt.hot_share, 0, 1, "S",
         "skew: share of the plays they hold", "off"},
        {"days", TK_OPT_INT, &c->opt.days, 1, 3650, "N", "days of plays from 18-10-2017", NULL},
        {"seed", TK_OPT_INT, &c->opt.seed, 0, 9007199254740992.0, "N", "random seed", NULL},
        {"bad-rate", TK_OPT_DOUBLE, &c->opt.bad_rate, 0, 1, "F",
         "fraction of rows replaced by malformed rows", NULL},
        {"crlf", TK_OPT_FLAG, &c->opt.crlf, 0, 0, NULL, "end lines with CRLF", NULL},
        {"files", TK_OPT_INT, &c->opt.files, 1, GL_FILES_MAX, "N",
         "LOG2 as N daily files in OUTDIR/log2/ (1: log2.csv)", NULL},
        {"compress", TK_OPT_STRING, &c->opt.compress, 0, 0, "C",
         "none, gzip, zstd or bgzf (LOG1 and LOG2)", NULL},
        {"quiet", TK_OPT_FLAG, &c->opt.quiet, 0, 0, NULL, "print no summary line", NULL},
        {NULL, TK_OPT_FLAG, NULL, 0, 0, NULL, NULL, NULL},
    };
    const tk_opt_spec spec = {
        "genlogs", GL_VERSION, "[OPTIONS] OUTDIR",
        gl_description,
        "  OUTDIR                     output directory (created if missing)\n",
        gl_examples,
        opts, 1, 1};

    c->opt.plays = 100000;
    c->opt.users = 10000;
    c->opt.min_id = 1;
    c->opt.max_id = 100000;
    c->opt.songs = 50000;
    c->opt.days = 30;
    c->opt.seed = 42;
    c->opt.bad_rate = 0.0;
    c->opt.files = 1;
    c->opt.compress = "none";
    rc = tk_opt_parse(&spec, argc, argv, pos, &npos, &c->err);
    if (rc == TK_OK) {
        c->opt.outdir = pos[0];
        rc = check_opts(c);
    }
    *done = rc != TK_OK;
    tk_opt_report(&spec, rc, &c->err, 0, out, err);
    if (rc == TK_OPT_HELP || rc == TK_OPT_VERSION)
        return fflush(out) == 0 ? TK_OK : TK_EIO;
    return rc == TK_OK ? TK_OK : TK_EUSAGE;
}

/* The summary line on out: as in 1.1 without --files and --compress; with
 * them the folder, its files and the bytes before compression too. */
static int summary(const gl_ctx *c, FILE *out, FILE *err, double t0)
{
    char l1[96] = "", l2[128] = "";

    if (c->opt.comp != TK_COMP_NONE)
        snprintf(l1, sizeof(l1), " (%s, %llu uncompressed)", tk_comp_name(c->opt.comp),
                 (unsigned long long)c->log1.ubytes);
    if (gl_log2_is_folder(&c->opt))
        snprintf(l2, sizeof(l2), " in %llu%s%s files, %llu uncompressed",
                 (unsigned long long)c->log2.files, c->opt.comp != TK_COMP_NONE ? " " : "",
                 c->opt.comp != TK_COMP_NONE ? tk_comp_name(c->opt.comp) : "",
                 (unsigned long long)c->log2.ubytes);
    fprintf(out,
            "genlogs: %s/log1%s %llu rows %llu bytes%s, %s/log2%s %llu rows %llu bytes%s"
            " (%llu orphan plays, %llu+%llu malformed rows), %.2f s\n",
            c->opt.outdir, gl_comp_suffix(c->opt.comp), (unsigned long long)c->log1.rows,
            (unsigned long long)c->log1.bytes, l1, c->opt.outdir,
            gl_log2_is_folder(&c->opt) ? "/" : ".csv", (unsigned long long)c->log2.rows,
            (unsigned long long)c->log2.bytes, l2, (unsigned long long)c->orphan_plays,
            (unsigned long long)c->log1.bad, (unsigned long long)c->log2.bad, tk_now() - t0);
    if (fflush(out) != 0) {
        fprintf(err, "genlogs: error: writing the summary failed\n");
        return TK_EIO;
    }
    return TK_OK;
}

int genlogs_run(int argc, char **argv, FILE *out, FILE *err)
{
    gl_ctx c;
    double t0 = tk_now();
    int rc, done;

    memset(&c, 0, sizeof(c));
    tk_err_clear(&c.err);
    rc = parse(&c, argc, argv, out, err, &done);
    if (done)
        return rc;
    rc = run(&c);
    if (rc != TK_OK) {
        fprintf(err, "genlogs: error: %s\n", c.err.msg);
        return rc;
    }
    return c.opt.quiet ? TK_OK : summary(&c, out, err, t0);
}
