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
    "         With --contribs the SHAP values replace the predictions: in OUT.csv after\n"
    "         the kept columns one column per model feature, named after it, then 'bias'\n"
    "         (multi:softprob: class_0:FEATURE,...,class_0:bias, then class 1, ...); in\n"
    "         OUT.h5 the float32 dataset /contribs of shape (rows, features + 1) or\n"
    "         (rows, K, features + 1), the last axis named by the attribute\n"
    "         contrib_names. Each row's values (of a class) add up to its margin.\n"
    "         Written atomically: OUT appears only when complete\n"
    "\n"
    "SHAP values: exact path-dependent TreeSHAP over the trees' sum_hessian covers, as\n"
    "xgboost's predict(pred_contribs=True), in margin space whatever the objective (so\n"
    "--margin does not combine with --contribs); missing values take the default child,\n"
    "a categorical split the child of the row's category. Fast TreeSHAP v2 tables per\n"
    "tree while they fit in --contribs-tables (and a leaf path has at most 12 distinct\n"
    "features), the recursive TreeSHAP for the other trees: the same values.\n"
    "--contribs-summary FILE.csv: the mean |SHAP| of every feature over all rows, header\n"
    "'feature,mean_abs_shap' (multi:softprob: 'class,feature,mean_abs_shap', class by\n"
    "class), the most important first (ties in the model's order), values with 17\n"
    "significant digits at most; the mean of the float32 values --contribs writes, summed\n"
    "exactly (the same bytes for any number of ranks). Without --contribs, OUT holds the\n"
    "predictions (or margins) as usual. FILE is written atomically, and renamed into\n"
    "place together with OUT once both are complete; --overwrite replaces it too.\n";

static const char gbp_example[] =
    "  mpirun -np 4 gbpredict model.json data/out/features/features.h5 pred.csv\n"
    "  mpirun -np 2 gbpredict --keep userId --margin model.json features.csv margins.h5\n"
    "  mpirun -np 2 gbpredict --contribs --contribs-summary shap-summary.csv model.json\n"
    "      features.h5 shap.h5\n";

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n > k && strcasecmp(s + n - k, suffix) == 0;
}

/* Whether name is class_N (N decimal digits), or with colon set
 * class_N:ANYTHING. */
static int class_column(const char *name, int colon)
{
    size_t n;

    if (strncmp(name, "class_", 6) != 0 || name[6] == '\0')
        return 0;
    n = strspn(name + 6, "0123456789");
    if (n == 0)
        return 0;
    return colon ? name[6 + n] == ':' : name[6 + n] == '\0';
}

/* Whether name is one of the output's own columns that the command line
 * alone decides (a --contribs CSV's feature columns wait for the model:
 * gbp_read). */
static int output_column(const char *name, const gbp_config *cfg)
{
    if (cfg->format == GBP_OUT_H5)
        return strcmp(name, cfg->contribs ? "contribs" : "predictions") == 0;
    if (cfg->contribs)
        return strcmp(name, "bias") == 0 || class_column(name, 1);
    return strcmp(name, "prediction") == 0 || class_column(name, 0);
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
        if (output_column(name, cfg))
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

/* --contribs and --contribs-summary: not with --margin, a .csv summary. */
static int check_contribs(const gbp_config *cfg, tk_err *e)
{
    if (cfg->contribs && cfg->margin)
        return tk_err_set(e, TK_EUSAGE,
                          "--margin and --contribs exclude each other: SHAP values are in "
                          "margin space and replace the predictions");
    if (cfg->summary && !ends_with(cfg->summary, ".csv"))
        return tk_err_set(e, TK_EUSAGE, "--contribs-summary '%s' must end in .csv",
                          cfg->summary);
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
        { "overwrite", TK_OPT_FLAG, &cfg->overwrite, 0, 0, NULL,
          "replace OUT (and the summary) if it exists", NULL },
        { "contribs", TK_OPT_FLAG, &cfg->contribs, 0, 0, NULL,
          "write SHAP values (feature contributions, margin space) instead", NULL },
        { "contribs-summary", TK_OPT_STRING, &cfg->summary, 0, 0, "FILE",
          "write the mean |SHAP| per feature to FILE (.csv)", "none" },
        { "contribs-tables", TK_OPT_SIZE, &cfg->tables, 0, (double)((int64_t)1 << 40), "SIZE",
          "memory per rank for Fast TreeSHAP tables (0: recursive only)", "256M" },
        { NULL, 0, NULL, 0, 0, NULL, NULL, NULL }
    };
    const tk_opt_spec spec = {
        GBP_NAME, GBP_VERSION, "[OPTIONS] MODEL DATA OUT",
        "Predicts every row of DATA with a gradient-boosted tree model, as xgboost's\n"
        "Booster.predict does (output_margin with --margin, pred_contribs with\n"
        "--contribs). Run it with mpirun; every rank reads and predicts its own slice of\n"
        "the rows.",
        gbp_arguments, gbp_example, opts, 3, 3
    };
    char *pos[3];
    int npos = 0, rc;

    memset(cfg, 0, sizeof(*cfg));
    cfg->group = "/features";
    cfg->tables = (int64_t)TK_SHAP_DEFAULT_TABLES;
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
    if (rc == TK_OK)
        rc = check_contribs(cfg, e);
    if (rc == TK_OK && cfg->keep)
        rc = split_keep(cfg, e);
    tk_opt_report(&spec, rc, e, rank, out, err);
    return rc;
}
