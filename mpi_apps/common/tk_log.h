/* tk_log.h -- messages for a parallel program: errors, warnings, progress
 * and the summary are printed by rank 0 only. */
#ifndef TK_LOG_H
#define TK_LOG_H

#include <stdio.h>

#include "tk_status.h"

typedef struct tk_log {
    const char *prog;
    int rank;
    FILE *out, *err;   /* borrowed streams */
    int progress;      /* show progress lines on err */
    double t_start, t_last;
    int progress_open; /* a progress line awaits its newline */
} tk_log;

/* Local. Wall-clock seconds from a monotonic clock. */
double tk_now(void);

/* Local. Sets up the logger; progress < 0 means "when err is a terminal". */
void tk_log_init(tk_log *l, const char *prog, int rank, FILE *out, FILE *err, int progress);

/* Local (prints on rank 0 only). "PROG: error: MESSAGE". */
void tk_log_error(tk_log *l, const tk_err *e);

/* Local (rank 0 only). "PROG: warning: ...". */
void tk_log_warn(tk_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Local (rank 0 only). A plain line on err, e.g. a bad-row report. */
void tk_log_info(tk_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Local (rank 0 only). Rewrites the progress line at most 4 times a second,
 * when progress is on; force prints regardless of the rate limit. */
void tk_log_progress(tk_log *l, int force, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
