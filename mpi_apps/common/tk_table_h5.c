/* tk_table_h5.c -- tk_table's HDF5 reader: every rank opens the file with
 * the MPI-IO driver, lists the group's datasets (all ranks make the same
 * metadata calls, so they see the same catalogue) and reads its hyperslab of
 * each column collectively, in the file's own type, converting in memory
 * afterwards (a conversion inside H5Dread would turn the collective read into
 * independent ones). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "tk_h5.h"
#include "tk_mem.h"
#include "tk_mpi.h"
#include "tk_table_internal.h"
#include "tk_text.h"

typedef struct h5_entry {
    char *name;
    int is_dataset;
    int usable;       /* a 1-D numeric dataset: a column */
    int is_int;       /* integer or enum type */
    uint64_t len;
    char what[48];    /* e.g. "2-D float", when not usable */
} h5_entry;

typedef struct h5_table {
    hid_t file, group;
    const char *path, *gname;   /* borrowed, for messages */
    h5_entry *ent;              /* every hard or soft link of the group, by name */
    size_t nent, cap;
    size_t *listed;             /* the columns (usable entries) in listing order */
    size_t nlisted;
    int nomem;
} h5_table;

static herr_t h5_link_cb(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    h5_table *h = data;

    (void)g;
    if (info->type != H5L_TYPE_HARD && info->type != H5L_TYPE_SOFT)
        return 0;
    if (h->nent == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        h5_entry *p = realloc(h->ent, cap * sizeof(*p));
        if (!p) {
            h->nomem = 1;
            return -1;
        }
        h->ent = p;
        h->cap = cap;
    }
    memset(&h->ent[h->nent], 0, sizeof(h->ent[h->nent]));
    if (!(h->ent[h->nent].name = strdup(name))) {
        h->nomem = 1;
        return -1;
    }
    h->nent++;
    return 0;
}

static const char *class_name(H5T_class_t c)
{
    switch (c) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "float";
    case H5T_STRING: return "string";
    case H5T_ENUM: return "enum";
    case H5T_COMPOUND: return "compound";
    case H5T_ARRAY: return "array";
    case H5T_VLEN: return "variable-length";
    case H5T_BITFIELD: return "bitfield";
    case H5T_OPAQUE: return "opaque";
    case H5T_REFERENCE: return "reference";
    default: return "non-numeric";
    }
}

/* Fills in what entry en is: a dataset? 1-D and numeric? its length. */
static int h5_examine(h5_table *h, h5_entry *en, tk_err *e)
{
    hid_t obj = H5I_INVALID_HID, type = H5I_INVALID_HID, space = H5I_INVALID_HID,
          super = H5I_INVALID_HID;
    char what[512];
    H5T_class_t cls;
    htri_t exists;
    int ndims, numeric;

    snprintf(what, sizeof(what), "%s: %s/%s", h->path, h->gname, en->name);
    exists = H5Oexists_by_name(h->group, en->name, H5P_DEFAULT);
    if (exists <= 0) { /* a dangling soft link: not a column */
        H5Eclear2(H5E_DEFAULT);
        return TK_OK;
    }
    if ((obj = H5Oopen(h->group, en->name, H5P_DEFAULT)) < 0)
        return tk_h5_fail(e, TK_EDATA, what);
    if (H5Iget_type(obj) != H5I_DATASET)
        goto out;
    en->is_dataset = 1;
    if ((type = H5Dget_type(obj)) < 0 || (space = H5Dget_space(obj)) < 0 ||
        (cls = H5Tget_class(type)) == H5T_NO_CLASS ||
        (ndims = H5Sget_simple_extent_ndims(space)) < 0) {
        tk_h5_fail(e, TK_EDATA, what);
        goto out;
    }
    numeric = cls == H5T_INTEGER || cls == H5T_FLOAT;
    if (cls == H5T_ENUM && (super = H5Tget_super(type)) >= 0) /* e.g. h5py's bool */
        numeric = H5Tget_class(super) == H5T_INTEGER;
    if (ndims == 1) {
        hsize_t dims[1];
        if (H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
            tk_h5_fail(e, TK_EDATA, what);
            goto out;
        }
        en->len = (uint64_t)dims[0];
    }
    en->usable = numeric && ndims == 1;
    en->is_int = cls != H5T_FLOAT;
    if (ndims == 0)
        snprintf(en->what, sizeof(en->what), "a scalar %s", class_name(cls));
    else
        snprintf(en->what, sizeof(en->what), "%d-D %s", ndims, class_name(cls));
out:
    if (super >= 0)
        H5Tclose(super);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    H5Oclose(obj);
    return e->status;
}

/* The group's "columns" attribute (strings), when present, into order. */
static int h5_order(h5_table *h, strlist *order, tk_err *e)
{
    hid_t attr = H5I_INVALID_HID, atype = H5I_INVALID_HID, space = H5I_INVALID_HID,
          mtype = H5I_INVALID_HID;
    char what[512];
    hssize_t npoints;
    htri_t exists;
    size_t i, size;
    void *buf = NULL;

    snprintf(what, sizeof(what), "%s: %s: attribute 'columns'", h->path, h->gname);
    exists = H5Aexists(h->group, "columns");
    if (exists < 0)
        return tk_h5_fail(e, TK_EDATA, what);
    if (exists == 0)
        return TK_OK;
    if ((attr = H5Aopen(h->group, "columns", H5P_DEFAULT)) < 0 ||
        (atype = H5Aget_type(attr)) < 0 || (space = H5Aget_space(attr)) < 0 ||
        (npoints = H5Sget_simple_extent_npoints(space)) < 0) {
        tk_h5_fail(e, TK_EDATA, what);
        goto out;
    }
    if (H5Tget_class(atype) != H5T_STRING || npoints == 0)
        goto out; /* not a list of names: ignored */
    if ((mtype = H5Tcopy(H5T_C_S1)) < 0) {
        tk_h5_fail(e, TK_ESOFTWARE, what);
        goto out;
    }
    if (H5Tis_variable_str(atype) > 0) {
        char **s = calloc((size_t)npoints, sizeof(*s));
        if (!s) {
            tk_err_set(e, TK_ESOFTWARE, "out of memory");
            goto out;
        }
        buf = s;
        if (H5Tset_size(mtype, H5T_VARIABLE) < 0 ||
            H5Tset_cset(mtype, H5Tget_cset(atype)) < 0 || H5Aread(attr, mtype, s) < 0) {
            tk_h5_fail(e, TK_EDATA, what);
            goto out;
        }
        for (i = 0; i < (size_t)npoints; i++)
            if (s[i] && e->status == TK_OK && tk_table_strlist_add(order, s[i], strlen(s[i])) != 0)
                tk_err_set(e, TK_ESOFTWARE, "out of memory");
#if H5_VERSION_GE(1, 12, 0)
        H5Treclaim(mtype, space, H5P_DEFAULT, s);
#else
        H5Dvlen_reclaim(mtype, space, H5P_DEFAULT, s);
#endif
    } else {
        char *s;
        size = H5Tget_size(atype) + 1;
        if (size < 2 || !(s = calloc((size_t)npoints, size))) {
            if (size >= 2)
                tk_err_set(e, TK_ESOFTWARE, "out of memory");
            goto out;
        }
        buf = s;
        if (H5Tset_size(mtype, size) < 0 || H5Tset_strpad(mtype, H5T_STR_NULLTERM) < 0 ||
            H5Tset_cset(mtype, H5Tget_cset(atype)) < 0 || H5Aread(attr, mtype, s) < 0) {
            tk_h5_fail(e, TK_EDATA, what);
            goto out;
        }
        for (i = 0; i < (size_t)npoints && e->status == TK_OK; i++)
            if (tk_table_strlist_add(order, s + i * size, strnlen(s + i * size, size)) != 0)
                tk_err_set(e, TK_ESOFTWARE, "out of memory");
    }
out:
    free(buf);
    if (mtype >= 0)
        H5Tclose(mtype);
    if (space >= 0)
        H5Sclose(space);
    if (atype >= 0)
        H5Tclose(atype);
    if (attr >= 0)
        H5Aclose(attr);
    return e->status;
}

static long h5_find(const h5_table *h, const char *name)
{
    size_t i;

    for (i = 0; i < h->nent; i++)
        if (strcmp(h->ent[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* The columns in listing order: those of "columns" first, then by name. */
static int h5_list(h5_table *h, tk_err *e)
{
    strlist order = { 0 };
    char *taken = NULL;
    size_t i;

    if (h5_order(h, &order, e) != TK_OK)
        goto out;
    h->listed = malloc((h->nent ? h->nent : 1) * sizeof(*h->listed));
    taken = calloc(h->nent ? h->nent : 1, 1);
    if (!h->listed || !taken) {
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
        goto out;
    }
    for (i = 0; i < order.n; i++) {
        long k = h5_find(h, order.v[i]);
        if (k >= 0 && h->ent[k].usable && !taken[k]) {
            taken[k] = 1;
            h->listed[h->nlisted++] = (size_t)k;
        }
    }
    for (i = 0; i < h->nent; i++)
        if (h->ent[i].usable && !taken[i])
            h->listed[h->nlisted++] = i;
out:
    free(taken);
    tk_table_strlist_free(&order);
    return e->status;
}

/* Collective (closes the file). */
static void h5_close(h5_table *h)
{
    size_t i;

    if (h->group >= 0)
        H5Gclose(h->group);
    if (h->file >= 0)
        H5Fclose(h->file);
    for (i = 0; i < h->nent; i++)
        free(h->ent[i].name);
    free(h->ent);
    free(h->listed);
    memset(h, 0, sizeof(*h));
    h->file = h->group = H5I_INVALID_HID;
}

/* Collective. Opens path with MPI-IO on comm and catalogues group. Every rank
 * makes the same metadata calls on the same file and so sees the same. On
 * failure the caller still calls h5_close. */
static int h5_open(MPI_Comm comm, const char *path, const char *group, h5_table *h, tk_err *e)
{
    hid_t fapl;
    size_t i;

    memset(h, 0, sizeof(*h));
    h->file = h->group = H5I_INVALID_HID;
    h->path = path;
    h->gname = group;
    fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) < 0
#if H5_VERSION_GE(1, 10, 7)
        || H5Pset_file_locking(fapl, 0, 1) < 0
#endif
    )
        tk_h5_fail(e, TK_ESOFTWARE, path);
    else if ((h->file = H5Fopen(path, H5F_ACC_RDONLY, fapl)) < 0)
        tk_h5_fail(e, TK_ENOINPUT, path);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (tk_mpi_agree(comm, e) != TK_OK)
        return e->status;
    if ((h->group = H5Gopen2(h->file, group, H5P_DEFAULT)) < 0) {
        H5Eclear2(H5E_DEFAULT);
        tk_err_set(e, TK_EDATA, "%s: no group '%s'", path, group);
    } else if (H5Literate(h->group, H5_INDEX_NAME, H5_ITER_INC, NULL, h5_link_cb, h) < 0) {
        if (h->nomem)
            tk_err_set(e, TK_ESOFTWARE, "out of memory");
        else
            tk_h5_fail(e, TK_EDATA, path);
    }
    for (i = 0; e->status == TK_OK && i < h->nent; i++)
        h5_examine(h, &h->ent[i], e);
    if (e->status == TK_OK)
        h5_list(h, e);
    return tk_mpi_agree(comm, e);
}

/* Local. The exact int64 copy of nrows integer values buf[] of HDF5 type
 * ctype (this rank's rows from row0) into *out (owned by the caller); an
 * unsigned value above INT64_MAX is TK_EDATA naming the column and row. */
static int h5_exact(const h5_table *h, const h5_entry *en, hid_t ctype, const void *buf,
                    uint64_t row0, uint64_t nrows, int64_t **out, tk_err *e)
{
    size_t esz = H5Tget_size(ctype), i;
    int64_t *v = malloc((size_t)(nrows ? nrows : 1) * (esz > 8 ? esz : 8));

    if (!v)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", h->path);
    memcpy(v, buf, (size_t)nrows * esz);
    if (H5Tget_sign(ctype) == H5T_SGN_NONE && esz == 8)
        for (i = 0; i < nrows; i++)
            if (((const uint64_t *)buf)[i] > (uint64_t)INT64_MAX) {
                char shown[TABLE_SHOWN];
                tk_log_escape(shown, sizeof(shown), en->name, strlen(en->name), TABLE_NAME_MAX);
                free(v);
                return tk_err_set(e, TK_EDATA,
                                  "%s: column '%s' holds %llu in row %llu, beyond int64 "
                                  "(counting data rows from 1)",
                                  h->path, shown,
                                  (unsigned long long)((const uint64_t *)buf)[i],
                                  (unsigned long long)(row0 + i + 1));
            }
    if (nrows > 0 && H5Tconvert(ctype, H5T_NATIVE_INT64, (size_t)nrows, v, NULL, H5P_DEFAULT) < 0) {
        free(v);
        return tk_h5_fail(e, TK_ESOFTWARE, h->path);
    }
    *out = v;
    return TK_OK;
}

/* Collective. Reads rows [row0, row0 + nrows) of entry en as type into *out. */
static int h5_read_column(MPI_Comm comm, h5_table *h, const h5_entry *en, tk_coltype type,
                          uint64_t row0, uint64_t nrows, void **out, int64_t **iout,
                          tk_err *e)
{
    hid_t dset = H5I_INVALID_HID, ftype = H5I_INVALID_HID, ntype = H5I_INVALID_HID,
          ctype = H5I_INVALID_HID, fspace = H5I_INVALID_HID, mspace = H5I_INVALID_HID,
          dxpl = H5I_INVALID_HID;
    hid_t dst = type == TK_COL_F32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    hsize_t start[1] = { (hsize_t)row0 }, cnt[1] = { (hsize_t)nrows };
    size_t dsz = tk_table_elem_size(type), esz = 0;
    void *buf = NULL;
    char what[512];

    snprintf(what, sizeof(what), "%s: %s/%s", h->path, h->gname, en->name);
    if ((dset = H5Dopen2(h->group, en->name, H5P_DEFAULT)) < 0 ||
        (ftype = H5Dget_type(dset)) < 0 ||
        (ntype = H5Tget_native_type(ftype, H5T_DIR_ASCEND)) < 0 ||
        (ctype = H5Tget_class(ntype) == H5T_ENUM ? H5Tget_super(ntype) : H5Tcopy(ntype)) < 0 ||
        (esz = H5Tget_size(ntype)) == 0 || (fspace = H5Dget_space(dset)) < 0 ||
        (mspace = H5Screate_simple(1, cnt, NULL)) < 0 ||
        (nrows > 0 ? H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, cnt, NULL)
                   : H5Sselect_none(fspace)) < 0 ||
        (nrows == 0 && H5Sselect_none(mspace) < 0) ||
        (dxpl = H5Pcreate(H5P_DATASET_XFER)) < 0 ||
        H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) < 0)
        tk_h5_fail(e, TK_EDATA, what);
    else {
        /* read in the file's type, then convert in place: room for either */
        if (esz < dsz)
            esz = dsz;
        if (!(buf = tk_mem_big((size_t)(nrows ? nrows : 1) * esz)))
            tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", h->path);
    }
    if (tk_mpi_agree(comm, e) != TK_OK)
        goto out;
    if (H5Dread(dset, ntype, mspace, fspace, dxpl, buf) < 0)
        tk_h5_fail(e, TK_EIO, what);
    else if (type == TK_COL_EXACT && en->is_int &&
             h5_exact(h, en, ctype, buf, row0, nrows, iout, e) != TK_OK)
        ; /* e says why */
    else if (nrows > 0 && H5Tconvert(ctype, dst, (size_t)nrows, buf, NULL, H5P_DEFAULT) < 0)
        tk_h5_fail(e, TK_ESOFTWARE, what);
    else if (esz > dsz && nrows > 0) {
        void *p = realloc(buf, (size_t)nrows * dsz);
        if (p)
            buf = p;
    }
    if (tk_mpi_agree(comm, e) == TK_OK) {
        *out = buf;
        buf = NULL;
    }
out:
    free(buf);
    if (dxpl >= 0)
        H5Pclose(dxpl);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    if (ctype >= 0)
        H5Tclose(ctype);
    if (ntype >= 0)
        H5Tclose(ntype);
    if (ftype >= 0)
        H5Tclose(ftype);
    if (dset >= 0)
        H5Dclose(dset);
    return e->status;
}

/* The listed column names as borrowed pointers (for messages). */
static const char **h5_listed_names(const h5_table *h)
{
    const char **v = malloc((h->nlisted ? h->nlisted : 1) * sizeof(*v));
    size_t i;

    if (v)
        for (i = 0; i < h->nlisted; i++)
            v[i] = h->ent[h->listed[i]].name;
    return v;
}

/* Collective (tk_table_internal.h). Reads this rank's rows of the HDF5 path
 * into t. */
int tk_table_h5_read(MPI_Comm comm, const char *path, const char *group,
                     const char *const *names, size_t n, tk_coltype type, tk_table *t,
                     tk_err *e)
{
    h5_table h;
    long *idx = NULL;
    uint64_t total = 0;
    size_t j;
    int rank, size;

    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    if (h5_open(comm, path, group, &h, e) != TK_OK)
        goto out;
    if (!(idx = malloc((n ? n : 1) * sizeof(*idx))))
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
    for (j = 0; e->status == TK_OK && j < n; j++) {
        idx[j] = h5_find(&h, names[j]);
        if (idx[j] < 0 || !h.ent[idx[j]].is_dataset) {
            const char **avail = h5_listed_names(&h);
            if (!avail)
                tk_err_set(e, TK_ESOFTWARE, "out of memory");
            else
                tk_table_unknown_column(e, names[j], path, avail, h.nlisted, 0);
            free(avail);
        } else if (!h.ent[idx[j]].usable) {
            char shown[104];
            tk_log_escape(shown, sizeof(shown), names[j], strlen(names[j]), 100);
            tk_err_set(e, TK_EDATA, "%s: '%s' in %s is not a 1-D numeric dataset (%s)", path,
                       shown, group, h.ent[idx[j]].what);
        } else if (j > 0 && h.ent[idx[j]].len != h.ent[idx[0]].len) {
            tk_err_set(e, TK_EDATA,
                       "%s: columns '%s' (%llu rows) and '%s' (%llu rows) differ in length",
                       path, names[0], (unsigned long long)h.ent[idx[0]].len, names[j],
                       (unsigned long long)h.ent[idx[j]].len);
        }
    }
    if (e->status == TK_OK && n > 0) {
        total = h.ent[idx[0]].len;
        if (total == 0)
            tk_err_set(e, TK_EDATA, "%s: no rows", path);
    }
    if (e->status == TK_OK)
        tk_table_alloc_cols(t, names, n, type, e);
    if (tk_mpi_agree(comm, e) != TK_OK)
        goto out;
    t->row0 = tk_table_slice_at(total, rank, size);
    t->nrows = tk_table_slice_at(total, rank + 1, size) - t->row0;
    t->total = total;
    for (j = 0; j < n; j++) {
        if (h5_read_column(comm, &h, &h.ent[idx[j]], type, t->row0, t->nrows, &t->cols[j],
                           t->icols ? &t->icols[j] : NULL, e) != TK_OK)
            break;
        t->is_int[j] = h.ent[idx[j]].is_int;
    }
out:
    free(idx);
    h5_close(&h);
    return tk_mpi_agree(comm, e);
}

int tk_table_h5_names(MPI_Comm comm, const char *path, const char *group, strlist *l,
                      tk_err *e)
{
    h5_table h;
    size_t i;

    if (h5_open(comm, path, group, &h, e) == TK_OK)
        for (i = 0; i < h.nlisted; i++) {
            const char *s = h.ent[h.listed[i]].name;
            if (tk_table_strlist_add(l, s, strlen(s)) != 0) {
                tk_err_set(e, TK_ESOFTWARE, "out of memory");
                break;
            }
        }
    h5_close(&h);
    return e->status;
}
