#!/usr/bin/env bash
# A real, one-node Slurm on this machine, for the campaign tests and for trying a plan before a
# cluster: munged, slurmctld and slurmd for this host, one partition `debug`, every file in one
# folder (no systemd, nothing under /etc written).
#
#   scripts/slurm-local.sh start    install what is missing (Debian: slurm-wlm, munge), start the
#                                   daemons, return when sinfo shows the node idle; harmless when
#                                   this Slurm already runs
#   scripts/slurm-local.sh stop     stop the daemons this script started (by their pid files)
#   scripts/slurm-local.sh status   exit 0 when it answers (prints the node's state), 1 when not
#   scripts/slurm-local.sh env      print `export SLURM_CONF=...` for a shell: eval "$(... env)"
#
# The folder is $INFERPRINT_SLURM_DIR, default /tmp/inferprint-slurm. Clients find this Slurm
# through SLURM_CONF=<folder>/slurm.conf (sbatch, squeue, sinfo and the jobs' srun all read it).
# Runs as root: slurmd starts jobs as their owner, which needs root, and the daemons run as root
# here (SlurmUser=root) so no system account is needed.
set -euo pipefail

DIR=${INFERPRINT_SLURM_DIR:-/tmp/inferprint-slurm}
CONF="$DIR/slurm.conf"
HOST=$(hostname -s)
export SLURM_CONF="$CONF"
MUNGE_SOCKET="$DIR/munge/munge.socket.2"
# How long start waits for the node to be idle (busy CI machines are slow to start daemons).
START_TIMEOUT_S=${INFERPRINT_SLURM_START_TIMEOUT_S:-90}

say() { echo "slurm-local: $*" >&2; }
die() { say "$*"; exit 1; }

node_state() {
  # Empty when slurmctld does not answer.
  timeout 10 sinfo -h -n "$HOST" -o %T 2>/dev/null | head -n1 | tr -d '*~#!%$@^-' || true
}

answers() { [ -f "$CONF" ] && timeout 10 scontrol ping 2>/dev/null | grep -q 'is UP'; }

install_if_missing() {
  local missing=()
  for c in slurmctld slurmd sbatch munged; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "not installed (${missing[*]}) and not root: install slurm-wlm and munge (Debian: apt-get install -y slurm-wlm munge)"
  command -v apt-get >/dev/null 2>&1 || die "not installed (${missing[*]}) and no apt-get here: install Slurm (slurmctld, slurmd, client commands) and munge"
  say "installing slurm-wlm and munge from the Debian archive (missing: ${missing[*]})"
  # The package scripts would start the services through systemd: nothing here uses them.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; } \
    || die "apt-get install slurm-wlm munge failed"
}

write_conf() {
  # The node's real CPUs and memory, as slurmd itself detects them (first line of slurmd -C).
  local node
  node=$(slurmd -C 2>/dev/null | head -n1)
  [ -n "$node" ] || die "slurmd -C printed nothing: cannot describe this node"
  cat >"$CONF" <<EOF
# Written by scripts/slurm-local.sh: a one-node Slurm for tests. Not for production.
ClusterName=inferprint-local
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool/slurmd-%n
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd-%n.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldPort=${INFERPRINT_SLURMCTLD_PORT:-6817}
SlurmdPort=${INFERPRINT_SLURMD_PORT:-6818}
# No cgroups, no systemd: processes are tracked by their parent, tasks are not pinned.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/linux
# No slurmdbd here: sacct answers "accounting storage is disabled" (inferprint then reads
# squeue and scontrol, and says there is no energy accounting to compare with).
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
# Finished jobs stay visible to scontrol for 10 minutes (campaign status reads them).
MinJobAge=600
KillWait=10
SchedulerType=sched/backfill
$node State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
  if [ -S "$MUNGE_SOCKET" ] && [ -f "$DIR/munge/munged.pid" ] && kill -0 "$(cat "$DIR/munge/munged.pid")" 2>/dev/null; then return 0; fi
  if [ ! -s "$DIR/munge/munge.key" ]; then
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$DIR/munge/munge.key"
  fi
  # 9>&-: the daemons must not inherit the start lock's descriptor (they would hold the lock).
  munged --force --key-file="$DIR/munge/munge.key" --socket="$MUNGE_SOCKET" --pid-file="$DIR/munge/munged.pid" \
    --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed" 9>&- \
    || die "munged did not start (see $DIR/log/munged.log)"
}

wait_idle() {
  local deadline=$((SECONDS + START_TIMEOUT_S)) state=''
  while [ $SECONDS -lt $deadline ]; do
    state=$(node_state)
    case "$state" in
      idle|mixed|allocated|completing) say "running: node $HOST $state, partition debug (export SLURM_CONF=$CONF)"; return 0 ;;
      down|drained|draining|fail|failing|unknown)
        # A node that was down when slurmctld last saw it comes back once slurmd answers.
        scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 1
  done
  die "node $HOST is not idle after ${START_TIMEOUT_S}s (state '${state:-no answer}'); logs in $DIR/log"
}

start() {
  install_if_missing
  mkdir -p "$DIR"
  exec 9>"$DIR/.start.lock"
  flock 9
  if answers; then
    wait_idle
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "start needs root (slurmd starts jobs as their owner)"
  mkdir -p "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run" "$DIR/munge"
  chmod 700 "$DIR/munge"
  start_munge
  write_conf
  # Without -c: the saved state keeps the job id counter, so a campaign's recorded job ids are
  # never given to new jobs after a restart.
  slurmctld -f "$CONF" 9>&- || die "slurmctld did not start (see $DIR/log/slurmctld.log)"
  slurmd -f "$CONF" 9>&- || die "slurmd did not start (see $DIR/log/slurmd.log)"
  wait_idle
}

stop_pid() {
  local file=$1 name=$2 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && say "$name (pid $pid) did not stop"
  fi
  rm -f "$file"
}

stop() {
  [ -d "$DIR" ] || { say "not running (no $DIR)"; return 0; }
  stop_pid "$DIR/run/slurmd-$HOST.pid" slurmd
  stop_pid "$DIR/run/slurmctld.pid" slurmctld
  stop_pid "$DIR/munge/munged.pid" munged
  say "stopped"
}

status() {
  command -v sinfo >/dev/null 2>&1 || { say "not installed (no sinfo)"; return 1; }
  if answers; then
    say "running: node $HOST $(node_state), partition debug (export SLURM_CONF=$CONF)"
    return 0
  fi
  say "not running (no answer from slurmctld with $CONF)"
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
