#!/usr/bin/env bash
# A real one-node Slurm cluster on localhost for pave's batch tests (Debian 12, root, no
# systemd). Written from the project's verified recipe (Debian's slurmctld, slurmd,
# slurm-client and munge packages).
#
#   scripts/slurm-local.sh start   # install if missing, configure, start, wait until idle
#   scripts/slurm-local.sh stop    # cancel jobs, stop the daemons this script started
#
# State, spool and logs live in $SLURM_LOCAL_ROOT (default /var/lib/pave-slurm).
set -euo pipefail

ROOT=${SLURM_LOCAL_ROOT:-/var/lib/pave-slurm}
CONF=/etc/slurm/slurm.conf
log() { printf '[slurm-local] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
alive() { local st; st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1); [ -n "$st" ] && [ "$st" != Z ]; }
munge_ok() { timeout 1 munge -n </dev/null 2>/dev/null | timeout 1 unmunge >/dev/null 2>&1; }

stop() {
  if munge_ok && command -v scancel >/dev/null; then timeout 10 scancel --quiet --user=root 2>/dev/null || true; fi
  for name in slurmd slurmctld munged; do
    local f="$ROOT/run/$name.pid"
    [ -s "$f" ] || continue
    local pid; pid=$(cat "$f")
    if alive "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
      alive "$pid" && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
  log "stopped"
}

start() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  local pkgs="slurmctld slurmd slurm-client munge" missing=""
  for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    log "installing:$missing"
    local added=0
    # Keep the packages' scripts from starting services (no init system here).
    if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; added=1; fi
    apt-cache show slurmctld >/dev/null 2>&1 || apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
    [ "$added" = 1 ] && rm -f /usr/sbin/policy-rc.d
  fi
  stop >/dev/null 2>&1 || true
  rm -rf "$ROOT"
  mkdir -p "$ROOT"/{ctld,d,run,log} /etc/slurm
  local node nodeline
  node=$(hostname -s)
  nodeline=$(slurmd -C | head -1)
  [[ $nodeline == NodeName=* ]] || die "slurmd -C failed: $nodeline"
  nodeline="NodeName=$node ${nodeline#NodeName=* }"
  # Pitfalls of the recipe: batch_sched_delay=0 (else 3 s per pass), cred_expire=10 (else a
  # requeued job waits 121 s), kill_invalid_depend (else a merge after a failed array
  # pends forever), daemons started with stdin from /dev/null.
  cat >"$CONF" <<EOF
ClusterName=pavelocal
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=cred_expire=10
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$ROOT/ctld
SlurmdSpoolDir=$ROOT/d
SlurmctldPidFile=$ROOT/run/slurmctld.pid
SlurmdPidFile=$ROOT/run/slurmd.pid
SlurmctldLogFile=$ROOT/log/slurmctld.log
SlurmdLogFile=$ROOT/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$ROOT/log/jobcomp.log
MinJobAge=3600
DependencyParameters=kill_invalid_depend
KillWait=5
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
$nodeline NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  if [ ! -s /etc/munge/munge.key ]; then
    install -d -o munge -g munge -m 0700 /etc/munge
    runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key
  fi
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge
  install -d -o munge -g munge -m 0711 /var/lib/munge
  if ! munge_ok; then
    runuser -u munge -- munged --origin=127.0.0.1 </dev/null >"$ROOT/log/munged.out" 2>&1
    for _ in $(seq 50); do munge_ok && break; sleep 0.1; done
    munge_ok || die "munged did not start (see $ROOT/log/munged.out)"
    pgrep -n -x munged >"$ROOT/run/munged.pid" || true
  fi
  slurmctld </dev/null >"$ROOT/log/slurmctld.out" 2>&1
  slurmd </dev/null >"$ROOT/log/slurmd.out" 2>&1
  local deadline=$((SECONDS + 60))
  until [ "$(timeout 5 sinfo -h -n "$node" -o %t 2>/dev/null)" = idle ]; do
    [ $SECONDS -lt $deadline ] || die "the node did not become idle in 60 s (see $ROOT/log)"
    sleep 0.2
  done
  [ "$(timeout 30 srun -N1 -n1 echo ok </dev/null)" = ok ] || die "srun smoke test failed"
  log "up: node $node idle (state in $ROOT)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
