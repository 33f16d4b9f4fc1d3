/* lj_read.c -- headers, byte ranges, and streaming each rank's lines into
 * the shuffle. */
#include <string.h>

#include "logjoin.h"
#include "tk_mpi.h"

/* Rank 0: reads the header of f, finds the columns. */
static int read_header(lj_ctx *c, lj_file *f, const char *const *names, size_t ncols)
{
    tk_csv_header h;
    tk_csv csv;

    if (tk_csv_read_header(f->path, ';', 0, &csv, &h, &c->job.err) != TK_OK)
        return c->job.err.status;
    f->size = h.size;
    f->mtime_ns = h.mtime_ns;
    f->data_start = h.data_start;
    f->nfields = tk_csv_nfields(&csv);
    tk_csv_columns(&csv, names, ncols, f->col, f->path, &c->job.err);
    tk_csv_free(&csv);
    return c->job.err.status;
}

int lj_read_headers(lj_ctx *c)
{
    uint64_t meta[2][4];
    int cols[2][LJ_L2_NCOLS];
    int i, f;

    if (c->job.rank == 0) {
        if (read_header(c, &c->files[LJ_LOG1], lj_log1_columns, LJ_L1_NCOLS) == TK_OK)
            read_header(c, &c->files[LJ_LOG2], lj_log2_columns, LJ_L2_NCOLS);
    }
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        return c->job.err.status;
    for (f = 0; f < 2; f++) {
        meta[f][0] = c->files[f].size;
        meta[f][1] = c->files[f].data_start;
        meta[f][2] = c->files[f].nfields;
        meta[f][3] = (uint64_t)c->files[f].mtime_ns;
        for (i = 0; i < LJ_L2_NCOLS; i++)
            cols[f][i] = c->files[f].col[i];
    }
    MPI_Bcast(meta, 8, MPI_UINT64_T, 0, c->job.comm);
    MPI_Bcast(cols, 2 * LJ_L2_NCOLS, MPI_INT, 0, c->job.comm);
    c->bytes_total = 0;
    for (f = 0; f < 2; f++) {
        lj_file *lf = &c->files[f];
        uint64_t data;
        lf->size = meta[f][0];
        lf->data_start = meta[f][1];
        lf->nfields = (size_t)meta[f][2];
        lf->mtime_ns = (int64_t)meta[f][3];
        for (i = 0; i < LJ_L2_NCOLS; i++)
            lf->col[i] = cols[f][i];
        data = lf->size - lf->data_start;
        lf->start = lf->data_start + data * (uint64_t)c->job.rank / (uint64_t)c->job.size;
        lf->end = lf->data_start + data * (uint64_t)(c->job.rank + 1) / (uint64_t)c->job.size;
        c->bytes_total += lf->size;
    }
    return TK_OK;
}

typedef struct read_state {
    tk_lines lines;
    tk_csv csv;
    char why[LJ_BAD_REASON];
} read_state;

/* Parses one non-empty line of file f into the shuffle, or counts it bad. */
static int read_line(lj_ctx *c, read_state *s, int f, const char *line, size_t len)
{
    lj_file *lf = &c->files[f];
    uint64_t key = LJ_KEY(c->job.rank, s->lines.lines - 1);
    const char *why;
    int rc;

    lf->mine.read++;
    rc = tk_csv_split(&s->csv, line, len, &why);
    if (rc == TK_ESOFTWARE)
        return tk_err_set(&c->job.err, rc, "out of memory parsing %s", lf->path);
    if (rc == TK_OK) {
        if (f == LJ_LOG1) {
            lj_user_rec rec;
            why = lj_parse_log1(&s->csv, lf->nfields, lf->col, &rec, s->why, sizeof(s->why));
            if (!why && rec.user >= c->cfg.min_id && rec.user <= c->cfg.max_id) {
                rec.key = key;
                memcpy(tk_shuffle_slot(&c->shuffle, lj_owner(rec.user, c->job.size)), &rec,
                       sizeof(rec));
                lf->mine.kept++;
            }
        } else {
            lj_play_rec rec;
            why = lj_parse_log2(&s->csv, lf->nfields, lf->col, &rec, s->why, sizeof(s->why));
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
    int opened = 0, have_csv = 0, local_done = 0;
    uint64_t bytes_before = 0;
    int i;

    for (i = 0; i < f; i++)
        bytes_before += c->files[i].size;
    memset(&s, 0, sizeof(s));
    if (tk_csv_init(&s.csv, ';') != TK_OK)
        tk_err_set(&c->job.err, TK_ESOFTWARE, "out of memory");
    else
        have_csv = 1;
    if (c->job.err.status == TK_OK &&
        tk_lines_open(&s.lines, lf->path, lf->start, lf->end,
                      (size_t)c->cfg.chunk_kib << 10, &c->job.err) == TK_OK)
        opened = 1;
    if (tk_mpi_agree(c->job.comm, &c->job.err) != TK_OK)
        goto out;
    for (;;) {
        /* counters summed over ranks: not done, errors, bytes, read, bad */
        uint64_t g[5];
        while (!local_done && !c->shuffle.full && c->job.err.status == TK_OK) {
            const char *line;
            size_t len;
            int rc = tk_lines_next(&s.lines, &line, &len, &c->job.err);
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
        g[2] = tk_lines_done(&s.lines, lf->start);
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
    lf->lines = s.lines.lines;
    /* a file cut, grown or rewritten while we read it gives no result */
    if (c->job.err.status == TK_OK)
        tk_lines_verify(&s.lines, lf->size, lf->mtime_ns, &c->job.err);
out:
    if (opened)
        tk_lines_close(&s.lines);
    if (have_csv)
        tk_csv_free(&s.csv);
    return tk_mpi_agree(c->job.comm, &c->job.err);
}
