// The logjoin query in DuckDB SQL (npm @duckdb/node-api), for scripts/bench-logjoin.
//
// Usage: node scripts/bench/duckdb_join.mjs [--extra-features] [--threads N]
//            MIN_ID MAX_ID LOG1 LOG2 OUT_CSV
// Env DUCKDB_NODE_DIR: folder holding node_modules/@duckdb/node-api
//     (default: .cache/duckdb-node in the repository).
//
// Writes the same features.csv as logjoin (header, ';', LF, sorted by userId).
// It assumes clean input such as scripts/genlogs makes: no bad-row checks, but
// the userId range filter, first-row-wins for duplicate LOG1 userIds and the
// tie breaks (topGenderId and peakHour: most plays, then smallest) are exact.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modDir = process.env.DUCKDB_NODE_DIR || path.join(here, '..', '..', '.cache', 'duckdb-node');

const args = process.argv.slice(2);
let extra = false;
let threads = 2;
const pos = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--extra-features') extra = true;
  else if (args[i] === '--threads') threads = Number(args[++i]);
  else pos.push(args[i]);
}
if (pos.length !== 5 || !Number.isInteger(threads) || threads < 1) {
  console.error('usage: duckdb_join.mjs [--extra-features] [--threads N] MIN_ID MAX_ID LOG1 LOG2 OUT_CSV');
  process.exit(2);
}
const [minId, maxId, log1, log2, out] = pos;
for (const v of [minId, maxId]) {
  if (!/^[+-]?[0-9]+$/.test(v)) {
    console.error(`duckdb_join: not an integer: ${v}`);
    process.exit(2);
  }
}
const q = (s) => `'${s.replaceAll("'", "''")}'`;   // SQL string literal

const require = createRequire(path.join(modDir, 'package.json'));
const { DuckDBInstance } = await import(pathToFileURL(require.resolve('@duckdb/node-api')).href);

const csvOpts = `delim=';', header=true, quote='"', escape='"'`;
// explicit types, matched to the header by column name (any column order)
const log1Types = `types={'userId': 'BIGINT', 'region': 'INTEGER', 'type': 'INTEGER', 'paid': 'BOOLEAN'}`;
const log2Types = `types={'hour': 'VARCHAR', 'userId': 'BIGINT', 'songId': 'BIGINT', 'genderId': 'INTEGER', 'deviceId': 'VARCHAR'}`;

const sql = `
COPY (
  WITH
  users AS (                -- first row (in file order) of each userId wins
    SELECT userId, arg_min(region, line) AS region, arg_min(type, line) AS type,
           arg_min(paid, line) AS paid
    FROM (SELECT *, row_number() OVER () AS line
          FROM read_csv(${q(log1)}, ${csvOpts}, ${log1Types}))
    WHERE userId BETWEEN ${minId} AND ${maxId}
    GROUP BY userId
  ),
  plays AS (
    SELECT userId, songId, genderId
           ${extra ? `, CAST(substr(hour, 12, 2) AS INTEGER) AS hh,
             coalesce(nullif(ltrim(split_part(deviceId, '_', 1), '0'), ''), '0') AS dev` : ''}
    FROM read_csv(${q(log2)}, ${csvOpts}, ${log2Types})
    WHERE userId BETWEEN ${minId} AND ${maxId}
  ),
  per_genre AS (
    SELECT userId, genderId, count(*) AS n FROM plays GROUP BY userId, genderId
  ),
  top_genre AS (            -- most plays, tie -> smallest genderId
    SELECT p.userId, min(p.genderId) AS genderId, any_value(p.n) AS n
    FROM per_genre p
    JOIN (SELECT userId, max(n) AS n FROM per_genre GROUP BY userId) m
      ON p.userId = m.userId AND p.n = m.n
    GROUP BY p.userId
  ),
  per_user AS (
    SELECT userId, count(DISTINCT songId) AS dist_songs
           ${extra ? ', count(*) AS plays, count(DISTINCT dev) AS dist_devices' : ''}
    FROM plays GROUP BY userId
  )
  ${extra ? `, per_hour AS (
    SELECT userId, hh, count(*) AS n FROM plays GROUP BY userId, hh
  ),
  top_hour AS (             -- most plays, tie -> smallest hour
    SELECT p.userId, min(p.hh) AS hh
    FROM per_hour p
    JOIN (SELECT userId, max(n) AS n FROM per_hour GROUP BY userId) m
      ON p.userId = m.userId AND p.n = m.n
    GROUP BY p.userId
  )` : ''}
  SELECT u.userId, g.genderId AS topGenderId, g.n AS topGenderIdSongs,
         p.dist_songs AS distSongIds, u.region, u.type,
         CASE WHEN u.paid THEN 'true' ELSE 'false' END AS paid
         ${extra ? ', p.plays, p.dist_devices AS distDevices, h.hh AS peakHour' : ''}
  FROM users u
  JOIN per_user p USING (userId)
  JOIN top_genre g USING (userId)
  ${extra ? 'JOIN top_hour h USING (userId)' : ''}
  ORDER BY u.userId
) TO ${q(out)} (FORMAT CSV, HEADER true, DELIMITER ';', QUOTE '', NEW_LINE '\\n')`;

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
await conn.run(`SET threads=${threads}`);
await conn.run(sql);
conn.closeSync?.();
