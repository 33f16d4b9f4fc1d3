#!/usr/bin/env bash
# docker-engine.sh -- a Docker engine for the cluster tests and CI (a normal Docker host
# does not need this script).
#   scripts/docker-engine.sh start    install docker.io and docker-compose from Debian when
#                                     absent; start dockerd in the background when no daemon
#                                     answers. Prints "started" or "running" (one that answered).
#   scripts/docker-engine.sh stop     stop the dockerd this script started (and nothing else)
#   scripts/docker-engine.sh status   exit 0 when a daemon answers
# State in DOCKER_ENGINE_DIR (default /tmp/tk-docker): dockerd.log, dockerd.pid (only for a
# daemon started here). Uses sudo when not root.
set -euo pipefail
DIR=${DOCKER_ENGINE_DIR:-/tmp/tk-docker}
PIDFILE=$DIR/dockerd.pid
LOG=$DIR/dockerd.log
WAIT=${DOCKER_ENGINE_WAIT:-60}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "docker-engine: need root or sudo" >&2; exit 1; }
  SUDO="sudo"
fi

answers() { timeout 10 docker info >/dev/null 2>&1; }

install_engine() {
  local missing=() p
  for p in docker.io docker-compose; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  echo "docker-engine: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # keep the package scripts from starting a daemon of their own (no init system here)
  local policy=/usr/sbin/policy-rc.d made=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"; made=1
  fi
  local rc=0
  { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" iptables >/dev/null; } || rc=$?
  [ "$made" -eq 1 ] && $SUDO rm -f "$policy"
  return "$rc"
}

ours() { # the pid in PIDFILE is a live dockerd
  [ -f "$PIDFILE" ] || return 1
  local pid; pid=$(cat "$PIDFILE")
  [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = dockerd ]
}

start() {
  if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null \
     || ! { docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null; }; then
    install_engine
  fi
  if answers; then echo running; return 0; fi
  if ours; then
    echo "docker-engine: dockerd $(cat "$PIDFILE") started earlier does not answer" >&2
  else
    $SUDO mkdir -p "$DIR"
    # setsid: the daemon outlives the calling shell and its process group; $! is dockerd
    $SUDO sh -c 'setsid dockerd >"$1" 2>&1 </dev/null & echo $! >"$2"' sh "$LOG" "$PIDFILE"
  fi
  for _ in $(seq "$((WAIT * 2))"); do
    if answers; then echo started; return 0; fi
    ours || break
    sleep 0.5
  done
  echo "docker-engine: dockerd did not answer within ${WAIT}s; the end of $LOG:" >&2
  tail -20 "$LOG" >&2 || true
  return 1
}

stop() {
  if ! ours; then
    $SUDO rm -f "$PIDFILE"
    echo "docker-engine: no dockerd started by this script" >&2
    return 0
  fi
  local pid; pid=$(cat "$PIDFILE")
  $SUDO kill -TERM "$pid"
  for _ in $(seq 60); do
    ps -p "$pid" >/dev/null 2>&1 || break
    sleep 0.5
  done
  if ps -p "$pid" >/dev/null 2>&1; then
    echo "docker-engine: dockerd $pid ignored SIGTERM for 30 s, killing it" >&2
    $SUDO kill -KILL "$pid" || true
  fi
  $SUDO rm -f "$PIDFILE"
  echo stopped
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) answers ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
