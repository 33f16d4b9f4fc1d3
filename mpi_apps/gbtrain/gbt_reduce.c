/* gbt_reduce.c -- histograms over ranks by feature blocks: each rank keeps
 * and receives the sums of its own block of features only (one
 * MPI_Reduce_scatter a level), and a pool of that block's buffers reused
 * across levels and trees (fresh pages cost a fault each on every level
 * otherwise). The split search on blocks is gbt_tree.c's. */
#include <stdlib.h>
#include <string.h>

#include "gbtrain.h"

#define RS_MAX ((size_t)1 << 26) /* int64 values per MPI_Reduce_scatter call */

int gbt_blocks_init(gbt_blocks *b, const gbt_cuts *c, int rank, int size, tk_err *e)
{
    size_t r, f = 0;

    memset(b, 0, sizeof(*b));
    b->rank = rank;
    b->size = size;
    b->rs_max = RS_MAX;
    b->f0 = malloc(((size_t)size + 1) * sizeof(size_t));
    b->s0 = malloc(((size_t)size + 1) * sizeof(size_t));
    b->dest = malloc((c->nf + 1) * sizeof(size_t));
    b->counts = malloc((size_t)size * sizeof(int));
    if (!b->f0 || !b->s0 || !b->dest || !b->counts) {
        gbt_blocks_free(b);
        return tk_err_set(e, TK_ESOFTWARE, "out of memory for the histogram blocks");
    }
    /* feature f goes to the block its middle slot falls in: contiguous
     * blocks, each within one feature of nslots / size */
    for (r = 0; r < (size_t)size; r++) {
        b->f0[r] = f;
        b->s0[r] = c->offset[f];
        while (f < c->nf) {
            size_t mid2 = c->offset[f] + c->offset[f + 1]; /* twice the middle */
            size_t at = (size_t)((unsigned __int128)mid2 * (size_t)size / (2 * c->nslots));
            if (at > r && r + 1 < (size_t)size)
                break;
            f++;
        }
    }
    b->f0[size] = c->nf;
    b->s0[size] = c->nslots;
    b->nmine = b->s0[rank + 1] - b->s0[rank];
    return TK_OK;
}

void gbt_blocks_free(gbt_blocks *b)
{
    size_t i;

    for (i = 0; i < b->npool; i++)
        free(b->pool[i]);
    free(b->pool);
    free(b->f0);
    free(b->s0);
    free(b->dest);
    free(b->counts);
    free(b->send);
    free(b->recv);
    memset(b, 0, sizeof(*b));
}

gbt_bin_sum *gbt_blocks_get(gbt_blocks *b, int zero)
{
    gbt_bin_sum *h;

    if (b->npool == 0)
        return zero ? calloc(b->nmine + 1, sizeof(gbt_bin_sum))
                    : malloc((b->nmine + 1) * sizeof(gbt_bin_sum));
    h = b->pool[--b->npool];
    if (zero)
        memset(h, 0, b->nmine * sizeof(gbt_bin_sum));
    return h;
}

void gbt_blocks_put(gbt_blocks *b, gbt_bin_sum *hist)
{
    if (!hist)
        return;
    if (b->npool == b->cappool) {
        size_t cap = b->cappool ? 2 * b->cappool : 64;
        gbt_bin_sum **p = realloc(b->pool, cap * sizeof(*p));
        if (!p) {
            free(hist); /* no room to keep it */
            return;
        }
        b->pool = p;
        b->cappool = cap;
    }
    b->pool[b->npool++] = hist;
}

/* Room for n pairs in *buf (capacity *cap), keeping nothing. */
static gbt_bin_sum *scratch(gbt_bin_sum **buf, size_t *cap, size_t n)
{
    if (n > *cap || !*buf) {
        free(*buf);
        *buf = malloc((n + 1) * sizeof(gbt_bin_sum));
        *cap = *buf ? n : 0;
    }
    return *buf;
}

gbt_bin_sum *gbt_blocks_send(gbt_blocks *b, size_t m, int zero)
{
    size_t n = m * b->s0[b->size];
    gbt_bin_sum *s;

    if (m != 0 && n / m != b->s0[b->size])
        return NULL;
    s = scratch(&b->send, &b->send_cap, n);
    if (s && zero)
        memset(s, 0, n * sizeof(gbt_bin_sum));
    return s;
}

const size_t *gbt_blocks_dest(gbt_blocks *b, const gbt_cuts *c, size_t m, size_t j)
{
    int r;
    size_t f;

    /* rank r's part of the buffer starts at m * s0[r]; node j's block in it
     * at j * (its slots) */
    for (r = 0; r < b->size; r++) {
        size_t base = m * b->s0[r] + j * (b->s0[r + 1] - b->s0[r]);
        for (f = b->f0[r]; f < b->f0[r + 1]; f++)
            b->dest[f] = base + (c->offset[f] - b->s0[r]);
    }
    return b->dest;
}

/* Sums nodes [j0, j0 + k) of the m in the send buffer (words int64 a slot)
 * into recv: the whole buffer as it is, or a copy of the part's blocks.
 * Returns 0, or -1 when out of memory (the same on every rank). */
static int reduce_part(gbt_blocks *b, MPI_Comm comm, size_t m, size_t j0, size_t k, int words)
{
    int64_t *send = (int64_t *)b->send, *part = send, *recv = (int64_t *)b->recv;
    size_t at = 0, w = (size_t)words;
    int r, ok = 1;

    if (k != m) {
        part = malloc((k * b->s0[b->size] * w + 1) * sizeof(int64_t));
        ok = part != NULL;
        MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, comm);
        if (!ok) {
            free(part);
            return -1;
        }
    }
    for (r = 0; r < b->size; r++) {
        size_t ns = (b->s0[r + 1] - b->s0[r]) * w;
        if (k != m)
            memcpy(part + at, send + m * b->s0[r] * w + j0 * ns, k * ns * sizeof(int64_t));
        at += k * ns;
        b->counts[r] = (int)(k * ns);
    }
    MPI_Reduce_scatter(part, recv + j0 * b->nmine * w, b->counts, MPI_INT64_T, MPI_SUM, comm);
    if (part != send)
        free(part);
    return 0;
}

int64_t *gbt_blocks_reduce(gbt_blocks *b, MPI_Comm comm, size_t m, int words)
{
    size_t nslots = b->s0[b->size], k, j0;
    int ok;

    ok = scratch(&b->recv, &b->recv_cap, m * b->nmine) != NULL;
    MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, comm);
    if (!ok)
        return NULL;
    /* nodes per call: MPI counts are ints */
    k = nslots ? b->rs_max / ((size_t)words * nslots) : m;
    if (k == 0)
        k = 1;
    for (j0 = 0; j0 < m; j0 += k)
        if (reduce_part(b, comm, m, j0, m - j0 < k ? m - j0 : k, words) != 0)
            return NULL;
    return (int64_t *)b->recv;
}
