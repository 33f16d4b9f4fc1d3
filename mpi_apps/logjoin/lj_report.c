/* lj_report.c -- the summary line. */
#include <string.h>

#include "logjoin.h"

/* "LOG2 30 files, 250.1 MB (1003.2 MB uncompressed)" for log f. */
static void describe_input(const lj_ctx *c, int f, char *buf, size_t len)
{
    const lj_file *lf = &c->files[f];
    int n = snprintf(buf, len, "%s %zu file%s, %.1f MB", f == LJ_LOG1 ? "LOG1" : "LOG2", lf->nsrc,
                     lf->nsrc == 1 ? "" : "s", (double)lf->size / 1e6);

    if (n > 0 && (size_t)n < len && lf->usize != lf->size)
        snprintf(buf + n, len - (size_t)n, " (%.1f MB uncompressed)", (double)lf->usize / 1e6);
}

void lj_report_summary(lj_ctx *c, uint64_t maxrss)
{
    char in[2][128];
    double secs = tk_now() - c->job.t_start;
    uint64_t read = c->total[0].read + c->total[1].read;
    uint64_t bad = c->total[0].bad + c->total[1].bad;
    uint64_t kept = c->total[0].kept + c->total[1].kept;

    char spilled[96] = "";

    if (c->job.rank != 0)
        return;
    describe_input(c, LJ_LOG1, in[0], sizeof(in[0]));
    describe_input(c, LJ_LOG2, in[1], sizeof(in[1]));
    fprintf(c->job.log.out, "%s: inputs: %s; %s\n", LJ_NAME, in[0], in[1]);
    if (c->spills)
        snprintf(spilled, sizeof(spilled), "spilled %.1f MiB in %llu runs, ",
                 (double)c->spilled_bytes / 1048576.0, (unsigned long long)c->spills);
    snprintf(spilled + strlen(spilled), sizeof(spilled) - strlen(spilled), "state %llu MiB, ",
             (unsigned long long)(c->peak_state >> 20));
    fprintf(c->job.log.out,
            "%s: rows read %llu, bad %llu, kept %llu, users written %llu, %.2f s, %.1f MB/s, "
            "%d ranks, %smaxrss=%llu MiB\n",
            LJ_NAME, (unsigned long long)read, (unsigned long long)bad,
            (unsigned long long)kept, (unsigned long long)c->users_written, secs,
            (double)c->bytes_total / 1e6 / (secs > 0 ? secs : 1e-9), c->job.size, spilled,
            (unsigned long long)(maxrss >> 20));
    fflush(c->job.log.out);
}
