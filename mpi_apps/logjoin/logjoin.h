/* logjoin.h -- the log-join job: two listening logs -> one row of features
 * per user.
 *
 * Data flow, one file per stage:
 *   lj_options.c    command line -> lj_config
 *   lj_input.c      LOG1, LOG2 -> their files (a file, a folder, a glob;
 *                   plain, gzip, zstd, BGZF), each file's header, and the
 *                   plan: units (byte or block ranges, whole files) dealt to
 *                   ranks by estimated uncompressed size
 *   lj_read.c       each rank's units, lines -> records
 *   lj_parse.c      one line's fields -> a validated record or a reason
 *   (tk_shuffle)    records -> their owner rank (hash of userId), in rounds
 *   lj_users.c      owner side of LOG1: users, the duplicate rule, lookup
 *   lj_aggregate.c  owner side of LOG2: counted (user, x) pairs, spilled
 *                   above --memory-limit; folded into rows in userId order
 *   lj_rows.c       rows encoded; splitters; exchange into sorted slices
 *   lj_write.c      slices -> features.csv and features.h5 (MPI-IO, HDF5)
 *   lj_bad.c        bad-row samples and their report with true line numbers
 *   lj_report.c     the summary
 *   logjoin.c       lj_run: the stages in order, errors agreed collectively
 */
#ifndef LOGJOIN_H
#define LOGJOIN_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "tk_csv.h"
#include "tk_hash.h"
#include "tk_input.h"
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
    int recursive;      /* a folder's sub-folders too */
    int overwrite;
    int64_t max_bad_rows;
    int extra_features;
    int progress;       /* 1, 0, or -1: when stderr is a terminal */
    int64_t round_kib;  /* shuffle round size per rank */
    int64_t chunk_kib;  /* read size */
    int64_t memory_limit; /* bytes of aggregation state per rank; 0: automatic */
} lj_config;

/* Local. Parses the command line into cfg. Prints --help/--version/usage on
 * rank 0 only. Returns TK_OK, TK_OPT_HELP or TK_OPT_VERSION (printed; exit 0),
 * or TK_EUSAGE (printed; exit 64). */
int lj_options_parse(lj_config *cfg, int argc, char **argv, int rank, FILE *out, FILE *err);

/* ---- records ---- */

enum { LJ_LOG1 = 0, LJ_LOG2 = 1 };

/* A row's position, ordered as in the log: the unit (units follow the
 * files in order, and each file's ranges in order), then the line index
 * within the unit (its header line, when the unit starts the file, is
 * index 0). */
#define LJ_KEY(unit, line) (((uint64_t)(unit) << 40) | (uint64_t)(line))
#define LJ_KEY_UNIT(k) ((size_t)((k) >> 40))
#define LJ_KEY_LINE(k) ((k) & ((1ULL << 40) - 1))
#define LJ_MAX_UNITS (1u << 23)

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

/* one output row, as the fold makes it and the writer reads it */
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
} lj_row;

/* rows counted per file */
typedef struct lj_counts {
    uint64_t read; /* non-empty lines after the header */
    uint64_t bad;  /* rows that failed validation, LOG1 duplicates included */
    uint64_t kept; /* valid rows in the userId range */
} lj_counts;

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

/* ---- bad-row samples (lj_bad.c) ---- */

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

struct lj_file;

/* Collective. Rank 0 logs the first LJ_BAD_SHOWN bad rows of each log as
 * PATH:LINE: REASON, the path of the file the row is in and its line in
 * that file (counted from the lines of the units before it, files[f]'s
 * unit_lines summed over ranks), then how many more there were (nbad[f]
 * in all). */
void lj_bad_report(MPI_Comm comm, const lj_badlist *b, const struct lj_file *files,
                   const uint64_t nbad[2], tk_log *log);

/* ---- LOG1 users (lj_users.c) ---- */

typedef struct lj_attr {
    int32_t region, type;
    uint8_t paid;
} lj_attr;

typedef struct lj_users {
    int64_t *id;        /* per user; ascending and distinct after lj_users_seal */
    uint64_t *key;      /* each row's LOG1 key (until sealed) */
    lj_attr *attr;
    size_t n, cap;
    /* sealed: the ids' range cut into nb buckets of 2^shift ids; the users
     * of bucket b are id[start[b] .. start[b + 1]) */
    uint32_t *start;    /* nb + 1 entries */
    uint64_t nb, range; /* range: largest id - lo */
    int shift;
    int64_t lo;
    uint64_t dups;      /* LOG1 rows dropped by the duplicate rule here */
    lj_badlist *bad;    /* borrowed */
} lj_users;

/* Local. Owns its arrays; release with lj_users_free. */
int lj_users_init(lj_users *u, lj_badlist *bad, tk_err *e);
void lj_users_free(lj_users *u);

/* Local. tk_shuffle consumer of LOG1 records: appends them. */
int lj_users_add(void *users, const void *recs, size_t n, tk_err *e);

/* Local. After LOG1: sorts the rows by userId, applies the duplicate rule
 * and builds the lookup. Indexes then follow userId order. */
int lj_users_seal(lj_users *u, tk_err *e);

/* Local. Bytes held. */
size_t lj_users_bytes(const lj_users *u);

/* Local. A sealed user's index, or -1: its bucket, then a binary search of
 * the (one or two, for spread-out ids) users in it. */
static inline int64_t lj_users_find(const lj_users *u, int64_t id)
{
    uint64_t off = (uint64_t)id - (uint64_t)u->lo, b;
    size_t lo, hi, end;

    if (u->n == 0 || off > u->range)
        return -1;
    b = off >> u->shift;
    lo = u->start[b];
    hi = end = u->start[b + 1];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (u->id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < end && u->id[lo] == id ? (int64_t)lo : -1;
}

/* ---- aggregation of plays (lj_aggregate.c) ---- */

typedef struct lj_agg {
    int extra;
    const lj_users *users; /* borrowed, sealed */
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
    uint64_t limit;       /* bytes of state before spilling (users included) */
    const char *spill_dir; /* borrowed */
    uint64_t spills, spilled_bytes, peak_bytes;
} lj_agg;

/* Local. Owns its maps; release with lj_agg_free. */
int lj_agg_init(lj_agg *a, int extra, const lj_users *users, uint64_t limit,
                const char *spill_dir, tk_err *e);
void lj_agg_free(lj_agg *a);

/* Local. tk_shuffle consumer of LOG2 plays; spills above the limit. */
int lj_agg_plays(void *agg, const void *recs, size_t n, tk_err *e);

/* Local. Bytes of state held now (its users included). */
size_t lj_agg_bytes(const lj_agg *a);

/* ---- feature rows (lj_rows.c) ---- */

/* rows varint-encoded, ascending userId */
typedef struct lj_rowbuf {
    uint8_t *data; /* owned */
    size_t len, cap;
    uint64_t nrows;
    int64_t prev;  /* userId of the last row put */
} lj_rowbuf;

/* Local. Appends r (r->user above the last row's). TK_OK or TK_ESOFTWARE. */
int lj_rowbuf_put(lj_rowbuf *b, const lj_row *r);

/* Local. Decodes the row at p; returns the position after it. *prev is the
 * previous row's userId (0 before the first). */
const uint8_t *lj_row_get(const uint8_t *p, lj_row *r, int64_t *prev);

/* the joined rows of one rank's slice, column by column */
typedef struct lj_features {
    size_t n;
    int64_t *user, *top_genre_songs, *dist_songs, *plays, *dist_devices;
    int32_t *top_genre, *region, *type, *peak_hour;
    uint8_t *paid;
} lj_features;

/* Local. The columns of the rows in b (plays, distDevices, peakHour only
 * when extra), owned by f. TK_OK or TK_ESOFTWARE. */
int lj_features_decode(const lj_rowbuf *b, int extra, lj_features *f);
void lj_features_free(lj_features *f);

/* Local. The folded rows of this rank's users (in userId order) into out,
 * cut into size segments: seg[p] is the byte offset where the rows for rank
 * p (userId >= split[p-1]) begin, seg[size] the end, seg_rows[p] their
 * count. */
int lj_agg_rows(lj_agg *a, const int64_t *split, int size, lj_rowbuf *out, size_t *seg,
                uint64_t *seg_rows, tk_err *e);

/* Collective. size-1 splitters from the ranks' sorted userIds (regular
 * samples), the same on every rank. */
int lj_rows_splitters(MPI_Comm comm, const int64_t *ids, size_t n, int64_t *split, tk_err *e);

/* Collective. Sends segment p of b to rank p and merges what arrives into
 * out: this rank's slice of the globally sorted rows. Frees b. */
int lj_rows_exchange(MPI_Comm comm, lj_rowbuf *b, const size_t *seg, const uint64_t *seg_rows,
                     lj_rowbuf *out, tk_err *e);

/* ---- the job context ---- */

/* One file of a log, the same on every rank. */
typedef struct lj_src {
    tk_input_file in;          /* path (owned), size and mtime when listed, compression */
    size_t nfields;            /* its header's fields */
    int col[LJ_L2_NCOLS];      /* the log's columns in its header (each file its own order) */
} lj_src;

/* A piece of one file, read by one rank: a byte range (plain), a range of
 * BGZF blocks, or a whole gzip or zstd file. */
typedef struct lj_unit {
    uint32_t src;
    int32_t rank;
    uint64_t start, end;       /* compressed byte offsets */
    uint64_t weight;           /* estimated uncompressed bytes */
} lj_unit;

/* One log: its files and units (the plan), then what was read. */
typedef struct lj_file {
    const char *path;          /* LOG1 or LOG2 as given */
    lj_src *src;               /* owned; nsrc files, sorted by path */
    size_t nsrc;
    lj_unit *units;            /* owned; by file, then offset */
    size_t nunits;
    uint64_t *unit_lines;      /* owned; per unit: its lines (the header included), summed
                                * over ranks after reading */
    uint64_t size;             /* bytes of its files on disk */
    uint64_t usize;            /* uncompressed bytes, over all ranks after reading */
    uint64_t usize_mine;       /* this rank's share of usize */
    lj_counts mine;            /* rows counted by this rank */
} lj_file;

typedef struct lj_ctx {
    tk_job job;                /* comm, rank, size, clock, log, error, OUTDIR's temporary */
    lj_config cfg;
    lj_file files[2];
    tk_shuffle shuffle;
    lj_users users;
    lj_agg agg;
    lj_badlist bad;
    int stop_parsing;          /* too many bad rows: only count lines */
    uint64_t bytes_total;      /* both inputs */
    uint64_t bytes_done_global;
    lj_counts total[2];        /* per file, over all ranks */
    uint64_t users_written;
    uint64_t mem_limit;        /* per rank, resolved */
    uint64_t spills, spilled_bytes, peak_state; /* over all ranks (peak: the largest) */
    lj_rowbuf rows;            /* this rank's slice of the sorted output */
} lj_ctx;

/* Collective. Runs the whole job on comm, printing on out/err from rank 0.
 * Returns the exit status, the same on every rank. */
int lj_run(MPI_Comm comm, int argc, char **argv, FILE *out, FILE *err);

/* Collective. Rank 0 lists both logs' files (tk_input_list), reads each
 * file's header (a missing column is TK_EDATA naming that file), cuts the
 * files into units and deals them to the ranks (lj_input_plan); every rank
 * receives the same plan. */
int lj_input_read(lj_ctx *c);

/* Local. Cuts log f's files into units and deals them to size ranks: a
 * plain or BGZF file into at most size ranges of about its share of the
 * log's estimated uncompressed bytes, a gzip or zstd file whole; units go
 * largest first to the least loaded rank (ties: the lower rank). */
int lj_input_plan(lj_file *f, int size, tk_err *e);

/* Local. Frees the logs' files and units. */
void lj_input_free(lj_ctx *c);

/* Collective. Streams file f through the shuffle into consume(state). */
int lj_read_file(lj_ctx *c, int f, tk_shuffle_consume consume, void *state);

/* Local. The owner rank of a userId among size ranks. */
static inline int lj_owner(int64_t user, int size)
{
    return (int)(tk_hash_u64((uint64_t)user) % (uint64_t)size);
}

/* Collective. Writes features.csv and features.h5 into c->tmpdir. */
int lj_write_outputs(lj_ctx *c);

/* Local (rank 0 prints). The summary line. */
void lj_report_summary(lj_ctx *c, uint64_t maxrss);

#endif
