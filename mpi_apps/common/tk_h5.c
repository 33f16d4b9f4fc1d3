/* tk_h5.c -- parallel HDF5 tables. */
#include "tk_h5.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk_fs.h"
#include "tk_mpi.h"

void tk_h5_quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

typedef struct {
    char desc[256];
    int found;
} h5_first_err;

static herr_t h5_walk(unsigned n, const H5E_error2_t *err, void *data)
{
    h5_first_err *f = data;

    (void)n;
    if (!f->found && err->desc) {
        snprintf(f->desc, sizeof(f->desc), "%s", err->desc);
        f->found = 1;
    }
    return 0;
}

int tk_h5_fail(tk_err *e, int status, const char *what)
{
    h5_first_err f;

    memset(&f, 0, sizeof(f));
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, h5_walk, &f);
    H5Eclear2(H5E_DEFAULT);
    return tk_err_set(e, status, "%s: HDF5: %s", what, f.found ? f.desc : "failed");
}

/* Collective over the ranks that opened obj's file: they agree on e (the
 * communicator comes from the file's access list). A rank whose HDF5 call
 * failed must not leave while the others go on to the next collective call:
 * that is a hang, or a crash at MPI_Finalize. */
static int h5_agree(hid_t obj, tk_err *e)
{
    hid_t file = H5Iget_file_id(obj), fapl = H5I_INVALID_HID;
    MPI_Comm comm = MPI_COMM_NULL;
    MPI_Info info = MPI_INFO_NULL;
    int rc;

    if (file >= 0) {
        char path[TK_PATH_MAX];
        if (e->status != TK_OK && H5Fget_name(file, path, sizeof(path)) > 0)
            tk_fs_explain_write(e, path); /* a full disk, whatever HDF5 said */
        fapl = H5Fget_access_plist(file);
    }
    if (fapl < 0 || H5Pget_fapl_mpio(fapl, &comm, &info) < 0) {
        /* cannot happen for a file made by tk_h5_create; no way to agree */
        tk_err_set(e, TK_ESOFTWARE, "HDF5: cannot find the file's communicator");
        MPI_Abort(MPI_COMM_WORLD, TK_ESOFTWARE);
    }
    rc = tk_mpi_agree(comm, e);
    MPI_Comm_free(&comm);
    if (info != MPI_INFO_NULL)
        MPI_Info_free(&info);
    H5Pclose(fapl);
    H5Fclose(file);
    return rc;
}

int tk_h5_create(MPI_Comm comm, const char *path, hid_t *file, tk_err *e)
{
    hid_t fapl = H5I_INVALID_HID, fcpl = H5I_INVALID_HID;

    *file = H5I_INVALID_HID;
    fapl = H5Pcreate(H5P_FILE_ACCESS);
    fcpl = H5Pcreate(H5P_FILE_CREATE);
    if (fapl < 0 || fcpl < 0 || H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) < 0 ||
        H5Pset_obj_track_times(fcpl, 0) < 0) {
        tk_h5_fail(e, TK_ESOFTWARE, path);
        goto out;
    }
    *file = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
    if (*file < 0) {
        tk_h5_fail(e, TK_ECANTCREAT, path);
        tk_fs_explain_write(e, path);
    }
out:
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (tk_mpi_agree(comm, e) != TK_OK && *file >= 0) {
        H5Fclose(*file); /* collective: every rank that created it closes it */
        *file = H5I_INVALID_HID;
    }
    return e->status;
}

/* Collective. Frees the disk space of a file that will be thrown away (rank
 * 0 truncates it to 0 bytes), so that HDF5's metadata flush at close finds
 * room on a full disk: a failed H5Fclose leaves the file half-closed, and
 * HDF5 1.10 then crashes in its exit handler. */
static void h5_release_space(MPI_Comm comm, const char *path)
{
    int rank;

    MPI_Comm_rank(comm, &rank);
    if (rank == 0)
        (void)truncate(path, 0);
    MPI_Barrier(comm);
}

int tk_h5_reserve(MPI_Comm comm, const char *path, uint64_t data_bytes, size_t nobjects,
                  tk_err *e)
{
    uint64_t want = data_bytes + TK_H5_META_ROOM + (uint64_t)nobjects * 4096;
    int rank;

    MPI_Comm_rank(comm, &rank);
    if (rank == 0 && e->status == TK_OK) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            tk_err_set(e, TK_EIO, "cannot write %s: %s", path, strerror(errno));
        else {
            int rc = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)want);
            if (rc != 0 && errno == ENOSPC)
                tk_err_set(e, TK_EIO, "cannot write %s: no space left on device (%llu bytes needed)",
                           path, (unsigned long long)want);
            else if (rc != 0 && errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL)
                tk_err_set(e, TK_EIO, "cannot write %s: %s", path, strerror(errno));
            close(fd); /* without fallocate (NFS, ...): no reservation, best effort */
        }
    }
    return tk_mpi_agree(comm, e);
}

/* Rank 0: gives back the room reserved past the end of the written file. */
static void h5_trim(MPI_Comm comm, const char *path)
{
    struct stat st;
    int rank;

    MPI_Comm_rank(comm, &rank);
    if (rank == 0 && stat(path, &st) == 0)
        (void)truncate(path, st.st_size);
}

int tk_h5_close(MPI_Comm comm, hid_t *file, const char *path, tk_err *e)
{
    tk_err mine;
    int tries;

    if (*file < 0)
        return tk_mpi_agree(comm, e);
    if (tk_mpi_agree(comm, e) != TK_OK)
        h5_release_space(comm, path);
    tk_err_clear(&mine);
    for (tries = 0; tries < 2; tries++) {
        int failed = H5Fclose(*file) < 0, any;
        if (failed && mine.status == TK_OK) {
            tk_h5_fail(&mine, TK_EIO, path);
            tk_fs_explain_write(&mine, path);
        }
        /* retry only when every rank still holds the file: the close is collective */
        any = tk_mpi_any(comm, failed);
        if (!any || tk_mpi_any(comm, H5Iis_valid(*file) <= 0))
            break;
        /* the flush failed, most likely for want of space: free the file's
         * space and close again (the output is lost anyway) */
        h5_release_space(comm, path);
    }
    *file = H5I_INVALID_HID;
    if (tk_mpi_agree(comm, &mine) != TK_OK)
        tk_err_set(e, mine.status, "%s", mine.msg);
    if (tk_mpi_agree(comm, e) == TK_OK)
        h5_trim(comm, path);
    return e->status;
}

int tk_h5_create_group(hid_t loc, const char *name, hid_t *group, tk_err *e)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);

    *group = H5I_INVALID_HID;
    if (gcpl < 0 || H5Pset_obj_track_times(gcpl, 0) < 0 ||
        (*group = H5Gcreate2(loc, name, H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0)
        tk_h5_fail(e, TK_ECANTCREAT, name);
    if (gcpl >= 0)
        H5Pclose(gcpl);
    if (h5_agree(loc, e) != TK_OK && *group >= 0) {
        H5Gclose(*group);
        *group = H5I_INVALID_HID;
    }
    return e->status;
}

int tk_h5_write_column(hid_t group, const char *name, hid_t file_type, hid_t mem_type,
                       const void *data, uint64_t offset, uint64_t count, uint64_t total,
                       tk_err *e)
{
    return tk_h5_write_array(group, name, file_type, mem_type, data, offset, count, total, 0, e);
}

int tk_h5_write_array(hid_t group, const char *name, hid_t file_type, hid_t mem_type,
                      const void *data, uint64_t offset, uint64_t count, uint64_t total,
                      uint64_t width, tk_err *e)
{
    int rank = width ? 2 : 1;
    hsize_t dims[2] = { (hsize_t)total, (hsize_t)width }, start[2] = { (hsize_t)offset, 0 },
            cnt[2] = { (hsize_t)count, (hsize_t)width };
    hid_t fspace = H5I_INVALID_HID, mspace = H5I_INVALID_HID, dcpl = H5I_INVALID_HID,
          dxpl = H5I_INVALID_HID, dset = H5I_INVALID_HID;

    if ((fspace = H5Screate_simple(rank, dims, NULL)) < 0 ||
        (dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 || H5Pset_obj_track_times(dcpl, 0) < 0 ||
        H5Pset_layout(dcpl, H5D_CONTIGUOUS) < 0 ||
        H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) < 0 ||
        H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) < 0) {
        tk_h5_fail(e, TK_ESOFTWARE, name);
        goto out;
    }
    dset = H5Dcreate2(group, name, file_type, fspace, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dset < 0) {
        tk_h5_fail(e, TK_ECANTCREAT, name);
        goto out;
    }
    if ((mspace = H5Screate_simple(rank, cnt, NULL)) < 0 ||
        (count > 0 ? H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, cnt, NULL)
                   : H5Sselect_none(fspace)) < 0 ||
        (count == 0 && H5Sselect_none(mspace) < 0) ||
        (dxpl = H5Pcreate(H5P_DATASET_XFER)) < 0 ||
        H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) < 0) {
        tk_h5_fail(e, TK_ESOFTWARE, name);
        goto out;
    }
    /* an empty dataset has no storage to write to */
    if (total > 0 && H5Dwrite(dset, mem_type, mspace, fspace, dxpl, data) < 0)
        tk_h5_fail(e, TK_EIO, name);
out:
    if (dxpl >= 0)
        H5Pclose(dxpl);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (dset >= 0)
        H5Dclose(dset);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (fspace >= 0)
        H5Sclose(fspace);
    return h5_agree(group, e);
}

static int attr_write(hid_t obj, const char *name, hid_t file_type, hid_t mem_type,
                      hid_t space, const void *buf, tk_err *e)
{
    hid_t attr = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);

    if (attr < 0)
        return tk_h5_fail(e, TK_ECANTCREAT, name);
    if (H5Awrite(attr, mem_type, buf) < 0)
        tk_h5_fail(e, TK_EIO, name);
    H5Aclose(attr);
    return e->status;
}

static hid_t vlen_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);

    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

int tk_h5_attr_str(hid_t obj, const char *name, const char *value, tk_err *e)
{
    hid_t t = vlen_str_type(), s = H5Screate(H5S_SCALAR);

    if (t < 0 || s < 0)
        tk_h5_fail(e, TK_ESOFTWARE, name);
    else
        attr_write(obj, name, t, t, s, &value, e);
    h5_agree(obj, e);
    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    return e->status;
}

int tk_h5_attr_strs(hid_t obj, const char *name, const char *const *values, size_t n,
                    tk_err *e)
{
    hsize_t dims[1] = { (hsize_t)n };
    hid_t t = vlen_str_type(), s = H5Screate_simple(1, dims, NULL);

    if (t < 0 || s < 0)
        tk_h5_fail(e, TK_ESOFTWARE, name);
    else
        attr_write(obj, name, t, t, s, values, e);
    h5_agree(obj, e);
    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    return e->status;
}

int tk_h5_attr_i64(hid_t obj, const char *name, int64_t value, tk_err *e)
{
    hid_t s = H5Screate(H5S_SCALAR);

    if (s < 0)
        tk_h5_fail(e, TK_ESOFTWARE, name);
    else
        attr_write(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, s, &value, e);
    if (s >= 0)
        H5Sclose(s);
    return h5_agree(obj, e);
}
