#!/usr/bin/env bash
# Side-by-side p-median: pave locate and spopt + CBC / HiGHS (../shared/peers' locked
# versions) on the same instance files, one run on this machine. For each size
# DEMANDxSITES:P, scripts/locate_peers.py writes demand.csv / sites.csv / od.csv and solves
# them with the peers (relative gap 0, one thread, TIME_LIMIT seconds each); pave solves the
# same files as a matrix problem (gap 0, the same time limit). Writes
# $WORK/locate/pave-vs-peers.md.
#
#   benches/locate_peers.sh                                   # 500x100:10 2000x100:10
#   SIZES="500x100:10" TIME_LIMIT=600 benches/locate_peers.sh
set -euo pipefail
source "$(dirname "$0")/peers-env.sh"
sizes=${SIZES:-"500x100:10 2000x100:10"}
limit=${TIME_LIMIT:-600}
mkdir -p "$work/locate"
table="$work/locate/pave-vs-peers.md"
{
  echo "| instance | p | solver | seconds | objective (weight·s) | proven optimal | gap to the best |"
  echo "|---|---:|---|---:|---:|---|---:|"
} > "$table"
for size in $sizes; do
  n=${size%%x*}; rest=${size#*x}; m=${rest%%:*}; p=${size##*:}
  dir="$work/locate/pm-$n-$m-$p"
  "$py" "$root/scripts/locate_peers.py" --demand "$n" --sites "$m" --p "$p" --out "$dir" --time-limit "$limit" > "$dir.log" 2>&1 || true
  cat > "$dir/problem.toml" <<EOF
name = "pave"
[problem]
kind = "p-median"
units = $p
time_limit_s = $limit
[matrix]
od = "od.csv"
demand = "demand.csv"
sites = "sites.csv"
EOF
  start=$(date +%s.%N)
  "$pave" -q locate "$dir/problem.toml" --out "$dir/out" > "$dir/pave.log" 2>&1
  end=$(date +%s.%N)
  "$py" - "$dir" "$n" "$m" "$p" "$(echo "$end - $start" | bc)" >> "$table" <<'PY'
import json, sys
d, n, m, p, secs = sys.argv[1:]
peers = json.load(open(f"{d}/peers.json"))
r = json.load(open(f"{d}/out/pave/bounds.json"))
rows = []
for name, s in peers["solvers"].items():
    rows.append((name, s.get("seconds"), s.get("objective_recomputed") or s.get("objective"), s.get("optimal")))
rows.append(("pave locate", float(secs), r["objective"] * 60.0, r["proven_optimal"]))
best = min(o for _, _, o, _ in rows if o is not None)
for name, sec, obj, opt in rows:
    sec_s = f"{sec:.2f}" if sec is not None else "–"
    obj_s = f"{obj:,.1f}" if obj is not None else "–"
    gap = f"{(obj - best) / best * 100:.3f} %" if obj is not None else "–"
    print(f"| {n} × {m} | {p} | {name} | {sec_s} | {obj_s} | {'yes' if opt else 'no'} | {gap} |")
PY
done
cat "$table"
