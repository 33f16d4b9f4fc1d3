/* tk_log.c -- rank-0 messages. */
#include "tk_log.h"

#include <stdarg.h>
#include <time.h>
#include <unistd.h>

double tk_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void tk_log_init(tk_log *l, const char *prog, int rank, FILE *out, FILE *err, int progress)
{
    l->prog = prog;
    l->rank = rank;
    l->out = out;
    l->err = err;
    l->progress = progress < 0 ? isatty(fileno(err)) : progress;
    l->t_start = tk_now();
    l->t_last = 0;
    l->progress_open = 0;
}

static void end_progress_line(tk_log *l)
{
    if (l->progress_open) {
        fputc('\n', l->err);
        l->progress_open = 0;
    }
}

void tk_log_error(tk_log *l, const tk_err *e)
{
    if (l->rank != 0)
        return;
    end_progress_line(l);
    fprintf(l->err, "%s: error: %s\n", l->prog, e->msg[0] ? e->msg : "failed");
    fflush(l->err);
}

void tk_log_warn(tk_log *l, const char *fmt, ...)
{
    va_list ap;

    if (l->rank != 0)
        return;
    end_progress_line(l);
    fprintf(l->err, "%s: warning: ", l->prog);
    va_start(ap, fmt);
    vfprintf(l->err, fmt, ap);
    va_end(ap);
    fputc('\n', l->err);
}

void tk_log_info(tk_log *l, const char *fmt, ...)
{
    va_list ap;

    if (l->rank != 0)
        return;
    end_progress_line(l);
    va_start(ap, fmt);
    vfprintf(l->err, fmt, ap);
    va_end(ap);
    fputc('\n', l->err);
}

void tk_log_progress(tk_log *l, int force, const char *fmt, ...)
{
    va_list ap;
    double now;

    if (l->rank != 0 || !l->progress)
        return;
    now = tk_now();
    if (!force && now - l->t_last < 0.25)
        return;
    l->t_last = now;
    fprintf(l->err, "\r%s: ", l->prog);
    va_start(ap, fmt);
    vfprintf(l->err, fmt, ap);
    va_end(ap);
    fputs("\033[K", l->err);
    fflush(l->err);
    l->progress_open = 1;
}
