/* lj_report.c -- bad-row samples, their report with true line numbers, and
 * the summary line. */
#include <stdlib.h>
#include <string.h>

#include "logjoin.h"
#include "tk_mpi.h"

void lj_bad_add(lj_badlist *b, int file, uint64_t key, const char *reason)
{
    lj_bad *items = b->items[file];
    int n = b->n[file], i;

    if (n == LJ_BAD_SHOWN && key >= items[n - 1].key)
        return;
    /* insertion into the sorted list, dropping the largest when full */
    i = n < LJ_BAD_SHOWN ? n : LJ_BAD_SHOWN - 1;
    while (i > 0 && items[i - 1].key > key) {
        items[i] = items[i - 1];
        i--;
    }
    items[i].key = key;
    items[i].file = file;
    /* reasons show values escaped (lj_parse): no control bytes reach the terminal */
    snprintf(items[i].reason, sizeof(items[i].reason), "%s", reason);
    if (n < LJ_BAD_SHOWN)
        b->n[file] = n + 1;
}

static int cmp_bad(const void *a, const void *b)
{
    uint64_t x = ((const lj_bad *)a)->key, y = ((const lj_bad *)b)->key;

    return (x > y) - (x < y);
}

void lj_report_bad(lj_ctx *c)
{
    uint64_t mine[2] = { c->files[0].lines, c->files[1].lines };
    uint64_t *lines = NULL;
    lj_badlist *all = NULL;
    lj_bad *merged = NULL;
    int f, r, fail = 0;

    if (c->totals[0][1] + c->totals[1][1] == 0)
        return; /* every rank knows the totals: nothing to report */
    if (c->job.rank == 0) {
        lines = malloc(2 * sizeof(*lines) * (size_t)c->job.size);
        all = malloc(sizeof(*all) * (size_t)c->job.size);
        merged = malloc(sizeof(*merged) * LJ_BAD_SHOWN * (size_t)c->job.size);
        fail = !lines || !all || !merged;
    }
    if (tk_mpi_any(c->job.comm, fail)) {
        tk_log_warn(&c->job.log, "out of memory listing bad rows");
        goto out;
    }
    MPI_Gather(mine, 2, MPI_UINT64_T, lines, 2, MPI_UINT64_T, 0, c->job.comm);
    MPI_Gather(&c->bad, (int)sizeof(c->bad), MPI_BYTE, all, (int)sizeof(c->bad), MPI_BYTE, 0,
               c->job.comm);
    if (c->job.rank != 0)
        goto out;
    for (f = 0; f < 2; f++) {
        uint64_t before = 1, *base = malloc(sizeof(*base) * (size_t)c->job.size);
        size_t n = 0, i, shown;
        if (!base)
            break;
        for (r = 0; r < c->job.size; r++) {
            base[r] = before; /* lines before rank r's range, the header included */
            before += lines[2 * r + f];
            for (i = 0; i < (size_t)all[r].n[f]; i++)
                merged[n++] = all[r].items[f][i];
        }
        qsort(merged, n, sizeof(*merged), cmp_bad);
        shown = n < LJ_BAD_SHOWN ? n : LJ_BAD_SHOWN;
        for (i = 0; i < shown; i++) {
            uint64_t k = merged[i].key;
            tk_log_info(&c->job.log, "%s:%llu: %s", c->files[f].path,
                        (unsigned long long)(base[LJ_KEY_RANK(k)] + LJ_KEY_LINE(k) + 1),
                        merged[i].reason);
        }
        if (c->totals[f][1] > shown)
            tk_log_info(&c->job.log, "%s: %llu more bad rows not shown", c->files[f].path,
                        (unsigned long long)(c->totals[f][1] - shown));
        free(base);
    }
out:
    free(lines);
    free(all);
    free(merged);
}

void lj_report_summary(lj_ctx *c, uint64_t maxrss)
{
    double secs = tk_now() - c->job.t_start;
    uint64_t read = c->totals[0][0] + c->totals[1][0];
    uint64_t bad = c->totals[0][1] + c->totals[1][1];
    uint64_t kept = c->totals[0][2] + c->totals[1][2];

    if (c->job.rank != 0)
        return;
    fprintf(c->job.log.out,
            "%s: rows read %llu, bad %llu, kept %llu, users written %llu, %.2f s, %.1f MB/s, "
            "%d ranks, maxrss=%llu MiB\n",
            LJ_NAME, (unsigned long long)read, (unsigned long long)bad,
            (unsigned long long)kept, (unsigned long long)c->users_written, secs,
            (double)c->bytes_total / 1e6 / (secs > 0 ? secs : 1e-9), c->job.size,
            (unsigned long long)(maxrss >> 20));
    fflush(c->job.log.out);
}
