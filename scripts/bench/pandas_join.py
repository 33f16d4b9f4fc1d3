#!/usr/bin/python3
"""The logjoin query in pandas, for scripts/bench-logjoin.

Usage: /usr/bin/python3 scripts/bench/pandas_join.py [--extra-features] \
           MIN_ID MAX_ID LOG1 LOG2 OUT_CSV

Writes the same features.csv as logjoin (header, ';', LF, sorted by userId).
It assumes clean input such as scripts/genlogs makes: no bad-row checks, but
the userId range filter, first-row-wins for duplicate LOG1 userIds and the
tie breaks (topGenderId and peakHour: most plays, then smallest) are exact.
"""
import argparse
import sys

import numpy as np
import pandas as pd


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--extra-features", action="store_true")
    ap.add_argument("min_id", type=int)
    ap.add_argument("max_id", type=int)
    ap.add_argument("log1")
    ap.add_argument("log2")
    ap.add_argument("out")
    a = ap.parse_args(argv)

    users = pd.read_csv(a.log1, sep=";", usecols=["userId", "region", "type", "paid"],
                        dtype={"userId": np.int64, "region": np.int32,
                               "type": np.int32, "paid": str},
                        engine="c")
    users = users[(users.userId >= a.min_id) & (users.userId <= a.max_id)]
    users = users.drop_duplicates("userId", keep="first")

    cols = ["userId", "songId", "genderId"]
    dtypes = {"userId": np.int64, "songId": np.int64, "genderId": np.int32}
    if a.extra_features:
        cols += ["hour", "deviceId"]
        dtypes.update({"hour": str, "deviceId": str})
    plays = pd.read_csv(a.log2, sep=";", usecols=cols, dtype=dtypes, engine="c")
    plays = plays[(plays.userId >= a.min_id) & (plays.userId <= a.max_id)]

    # top genre: most plays, tie -> smallest genderId
    g = plays.groupby(["userId", "genderId"], sort=False).size().rename("n").reset_index()
    g = g.sort_values(["userId", "n", "genderId"], ascending=[True, False, True],
                      kind="mergesort")
    top = g.drop_duplicates("userId", keep="first").set_index("userId")

    feat = pd.DataFrame({
        "topGenderId": top.genderId,
        "topGenderIdSongs": top.n,
        "distSongIds": plays.drop_duplicates(["userId", "songId"])
                            .groupby("userId").size(),
    })
    if a.extra_features:
        feat["plays"] = plays.groupby("userId").size()
        dev = plays.deviceId.str.split("_", n=1).str[0].str.lstrip("0").replace("", "0")
        feat["distDevices"] = (pd.DataFrame({"userId": plays.userId, "d": dev})
                               .drop_duplicates().groupby("userId").size())
        hh = pd.DataFrame({"userId": plays.userId,
                           "hh": plays.hour.str.slice(11, 13).astype(np.int32)})
        h = hh.groupby(["userId", "hh"], sort=False).size().rename("n").reset_index()
        h = h.sort_values(["userId", "n", "hh"], ascending=[True, False, True],
                          kind="mergesort")
        feat["peakHour"] = h.drop_duplicates("userId", keep="first").set_index("userId").hh

    out = users.join(feat, on="userId", how="inner").sort_values("userId")
    out["paid"] = np.where(out.paid.str.lower() == "true", "true", "false")
    order = ["userId", "topGenderId", "topGenderIdSongs", "distSongIds",
             "region", "type", "paid"]
    if a.extra_features:
        order += ["plays", "distDevices", "peakHour"]
    out[order].to_csv(a.out, sep=";", index=False, lineterminator="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
