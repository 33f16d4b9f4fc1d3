/* lj_rows.c -- feature rows between the fold and the writer: varint-encoded
 * in userId order (a dozen bytes a row instead of 64), cut by splitters
 * drawn from every rank's users, exchanged with one all-to-all and merged
 * into this rank's slice of the sorted output, column by column. The user
 * ids are unique, so the result does not depend on the number of ranks. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "logjoin.h"
#include "tk_keycount.h"
#include "tk_mpi.h"

#define ROW_MAX_BYTES (10 * 10) /* ten varints */

static inline uint64_t zz(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t unzz(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int lj_rowbuf_put(lj_rowbuf *b, const lj_row *r)
{
    uint8_t *p;

    if (b->len + ROW_MAX_BYTES > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : (size_t)1 << 16;
        uint8_t *d = realloc(b->data, cap);
        if (!d)
            return TK_ESOFTWARE;
        b->data = d;
        b->cap = cap;
    }
    p = b->data + b->len;
    p = tk_varint_put(p, (uint64_t)r->user - (uint64_t)b->prev); /* ascending: small */
    p = tk_varint_put(p, (uint64_t)r->plays);
    p = tk_varint_put(p, (uint64_t)r->top_genre_songs);
    p = tk_varint_put(p, (uint64_t)r->dist_songs);
    p = tk_varint_put(p, (uint64_t)r->dist_devices);
    p = tk_varint_put(p, zz(r->top_genre));
    p = tk_varint_put(p, zz(r->region));
    p = tk_varint_put(p, zz(r->type));
    p = tk_varint_put(p, zz(r->peak_hour));
    *p++ = r->paid;
    b->prev = r->user;
    b->len = (size_t)(p - b->data);
    b->nrows++;
    return TK_OK;
}

const uint8_t *lj_row_get(const uint8_t *p, lj_row *r, int64_t *prev)
{
    uint64_t v;

    p = tk_varint_get(p, &v);
    r->user = (int64_t)((uint64_t)*prev + v);
    *prev = r->user;
    p = tk_varint_get(p, &v);
    r->plays = (int64_t)v;
    p = tk_varint_get(p, &v);
    r->top_genre_songs = (int64_t)v;
    p = tk_varint_get(p, &v);
    r->dist_songs = (int64_t)v;
    p = tk_varint_get(p, &v);
    r->dist_devices = (int64_t)v;
    p = tk_varint_get(p, &v);
    r->top_genre = (int32_t)unzz(v);
    p = tk_varint_get(p, &v);
    r->region = (int32_t)unzz(v);
    p = tk_varint_get(p, &v);
    r->type = (int32_t)unzz(v);
    p = tk_varint_get(p, &v);
    r->peak_hour = (int32_t)unzz(v);
    r->paid = *p++;
    return p;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

int lj_rows_splitters(MPI_Comm comm, const int64_t *ids, size_t n, int64_t *split, tk_err *e)
{
    int size, p, nsamp, total = 0, *counts = NULL, *displs;
    int64_t *samples = NULL, *all = NULL;

    MPI_Comm_size(comm, &size);
    if (size == 1)
        return TK_OK;
    /* size-1 regular samples per rank (fewer when it has fewer users) */
    nsamp = (int)(n < (size_t)(size - 1) ? n : (size_t)(size - 1));
    counts = calloc((size_t)size * 2, sizeof(int));
    samples = malloc(((size_t)nsamp + 1) * sizeof(*samples));
    if (tk_mpi_any(comm, !counts || !samples))
        goto nomem;
    displs = counts + size;
    for (p = 0; p < nsamp; p++)
        samples[p] = ids[(size_t)(p + 1) * n / (size_t)(nsamp + 1)];
    MPI_Allgather(&nsamp, 1, MPI_INT, counts, 1, MPI_INT, comm);
    for (p = 0; p < size; p++) {
        displs[p] = total;
        total += counts[p];
    }
    all = malloc(((size_t)total + 1) * sizeof(*all));
    if (tk_mpi_any(comm, all == NULL))
        goto nomem;
    MPI_Allgatherv(samples, nsamp, MPI_INT64_T, all, counts, displs, MPI_INT64_T, comm);
    qsort(all, (size_t)total, sizeof(*all), cmp_i64);
    /* splitter p-1 bounds rank p: rows with user < split[p-1] go below */
    for (p = 1; p < size; p++)
        split[p - 1] = total ? all[(size_t)p * (size_t)total / (size_t)size] : INT64_MAX;
    goto out;
nomem:
    tk_err_set(e, TK_ESOFTWARE, "out of memory choosing splitters");
out:
    free(all);
    free(samples);
    free(counts);
    return e->status;
}

void lj_features_free(lj_features *f)
{
    free(f->user);
    free(f->top_genre_songs);
    free(f->dist_songs);
    free(f->plays);
    free(f->dist_devices);
    free(f->top_genre);
    free(f->region);
    free(f->type);
    free(f->peak_hour);
    free(f->paid);
    memset(f, 0, sizeof(*f));
}

int lj_features_decode(const lj_rowbuf *b, int extra, lj_features *f)
{
    size_t m = b->nrows + 1, i;
    const uint8_t *p = b->data;
    int64_t prev = 0;
    lj_row r;

    memset(f, 0, sizeof(*f));
    f->user = malloc(m * 8);
    f->top_genre_songs = malloc(m * 8);
    f->dist_songs = malloc(m * 8);
    f->top_genre = malloc(m * 4);
    f->region = malloc(m * 4);
    f->type = malloc(m * 4);
    f->paid = malloc(m);
    if (extra) {
        f->plays = malloc(m * 8);
        f->dist_devices = malloc(m * 8);
        f->peak_hour = malloc(m * 4);
    }
    if (!f->user || !f->top_genre_songs || !f->dist_songs || !f->top_genre || !f->region ||
        !f->type || !f->paid || (extra && (!f->plays || !f->dist_devices || !f->peak_hour))) {
        lj_features_free(f);
        return TK_ESOFTWARE;
    }
    for (i = 0; i < b->nrows; i++) {
        p = lj_row_get(p, &r, &prev);
        f->user[i] = r.user;
        f->top_genre_songs[i] = r.top_genre_songs;
        f->dist_songs[i] = r.dist_songs;
        f->top_genre[i] = r.top_genre;
        f->region[i] = r.region;
        f->type[i] = r.type;
        f->paid[i] = r.paid;
        if (extra) {
            f->plays[i] = r.plays;
            f->dist_devices[i] = r.dist_devices;
            f->peak_hour[i] = r.peak_hour;
        }
    }
    f->n = b->nrows;
    return TK_OK;
}

/* One sorted stream of the merge. */
typedef struct stream {
    const uint8_t *p;
    uint64_t left;  /* rows not yet decoded */
    int64_t prev;
    lj_row row;     /* the current row */
} stream;

static void stream_heap_down(stream **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        stream *t;
        if (l < n && h[l]->row.user < h[m]->row.user)
            m = l;
        if (l + 1 < n && h[l + 1]->row.user < h[m]->row.user)
            m = l + 1;
        if (m == i)
            return;
        t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* Merges the size sorted streams in (counts[p] rows from word displs[p])
 * into out. */
static int merge_streams(const uint64_t *in, const int *displs, const uint64_t *counts,
                         int size, lj_rowbuf *out)
{
    stream *s = calloc((size_t)size, sizeof(*s)), **heap = malloc((size_t)size * sizeof(*heap));
    size_t nh = 0;
    int p, rc = 0;

    if (!s || !heap) {
        free(s);
        free(heap);
        return -1;
    }
    for (p = 0; p < size; p++) {
        s[p].p = (const uint8_t *)(in + displs[p]);
        s[p].left = counts[p];
        if (s[p].left) {
            s[p].p = lj_row_get(s[p].p, &s[p].row, &s[p].prev);
            s[p].left--;
            heap[nh++] = &s[p];
        }
    }
    for (p = (int)nh; p-- > 0;)
        stream_heap_down(heap, nh, (size_t)p);
    while (nh > 0 && rc == 0) {
        stream *t = heap[0];
        rc = lj_rowbuf_put(out, &t->row);
        if (t->left) {
            t->p = lj_row_get(t->p, &t->row, &t->prev);
            t->left--;
        } else
            heap[0] = heap[--nh];
        stream_heap_down(heap, nh, 0);
    }
    free(s);
    free(heap);
    return rc;
}

/* Word counts and displacements of the all-to-all (segments padded to 8
 * bytes: counts in 8-byte words reach 16 GiB a pair). */
static int words_of(size_t bytes, int *out)
{
    size_t w = (bytes + 7) / 8;

    if (w > INT_MAX)
        return -1;
    *out = (int)w;
    return 0;
}

/* Collective. Longer than usual: the all-to-all's seven arrays are set up
 * and released in one place. */
int lj_rows_exchange(MPI_Comm comm, lj_rowbuf *b, const size_t *seg, const uint64_t *seg_rows,
                     lj_rowbuf *out, tk_err *e)
{
    int size, p, fail = 0;
    int *sc = NULL, *sd = NULL, *rc = NULL, *rd = NULL;
    uint64_t *rrows = NULL, *send = NULL, *in = NULL;
    size_t sw = 0, rw = 0;

    MPI_Comm_size(comm, &size);
    memset(out, 0, sizeof(*out));
    sc = calloc((size_t)size * 4, sizeof(int));
    rrows = calloc((size_t)size, sizeof(*rrows));
    fail = !sc || !rrows;
    if (!fail) {
        sd = sc + size, rc = sd + size, rd = rc + size;
        /* each segment copied to an 8-byte aligned place of the send buffer */
        for (p = 0; p < size && !fail; p++) {
            sd[p] = (int)sw;
            fail = words_of(seg[p + 1] - seg[p], &sc[p]) || sw + (size_t)sc[p] > INT_MAX;
            sw += (size_t)sc[p];
        }
        send = fail ? NULL : calloc(sw + 1, 8);
        fail = fail || !send;
        for (p = 0; p < size && !fail; p++)
            if (seg[p + 1] > seg[p])
                memcpy(send + sd[p], b->data + seg[p], seg[p + 1] - seg[p]);
    }
    free(b->data);
    memset(b, 0, sizeof(*b));
    if (tk_mpi_any(comm, fail))
        goto nomem;
    MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, comm);
    MPI_Alltoall((void *)seg_rows, 1, MPI_UINT64_T, rrows, 1, MPI_UINT64_T, comm);
    for (p = 0; p < size && !fail; p++) {
        rd[p] = (int)rw;
        rw += (size_t)rc[p];
        fail = rw > INT_MAX;
    }
    in = fail ? NULL : malloc((rw + 1) * 8);
    if (tk_mpi_any(comm, !in))
        goto nomem;
    MPI_Alltoallv(send, sc, sd, MPI_UINT64_T, in, rc, rd, MPI_UINT64_T, comm);
    free(send);
    send = NULL;
    fail = merge_streams(in, rd, rrows, size, out) != 0;
    if (tk_mpi_any(comm, fail))
        goto nomem;
    goto out;
nomem:
    tk_err_set(e, TK_ESOFTWARE, "out of memory exchanging rows");
out:
    free(in);
    free(send);
    free(rrows);
    free(sc);
    return e->status;
}
