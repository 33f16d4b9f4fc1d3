/* lj_options.c -- logjoin's command line: one table drives parsing and --help. */
#include <stdint.h>
#include <string.h>

#include "logjoin.h"
#include "tk_opt.h"
#include "tk_parse.h"

static const char lj_arguments[] =
    "  MIN_ID MAX_ID  keep users with MIN_ID <= userId <= MAX_ID (integers)\n"
    "  LOG1           users log, header userId;region;type;paid\n"
    "  LOG2           plays log, header hour;userId;songId;genderId;deviceId\n"
    "                 Each is a file, a folder (its files sorted by name; names starting\n"
    "                 with '.' or '_' skipped) or a quoted glob ('plays/2017-10-*.csv.gz');\n"
    "                 every file has its own header (columns in any order) and may be\n"
    "                 plain, gzip, zstd or BGZF (found by its first bytes)\n"
    "  OUTDIR         output folder, created atomically: features.csv, features.h5, _SUCCESS\n";

static const char lj_example[] =
    "  mpirun -np 4 logjoin 1 49999 data/sample/log1.csv data/sample/log2.csv data/out\n"
    "  mpirun -np 2 logjoin --extra-features --overwrite 1 1000000 log1.csv log2.csv out\n"
    "  mpirun -np 2 logjoin --memory-limit 1G 1 10000000 log1.csv log2.csv out\n"
    "  mpirun -np 2 logjoin 1 1000000 users.csv.gz 'plays/2017-10-*.csv.gz' out\n";

int lj_options_parse(lj_config *cfg, int argc, char **argv, int rank, FILE *out, FILE *err)
{
    const tk_opt opts[] = {
        { "overwrite", TK_OPT_FLAG, &cfg->overwrite, 0, 0, NULL,
          "replace OUTDIR if it exists", NULL },
        { "recursive", TK_OPT_FLAG, &cfg->recursive, 0, 0, NULL,
          "a folder LOG1 or LOG2: the files of its sub-folders too", NULL },
        { "max-bad-rows", TK_OPT_INT, &cfg->max_bad_rows, 0, (double)INT64_MAX, "N",
          "fail (exit 65, no output) when more rows than this are bad", NULL },
        { "extra-features", TK_OPT_FLAG, &cfg->extra_features, 0, 0, NULL,
          "add the columns plays, distDevices and peakHour", NULL },
        { "progress", TK_OPT_TOGGLE, &cfg->progress, 0, 0, NULL,
          "show progress on stderr", "when stderr is a terminal" },
        { "round-kib", TK_OPT_INT, &cfg->round_kib, 64, 1 << 20, "KIB",
          "records each rank sends per shuffle round", NULL },
        { "chunk-kib", TK_OPT_INT, &cfg->chunk_kib, 64, 1 << 20, "KIB",
          "bytes read from the inputs at a time", NULL },
        { "memory-limit", TK_OPT_SIZE, &cfg->memory_limit, 0, (double)INT64_MAX, "SIZE",
          "aggregation state per rank (512M, 2G); above it sorted runs spill to a "
          "temporary folder beside OUTDIR",
          "half the physical memory / ranks on the node" },
        { NULL, 0, NULL, 0, 0, NULL, NULL, NULL }
    };
    const tk_opt_spec spec = {
        LJ_NAME, LJ_VERSION, "[OPTIONS] MIN_ID MAX_ID LOG1 LOG2 OUTDIR",
        "Joins a users log and a plays log into one row of features per user:\n"
        "userId;topGenderId;topGenderIdSongs;distSongIds;region;type;paid, sorted by userId.\n"
        "Run it with mpirun; the files of each log are cut into byte or block ranges\n"
        "(plain, BGZF) or taken whole (gzip, zstd), dealt to the ranks by size.",
        lj_arguments, lj_example, opts, 5, 5
    };
    char *pos[5];
    int npos = 0, rc;
    tk_err e;
    int64_t *ids[2] = { &cfg->min_id, &cfg->max_id };
    int i;

    memset(cfg, 0, sizeof(*cfg));
    cfg->max_bad_rows = 1000;
    cfg->progress = -1;
    cfg->round_kib = 8192;
    cfg->chunk_kib = 4096;
    tk_err_clear(&e);
    rc = tk_opt_parse(&spec, argc, argv, pos, &npos, &e);
    if (rc == TK_OPT_HELP || rc == TK_OPT_VERSION)
        return tk_opt_report(&spec, rc, &e, rank, out, err);
    for (i = 0; rc == TK_OK && i < 2; i++) {
        int prc = tk_parse_i64z(pos[i], INT64_MIN, INT64_MAX, ids[i]);
        if (prc != TK_PARSE_OK)
            rc = tk_err_set(&e, TK_EUSAGE, "%s '%s' is not a 64-bit integer",
                            i ? "MAX_ID" : "MIN_ID", pos[i]);
    }
    if (rc == TK_OK && cfg->min_id > cfg->max_id)
        rc = tk_err_set(&e, TK_EUSAGE, "MIN_ID %lld is greater than MAX_ID %lld",
                        (long long)cfg->min_id, (long long)cfg->max_id);
    if (rc == TK_OK) {
        cfg->log1 = pos[2];
        cfg->log2 = pos[3];
        cfg->outdir = pos[4];
        if (cfg->outdir[0] == '\0')
            rc = tk_err_set(&e, TK_EUSAGE, "OUTDIR is empty");
    }
    tk_opt_report(&spec, rc, &e, rank, out, err);
    return rc;
}
