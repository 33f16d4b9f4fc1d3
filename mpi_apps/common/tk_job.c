/* tk_job.c -- the job frame: begin, output, publish, end. */
#include "tk_job.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tk_cleanup.h"
#include "tk_mpi.h"

void tk_job_begin(tk_job *j, MPI_Comm comm, const char *prog, FILE *out, FILE *err,
                  int progress)
{
    memset(j, 0, sizeof(*j));
    j->comm = comm;
    MPI_Comm_rank(comm, &j->rank);
    MPI_Comm_size(comm, &j->size);
    j->t_start = tk_now();
    tk_err_clear(&j->err);
    tk_log_init(&j->log, prog, j->rank, out, err, progress);
}

void tk_job_set_progress(tk_job *j, int progress)
{
    tk_log_init(&j->log, j->log.prog, j->rank, j->log.out, j->log.err, progress);
}

/* Rank 0: the checks and folders of tk_job_prepare_output. */
static void prepare_rank0(tk_job *j, const char *const *inputs, size_t n)
{
    struct stat st;
    size_t i;

    for (i = 0; i < n; i++)
        if (inputs[i] && tk_fs_overlap(j->final, inputs[i])) {
            tk_err_set(&j->err, TK_EUSAGE,
                       "%s %s overlaps the input %s (is it, holds it or lies inside it)",
                       j->kind == TK_OUT_DIR ? "OUTDIR" : "OUT", j->final, inputs[i]);
            return;
        }
    if (j->kind == TK_OUT_FILE && stat(j->final, &st) == 0 && S_ISDIR(st.st_mode))
        tk_err_set(&j->err, TK_ECANTCREAT, "%s is a folder", j->final);
    else if (tk_fs_exists(j->final) && !j->overwrite)
        tk_err_set(&j->err, TK_ECANTCREAT, "%s already exists (use --overwrite)", j->final);
    else if (tk_fs_mkparents(j->final, j->parents, sizeof(j->parents)) != 0)
        tk_err_set(&j->err, TK_ECANTCREAT, "cannot create the folder of %s: %s", j->final,
                   strerror(errno));
    else if (j->kind == TK_OUT_DIR)
        tk_fs_mktmpdir(j->final, "tmp", j->tmp, sizeof(j->tmp), &j->err);
    else
        tk_fs_tmp_sibling(j->final, "tmp", j->tmp, sizeof(j->tmp), &j->err);
}

int tk_job_prepare_output(tk_job *j, const char *final, tk_out_kind kind, int overwrite,
                          const char *const *inputs, size_t n)
{
    j->final = final;
    j->kind = kind;
    j->overwrite = overwrite;
    j->tmp[0] = '\0';
    if (j->rank == 0)
        prepare_rank0(j, inputs, n);
    if (tk_mpi_agree(j->comm, &j->err) != TK_OK) {
        if (j->rank == 0 && j->tmp[0] && kind == TK_OUT_DIR)
            tk_fs_rmtree(j->tmp);
        j->tmp[0] = '\0';
        return j->err.status;
    }
    MPI_Bcast(j->tmp, (int)sizeof(j->tmp), MPI_CHAR, 0, j->comm);
    tk_cleanup_add(j->tmp); /* every rank: a signal may reach any of them */
    return TK_OK;
}

int tk_job_publish(tk_job *j)
{
    if (tk_mpi_agree(j->comm, &j->err) != TK_OK)
        return j->err.status;
    if (j->rank == 0) {
        if (j->kind == TK_OUT_DIR && tk_fs_fsync_path(j->tmp) != 0)
            tk_err_set(&j->err, TK_EIO, "cannot sync %s: %s", j->tmp, strerror(errno));
        else
            tk_fs_publish(j->tmp, j->final, j->overwrite, &j->err);
    }
    if (tk_mpi_agree(j->comm, &j->err) != TK_OK)
        return j->err.status;
    j->tmp[0] = '\0';
    j->parents[0] = '\0';
    tk_cleanup_forget_all();
    return TK_OK;
}

uint64_t tk_job_max_rss(tk_job *j)
{
    uint64_t rss = tk_peak_rss();

    MPI_Allreduce(MPI_IN_PLACE, &rss, 1, MPI_UINT64_T, MPI_MAX, j->comm);
    return rss;
}

int tk_job_end(tk_job *j)
{
    if (j->err.status == TK_OK)
        return TK_OK;
    tk_log_error(&j->log, &j->err);
    if (j->rank == 0 && j->tmp[0])
        tk_fs_rmtree(j->tmp);
    if (j->rank == 0 && j->final && j->parents[0]) /* the folders this job made */
        tk_fs_rmparents(j->final, j->parents);
    j->tmp[0] = '\0';
    tk_cleanup_forget_all();
    return j->err.status;
}

void tk_job_abort(const tk_job *j, const char *fmt, ...)
{
    char msg[TK_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(j->log.err, "%s: error: rank %d: %s\n", j->log.prog, j->rank, msg);
    fflush(j->log.err);
    MPI_Abort(j->comm, TK_ESOFTWARE);
    abort(); /* not reached */
}
