/* tk_shuffle.h -- moves fixed-size records to their owner ranks in bounded
 * rounds.
 *
 * Each rank appends records to per-destination outboxes; when one fills, all
 * ranks run a round (MPI_Alltoall of counts, then MPI_Alltoallv), so memory
 * per rank stays bounded whatever the input size. A rank's records for itself
 * are handed to the consumer without being copied through MPI. */
#ifndef TK_SHUFFLE_H
#define TK_SHUFFLE_H

#include <mpi.h>
#include <stddef.h>
#include <stdio.h>

#include "tk_status.h"

typedef int (*tk_shuffle_consume)(void *ctx, const void *recs, size_t n, tk_err *e);

typedef struct tk_shuffle {
    MPI_Comm comm;
    int rank, size;
    size_t rec_size;
    size_t cap;          /* records per outbox */
    MPI_Datatype type;   /* rec_size contiguous bytes */
    int has_type;        /* type is committed and must be freed */
    char *out;           /* size * cap records; outbox d starts at d * cap */
    size_t *n;           /* records waiting per destination */
    int full;            /* some outbox is full */
    int *scount, *sdispl, *rcount, *rdispl;
    char *in;            /* receive buffer */
    size_t in_cap;       /* records */
    unsigned long long rounds;
    FILE *errf;          /* where an abort is told (stderr unless the caller sets it) */
} tk_shuffle;

/* Local. Outboxes of about round_bytes in all (at least 64 KiB each). Owns its
 * buffers and datatype: release with tk_shuffle_free. Returns TK_OK or
 * TK_ESOFTWARE. */
int tk_shuffle_init(tk_shuffle *s, MPI_Comm comm, size_t rec_size, size_t round_bytes,
                    tk_err *e);

/* Local. */
void tk_shuffle_free(tk_shuffle *s);

/* Local. A slot for one record to dest. The caller must check s->full after
 * adding and run a round before adding more when it is set. */
static inline void *tk_shuffle_slot(tk_shuffle *s, int dest)
{
    void *slot = s->out + ((size_t)dest * s->cap + s->n[dest]) * s->rec_size;
    if (++s->n[dest] == s->cap)
        s->full = 1;
    return slot;
}

/* Collective. Delivers every rank's outboxes: consume is called once with
 * this rank's own records and once with the records received from the
 * others, then the outboxes are empty. Returns TK_OK or the consumer's
 * error (the round itself completes on every rank either way). */
int tk_shuffle_round(tk_shuffle *s, tk_shuffle_consume consume, void *ctx, tk_err *e);

#endif
