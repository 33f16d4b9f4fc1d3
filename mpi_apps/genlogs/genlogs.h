/* genlogs.h -- shared types of the synthetic log generator.
 *
 * Stages: genlogs_model.c builds the users, genres and songs and decides who
 * pays; genlogs_plays.c draws the plays and streams log2.csv;
 * genlogs_rows.c formats rows (good, quoted and malformed); genlogs_write.c
 * owns the output folder and files (temp name, big writes, fsync, rename) and
 * writes log1.csv; genlogs_out.c compresses what a file's sink writes (zlib,
 * libzstd, htslib's BGZF writer) and lays LOG2 out as a folder of daily
 * files (--files, --compress); genlogs.c parses the command line and drives
 * the rest (genlogs_run); main.c only calls genlogs_run. */
#ifndef GENLOGS_H
#define GENLOGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "genlogs_alias.h"
#include "tk_input.h"
#include "tk_status.h"

#define GL_GENRES_DEFAULT 24  /* genre ids 10..33 unless --genres */
#define GL_GENRES_LIMIT 100000 /* --genres at most: ids 10..100009 */
#define GL_GENRE_BASE 10      /* genderId = GL_GENRE_BASE + genre index */
#define GL_SONG_SUFFIX 10000000u /* songId = genderId * 10^7 + suffix (suffix < 10^7) */
#define GL_ORPHAN_SHARE 0.01 /* plays by ghosts (ids not in log1.csv) */
#define GL_REGIONS 4
#define GL_TYPES 3
#define GL_ID_DIGITS 16    /* ids are at most 10^15: 16 digits */
#define GL_ROW_MAX 256     /* longest row any formatter writes */
#define GL_START_DAY 18    /* the first day of the plays: 18-10-2017 */
#define GL_START_MONTH 10
#define GL_START_YEAR 2017
#define GL_FILES_MAX 10000 /* --files at most */

/* Command-line options; the defaults live in genlogs.c. */
typedef struct gl_opts {
    int64_t plays, users, min_id, max_id, songs, seed, days;
    int64_t genres;       /* 0: GL_GENRES_DEFAULT, or --songs when fewer */
    double bad_rate;
    double hot_users, hot_share; /* 0, 0: no skew (plain Pareto activity) */
    int crlf, quiet;
    int64_t files;        /* --files: LOG2 in this many files */
    const char *compress; /* --compress: none, gzip, zstd, bgzf */
    tk_comp comp;         /* the same as a tk_comp */
    const char *outdir;
} gl_opts;

/* One user of LOG1 (index < nusers) or a ghost that only appears in LOG2. */
typedef struct gl_user {
    uint64_t id;
    uint32_t fav_thresh; /* P(play is in the favourite genre) as 32-bit threshold */
    uint32_t plays;      /* well-formed plays written to log2 */
    float favp;          /* the same probability as a float (for paid) */
    uint32_t fav;        /* favourite genre index */
    uint8_t region, type, peak; /* peak: hour 0..23 */
    uint8_t ndev, devmask, active, paid;
    uint8_t dev[3];      /* device numbers, most used first */
    uint8_t idlen;
    char idtxt[GL_ID_DIGITS]; /* decimal id, not NUL-terminated */
} gl_user;

typedef struct gl_model {
    uint32_t nusers, nghosts;  /* users[0..nusers) are LOG1, then the ghosts */
    gl_user *users;
    uint32_t nactive;          /* LOG1 users that play */
    uint32_t *order;           /* active users in random order (first plays) */
    gl_alias user_pick;        /* over LOG1 users, inactive ones weigh 0 */
    gl_alias ghost_pick;       /* over the ghosts (n == 0 when none) */
    uint32_t ngenres;          /* the arrays below have ngenres entries */
    gl_alias genre_pick;       /* global genre popularity */
    uint32_t *genre_nsongs;
    uint32_t **genre_songs;    /* 7-digit suffixes, most popular first */
    gl_alias *song_pick;       /* Zipf popularity within a genre */
    gl_alias hour_pick;        /* global diurnal curve */
    double *genre_eff;         /* genre's effect on paying */
    double hot_gamma;          /* --hot-users: activity weights w became w^gamma */
} gl_model;

typedef struct gl_file_stats {
    uint64_t rows, bad, quoted, bytes; /* bytes: on disk (compressed) */
    uint64_t ubytes;                   /* the bytes before compression */
    uint64_t files;                    /* files written */
} gl_file_stats;

/* The whole run: options, model, output statistics and the first error. */
typedef struct gl_ctx {
    gl_opts opt;
    gl_model model;
    gl_file_stats log1, log2;
    uint64_t orphan_plays;     /* well-formed plays by ghosts */
    char (*daytxt)[12];        /* "dd-mm-yyyy " for each day of the span */
    const char *eol;
    size_t eol_len;
    tk_err err;
} gl_ctx;

/* genlogs.c */

/* Local. The whole program: parses argv (help, version and usage errors on
 * out/err as tk_opt_report prints them), writes the logs and the summary line
 * on out, errors on err. Returns the exit status: 0, TK_EUSAGE (64),
 * TK_ECANTCREAT, TK_EIO or TK_ESOFTWARE. */
int genlogs_run(int argc, char **argv, FILE *out, FILE *err);

/* genlogs_model.c */

/* Local. Builds c->model from c->opt (model stream). The model owns every
 * array it allocates until gl_model_free. Returns TK_OK or TK_ESOFTWARE
 * (out of memory) with the message in c->err. */
int gl_model_build(gl_ctx *c);

/* Local. Sets users[i].paid for the LOG1 users from their realised plays and
 * their latent traits (paid stream). Allocates only scratch it frees. */
int gl_model_paid(gl_ctx *c);

/* Local. Frees everything gl_model_build allocated; safe on a zeroed model. */
void gl_model_free(gl_model *m);

/* genlogs_rows.c */

/* Local. Builds c->daytxt (owned by c, freed by gl_rows_free). */
int gl_rows_init(gl_ctx *c);

/* Local. Frees c->daytxt. */
void gl_rows_free(gl_ctx *c);

/* Local. Days in month m (1..12) of year y. */
int gl_month_days(int m, int y);

/* Writes an unsigned decimal at p; returns the end. Caller owns p. */
char *gl_put_u64(char *p, uint64_t v);

/* A drawn play, before formatting. */
typedef struct gl_play {
    uint32_t user, day, sec; /* sec: second of the day */
    uint32_t genre, suffix;  /* genre index, 7-digit song suffix */
    uint32_t dev;
} gl_play;

/* Row formatters: each writes one row with its line ending at p (which must
 * have GL_ROW_MAX bytes of room; writes may run up to 16 bytes past the row)
 * and returns the end of the row. The caller owns p. */
char *gl_row_play(const gl_ctx *c, char *p, const gl_play *pl);
char *gl_row_play_quoted(const gl_ctx *c, char *p, const gl_play *pl, uint64_t r);
char *gl_row_play_bad(const gl_ctx *c, char *p, const gl_play *pl, uint64_t r);
char *gl_row_user(const gl_ctx *c, char *p, const gl_user *u);
char *gl_row_user_quoted(const gl_ctx *c, char *p, const gl_user *u);
char *gl_row_user_bad(const gl_ctx *c, char *p, const gl_user *u, uint64_t r);

/* genlogs_write.c */

/* An output file being written under a temporary name in its directory.
 * The rows go into buf; a flush writes them out, compressed by the sink's
 * codec when it has one (genlogs_out.c). */
typedef struct gl_sink {
    int fd;                /* -1 once a BGZF writer owns it */
    const char *dir;       /* borrowed */
    char *path, *tmp_path; /* owned by the sink; tmp_path "" once renamed */
    char *buf;             /* owned by the sink */
    size_t len, cap;
    uint64_t bytes;        /* bytes given to the sink (uncompressed) */
    uint64_t disk_bytes;   /* the file's size, set by gl_sink_commit */
    tk_comp comp;
    void *codec;           /* z_stream, ZSTD_CCtx or BGZF; owned */
    char *zbuf;            /* compressed bytes waiting to be written; owned */
    size_t zcap;
} gl_sink;

/* Local. Creates dir and its parents (tk_fs_mkparents) when missing; created
 * (created_len bytes) receives the top-most folder made ("" when none).
 * Returns TK_OK or TK_ECANTCREAT. */
int gl_outdir_make(const char *dir, char *created, size_t created_len, tk_err *e);

/* Local. After a failed run: removes the folders gl_outdir_make created
 * (created), as long as they are empty. */
void gl_outdir_unmake(const char *dir, const char *created);

/* Local. Opens a temporary sibling of DIR/NAME (tk_fs_tmp_sibling, tag "tmp";
 * registered with tk_cleanup) for writing with a buffer of cap bytes,
 * compressed as comp says (TK_COMP_NONE: as is). The sink owns its paths,
 * buffers and codec until gl_sink_commit or gl_sink_abort. Returns TK_OK,
 * TK_ECANTCREAT or TK_ESOFTWARE. */
int gl_sink_open(gl_sink *s, const char *dir, const char *name, size_t cap, tk_comp comp,
                 tk_err *e);

/* Local. Writes out the buffer when fewer than need bytes are free. */
int gl_sink_reserve(gl_sink *s, size_t need, tk_err *e);

/* Local. Writes the buffer out; returns TK_OK or TK_EIO. */
int gl_sink_flush(gl_sink *s, tk_err *e);

/* Local. Flushes, ends the compressed stream, fsyncs, closes and renames the
 * file to its final name (then fsyncs the folder), and frees the sink;
 * disk_bytes receives the file's size. On failure the temp file is removed.
 * Returns TK_OK, TK_EIO or TK_ECANTCREAT. */
int gl_sink_commit(gl_sink *s, tk_err *e);

/* Local. Closes and removes the temp file and frees the sink; safe on a
 * zeroed sink (fd must be -1) and after commit. */
void gl_sink_abort(gl_sink *s);

/* Local. Writes OUTDIR/log1.csv (one row per LOG1 user) through a sink it
 * owns; needs gl_model_paid first. */
int gl_write_log1(gl_ctx *c);

/* genlogs_out.c */

/* Local. Starts the sink's codec on its open file (nothing for TK_COMP_NONE):
 * zlib gzip at level 1, libzstd at level 1 with a checksum, htslib's BGZF
 * writer at level 1 (which takes over s->fd). Returns TK_OK or TK_ESOFTWARE. */
int gl_codec_open(gl_sink *s, tk_err *e);

/* Local. Writes p[0..n) to the file through the codec (as is without one).
 * Returns TK_OK or TK_EIO. */
int gl_codec_write(gl_sink *s, const char *p, size_t n, tk_err *e);

/* Local. Ends the stream (gzip trailer, zstd frame end, BGZF EOF block and
 * close). Returns TK_OK or TK_EIO. */
int gl_codec_finish(gl_sink *s, tk_err *e);

/* Local. Frees the codec (closing a BGZF writer and its descriptor). */
void gl_codec_free(gl_sink *s);

/* Local. The file name suffix of a compression: ".csv", ".csv.gz", ".csv.zst",
 * ".csv.bgz" (a string constant). */
const char *gl_comp_suffix(tk_comp comp);

/* Local. Whether LOG2 is a folder of files (--files above 1 or --compress). */
int gl_log2_is_folder(const gl_opts *o);

/* Where LOG2's rows go: one file OUTDIR/log2.csv, or the files of the folder
 * OUTDIR/log2/ (written in a hidden temporary folder beside it, published by
 * one rename when complete). */
typedef struct gl_parts {
    gl_sink s;                 /* the file being written */
    char tmpdir[4160];         /* the temporary folder ("" when none) */
    char final[4160];          /* OUTDIR/log2 */
    int64_t file;              /* the open file's number */
    uint64_t next_cut;         /* the row that starts the next file */
    int y, m, d;               /* the open file's day */
} gl_parts;

/* Local. Opens LOG2's first file (and the temporary folder). On failure
 * nothing is left. Returns TK_OK, TK_ECANTCREAT, TK_EIO or TK_ESOFTWARE. */
int gl_parts_begin(gl_ctx *c, gl_parts *p);

/* Local. Called before row i: when i starts the next file(s), commits the
 * open one and opens the next. Returns TK_OK or an error (c->err). */
int gl_parts_row(gl_ctx *c, gl_parts *p, uint64_t i);

/* Local. After the last row: writes the files left (header only), commits
 * the last one and publishes the folder; c->log2's bytes and files are set.
 * On failure, as gl_parts_abort. */
int gl_parts_end(gl_ctx *c, gl_parts *p);

/* Local. Removes what was written (the open file, the temporary folder). */
void gl_parts_abort(gl_parts *p);

/* genlogs_plays.c */

/* Local. Draws opt.plays plays (plays stream), writes OUTDIR/log2.csv and
 * counts each user's well-formed plays and devices in the model. */
int gl_write_log2(gl_ctx *c);

#endif
