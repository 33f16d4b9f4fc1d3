#!/usr/bin/env bash
# tests/cluster/compose.sh -- the compose cluster (containers/, scripts/cluster) for real:
#   - a Docker engine (scripts/docker-engine.sh: installed and started when absent), the
#     images (make images: debian:bookworm-slim made with debootstrap when no registry answers)
#   - master + 2 workers: `cluster run -np 6 hostname` shows 3 hosts; logjoin np=6 gives the
#     bytes of a local run; gbtrain np=5 the model bytes of a local np=1 run; gbpredict np=4
#     the predictions of a local np=1 run
#   - scaled to 3 workers (make cluster-up WORKERS=3): 4 hosts, logjoin np=8 the same bytes
#   - a worker stopped during a job: the job fails within 30 s, says which node left, writes
#     nothing; the next run uses the nodes that are left
#   - Jupyter answers on 127.0.0.1 with the token and refuses without it
#   - ssh: no key in the images, keys only, host keys checked, a new key pair per cluster
#   - make cluster-down leaves no container, network or volume; the engine is stopped when
#     this script started it
# Prints ok/not ok lines, "# metric: ..." lines (image sizes, build time, time from `up` to
# the first job) and ends with "N passed, N failed". Every wait has a timeout.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export HDF5_USE_FILE_LOCKING=FALSE
export CLUSTER_PROJECT=${CLUSTER_PROJECT:-tk-compose-test}
unset JUPYTER_PORT
TMO=${CLUSTER_TIMEOUT:-120}
BUILD_TMO=${CLUSTER_BUILD_TIMEOUT:-1800}
IMG=${TK_IMAGE:-mpi-toolkit}
C=scripts/cluster
T0=$SECONDS
WORK=$(mktemp -d /tmp/tk-compose.XXXXXX)
export DATA_DIR=$WORK/data
mkdir -p "$DATA_DIR"
ENGINE_STARTED=0

# ok, not_ok, check, same_file, indent, counts (T_PASS, T_FAIL)
# shellcheck source=tests/lib-common.sh
source "$ROOT/tests/lib-common.sh"
metric() { echo "# metric: $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# cl NAME ARGS...: scripts/cluster ARGS with a timeout; output in $WORK/NAME.out/.err
cl() {
  local name=$1; shift
  timeout "$TMO" "$C" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
}
# run_ok NAME ARGS...: cl, ok when it exits 0
run_ok() {
  local name=$1; shift
  if cl "$name" "$@"; then ok "$name"; else
    not_ok "$name (exit $?)"; indent <"$WORK/$name.err"; return 1; fi
}
hosts() { sort -u "$WORK/$1.out" | grep -c .; }
left() { # what the test project left behind
  {
    docker ps -aq --filter "label=com.docker.compose.project=$CLUSTER_PROJECT"
    docker network ls -q --filter "label=com.docker.compose.project=$CLUSTER_PROJECT"
    docker volume ls -q --filter "label=com.docker.compose.project=$CLUSTER_PROJECT"
  } 2>/dev/null | grep -c .
}
summary() {
  echo
  echo "# compose cluster test: $((SECONDS - T0)) s"
  counts
}
cleanup() {
  if [ -n "${BG:-}" ]; then kill "$BG" 2>/dev/null; wait "$BG" 2>/dev/null; fi
  if command -v docker >/dev/null && timeout 10 docker info >/dev/null 2>&1; then
    timeout 60 "$C" down >/dev/null 2>&1
  fi
  if [ "$ENGINE_STARTED" -eq 1 ]; then scripts/docker-engine.sh stop >/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- engine, host build, images
echo "== Docker engine, host build, images"
if ! out=$(scripts/docker-engine.sh start 2>"$WORK/engine.err"); then
  not_ok "docker engine"; indent <"$WORK/engine.err"; summary; exit 1
fi
[ "$out" = started ] && ENGINE_STARTED=1
ok "docker engine ($out)"
if [ ! -x bin/logjoin ] || [ ! -x bin/gbtrain ] || [ ! -x bin/gbpredict ] || [ ! -x bin/genlogs ]; then
  make -s all >"$WORK/make.log" 2>&1 || { not_ok "make all"; indent <"$WORK/make.log"; summary; exit 1; }
fi
timeout 60 "$C" down >/dev/null 2>&1   # a cluster of this project left by an interrupted run
t=$(now)
if timeout "$BUILD_TMO" make --no-print-directory images >"$WORK/images.log" 2>&1; then
  ok "make images"
else
  not_ok "make images"; indent 30 <"$WORK/images.log"; summary; exit 1
fi
metric "image build (make images): $(since "$t") s"
for tag in runtime master; do
  sz=$(docker image inspect -f '{{.Size}}' "$IMG:$tag" 2>/dev/null)
  metric "image $IMG:$tag: $(awk -v s="${sz:-0}" 'BEGIN { printf "%.0f MB", s / 1e6 }')"
  [ "$tag" = runtime ] && RUNTIME_SIZE=${sz:-0}
done
if [ "${RUNTIME_SIZE:-0}" -gt 0 ] && [ "$RUNTIME_SIZE" -le 400000000 ]; then
  ok "runtime image <= 400 MB"
else
  not_ok "runtime image <= 400 MB ($RUNTIME_SIZE bytes)"
fi
# no ssh host key and no private key anywhere a key would be kept, in either image
keys=
for tag in runtime master; do
  keys+=$(docker run --rm --entrypoint sh "$IMG:$tag" -c 'ls /etc/ssh/ssh_host_* 2>/dev/null;
    grep -rlE "BEGIN (OPENSSH|RSA|EC|DSA)? ?PRIVATE KEY" /etc /root /home /cluster /usr/local \
      /opt /srv /data 2>/dev/null' | sed "s/^/$tag:/")
done
[ -z "$keys" ] && ok "no ssh key in the images" || not_ok "no ssh key in the images: $keys"

# ---- master + 2 workers
echo "== master + 2 workers"
t=$(now)
run_ok "cluster up 2" up 2 &&
  if cl hostname6 run -np 6 hostname; then
    metric "time from cluster up (images built) to the first job done: $(since "$t") s"
    ok "cluster run -np 6 hostname"
  else
    not_ok "cluster run -np 6 hostname"; indent <"$WORK/hostname6.err"
  fi
[ "$(hosts hostname6)" -eq 3 ] && ok "6 ranks on 3 distinct hosts" ||
  { not_ok "6 ranks on 3 distinct hosts"; indent <"$WORK/hostname6.out"; }
cl status2 status && grep -q '^3 nodes ready, 6 slots' "$WORK/status2.out" &&
  ok "cluster status: 3 nodes, 6 slots" || { not_ok "cluster status"; indent <"$WORK/status2.out"; }

# data made on the host; the jobs use the same relative paths in /data and here, so the
# HDF5 attributes (the logs' paths) are the same bytes
bin/genlogs --quiet --plays 400000 --users 30000 --max-id 60000 --seed 11 "$DATA_DIR/logs" >/dev/null
LJ=(logjoin --no-progress --extra-features 1 49999 logs/log1.csv logs/log2.csv)
GBT=(gbtrain --label paid --objective binary:logistic --num-round 30 --max-depth 4 --eval-metric auc)
(cd "$DATA_DIR" && timeout "$TMO" mpirun -np 2 "$ROOT/bin/logjoin" "${LJ[@]:1}" local >/dev/null 2>&1 &&
  mkdir -p local-gb && timeout "$TMO" mpirun -np 1 "$ROOT/bin/${GBT[0]}" "${GBT[@]:1}" \
    local/features.h5 local-gb/model.json >/dev/null 2>&1 &&
  timeout "$TMO" mpirun -np 1 "$ROOT/bin/gbpredict" --keep userId local-gb/model.json \
    local/features.h5 local-gb/pred.csv >/dev/null 2>&1) || not_ok "the local reference runs"

run_ok "logjoin np=6 across the cluster" run -np 6 "${LJ[@]}" lj6 &&
  for f in features.csv features.h5 _SUCCESS; do
    check "logjoin np=6 $f: the local run's bytes" same_file "$DATA_DIR/local/$f" "$DATA_DIR/lj6/$f"
  done
if [ -r "$DATA_DIR/lj6/features.h5" ] && [ "$(stat -c %u "$DATA_DIR/lj6/features.h5")" -ne 0 ]; then
  ok "the output belongs to the mpi user ($(stat -c %U "$DATA_DIR/lj6/features.h5")), readable here"
else
  not_ok "the output belongs to the mpi user"
fi
run_ok "cluster shell -c (mkdir as mpi)" shell -c 'mkdir -p gb5 && test -w gb5'
run_ok "gbtrain np=5 across the cluster" run -np 5 "${GBT[@]}" lj6/features.h5 gb5/model.json &&
  check "gbtrain np=5: the model bytes of a local np=1 run" same_file "$DATA_DIR/local-gb/model.json" "$DATA_DIR/gb5/model.json"
run_ok "gbpredict np=4 across the cluster" run -np 4 gbpredict --keep userId gb5/model.json \
    lj6/features.h5 gb5/pred.csv &&
  check "gbpredict np=4: the predictions of a local np=1 run" same_file "$DATA_DIR/local-gb/pred.csv" "$DATA_DIR/gb5/pred.csv"

# ---- scaled to 3 workers
echo "== scaled to 3 workers"
if timeout "$TMO" make --no-print-directory cluster-up WORKERS=3 >"$WORK/up3.out" 2>&1; then
  ok "make cluster-up WORKERS=3"
else
  not_ok "make cluster-up WORKERS=3"; indent <"$WORK/up3.out"
fi
grep -q '^4 nodes ready, 8 slots' "$WORK/up3.out" && ok "4 nodes, 8 slots after scaling" ||
  not_ok "4 nodes, 8 slots after scaling"
cl hostname8 run -np 8 hostname && [ "$(hosts hostname8)" -eq 4 ] &&
  ok "8 ranks on 4 distinct hosts" || { not_ok "8 ranks on 4 distinct hosts"; indent <"$WORK/hostname8.err"; }
run_ok "logjoin np=8 on 4 nodes" run -np 8 "${LJ[@]}" lj8 &&
  for f in features.csv features.h5; do
    check "logjoin np=8 $f: the local run's bytes" same_file "$DATA_DIR/local/$f" "$DATA_DIR/lj8/$f"
  done

# ---- a worker stopped during a job
echo "== a worker stopped during a job"
cl mkkill shell -c 'mkdir -p killed'
timeout "$TMO" "$C" run -np 8 gbtrain --label paid --objective binary:logistic --num-round 1000000 --eval-train \
  lj6/features.h5 killed/model.json >"$WORK/kill.out" 2>"$WORK/kill.err" &
BG=$!
for _ in $(seq 600); do grep -qE '^\[[0-9]+\]' "$WORK/kill.out" && break; sleep 0.1; done
if grep -qE '^\[[0-9]+\]' "$WORK/kill.out"; then
  victim=$(docker ps -q --filter "label=com.docker.compose.project=$CLUSTER_PROJECT" \
    --filter "label=com.docker.compose.service=worker" | head -1)
  vip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$victim")
  t=$(now)
  timeout 60 docker stop "$victim" >/dev/null
  for _ in $(seq 600); do kill -0 "$BG" 2>/dev/null || break; sleep 0.1; done
  secs=$(since "$t")
  if kill -0 "$BG" 2>/dev/null; then
    not_ok "the job fails within 30 s of the stop (still running after ${secs} s)"
  else
    wait "$BG"; rc=$?
    [ "$rc" -ne 0 ] && awk -v s="$secs" 'BEGIN { exit !(s <= 30) }' &&
      ok "the job fails within 30 s of the stop (exit $rc after ${secs} s)" ||
      not_ok "the job fails within 30 s of the stop (exit $rc after ${secs} s)"
  fi
  BG=
  metric "job failure after a worker stop: ${secs} s"
  grep -q "cluster: error: node $vip (.*) left the cluster during the job" "$WORK/kill.err" &&
    ok "a clear error: $(grep -m1 'left the cluster' "$WORK/kill.err")" ||
    { not_ok "a clear error naming the stopped node $vip"; indent <"$WORK/kill.err"; }
  [ -z "$(ls -A "$DATA_DIR/killed")" ] && ok "the failed job left no output" ||
    not_ok "the failed job left no output: $(ls -A "$DATA_DIR/killed")"
else
  not_ok "the long job did not start"; indent <"$WORK/kill.err"
fi
cl hostname6b run -np 6 hostname && [ "$(hosts hostname6b)" -eq 3 ] &&
  ok "the next run uses the 3 nodes left (no manual step)" ||
  { not_ok "the next run uses the 3 nodes left"; indent <"$WORK/hostname6b.err"; }

# ---- Jupyter
echo "== Jupyter"
http() { # URL [HEADER]: prints the status code
  /usr/bin/python3 - "$@" <<'PY'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1])
if len(sys.argv) > 2:
    k, v = sys.argv[2].split(": ", 1); req.add_header(k, v)
try:
    print(urllib.request.urlopen(req, timeout=10).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception as e:
    print("error", e)
PY
}
if cl notebook notebook && url=$(tail -1 "$WORK/notebook.out") &&
   [[ "$url" =~ ^http://127\.0\.0\.1:([0-9]+)/\?token=([0-9a-f]{32,})$ ]]; then
  ok "cluster notebook: ${url%%token=*}token=..."
  port=${BASH_REMATCH[1]} token=${BASH_REMATCH[2]}
  base=http://127.0.0.1:$port
  [ "$(http "$base/api/contents/notebooks?token=$token")" = 200 ] &&
    ok "Jupyter answers with the token" || not_ok "Jupyter answers with the token"
  [ "$(http "$base/api/contents/notebooks" "Authorization: token $token")" = 200 ] &&
    ok "Jupyter answers with the token in a header" || not_ok "Jupyter answers with the token in a header"
  [ "$(http "$base/api/contents/notebooks")" = 403 ] &&
    ok "Jupyter refuses without the token (403)" || not_ok "Jupyter refuses without the token"
  [ "$(http "$base/api/contents/notebooks?token=0$token")" = 403 ] &&
    ok "Jupyter refuses a wrong token (403)" || not_ok "Jupyter refuses a wrong token"
  master=$(docker ps -q --filter "label=com.docker.compose.project=$CLUSTER_PROJECT" \
    --filter "label=com.docker.compose.service=master")
  bind=$(docker port "$master" 8888/tcp)
  [ "$bind" = "127.0.0.1:$port" ] && ok "Jupyter published on 127.0.0.1 only" ||
    not_ok "Jupyter published on 127.0.0.1 only ($bind)"
else
  not_ok "cluster notebook"; indent <"$WORK/notebook.err"
fi

# ---- ssh
echo "== ssh"
worker=$(docker ps -q --filter "label=com.docker.compose.project=$CLUSTER_PROJECT" \
  --filter "label=com.docker.compose.service=worker" | head -1)
wip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$worker")
docker exec "$worker" sshd -T 2>/dev/null | grep -qx 'passwordauthentication no' &&
  ok "sshd: password login off" || not_ok "sshd: password login off"
cl sshpw shell -c "ssh -o PubkeyAuthentication=no -o PasswordAuthentication=yes $wip true"
grep -q 'Permission denied (publickey)' "$WORK/sshpw.err" &&
  ok "ssh without the cluster key is refused (publickey only)" ||
  { not_ok "ssh without the cluster key is refused"; indent <"$WORK/sshpw.err"; }
cl sshhk shell -c "ssh -o UserKnownHostsFile=/dev/null $wip true"
grep -q 'Host key verification failed' "$WORK/sshhk.err" &&
  cl sshok shell -c "ssh $wip true" &&
  ok "host keys are checked, against the ones the nodes published" ||
  { not_ok "host keys are checked"; indent <"$WORK/sshhk.err"; }
key1=$(docker exec "$worker" cat /cluster/ssh/id_ed25519.pub 2>/dev/null)

# ---- teardown
echo "== teardown"
if timeout "$TMO" make --no-print-directory cluster-down >"$WORK/down.out" 2>&1; then
  ok "make cluster-down"
else
  not_ok "make cluster-down"; indent <"$WORK/down.out"
fi
[ "$(left)" -eq 0 ] && ok "no container, network or volume left" ||
  not_ok "no container, network or volume left ($(left) left)"
if cl up1 up 1; then
  key2=$(timeout 30 "$C" shell -c 'cat /cluster/ssh/id_ed25519.pub' 2>/dev/null)
  [ -n "$key1" ] && [ -n "$key2" ] && [ "$key1" != "$key2" ] &&
    ok "a new cluster gets a new key pair" || not_ok "a new cluster gets a new key pair"
else
  not_ok "cluster up 1"; indent <"$WORK/up1.err"
fi
cl down2 down
[ "$(left)" -eq 0 ] && ok "cluster down: nothing left" || not_ok "cluster down: nothing left"

summary
[ "$T_FAIL" -eq 0 ]
