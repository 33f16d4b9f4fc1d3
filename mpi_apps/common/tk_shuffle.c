/* tk_shuffle.c -- bounded all-to-all rounds. */
#include "tk_shuffle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tk_shuffle_init(tk_shuffle *s, MPI_Comm comm, size_t rec_size, size_t round_bytes,
                    tk_err *e)
{
    size_t per;

    memset(s, 0, sizeof(*s));
    s->errf = stderr;
    s->comm = comm;
    MPI_Comm_rank(comm, &s->rank);
    MPI_Comm_size(comm, &s->size);
    s->rec_size = rec_size;
    per = round_bytes / (size_t)s->size;
    if (per < (64u << 10))
        per = 64u << 10;
    s->cap = per / rec_size;
    if (s->cap < 1)
        s->cap = 1;
    s->out = malloc((size_t)s->size * s->cap * rec_size);
    s->n = calloc((size_t)s->size, sizeof(*s->n));
    s->scount = calloc((size_t)s->size * 4, sizeof(int));
    if (!s->out || !s->n || !s->scount) {
        tk_shuffle_free(s);
        return tk_err_set(e, TK_ESOFTWARE, "out of memory for shuffle buffers");
    }
    s->sdispl = s->scount + s->size;
    s->rcount = s->sdispl + s->size;
    s->rdispl = s->rcount + s->size;
    MPI_Type_contiguous((int)rec_size, MPI_BYTE, &s->type);
    MPI_Type_commit(&s->type);
    s->has_type = 1;
    return TK_OK;
}

void tk_shuffle_free(tk_shuffle *s)
{
    if (s->has_type)
        MPI_Type_free(&s->type);
    free(s->out);
    free(s->n);
    free(s->scount);
    free(s->in);
    memset(s, 0, sizeof(*s));
}

int tk_shuffle_round(tk_shuffle *s, tk_shuffle_consume consume, void *ctx, tk_err *e)
{
    size_t total = 0;
    int d, rc = TK_OK;

    for (d = 0; d < s->size; d++) {
        s->scount[d] = d == s->rank ? 0 : (int)s->n[d];
        s->sdispl[d] = (int)((size_t)d * s->cap);
    }
    MPI_Alltoall(s->scount, 1, MPI_INT, s->rcount, 1, MPI_INT, s->comm);
    for (d = 0; d < s->size; d++) {
        s->rdispl[d] = (int)total;
        total += (size_t)s->rcount[d];
    }
    if (total > s->in_cap) {
        char *in = realloc(s->in, total * s->rec_size);
        if (!in) {
            /* the peers are already sending: no way to agree, end the job */
            fprintf(s->errf, "error: rank %d: out of memory receiving %zu records\n", s->rank,
                    total);
            MPI_Abort(s->comm, TK_ESOFTWARE);
        }
        s->in = in;
        s->in_cap = total;
    }
    MPI_Alltoallv(s->out, s->scount, s->sdispl, s->type, s->in, s->rcount, s->rdispl, s->type,
                  s->comm);
    if (s->n[s->rank] > 0)
        rc = consume(ctx, s->out + (size_t)s->rank * s->cap * s->rec_size, s->n[s->rank], e);
    if (rc == TK_OK && total > 0)
        rc = consume(ctx, s->in, total, e);
    memset(s->n, 0, sizeof(*s->n) * (size_t)s->size);
    s->full = 0;
    s->rounds++;
    return rc;
}
