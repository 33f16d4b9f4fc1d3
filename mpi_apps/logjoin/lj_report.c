/* lj_report.c -- the summary line. */
#include "logjoin.h"

void lj_report_summary(lj_ctx *c, uint64_t maxrss)
{
    double secs = tk_now() - c->job.t_start;
    uint64_t read = c->total[0].read + c->total[1].read;
    uint64_t bad = c->total[0].bad + c->total[1].bad;
    uint64_t kept = c->total[0].kept + c->total[1].kept;

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
