/* tk_h5.h -- HDF5 tables: a group holding equal-length 1-D datasets, one per
 * column, written collectively with parallel HDF5 (MPI-IO), each rank its own
 * slice. Files are reproducible: object times are not recorded, so the same
 * data gives the same bytes whatever the number of ranks. */
#ifndef TK_H5_H
#define TK_H5_H

#include <hdf5.h>
#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "tk_status.h"

/* Local. Silences HDF5's own error printing (call once after MPI_Init). */
void tk_h5_quiet(void);

/* Local. Records status and "WHAT: HDF5's innermost error" in e. */
int tk_h5_fail(tk_err *e, int status, const char *what);

/* Collective. Creates (truncates) path for parallel writing on comm.
 * *file must be closed with tk_h5_close. Every function below that is
 * collective returns the same status on every rank: a rank whose HDF5 call
 * failed tells the others before any of them makes the next call. */
int tk_h5_create(MPI_Comm comm, const char *path, hid_t *file, tk_err *e);

/* Room reserved for HDF5's own metadata (object headers, heaps, superblock)
 * beyond the datasets' bytes, plus 4 KiB per object. */
#define TK_H5_META_ROOM ((uint64_t)256 << 10)

/* Collective. Reserves disk space for the file at path just created by
 * tk_h5_create (rank 0, fallocate keeping the size): data_bytes of datasets
 * and nobjects datasets/attributes. A full disk is then an error here,
 * before any write, and not inside HDF5's parallel metadata flush, where a
 * failure on one rank leaves the others waiting (HDF5 1.10). File systems
 * without fallocate get no reservation. Returns TK_OK or TK_EIO ("no space
 * left on device"), the same on every rank. tk_h5_close gives the unused
 * room back. */
int tk_h5_reserve(MPI_Comm comm, const char *path, uint64_t data_bytes, size_t nobjects,
                  tk_err *e);

/* Collective. Closes *file (flushing its metadata) and sets it invalid; all
 * ranks return the same status. A failed close (a full disk: "no space left
 * on device") is TK_EIO naming path. When e already holds an error, or the
 * close fails, the file's space is released first (it is truncated: its
 * contents are lost) so that HDF5 can finish closing it. */
int tk_h5_close(MPI_Comm comm, hid_t *file, const char *path, tk_err *e);

/* Collective. Creates group name under loc; close with H5Gclose. */
int tk_h5_create_group(hid_t loc, const char *name, hid_t *group, tk_err *e);

/* Collective. Creates the 1-D dataset name of total elements of file_type
 * under group and writes this rank's count elements of mem_type from data at
 * element offset (count may be 0). */
int tk_h5_write_column(hid_t group, const char *name, hid_t file_type, hid_t mem_type,
                       const void *data, uint64_t offset, uint64_t count, uint64_t total,
                       tk_err *e);

/* Collective. Like tk_h5_write_column for a 2-D dataset of total x width
 * elements: this rank writes count rows (count * width elements of data)
 * at row offset. width 0 means a 1-D dataset. */
int tk_h5_write_array(hid_t group, const char *name, hid_t file_type, hid_t mem_type,
                      const void *data, uint64_t offset, uint64_t count, uint64_t total,
                      uint64_t width, tk_err *e);

/* Collective (same values on every rank). Attributes on obj. */
int tk_h5_attr_str(hid_t obj, const char *name, const char *value, tk_err *e);
int tk_h5_attr_i64(hid_t obj, const char *name, int64_t value, tk_err *e);
int tk_h5_attr_strs(hid_t obj, const char *name, const char *const *values, size_t n,
                    tk_err *e);

#endif
