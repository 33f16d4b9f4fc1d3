#!/bin/bash
# cluster-node -- the toolkit cluster's commands on the master (scripts/cluster runs them
# with `compose exec`). Started as root, it waits until the node is set up and goes on as
# the user mpi.
#   cluster-node hostfile [--wait SECS] [--expect N] [--check-mpi]
#       refresh /cluster/mpi/hostfile from DNS (the master, then every address the worker
#       service name resolves to) as "ADDRESS slots=CPUS", with the known_hosts file for
#       those nodes from the host keys they published; keep the nodes ssh reaches. --wait:
#       retry until every node found (at least N with --expect) is reachable; --check-mpi:
#       then run one MPI process per node. Prints the hostfile.
#   cluster-node mpirun ARGS...   refresh the hostfile, then mpirun --hostfile it ARGS
#   cluster-node status           nodes, addresses, slots
#   cluster-node shell [ARGS...]  bash as mpi (in /data)
#   cluster-node notebook         wait until Jupyter answers; print its token
set -uo pipefail
C=/cluster
HOSTFILE=$C/mpi/hostfile
WORKER=${CLUSTER_WORKER_SERVICE:-worker}
me=cluster

if [ "$(id -u)" -eq 0 ]; then
  for _ in $(seq 300); do [ -e /run/cluster-node.ready ] && break; sleep 0.1; done
  [ -e /run/cluster-node.ready ] || { echo "$me: this node did not start (docker logs)" >&2; exit 1; }
  exec runuser -u mpi -- env HOME=/home/mpi USER=mpi LOGNAME=mpi "$0" "$@"
fi

self() { hostname -i | awk '{print $1}'; }
# the master first, then the workers by address
discover() {
  local s; s=$(self)
  echo "$s"
  getent ahostsv4 "$WORKER" 2>/dev/null | awk '{print $1}' | sort -u -t. -k1,1n -k2,2n -k3,3n -k4,4n |
    grep -vxF "$s"
}
reachable() { # IP: the node answers ssh with its published host key
  [ "$1" = "$(self)" ] && return 0
  ssh -o ConnectTimeout=5 "$1" true </dev/null >/dev/null 2>&1
}

# refresh: sets FOUND (from DNS), READY (published and reachable), the known_hosts and
# the hostfile (READY nodes only)
refresh() {
  local ip f tmp
  mapfile -t FOUND < <(discover)
  READY=()
  tmp=$C/ssh/.known_hosts.$$
  : >"$tmp"
  local published=()
  for ip in "${FOUND[@]}"; do
    f=$C/nodes/$ip
    [ -s "$f" ] || continue
    awk '{print $1, $5, $6}' "$f" >>"$tmp"
    published+=("$ip")
  done
  mv -f "$tmp" "$C/ssh/known_hosts"
  local pids=() i
  for ip in "${published[@]}"; do reachable "$ip" & pids+=($!); done
  for i in "${!published[@]}"; do
    wait "${pids[$i]}" && READY+=("${published[$i]}")
  done
  tmp=$HOSTFILE.$$
  : >"$tmp"
  for ip in "${READY[@]}"; do
    echo "$ip slots=$(awk '{print $3}' "$C/nodes/$ip")" >>"$tmp"
  done
  mv -f "$tmp" "$HOSTFILE"
}

cmd_hostfile() {
  local wait=0 expect=0 mpi=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --wait) wait=$2; shift 2 ;;
      --expect) expect=$2; shift 2 ;;
      --check-mpi) mpi=1; shift ;;
      *) echo "$me: hostfile: unknown option $1" >&2; return 2 ;;
    esac
  done
  local t0=$SECONDS
  while :; do
    refresh
    if [ "${#READY[@]}" -eq "${#FOUND[@]}" ] && [ "${#READY[@]}" -ge "$expect" ]; then break; fi
    if [ $((SECONDS - t0)) -ge "$wait" ]; then
      if [ "${#READY[@]}" -lt "$expect" ]; then
        echo "$me: ${#READY[@]} of $expect nodes answer after ${wait}s; found: ${FOUND[*]}" >&2
        return 1
      fi
      local ip
      for ip in "${FOUND[@]}"; do
        printf '%s\n' "${READY[@]}" | grep -qxF "$ip" ||
          echo "$me: warning: node $ip does not answer: left out of the hostfile" >&2
      done
      break
    fi
    sleep 0.5
  done
  if [ "$mpi" -eq 1 ]; then
    local n=${#READY[@]} out
    if ! out=$(timeout 60 mpirun --hostfile "$HOSTFILE" --map-by node -np "$n" hostname 2>&1); then
      echo "$me: MPI across the $n nodes failed:" >&2; echo "$out" | tail -20 >&2; return 1
    fi
  fi
  cat "$HOSTFILE"
}

cmd_mpirun() {
  cmd_hostfile --wait "${CLUSTER_NODE_WAIT:-10}" >/dev/null || return 1
  local used=("${READY[@]}") rc
  mpirun --hostfile "$HOSTFILE" "$@"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    # say which nodes went away during the job
    local now ip lost=()
    now=$(discover)
    for ip in "${used[@]}"; do
      if ! printf '%s\n' $now | grep -qxF "$ip" || ! reachable "$ip"; then lost+=("$ip"); fi
    done
    for ip in "${lost[@]}"; do
      echo "$me: error: node $ip ($(awk '{print $2}' "$C/nodes/$ip" 2>/dev/null)) left the cluster during the job" >&2
    done
    echo "$me: error: mpirun exited with status $rc" >&2
  fi
  return "$rc"
}

cmd_status() {
  refresh
  local ip role host slots total=0 state
  printf '%-7s %-15s %-14s %5s  %s\n' ROLE ADDRESS HOSTNAME SLOTS STATE
  for ip in "${FOUND[@]}"; do
    read -r _ host slots role _ 2>/dev/null <"$C/nodes/$ip" || { host="?"; slots="?"; role="?"; }
    if printf '%s\n' "${READY[@]}" | grep -qxF "$ip"; then
      state=ready; total=$((total + slots))
    else
      state="not answering"
    fi
    printf '%-7s %-15s %-14s %5s  %s\n' "$role" "$ip" "$host" "$slots" "$state"
  done
  echo "${#READY[@]} nodes ready, $total slots"
}

cmd_notebook() {
  local token; token=$(cat "$C/jupyter/token") || return 1
  local i
  for i in $(seq 60); do
    if python3 - "$token" <<'PY' 2>/dev/null; then echo "$token"; return 0; fi
import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:8888/api/status?token=" + sys.argv[1], timeout=2)
PY
    sleep 0.5
  done
  echo "$me: Jupyter does not answer on the master (docker logs of the master)" >&2
  return 1
}

case "${1:-}" in
  hostfile) shift; cmd_hostfile "$@" ;;
  mpirun) shift; cmd_mpirun "$@" ;;
  status) cmd_status ;;
  shell) shift; cd /data && exec bash -l "$@" ;;
  notebook) cmd_notebook ;;
  *) echo "usage: cluster-node hostfile|mpirun|status|shell|notebook ..." >&2; exit 2 ;;
esac
