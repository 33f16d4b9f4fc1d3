/* test_gbtrain_blocks.c -- gbtrain's histogram reduction by feature blocks
 * across ranks: every rank's block of the sums of every node, checked
 * against the sums recomputed from the formula each rank filled its
 * histograms with, in one MPI_Reduce_scatter and in several (a small
 * rs_max). */
#include <stdlib.h>
#include <string.h>

#include "../../mpi_apps/gbtrain/gbtrain.h"
#include "../unit/gbt_test_cuts.h"
#include "unit_mpi.h"

/* what rank r puts in slot s of node j */
static int64_t fill_g(int r, size_t j, size_t s) { return (int64_t)(r + 1) * 1000 - (int64_t)(s * 7 + j); }
static int64_t fill_h(int r, size_t j, size_t s) { return (int64_t)(r * 31 + 5) + (int64_t)(s + 100 * j); }

static void blocks_case(size_t rs_max)
{
    enum { NF = 5, M = 4 };
    static uint32_t nbins[NF] = { 6, 1, 9, 3, 12 };
    size_t offset[NF + 1], f, j, s;
    gbt_cuts c;
    gbt_blocks b;
    gbt_bin_sum *send, *sum;
    tk_err e;
    int r, bad = 0;

    tk_err_clear(&e);
    c = gbt_test_cuts(nbins, NF, offset);
    CU_ASSERT_EQUAL_FATAL(gbt_blocks_init(&b, &c, um_rank, um_size, &e), TK_OK);
    if (rs_max)
        b.rs_max = rs_max;
    send = gbt_blocks_send(&b, M, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(send);
    for (j = 0; j < M; j++) {
        const size_t *dest = gbt_blocks_dest(&b, &c, M, j);
        for (f = 0; f < NF; f++)
            for (s = 0; s <= nbins[f]; s++) {
                send[dest[f] + s].g = fill_g(um_rank, j, offset[f] + s);
                send[dest[f] + s].h = fill_h(um_rank, j, offset[f] + s);
            }
    }
    sum = (gbt_bin_sum *)gbt_blocks_reduce(&b, MPI_COMM_WORLD, M, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
    for (j = 0; j < M; j++)
        for (s = 0; s < b.nmine; s++) {
            int64_t g = 0, h = 0;
            for (r = 0; r < um_size; r++) {
                g += fill_g(r, j, b.s0[um_rank] + s);
                h += fill_h(r, j, b.s0[um_rank] + s);
            }
            bad += sum[j * b.nmine + s].g != g || sum[j * b.nmine + s].h != h;
        }
    CU_ASSERT_EQUAL(bad, 0);
    gbt_blocks_free(&b);
}

/* Packed quantized sums (one int64 a slot) reduced and unpacked: each
 * rank's pairs are small enough that the sums of all ranks stay packed. */
static void test_blocks_packed(void)
{
    enum { NF = 4, M = 3 };
    static uint32_t nbins[NF] = { 5, 2, 8, 1 };
    size_t offset[NF + 1], f, j, s;
    gbt_cuts c;
    gbt_blocks b;
    gbt_qpair *send;
    int64_t *sum;
    gbt_bin_sum *out;
    tk_err e;
    int r, bad = 0;

    tk_err_clear(&e);
    c = gbt_test_cuts(nbins, NF, offset);
    CU_ASSERT_EQUAL_FATAL(gbt_blocks_init(&b, &c, um_rank, um_size, &e), TK_OK);
    send = (gbt_qpair *)gbt_blocks_send(&b, M, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(send);
    for (j = 0; j < M; j++) {
        const size_t *dest = gbt_blocks_dest(&b, &c, M, j);
        for (f = 0; f < NF; f++)
            for (s = 0; s <= nbins[f]; s++)
                send[dest[f] + s] = gbt_qpair_make(fill_g(um_rank, j, offset[f] + s) % 30000,
                                                   fill_h(um_rank, j, offset[f] + s) % 60000);
    }
    sum = gbt_blocks_reduce(&b, MPI_COMM_WORLD, M, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
    out = malloc((M * b.nmine + 1) * sizeof(*out));
    gbt_hist_unpack(sum, M * b.nmine, out);
    for (j = 0; j < M; j++)
        for (s = 0; s < b.nmine; s++) {
            int64_t g = 0, h = 0;
            for (r = 0; r < um_size; r++) {
                g += fill_g(r, j, b.s0[um_rank] + s) % 30000;
                h += fill_h(r, j, b.s0[um_rank] + s) % 60000;
            }
            bad += out[j * b.nmine + s].g != g || out[j * b.nmine + s].h != h;
        }
    CU_ASSERT_EQUAL(bad, 0);
    free(out);
    gbt_blocks_free(&b);
}

static void test_blocks_one_call(void) { blocks_case(0); }
static void test_blocks_chunked(void) { blocks_case(2 * 45); } /* one node (45 slots) a call */

int unit_mpi_register_gbtrain(void)
{
    static const unit_test tests[] = {
        { "gbt_blocks_reduce: every rank's block of every node", test_blocks_one_call },
        { "gbt_blocks_reduce: in several calls", test_blocks_chunked },
        { "gbt_blocks_reduce: packed quantized sums", test_blocks_packed },
        { NULL, NULL }
    };
    return unit_add_suite("gbtrain-blocks", tests);
}
