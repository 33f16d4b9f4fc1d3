/* test_h5.c -- the parallel HDF5 table writer (tk_h5_create,
 * tk_h5_create_group, tk_h5_write_column/_array, tk_h5_attr_i64,
 * tk_h5_close): every rank writes its slice (rank 1 none, the others
 * different amounts), then rank 0 reads the file back with plain serial HDF5
 * (H5Fopen with the default driver, no tk_* code) and compares each column
 * with values recomputed from the formula that made them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "tk_h5.h"
#include "unit_mpi.h"

static uint64_t slice_len(int r, int empty)
{
    if (empty || r == 1)
        return 0;
    return r == 0 ? 1000 : (uint64_t)r * 333 + 1;
}

static int64_t v_user(int r, uint64_t i) { return r == 0 && i == 0 ? INT64_MIN : (int64_t)r * 1000000 + (int64_t)i; }
static double v_score(int r, uint64_t i) { return (double)r + (double)i / 8.0; }
static uint8_t v_paid(int r, uint64_t i) { return (uint8_t)((r + i) % 3 == 0); }
static int32_t v_grid(int r, uint64_t i, int j) { return (int32_t)(r * 100000 + (int)i * 3 + j); }

/* serial read of a 1-D or 2-D dataset: its dims, file type check, values */
static void *read_ds(hid_t f, const char *name, hid_t want_type, hid_t mem_type, size_t elem,
                     hsize_t *dims, int rank_want)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), s, t;
    void *buf = NULL;
    hsize_t n = 1;
    int k, nd;

    CU_ASSERT(d >= 0);
    if (d < 0)
        return NULL;
    s = H5Dget_space(d);
    t = H5Dget_type(d);
    nd = H5Sget_simple_extent_ndims(s);
    CU_ASSERT_EQUAL(nd, rank_want);
    if (nd == rank_want) {
        H5Sget_simple_extent_dims(s, dims, NULL);
        CU_ASSERT(H5Tequal(t, want_type) > 0);
        for (k = 0; k < nd; k++)
            n *= dims[k];
        buf = um_alloc((size_t)n * elem + 1);
        if (n > 0 && H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
            CU_FAIL("H5Dread");
            free(buf);
            buf = NULL;
        }
    }
    H5Tclose(t);
    H5Sclose(s);
    H5Dclose(d);
    return buf;
}

static void h5_case(int empty)
{
    char dir[64], path[128];
    uint64_t n = slice_len(um_rank, empty), offset = 0, total = 0, i;
    int64_t *user = um_alloc((size_t)n * sizeof(int64_t));
    double *score = um_alloc((size_t)n * sizeof(double));
    uint8_t *paid = um_alloc((size_t)n);
    int32_t *grid = um_alloc((size_t)n * 3 * sizeof(int32_t));
    hid_t file = H5I_INVALID_HID, group = H5I_INVALID_HID;
    tk_err e;
    int r, j, ok;

    um_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/table.h5", dir);
    /* the offsets from the same formula, not from tk_mpi_exscan_u64 */
    for (r = 0; r < um_size; r++) {
        if (r < um_rank)
            offset += slice_len(r, empty);
        total += slice_len(r, empty);
    }
    for (i = 0; i < n; i++) {
        user[i] = v_user(um_rank, i);
        score[i] = v_score(um_rank, i);
        paid[i] = v_paid(um_rank, i);
        for (j = 0; j < 3; j++)
            grid[i * 3 + (uint64_t)j] = v_grid(um_rank, i, j);
    }
    tk_err_clear(&e);
    ok = tk_h5_create(MPI_COMM_WORLD, path, &file, &e) == TK_OK;
    ok = ok && tk_h5_create_group(file, "features", &group, &e) == TK_OK;
    ok = ok && tk_h5_write_column(group, "userId", H5T_STD_I64LE, H5T_NATIVE_INT64, user, offset,
                                  n, total, &e) == TK_OK;
    ok = ok && tk_h5_write_column(group, "score", H5T_IEEE_F64BE, H5T_NATIVE_DOUBLE, score,
                                  offset, n, total, &e) == TK_OK;
    ok = ok && tk_h5_write_column(group, "paid", H5T_STD_U8LE, H5T_NATIVE_UINT8, paid, offset, n,
                                  total, &e) == TK_OK;
    ok = ok && tk_h5_write_array(group, "grid", H5T_STD_I32LE, H5T_NATIVE_INT32, grid, offset, n,
                                 total, 3, &e) == TK_OK;
    ok = ok && tk_h5_attr_i64(group, "rows", (int64_t)total, &e) == TK_OK;
    if (group >= 0)
        H5Gclose(group);
    if (file >= 0)
        CU_ASSERT_EQUAL(tk_h5_close(MPI_COMM_WORLD, &file, path, &e), TK_OK);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_STRING_EQUAL(e.msg, "");
    MPI_Barrier(MPI_COMM_WORLD);
    if (um_rank == 0 && ok) {
        hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), g, a;
        hsize_t dims[2] = { 0, 0 };
        int64_t *gu, rows = -1;
        double *gs;
        uint8_t *gp;
        int32_t *gg;
        int64_t bad_user = 0, bad_score = 0, bad_paid = 0, bad_grid = 0;
        uint64_t at = 0, k;

        CU_ASSERT(f >= 0);
        if (f < 0)
            goto done;
        g = H5Gopen2(f, "features", H5P_DEFAULT);
        a = H5Aopen(g, "rows", H5P_DEFAULT);
        CU_ASSERT(a >= 0 && H5Aread(a, H5T_NATIVE_INT64, &rows) >= 0);
        CU_ASSERT_EQUAL(rows, (int64_t)total);
        H5Aclose(a);
        H5Gclose(g);
        gu = read_ds(f, "features/userId", H5T_STD_I64LE, H5T_NATIVE_INT64, 8, dims, 1);
        CU_ASSERT_EQUAL(dims[0], total);
        gs = read_ds(f, "features/score", H5T_IEEE_F64BE, H5T_NATIVE_DOUBLE, 8, dims, 1);
        CU_ASSERT_EQUAL(dims[0], total);
        gp = read_ds(f, "features/paid", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1, dims, 1);
        CU_ASSERT_EQUAL(dims[0], total);
        gg = read_ds(f, "features/grid", H5T_STD_I32LE, H5T_NATIVE_INT32, 4, dims, 2);
        CU_ASSERT_EQUAL(dims[0], total);
        CU_ASSERT_EQUAL(dims[1], 3);
        H5Fclose(f);
        if (gu && gs && gp && gg) {
            for (r = 0; r < um_size; r++)
                for (k = 0; k < slice_len(r, empty); k++, at++) {
                    bad_user += gu[at] != v_user(r, k);
                    bad_score += gs[at] != v_score(r, k);
                    bad_paid += gp[at] != v_paid(r, k);
                    for (j = 0; j < 3; j++)
                        bad_grid += gg[at * 3 + (uint64_t)j] != v_grid(r, k, j);
                }
            CU_ASSERT_EQUAL(at, total);
            CU_ASSERT_EQUAL(bad_user, 0);
            CU_ASSERT_EQUAL(bad_score, 0);
            CU_ASSERT_EQUAL(bad_paid, 0);
            CU_ASSERT_EQUAL(bad_grid, 0);
        } else
            CU_FAIL("a dataset could not be read back");
        free(gu);
        free(gs);
        free(gp);
        free(gg);
    }
done:
    free(user);
    free(score);
    free(paid);
    free(grid);
    um_tmpdir_done(dir);
}

static void test_h5_uneven(void) { h5_case(0); }
static void test_h5_empty(void) { h5_case(1); }

/* a path that cannot be created fails on every rank alike */
static void test_h5_cannot_create(void)
{
    char dir[64], path[160];
    hid_t file;
    tk_err e;

    um_tmpdir(dir, sizeof(dir));
    if (um_rank == 0) {
        char out[256];
        unit_write_file(dir, "afile", "x", 1, out, sizeof(out));
    }
    MPI_Barrier(MPI_COMM_WORLD);
    snprintf(path, sizeof(path), "%s/afile/table.h5", dir); /* under a regular file */
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_h5_create(MPI_COMM_WORLD, path, &file, &e), TK_ECANTCREAT);
    CU_ASSERT(file < 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
    um_tmpdir_done(dir);
}

int unit_mpi_register_h5(void)
{
    static const unit_test tests[] = {
        { "tk_h5 table: columns, a 2-D array, an attribute; rank 1 empty", test_h5_uneven },
        { "tk_h5 table: every rank empty", test_h5_empty },
        { "tk_h5_create: an impossible path fails on every rank", test_h5_cannot_create },
        { NULL, NULL }
    };
    return unit_add_suite("hdf5", tests);
}
