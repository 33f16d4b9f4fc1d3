#!/bin/bash
# cluster-entrypoint ROLE -- starts one node of the toolkit's compose cluster (ROLE: master
# or worker). Runs as root under docker-init; the jobs run as the user mpi.
#   - the mpi user writes /data as /data's owner (uid remapped), or gets an ACL on /data when
#     /data belongs to root
#   - the cluster's ssh key pair: made once per cluster, by the first node to start, on the
#     cluster volume (/cluster/ssh); every node authorizes it from there
#   - this node's ssh host key: made fresh at every start, published with the node's address
#     and CPU count in /cluster/nodes/ADDRESS, where the master's hostfile refresh finds it
#   - sshd in the foreground; on the master also Jupyter (token in /cluster/jupyter/token)
# SIGTERM (docker stop) ends every process of the node at once, so a job that used it fails
# right away instead of waiting on a half-open connection.
set -euo pipefail
role=${1:-worker}
C=/cluster
log() { echo "cluster-entrypoint ($role): $*" >&2; }

# ---- the mpi user and /data
owner=$(stat -c %u /data)
group=$(stat -c %g /data)
if [ "$owner" -ne 0 ]; then
  if [ "$(id -u mpi)" -ne "$owner" ]; then
    [ "$group" -ne 0 ] && groupmod -o -g "$group" mpi
    usermod -o -u "$owner" mpi
    chown -R mpi:mpi /home/mpi
  fi
elif ! runuser -u mpi -- test -w /data -a -x /data; then
  # a DATA_DIR of root's: uid mpi may write in it and in what is made in it later
  setfacl -m u:mpi:rwx -m d:u:mpi:rwx /data ||
    log "warning: /data is root's and not writable by mpi (uid $(id -u mpi)); jobs can write only where it may"
fi

# ---- the cluster's key pair, once per cluster
mkdir -p "$C/ssh" "$C/nodes" "$C/mpi"
exec 9>"$C/.lock"
flock -w 30 9
if [ ! -s "$C/ssh/id_ed25519.pub" ] || [ ! -s "$C/ssh/id_ed25519" ]; then
  rm -f "$C/ssh/id_ed25519" "$C/ssh/id_ed25519.pub"
  ssh-keygen -q -t ed25519 -N '' -C "mpi@toolkit-cluster" -f "$C/ssh/id_ed25519"
  cp "$C/ssh/id_ed25519.pub" "$C/ssh/authorized_keys"
  log "made the cluster's ssh key pair"
fi
touch "$C/ssh/known_hosts"
chown -R mpi:mpi "$C/ssh" "$C/mpi"
chmod 700 "$C/ssh"
chmod 600 "$C/ssh/id_ed25519"
chmod 644 "$C/ssh/authorized_keys"
flock -u 9
exec 9>&-

# ---- this node's host key, published with its address and slots
rm -f /etc/ssh/ssh_host_*
ssh-keygen -q -t ed25519 -N '' -C "" -f /etc/ssh/ssh_host_ed25519_key
ip=$(hostname -i | awk '{print $1}')
tmp="$C/nodes/.$ip.$$"
echo "$ip $(hostname) $(nproc) $role $(cut -d' ' -f1,2 /etc/ssh/ssh_host_ed25519_key.pub)" >"$tmp"
mv -f "$tmp" "$C/nodes/$ip"

mkdir -p /run/sshd
/usr/sbin/sshd -D -e &
sshd_pid=$!

if [ "$role" = master ]; then
  mkdir -p "$C/jupyter"
  if [ ! -s "$C/jupyter/token" ]; then
    (umask 077; od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$C/jupyter/token")
  fi
  chown -R mpi:mpi "$C/jupyter"
  chmod 700 "$C/jupyter"
  (cd /home/mpi/toolkit &&
    exec runuser -u mpi -- env HOME=/home/mpi USER=mpi LOGNAME=mpi \
      JUPYTER_TOKEN="$(cat "$C/jupyter/token")" \
      jupyter notebook --no-browser --ip=0.0.0.0 --port=8888 \
        --notebook-dir=/home/mpi/toolkit --NotebookApp.password='') &
fi

stop() {
  trap - TERM INT
  kill -TERM -1 2>/dev/null || true
  sleep 0.5
  kill -KILL -1 2>/dev/null || true
  exit "${1:-0}"
}
trap stop TERM INT
touch /run/cluster-node.ready
log "ready: $ip, $(nproc) slots"
wait "$sshd_pid" || true
log "sshd ended"
stop 1
