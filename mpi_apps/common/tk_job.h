/* tk_job.h -- the frame every program runs in: who and where we are (rank,
 * size, clock, log, the first error), the output made in a temporary
 * sibling and published atomically, and the end (one message on rank 0, the
 * temporary output removed, the same status on every rank).
 *
 * A program's context embeds a tk_job; its *_run reads as the list of its
 * stages between tk_job_begin and tk_job_end. */
#ifndef TK_JOB_H
#define TK_JOB_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tk_fs.h"
#include "tk_log.h"
#include "tk_status.h"

typedef enum { TK_OUT_FILE = 0, TK_OUT_DIR = 1 } tk_out_kind;

typedef struct tk_job {
    MPI_Comm comm;
    int rank, size;
    double t_start;
    tk_log log;
    tk_err err;                 /* this rank's first error (agreed at each stage's end) */
    const char *final;          /* the output's final name (borrowed); NULL: none */
    int overwrite;
    tk_out_kind kind;
    char tmp[TK_PATH_MAX + 64]; /* its temporary sibling, the same on every rank ("": none) */
    char parents[TK_PATH_MAX];  /* rank 0: the top-most folder made for it ("": none) */
} tk_job;

/* Local. Fills rank, size and the start time, clears the error, and sets
 * up the log (progress < 0: when err is a terminal). */
void tk_job_begin(tk_job *j, MPI_Comm comm, const char *prog, FILE *out, FILE *err,
                  int progress);

/* Local. The log's progress setting, once the options are known. */
void tk_job_set_progress(tk_job *j, int progress);

/* Collective. Prepares the output final (a file or a folder of files): rank
 * 0 refuses a final that is, holds or lies inside one of inputs[0..n)
 * (TK_EUSAGE: --overwrite would delete it), an existing final without
 * overwrite (TK_ECANTCREAT), a folder where a file is wanted; creates the
 * missing parent folders (remembered, to be removed if the job fails) and
 * the temporary sibling name (a folder is created; a file is the caller's
 * to create), registered with tk_cleanup on every rank. Returns the same
 * status on every rank. */
int tk_job_prepare_output(tk_job *j, const char *final, tk_out_kind kind, int overwrite,
                          const char *const *inputs, size_t n);

/* Collective. Renames the temporary output into place (rank 0; exchanged
 * atomically with an old one under --overwrite) once every rank has
 * succeeded. Returns the same status on every rank. */
int tk_job_publish(tk_job *j);

/* Collective. The largest peak resident set size over the ranks, in bytes. */
uint64_t tk_job_max_rss(tk_job *j);

/* Local. For a failure that the other ranks cannot be told of (they are
 * inside collectives already): prints "PROG: error: rank R: MESSAGE" on the
 * job's error stream and ends every rank with MPI_Abort (TK_ESOFTWARE). */
void tk_job_abort(const tk_job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* Collective in effect (every rank calls it; no communication). Ends the
 * job: on an error, rank 0 prints "PROG: error: MESSAGE" and removes the
 * temporary output and the parent folders the job made. Returns the status
 * (TK_OK, or the agreed error's status), the same on every rank as long as
 * the error was agreed. */
int tk_job_end(tk_job *j);

#endif
