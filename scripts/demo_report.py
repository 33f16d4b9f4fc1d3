"""demo_report.py DIR -- the demo's picture: DIR/report.png with the ROC curve
on the validation users, the metric per round and the feature importance.
Run with /usr/bin/python3 (matplotlib from Debian)."""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tkdata  # noqa: E402


def main(d):
    valid = tkdata.read_predictions(os.path.join(d, "valid_predictions.csv"))
    ev = tkdata.read_eval_log(os.path.join(d, "eval.csv"))
    imp = tkdata.read_importance(os.path.join(d, "model.json"))
    attrs = tkdata.read_model_json(os.path.join(d, "model.json"))["learner"]["attributes"]
    fpr, tpr, auc = tkdata.roc_points(valid["paid"], valid["prediction"])

    fig, ax = plt.subplots(1, 3, figsize=(15, 4.4))
    ax[0].plot(fpr, tpr, color="tab:blue", lw=2, label="gbtrain (AUC %.4f)" % auc)
    ax[0].plot([0, 1], [0, 1], color="grey", ls="--", lw=1, label="chance")
    ax[0].set(title="ROC, validation users", xlabel="false positive rate",
              ylabel="true positive rate", xlim=(0, 1), ylim=(0, 1))
    ax[0].legend(loc="lower right")

    metric = [c for c in ev.columns if c != "round"]
    for c in metric:
        ax[1].plot(ev["round"], ev[c], lw=2, label=c)
    best = int(attrs.get("best_iteration", ev["round"].iloc[-1]))
    ax[1].axvline(best, color="grey", ls=":", lw=1, label="best round %d" % best)
    ax[1].set(title="metric per round", xlabel="round", ylabel=metric[0].split("-", 1)[1])
    ax[1].legend(loc="lower right")

    top = imp[imp["weight"] > 0].head(10).iloc[::-1]
    ax[2].barh(top["feature"], top["gain"], color="tab:green")
    ax[2].set(title="feature importance (total gain)", xlabel="total gain")

    fig.suptitle("MPI toolkit demo: logjoin -> gbtrain -> gbpredict, predicting paid users")
    fig.tight_layout()
    out = os.path.join(d, "report.png")
    tmp = out + ".tmp.png"
    fig.savefig(tmp, dpi=90)
    os.replace(tmp, out)
    print("report: %s (validation AUC %.4f)" % (out, auc))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "data/demo")
