/* lj_read.c -- streaming each rank's units of a log (lj_input.c's plan),
 * line by line, into the shuffle. */
#include <string.h>

#include "logjoin.h"
#include "tk_mpi.h"

/* A rank's way through its units of one log. */
typedef struct read_state {
    tk_reader r;
    int open;           /* r reads unit u */
    size_t u;           /* the current (or next) unit */
    uint64_t line;      /* lines the current unit has returned */
    uint64_t done;      /* compressed bytes of the finished units */
    tk_csv csv;
    char why[LJ_BAD_REASON];
} read_state;

/* Ends unit s->u: its lines, the file unchanged and (gzip, zstd) complete,
 * its uncompressed bytes when it was a whole compressed file. */
static int end_unit(lj_ctx *c, lj_file *lf, read_state *s)
{
    const lj_unit *un = &lf->units[s->u];
    const lj_src *src = &lf->src[un->src];

    lf->unit_lines[s->u] = s->line;
    if (tk_reader_verify(&s->r, &src->in, &c->job.err) == TK_OK && !src->in.splittable)
        lf->usize_mine += tk_reader_uoffset(&s->r);
    s->done += tk_reader_done(&s->r);
    tk_reader_close(&s->r);
    s->open = 0;
    s->u++;
    return c->job.err.status;
}

/* The next data line of this rank's units (a unit that starts its file
 * drops the file's header line): 1, 0 when every unit is read, or < 0 on
 * an error (in c->job.err). */
static int next_line(lj_ctx *c, lj_file *lf, read_state *s, const char **line, size_t *len)
{
    for (;;) {
        const lj_unit *un;
        int rc;
        if (!s->open) {
            while (s->u < lf->nunits && lf->units[s->u].rank != c->job.rank)
                s->u++;
            if (s->u == lf->nunits)
                return 0;
            un = &lf->units[s->u];
            if (tk_reader_open(&s->r, &lf->src[un->src].in, un->start, un->end,
                               (size_t)c->cfg.chunk_kib << 10, &c->job.err) != TK_OK)
                return -1;
            s->open = 1;
            s->line = 0;
        }
        un = &lf->units[s->u];
        rc = tk_reader_next(&s->r, line, len, &c->job.err);
        if (rc < 0)
            return -1;
        if (rc > 0 && s->line++ == 0 && un->start == 0)
            continue; /* the header */
        if (rc > 0)
            return 1;
        if (end_unit(c, lf, s) != TK_OK)
            return -1;
    }
}

/* Parses one non-empty line of file f into the shuffle, or counts it bad. */
static int read_line(lj_ctx *c, read_state *s, int f, const char *line, size_t len)
{
    lj_file *lf = &c->files[f];
    const lj_src *src = &lf->src[lf->units[s->u].src];
    uint64_t key = LJ_KEY(s->u, s->line - 1);
    const char *why;
    int rc;

    lf->mine.read++;
    rc = tk_csv_split(&s->csv, line, len, &why);
    if (rc == TK_ESOFTWARE)
        return tk_err_set(&c->job.err, rc, "out of memory parsing %s", lf->path);
    if (rc == TK_OK) {
        if (f == LJ_LOG1) {
            lj_user_rec rec;
            why = lj_parse_log1(&s->csv, src->nfields, src->col, &rec, s->why, sizeof(s->why));
            if (!why && rec.user >= c->cfg.min_id && rec.user <= c->cfg.max_id) {
                rec.key = key;
                memcpy(tk_shuffle_slot(&c->shuffle, lj_owner(rec.user, c->job.size)), &rec,
                       sizeof(rec));
                lf->mine.kept++;
            }
        } else {
            lj_play_rec rec;
            why = lj_parse_log2(&s->csv, src->nfields, src->col, &rec, s->why, sizeof(s->why));
            if (!why && rec.user >= c->cfg.min_id && rec.user <= c->cfg.max_id) {
                memcpy(tk_shuffle_slot(&c->shuffle, lj_owner(rec.user, c->job.size)), &rec,
                       sizeof(rec));
                lf->mine.kept++;
            }
        }
    }
    if (why) {
        lf->mine.bad++;
        lj_bad_add(&c->bad, f, key, why);
    }
    return TK_OK;
}

int lj_read_file(lj_ctx *c, int f, tk_shuffle_consume consume, void *state)
{
    lj_file *lf = &c->files[f];
    read_state s;
    int have_csv = 0, local_done = 0;
    uint64_t bytes_before = f == LJ_LOG2 ? c->files[LJ_LOG1].size : 0, u;

    memset(&s, 0, sizeof(s));
    if (tk_csv_init(&s.csv, ';') != TK_OK)
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    else
        have_csv = 1;
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        goto out;
    for (;;) {
        /* counters summed over ranks: not done, errors, bytes, read, bad */
        uint64_t g[5];
        while (!local_done && !c->shuffle.full && c->job.err.status == TK_OK) {
            const char *line;
            size_t len;
            int rc = next_line(c, lf, &s, &line, &len);
            if (rc <= 0) {
                local_done = 1;
                break;
            }
            if (c->stop_parsing || len == 0 || (len == 1 && line[0] == '\r'))
                continue;
            read_line(c, &s, f, line, len);
        }
        if (c->job.err.status != TK_OK)
            local_done = 1;
        if (tk_shuffle_round(&c->shuffle, consume, state, &c->job.err) != TK_OK)
            local_done = 1;
        g[0] = !local_done;
        g[1] = c->job.err.status != TK_OK;
        g[2] = s.done + (s.open ? tk_reader_done(&s.r) : 0);
        g[3] = lf->mine.read;
        g[4] = lf->mine.bad + (f == LJ_LOG1 ? c->users.dups : 0);
        tk_mpi_sum_u64(c->job.comm, g, 5);
        c->bytes_done_global = bytes_before + g[2];
        if (g[1])
            break;
        if (c->total[LJ_LOG1].bad * (f == LJ_LOG2) + g[4] > (uint64_t)c->cfg.max_bad_rows)
            c->stop_parsing = 1;
        tk_log_progress(&c->job.log, g[0] == 0, "%5.1f%%  %.1f MB/s  %.0f rows/s",
                        c->bytes_total ? 100.0 * (double)c->bytes_done_global /
                                             (double)c->bytes_total
                                       : 100.0,
                        (double)c->bytes_done_global / 1e6 / (tk_now() - c->job.t_start + 1e-9),
                        (double)(c->total[LJ_LOG1].read * (f == LJ_LOG2) + g[3]) /
                            (tk_now() - c->job.t_start + 1e-9));
        if (g[0] == 0)
            break;
    }
out:
    if (s.open)
        tk_reader_close(&s.r);
    if (have_csv)
        tk_csv_free(&s.csv);
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        return c->job.err.status;
    /* every unit's lines (for the bad rows' line numbers) and the bytes read */
    for (u = 0; u < lf->nunits; u++)
        if (lf->units[u].rank != c->job.rank)
            lf->unit_lines[u] = 0;
    MPI_Allreduce(MPI_IN_PLACE, lf->unit_lines, (int)lf->nunits, MPI_UINT64_T, MPI_SUM,
                  c->job.comm);
    lf->usize = lf->usize_mine;
    tk_mpi_sum_u64(c->job.comm, &lf->usize, 1);
    for (u = 0; u < lf->nsrc; u++) /* splittable files: known sizes */
        if (lf->src[u].in.splittable)
            lf->usize += lf->src[u].in.usize_est;
    return TK_OK;
}
