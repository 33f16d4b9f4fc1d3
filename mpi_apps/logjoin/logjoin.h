/* logjoin.h -- the log-join job: two listening logs -> one row of features
 * per user.
 *
 * Data flow, one file per stage:
 *   lj_options.c    command line -> lj_config
 *   lj_read.c       headers, each rank's byte range, lines -> records
 *   lj_parse.c      one line's fields -> a validated record or a reason
 *   lj_shuffle.c    records -> their owner rank (hash of userId), in rounds
 *   lj_aggregate.c  owner side: per-user state, the join, feature rows
 *   lj_sort.c       feature rows -> globally sorted slices (sample sort)
 *   lj_write.c      slices -> features.csv and features.h5 (MPI-IO, HDF5)
 *   lj_report.c     bad-row reports and the summary
 *   logjoin.c       lj_run: the stages in order, errors agreed collectively
 */
#ifndef LOGJOIN_H
#define LOGJOIN_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "tk_csv.h"
#include "tk_hash.h"
#include "tk_job.h"
#include "tk_keycount.h"
#include "tk_log.h"
#include "tk_shuffle.h"
#include "tk_status.h"

#define LJ_VERSION "1.0.0"
#define LJ_NAME "logjoin"

/* ---- configuration (lj_options.c) ---- */

typedef struct lj_config {
    int64_t min_id, max_id;
    const char *log1, *log2, *outdir;
    int overwrite;
    int64_t max_bad_rows;
    int extra_features;
    int progress;       /* 1, 0, or -1: when stderr is a terminal */
    int64_t round_kib;  /* shuffle round size per rank */
    int64_t chunk_kib;  /* read size */
} lj_config;

/* Local. Parses the command line into cfg. Prints --help/--version/usage on
 * rank 0 only. Returns TK_OK, TK_OPT_HELP or TK_OPT_VERSION (printed; exit 0),
 * or TK_EUSAGE (printed; exit 64). */
int lj_options_parse(lj_config *cfg, int argc, char **argv, int rank, FILE *out, FILE *err);

/* ---- records ---- */

enum { LJ_LOG1 = 0, LJ_LOG2 = 1 };

/* A row's position, ordered as in the file: the reading rank, then the line
 * index within that rank's range. */
#define LJ_KEY(rank, line) (((uint64_t)(rank) << 40) | (uint64_t)(line))
#define LJ_KEY_RANK(k) ((int)((k) >> 40))
#define LJ_KEY_LINE(k) ((k) & ((1ULL << 40) - 1))

typedef struct lj_user_rec { /* one LOG1 row */
    int64_t user;
    uint64_t key;
    int32_t region, type;
    int32_t paid;
    int32_t pad;
} lj_user_rec;

typedef struct lj_play_rec { /* one LOG2 row */
    int64_t user;
    int64_t song;
    int64_t device;  /* D of deviceId D_USERID */
    int32_t genre;
    int32_t hour;    /* hour of day */
} lj_play_rec;

#define LJ_REC_SIZE 32

/* one output row */
typedef struct lj_row {
    int64_t user;
    int64_t top_genre_songs;
    int64_t dist_songs;
    int64_t plays;
    int64_t dist_devices;
    int32_t top_genre;
    int32_t region;
    int32_t type;
    int32_t peak_hour;
    uint8_t paid;
    uint8_t pad[7];
} lj_row;

/* ---- parsing (lj_parse.c) ---- */

/* column indexes of the fields each log needs */
enum { LJ_L1_USER, LJ_L1_REGION, LJ_L1_TYPE, LJ_L1_PAID, LJ_L1_NCOLS };
enum { LJ_L2_HOUR, LJ_L2_USER, LJ_L2_SONG, LJ_L2_GENRE, LJ_L2_DEVICE, LJ_L2_NCOLS };
extern const char *const lj_log1_columns[LJ_L1_NCOLS];
extern const char *const lj_log2_columns[LJ_L2_NCOLS];

/* Local. Validates a split LOG1 row (nfields expected, col[] from the header).
 * Returns NULL and fills *rec, or the reason the row is bad (written into
 * why_buf when it needs details). */
const char *lj_parse_log1(const tk_csv *c, size_t nfields, const int *col, lj_user_rec *rec,
                          char *why_buf, size_t why_len);

/* Local. Same for a LOG2 row. */
const char *lj_parse_log2(const tk_csv *c, size_t nfields, const int *col, lj_play_rec *rec,
                          char *why_buf, size_t why_len);

/* Local. Parses "dd-mm-yyyy HH:MM:SS" (a real date) into the hour of day.
 * Returns 0 or -1. */
int lj_parse_hour(const char *s, size_t n, int *hour);

/* ---- bad-row samples (lj_report.c) ---- */

#define LJ_BAD_SHOWN 20
#define LJ_BAD_REASON 160     /* a bad row's reason: room for an escaped value */
#define LJ_BAD_VALUE_SHOWN 24 /* bytes of a bad value shown in its reason */

typedef struct lj_bad {
    uint64_t key;
    int32_t file;
    char reason[LJ_BAD_REASON];
} lj_bad;

typedef struct lj_badlist {
    lj_bad items[2][LJ_BAD_SHOWN]; /* per file, the smallest keys seen */
    int n[2];
} lj_badlist;

/* Local. Keeps (key, reason) when it is among the LJ_BAD_SHOWN smallest keys
 * seen for file. */
void lj_bad_add(lj_badlist *b, int file, uint64_t key, const char *reason);

/* ---- aggregation (lj_aggregate.c) ---- */

typedef struct lj_user {
    int64_t id;
    uint64_t log1_key;
    uint64_t plays;
    int32_t region, type;
    uint8_t paid;
} lj_user;

typedef struct lj_agg {
    int extra;
    tk_map users;         /* userId -> index in u */
    lj_user *u;
    size_t nu, ucap;
    /* a play's song and genre as one "variant" index: songs keep the genre
     * they were first seen with, a song seen with another genre gets one more
     * variant, so every (song, genre) pair has its own index */
    tk_map songs;         /* songId -> song index */
    uint32_t *song_var;   /* per song: its first variant */
    size_t nsongs, songs_cap;
    tk_map more_vars;     /* song index<<32 | genre index -> variant */
    tk_map genres;        /* genre -> genre index */
    int32_t *genre_val;   /* per genre index: the genre */
    size_t ngenres, genres_cap;
    uint32_t *var_song;   /* per variant: song index */
    uint32_t *var_genre;  /* per variant: genre index */
    size_t nvars, vars_cap;
    tk_keycount user_var; /* uidx<<32 | variant, counted */
    tk_map devices;       /* device number -> dense index (extra) */
    tk_keycount user_dev; /* uidx<<32 | device index (extra) */
    tk_keycount user_hour; /* uidx<<32 | hour, counted (extra) */
    uint64_t dup_rows;    /* LOG1 duplicates found here */
    lj_badlist *bad;      /* borrowed */
} lj_agg;

/* Local. Owns its maps; release with lj_agg_free. */
int lj_agg_init(lj_agg *a, int extra, lj_badlist *bad, tk_err *e);
void lj_agg_free(lj_agg *a);

/* Local. tk_shuffle consumers for LOG1 rows and LOG2 plays. */
int lj_agg_users(void *agg, const void *recs, size_t n, tk_err *e);
int lj_agg_plays(void *agg, const void *recs, size_t n, tk_err *e);

/* Local. The joined feature rows of this rank's users (unsorted), in a new
 * array owned by the caller (free). */
int lj_agg_rows(lj_agg *a, lj_row **rows, size_t *nrows, tk_err *e);

/* ---- the job context ---- */

typedef struct lj_file {
    const char *path;
    uint64_t size, data_start; /* as rank 0 found them before the split */
    int64_t mtime_ns;          /* modification time then: checked again after reading */
    size_t nfields;
    int col[LJ_L2_NCOLS];
    uint64_t start, end;       /* this rank's byte range */
    uint64_t lines;            /* lines in this rank's range */
    uint64_t read, bad, kept;  /* rows counted by this rank */
} lj_file;

typedef struct lj_ctx {
    tk_job job;                /* comm, rank, size, clock, log, error, OUTDIR's temporary */
    lj_config cfg;
    lj_file files[2];
    tk_shuffle shuffle;
    lj_agg agg;
    lj_badlist bad;
    int stop_parsing;          /* too many bad rows: only count lines */
    uint64_t bytes_total;      /* both inputs */
    uint64_t bytes_done_global;
    uint64_t totals[2][3];     /* per file: read, bad, kept (global) */
    uint64_t users_written;
    lj_row *rows;
    size_t nrows;
} lj_ctx;

/* Collective. Runs the whole job on comm, printing on out/err from rank 0.
 * Returns the exit status, the same on every rank. */
int lj_run(MPI_Comm comm, int argc, char **argv, FILE *out, FILE *err);

/* Collective. Reads both headers and sets every rank's byte ranges. */
int lj_read_headers(lj_ctx *c);

/* Collective. Streams file f through the shuffle into the aggregation. */
int lj_read_file(lj_ctx *c, int f);

/* Local. The owner rank of a userId among size ranks. */
static inline int lj_owner(int64_t user, int size)
{
    return (int)(tk_hash_u64((uint64_t)user) % (uint64_t)size);
}

/* Collective. Sorts the rows by userId across ranks (sample sort); each
 * rank ends with a sorted slice, lower ranks holding smaller ids. */
int lj_sort_rows(MPI_Comm comm, lj_row **rows, size_t *nrows, tk_err *e);

/* Collective. Writes features.csv and features.h5 into c->tmpdir. */
int lj_write_outputs(lj_ctx *c);

/* Collective. Prints the bad-row report on rank 0. */
void lj_report_bad(lj_ctx *c);

/* Local (rank 0 prints). The summary line. */
void lj_report_summary(lj_ctx *c, uint64_t maxrss);

#endif
