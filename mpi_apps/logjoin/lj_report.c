/* lj_report.c -- the summary line. */
#include <string.h>

#include "logjoin.h"

void lj_report_summary(lj_ctx *c, uint64_t maxrss)
{
    double secs = tk_now() - c->job.t_start;
    uint64_t read = c->total[0].read + c->total[1].read;
    uint64_t bad = c->total[0].bad + c->total[1].bad;
    uint64_t kept = c->total[0].kept + c->total[1].kept;

    char spilled[96] = "";

    if (c->job.rank != 0)
        return;
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
