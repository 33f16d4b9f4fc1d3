/* gbp_options.c -- gbpredict's command line: one table drives parsing and --help. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gbpredict.h"
#include "tk_opt.h"

static const char gbp_arguments[] =
    "  MODEL  XGBoost 1.7 JSON model (gbtrain's, or xgboost's Booster.save_model) with\n"
    "         objective reg:squarederror, binary:logistic or multi:softprob\n"
    "  DATA   HDF5 file with a group of 1-D columns (logjoin's features.h5), or a CSV file\n"
    "         with a header (';' or ','); it must hold a column named after every feature\n"
    "         of the model (f0, f1, ... for a model without feature names), in any order;\n"
    "         an empty field, NaN or NA is a missing value\n"
    "  OUT    OUT.csv: ',' delimited, header 'prediction' (multi:softprob: 'class_0,...,\n"
    "         class_K-1'), one row per DATA row in DATA's order, values with 9 significant\n"
    "         digits, kept columns in front (integers without a decimal point, a missing\n"
    "         value empty); OUT.h5: float32 dataset /predictions of shape (rows) or\n"
    "         (rows, K), each kept column as its own 1-D dataset (int64 or float64).\n"
    "         Written atomically: OUT appears only when complete\n";

static const char gbp_example[] =
    "  mpirun -np 4 gbpredict model.json data/out/features/features.h5 pred.csv\n"
    "  mpirun -np 2 gbpredict --keep userId --margin model.json features.csv margins.h5\n";

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n > k && strcasecmp(s + n - k, suffix) == 0;
}

/* Whether name is one of the CSV output's own columns. */
static int output_column(const char *name, gbp_format f)
{
    size_t n;

    if (f == GBP_OUT_H5)
        return strcmp(name, "predictions") == 0;
    if (strcmp(name, "prediction") == 0)
        return 1;
    if (strncmp(name, "class_", 6) != 0 || name[6] == '\0')
        return 0;
    n = strspn(name + 6, "0123456789");
    return name[6 + n] == '\0';
}

/* Splits cfg->keep into cfg->keep_names: non-empty, distinct, usable names. */
static int split_keep(gbp_config *cfg, tk_err *e)
{
    const char *p = cfg->keep;
    size_t n = 1, i, j;

    for (i = 0; p[i]; i++)
        n += p[i] == ',';
    cfg->keep_names = calloc(n, sizeof(char *));
    if (!cfg->keep_names)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    for (i = 0; i < n; i++) {
        size_t len = strcspn(p, ",");
        char *name = malloc(len + 1);
        if (!name)
            return tk_err_set(e, TK_ESOFTWARE, "out of memory");
        memcpy(name, p, len);
        name[len] = '\0';
        cfg->keep_names[cfg->nkeep++] = name;
        p += len + (p[len] == ',');
        if (len == 0)
            return tk_err_set(e, TK_EUSAGE, "--keep '%s' has an empty column name", cfg->keep);
        for (j = 0; j + 1 < cfg->nkeep; j++)
            if (strcmp(cfg->keep_names[j], name) == 0)
                return tk_err_set(e, TK_EUSAGE, "--keep names column '%s' twice", name);
        if (output_column(name, cfg->format))
            return tk_err_set(e, TK_EUSAGE, "--keep column '%s' clashes with an output column",
                              name);
        if (cfg->format == GBP_OUT_H5 &&
            (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0))
            return tk_err_set(e, TK_EUSAGE,
                              "--keep column '%s' cannot be an HDF5 dataset name in %s", name,
                              cfg->out);
    }
    return TK_OK;
}

void gbp_config_free(gbp_config *cfg)
{
    size_t i;

    for (i = 0; i < cfg->nkeep; i++)
        free(cfg->keep_names[i]);
    free(cfg->keep_names);
    cfg->keep_names = NULL;
    cfg->nkeep = 0;
}

int gbp_options_parse(gbp_config *cfg, int argc, char **argv, int rank, FILE *out, FILE *err,
                      tk_err *e)
{
    const tk_opt opts[] = {
        { "keep", TK_OPT_STRING, &cfg->keep, 0, 0, "A,B",
          "copy these DATA columns in front of the predictions", "none" },
        { "margin", TK_OPT_FLAG, &cfg->margin, 0, 0, NULL,
          "write raw margins (before the sigmoid or softmax)", NULL },
        { "group", TK_OPT_STRING, &cfg->group, 0, 0, "NAME", "HDF5 group of DATA's columns",
          NULL },
        { "overwrite", TK_OPT_FLAG, &cfg->overwrite, 0, 0, NULL, "replace OUT if it exists",
          NULL },
        { NULL, 0, NULL, 0, 0, NULL, NULL, NULL }
    };
    const tk_opt_spec spec = {
        GBP_NAME, GBP_VERSION, "[OPTIONS] MODEL DATA OUT",
        "Predicts every row of DATA with a gradient-boosted tree model, as xgboost's\n"
        "Booster.predict does (output_margin with --margin). Run it with mpirun; every\n"
        "rank reads and predicts its own slice of the rows.",
        gbp_arguments, gbp_example, opts, 3, 3
    };
    char *pos[3];
    int npos = 0, rc;

    memset(cfg, 0, sizeof(*cfg));
    cfg->group = "/features";
    rc = tk_opt_parse(&spec, argc, argv, pos, &npos, e);
    if (rc == TK_OPT_HELP || rc == TK_OPT_VERSION)
        return tk_opt_report(&spec, rc, e, rank, out, err);
    if (rc == TK_OK) {
        cfg->model = pos[0];
        cfg->data = pos[1];
        cfg->out = pos[2];
        if (ends_with(cfg->out, ".csv"))
            cfg->format = GBP_OUT_CSV;
        else if (ends_with(cfg->out, ".h5"))
            cfg->format = GBP_OUT_H5;
        else
            rc = tk_err_set(e, TK_EUSAGE, "OUT '%s' must end in .csv or .h5", cfg->out);
    }
    if (rc == TK_OK && cfg->group[0] == '\0')
        rc = tk_err_set(e, TK_EUSAGE, "--group is empty");
    if (rc == TK_OK && cfg->keep)
        rc = split_keep(cfg, e);
    tk_opt_report(&spec, rc, e, rank, out, err);
    return rc;
}
