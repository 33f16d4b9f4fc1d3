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
 * *file must be closed with H5Fclose (collective). */
int tk_h5_create(MPI_Comm comm, const char *path, hid_t *file, tk_err *e);

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
