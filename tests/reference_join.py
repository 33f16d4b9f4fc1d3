#!/usr/bin/python3
"""Independent reference implementation (test oracle) of the logjoin query.

Usage:
    /usr/bin/python3 tests/reference_join.py [--extra-features] [--counts] \
        MIN_ID MAX_ID LOG1 LOG2

Prints the expected OUTDIR/features.csv of `logjoin` to stdout, byte for byte.
With --counts, also prints one JSON line to stderr:
    {"log1": {"read": R, "bad": B, "kept": K}, "log2": {...}, "users": N,
     "bad_lines": {"log1": [line numbers], "log2": [...]}}

It shares no code with the C program: rows are split and validated here in
Python, the valid rows are loaded into an in-memory sqlite3 database and the
features are computed in SQL.  Only meant for test-sized inputs (~200k rows).

Validity rules (the spec; see also "choices" below):
  * The file is split on LF only; one trailing CR per line is stripped; line 1
    is the header.  A line that is empty after stripping the CR is ignored
    (not counted as read).  Line numbers are physical, 1-based, header = 1.
  * Each other line is one row, parsed as CSV with ';' as delimiter and '"' as
    quote ("" inside quotes = literal quote).  Unquoted fields have leading
    and trailing spaces/tabs trimmed.  A quote left open at end of line makes
    the row bad; so does a field count different from the header's.
  * Integers: optional '+'/'-' then one or more ASCII digits, nothing else,
    must fit int64; region, type, genderId must also fit int32.
  * paid: 'true' or 'false', case-insensitive.
  * hour: exactly 'dd-mm-yyyy HH:MM:SS', a real Gregorian date with year
    0001-9999, HH 00-23, MM 00-59, SS 00-59.
  * deviceId: 'D_U', D = one or more ASCII digits with a value that fits
    int64 (a device number), U = integer (rules above)
    numerically equal to the row's userId.
  * Valid rows with userId outside [MIN_ID, MAX_ID] are dropped (neither bad
    nor kept).  Among valid in-range LOG1 rows the first row of a userId wins;
    later ones count as bad.
  * Output: every in-range userId with a winning LOG1 row and >= 1 valid
    play; ties for topGenderId -> smallest genderId, for peakHour -> smallest
    hour.

Choices made here for cases the spec leaves open (keep the C code in line):
  * Spaces/tabs before an opening quote and after a closing quote are
    ignored; the content between the quotes is kept verbatim (not trimmed).
  * Any other character between a closing quote and the next ';' (e.g.
    '"12"x') makes the row bad.
  * A '"' inside an unquoted field (not its first non-blank character, e.g.
    'z"q') makes the row bad, even in an ignored extra column (RFC 4180;
    same as libcsv's CSV_STRICT mode).
  * A CR outside quotes that is not the line's last character makes the row
    bad, even in an ignored extra column ('1\r\r\n' is bad); inside quotes it
    is kept as data.
  * distDevices counts distinct numeric values of D (leading zeros ignored,
    so '01_5' and '1_5' are the same device).
  * A header that is missing a required column, or names one twice, or has
    an unterminated quote, is a fatal error (exit status 2), as is a file
    without a header line.  Header names are matched exactly after the same
    field parsing as data rows.
"""

import argparse
import json
import sqlite3
import sys

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1
DIGITS = frozenset("0123456789")
BLANKS = " \t"

LOG1_COLS = ("userId", "region", "type", "paid")
LOG2_COLS = ("hour", "userId", "songId", "genderId", "deviceId")


class Fatal(Exception):
    pass


def split_row(line):
    """Split one line (CR already stripped) into fields.

    Returns the list of fields, or None when the quoting is malformed (open
    quote at end of line, junk after a closing quote, or a quote inside an
    unquoted field)."""
    if '"' not in line:                       # fast path: no quoting at all
        if "\r" in line:
            return None                       # stray CR outside quotes
        return [f.strip(BLANKS) for f in line.split(";")]
    fields = []
    i, n = 0, len(line)
    while True:
        # skip leading blanks of the field
        j = i
        while j < n and line[j] in BLANKS:
            j += 1
        if j < n and line[j] == '"':          # quoted field
            j += 1
            buf = []
            while True:
                if j >= n:
                    return None               # quote left open at end of line
                c = line[j]
                if c == '"':
                    if j + 1 < n and line[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    j += 1
                    break
                buf.append(c)
                j += 1
            while j < n and line[j] in BLANKS:
                j += 1
            fields.append("".join(buf))
            if j >= n:
                return fields
            if line[j] != ";":
                return None                   # junk after closing quote
            i = j + 1
        else:                                 # unquoted field
            k = line.find(";", i)
            field = line[i:] if k < 0 else line[i:k]
            if '"' in field or "\r" in field:
                return None                   # stray quote or CR in unquoted field
            fields.append(field.strip(BLANKS))
            if k < 0:
                return fields
            i = k + 1


def parse_int(s, lo=INT64_MIN, hi=INT64_MAX):
    """Strict integer: [+-]?[0-9]+ within [lo, hi]; None if invalid."""
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or any(c not in DIGITS for c in body):
        return None
    v = int(s)
    if v < lo or v > hi:
        return None
    return v


def parse_bool(s):
    low = s.lower()
    if low == "true":
        return 1
    if low == "false":
        return 0
    return None


DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
HOUR_DIGIT_POS = (0, 1, 3, 4, 6, 7, 8, 9, 11, 12, 14, 15, 17, 18)
HOUR_SEPS = ((2, "-"), (5, "-"), (10, " "), (13, ":"), (16, ":"))


def parse_hour(s):
    """'dd-mm-yyyy HH:MM:SS' -> hour of day (0-23), None if invalid."""
    if len(s) != 19:
        return None
    if any(s[p] not in DIGITS for p in HOUR_DIGIT_POS):
        return None
    if any(s[p] != c for p, c in HOUR_SEPS):
        return None
    day, month, year = int(s[0:2]), int(s[3:5]), int(s[6:10])
    hh, mm, ss = int(s[11:13]), int(s[14:16]), int(s[17:19])
    if not 1 <= year <= 9999 or not 1 <= month <= 12:
        return None
    dim = DAYS_IN_MONTH[month - 1]
    if month == 2 and (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        dim = 29
    if not 1 <= day <= dim:
        return None
    if hh > 23 or mm > 59 or ss > 59:
        return None
    return hh


def parse_device(s, user_id):
    """'D_U' with U == user_id -> canonical D (digits, no leading zeros)."""
    d, sep, u = s.partition("_")
    if not sep or not d or any(c not in DIGITS for c in d) or int(d) > INT64_MAX:
        return None
    uv = parse_int(u)
    if uv is None or uv != user_id:
        return None
    return d.lstrip("0") or "0"


def read_log(path, required):
    """Return (rows_read, rows): rows is a list of (line_number, fields) with
    fields a dict of the required columns, or None for a malformed row."""
    with open(path, "rb") as f:
        data = f.read().decode("latin-1")    # byte-preserving; checks are ASCII
    lines = data.split("\n")
    header_line = lines[0][:-1] if lines[0].endswith("\r") else lines[0]
    if header_line == "":
        raise Fatal(f"{path}: no header line")
    header = split_row(header_line)
    if header is None:
        raise Fatal(f"{path}: malformed header")
    idx = {}
    for name in required:
        pos = [i for i, h in enumerate(header) if h == name]
        if len(pos) != 1:
            raise Fatal(f"{path}: header must name column {name!r} exactly "
                        f"once (found {len(pos)} times)")
        idx[name] = pos[0]
    nfields = len(header)
    rows = []
    read = 0
    for lineno, line in enumerate(lines[1:], start=2):
        if line.endswith("\r"):
            line = line[:-1]
        if line == "":
            continue
        read += 1
        fields = split_row(line)
        if fields is None or len(fields) != nfields:
            rows.append((lineno, None))
        else:
            rows.append((lineno, {k: fields[i] for k, i in idx.items()}))
    return read, rows


def load_log1(path, min_id, max_id, db):
    read, rows = read_log(path, LOG1_COLS)
    bad_lines, kept, seen = [], 0, set()
    for lineno, r in rows:
        if r is not None:
            uid = parse_int(r["userId"])
            region = parse_int(r["region"], INT32_MIN, INT32_MAX)
            typ = parse_int(r["type"], INT32_MIN, INT32_MAX)
            paid = parse_bool(r["paid"])
            ok = None not in (uid, region, typ, paid)
        else:
            ok = False
        if not ok:
            bad_lines.append(lineno)
            continue
        if uid < min_id or uid > max_id:
            continue
        if uid in seen:                       # later duplicate: bad row
            bad_lines.append(lineno)
            continue
        seen.add(uid)
        kept += 1
        db.execute("INSERT INTO log1 VALUES (?, ?, ?, ?, ?)",
                   (uid, region, typ, paid, lineno))
    return {"read": read, "bad": len(bad_lines), "kept": kept}, bad_lines


def load_log2(path, min_id, max_id, db):
    read, rows = read_log(path, LOG2_COLS)
    bad_lines, batch = [], []
    for lineno, r in rows:
        ok = False
        if r is not None:
            uid = parse_int(r["userId"])
            song = parse_int(r["songId"])
            gender = parse_int(r["genderId"], INT32_MIN, INT32_MAX)
            hh = parse_hour(r["hour"])
            dev = parse_device(r["deviceId"], uid) if uid is not None else None
            ok = None not in (uid, song, gender, hh, dev)
        if not ok:
            bad_lines.append(lineno)
            continue
        if uid < min_id or uid > max_id:
            continue
        batch.append((uid, song, gender, dev, hh))
    db.executemany("INSERT INTO log2 VALUES (?, ?, ?, ?, ?)", batch)
    return {"read": read, "bad": len(bad_lines), "kept": len(batch)}, bad_lines


# Per-user results go into tables keyed by userId, so the final join is a
# primary-key lookup (sqlite does not index materialized CTEs).
QUERIES = (
    """CREATE TABLE top_genre (userId INTEGER PRIMARY KEY, genderId INTEGER,
                               n INTEGER)""",
    """INSERT INTO top_genre
       SELECT userId, genderId, n FROM (
           SELECT userId, genderId, n,
                  ROW_NUMBER() OVER (PARTITION BY userId
                                     ORDER BY n DESC, genderId ASC) AS rk
           FROM (SELECT userId, genderId, COUNT(*) AS n
                 FROM log2 GROUP BY userId, genderId))
       WHERE rk = 1""",
    """CREATE TABLE top_hour (userId INTEGER PRIMARY KEY, hh INTEGER)""",
    """INSERT INTO top_hour
       SELECT userId, hh FROM (
           SELECT userId, hh,
                  ROW_NUMBER() OVER (PARTITION BY userId
                                     ORDER BY n DESC, hh ASC) AS rk
           FROM (SELECT userId, hh, COUNT(*) AS n
                 FROM log2 GROUP BY userId, hh))
       WHERE rk = 1""",
    """CREATE TABLE per_user (userId INTEGER PRIMARY KEY, plays INTEGER,
                              dist_songs INTEGER, dist_devices INTEGER)""",
    """INSERT INTO per_user
       SELECT userId, COUNT(*), COUNT(DISTINCT songId), COUNT(DISTINCT device)
       FROM log2 GROUP BY userId""",
)

QUERY = """
SELECT u.userId, g.genderId, g.n, p.dist_songs,
       u.region, u.type, u.paid,
       p.plays, p.dist_devices, h.hh
FROM log1 AS u
JOIN per_user  AS p ON p.userId = u.userId
JOIN top_genre AS g ON g.userId = u.userId
JOIN top_hour  AS h ON h.userId = u.userId
ORDER BY u.userId
"""


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--extra-features", action="store_true")
    ap.add_argument("--counts", action="store_true")
    ap.add_argument("min_id")
    ap.add_argument("max_id")
    ap.add_argument("log1")
    ap.add_argument("log2")
    a = ap.parse_args(argv)
    min_id, max_id = parse_int(a.min_id), parse_int(a.max_id)
    if min_id is None or max_id is None:
        ap.error("MIN_ID and MAX_ID must be int64 integers")

    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE log1 (userId INTEGER PRIMARY KEY, region INTEGER,"
               " type INTEGER, paid INTEGER, line INTEGER)")
    db.execute("CREATE TABLE log2 (userId INTEGER, songId INTEGER,"
               " genderId INTEGER, device TEXT, hh INTEGER)")
    try:
        c1, bad1 = load_log1(a.log1, min_id, max_id, db)
        c2, bad2 = load_log2(a.log2, min_id, max_id, db)
    except (Fatal, OSError) as e:
        print(f"reference_join: {e}", file=sys.stderr)
        return 2

    cols = ["userId", "topGenderId", "topGenderIdSongs", "distSongIds",
            "region", "type", "paid"]
    if a.extra_features:
        cols += ["plays", "distDevices", "peakHour"]
    out = [";".join(cols)]
    for q in QUERIES:
        db.execute(q)
    users = 0
    for (uid, gid, gn, dsongs, region, typ, paid,
         plays, ddev, hh) in db.execute(QUERY):
        vals = [uid, gid, gn, dsongs, region, typ,
                "true" if paid else "false"]
        if a.extra_features:
            vals += [plays, ddev, hh]
        out.append(";".join(str(v) for v in vals))
        users += 1
    sys.stdout.buffer.write(("\n".join(out) + "\n").encode("ascii"))
    sys.stdout.flush()
    if a.counts:
        print(json.dumps({"log1": c1, "log2": c2, "users": users,
                          "bad_lines": {"log1": bad1, "log2": bad2}}),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
