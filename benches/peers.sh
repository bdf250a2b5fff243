#!/usr/bin/env bash
# Side-by-side benchmark: the Python peers of ../shared/peers and pave on the same interchange
# files, measured in one run on this machine. Writes $WORK/results/pave-vs-peers.md.
#
#   benches/peers.sh                 # 10k, 100k, 1M (about 10 minutes; the 1M peers are slow)
#   SIZES="10k 100k" benches/peers.sh
set -euo pipefail
source "$(dirname "$0")/peers-env.sh"
sizes=${SIZES:-"10k 100k 1M"}
mkdir -p "$work/data" "$work/results" "$work/pave"
secs() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -1; }
table="$work/results/pave-vs-peers.md"
{
  echo "| dataset | task | scipy | igraph | pave | pave vs scipy |"
  echo "|---|---|---:|---:|---:|---:|"
} > "$table"
for s in $sizes; do
  d="$work/data/syn$s"
  [ -f "$d/edges.csv" ] || (cd "$work" && $py gen_network.py --size "$s" --out "data/syn$s")
  skip="networkx,pandana"
  [ "$s" = "10k" ] && skip="pandana"
  (cd "$work" && $py run_peers.py "data/syn$s" --out "results/syn$s.json" --ref "reference/syn$s" --skip "$skip" > "results/syn$s.log" 2>&1)
  ref="$work/reference/syn$s"
  net="$work/pave/syn$s.pavenet"
  build=$(secs "$pave" network build --csv "$d/nodes.csv" "$d/edges.csv" --out "$net")
  # Kernels: the "search" phase pave reports; whole processes: wall clock of the commands.
  near_log=$("$pave" -q nearest --network "$net" --facilities "$d/facilities.csv" --snap node --out "$work/pave/nearest-$s.csv" 2>&1)
  od_log=$("$pave" -q matrix --network "$net" --from "$d/origins.csv" --to "$d/facilities.csv" --cutoff 30min --snap node --sparse --out "$work/pave/od-$s.csv" 2>&1)
  near_k=$(echo "$near_log" | sed -n 's/.*search \([0-9.]*\) s.*/\1/p')
  od_k=$(echo "$od_log" | sed -n 's/.*search \([0-9.]*\) s.*/\1/p')
  od_proc=$(secs "$pave" -q matrix --network "$net" --from "$d/origins.csv" --to "$d/facilities.csv" --cutoff 30min --snap node --sparse --out "$work/pave/od-$s.csv")
  scipy_proc=$(secs "$py" "$root/benches/scipy_od_process.py" "$d" "$work/pave/scipy-od-$s.csv")
  read -r sc_near ig_near sc_od ig_od <<< "$($py - "$work/results/syn$s.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["tasks"]
g = lambda task, peer: t.get(task, {}).get(peer, float("nan"))
print(g("a_nearest", "scipy"), g("a_nearest", "igraph(super-source)"), g("b_od_cutoff", "scipy"), g("b_od_cutoff", "igraph(full,then cut)"))
PY
)"
  check=$($py - "$ref" "$work/pave" "$s" <<'PY'
import csv, sys
ref, out, s = sys.argv[1:]
r = {(x["origin_id"], x["facility_id"]): float(x["time_s"]) for x in csv.DictReader(open(f"{ref}/od_cutoff1800.csv"))}
p = {(x["origin_id"], x["destination_id"]): float(x["time_s"]) for x in csv.DictReader(open(f"{out}/od-{s}.csv"))}
n = {x["node_id"]: x["facility_id"] for x in csv.DictReader(open(f"{ref}/nearest.csv"))}
pn = {x["id"]: x["facility_id"] for x in csv.DictReader(open(f"{out}/nearest-{s}.csv"))}
diff = max((abs(r[k] - p[k]) for k in r if k in p), default=0.0)
print(f"OD pairs {len(p)} vs {len(r)}, max |diff| {diff:.3f} s; nearest mismatches {sum(n[k] != pn.get(k) for k in n)}")
PY
)
  ratio() { $py -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{a / b:.1f}x' if b > 0 else '-')" "$1" "$2"; }
  {
    echo "| syn$s | nearest facility, all nodes (kernel) | $sc_near | $ig_near | $near_k | $(ratio "$sc_near" "$near_k") |"
    echo "| syn$s | OD, 30 min cutoff (kernel) | $sc_od | $ig_od | $od_k | $(ratio "$sc_od" "$od_k") |"
    echo "| syn$s | OD, 30 min cutoff (whole process, CSVs → OD CSV) | $scipy_proc | | $build + $od_proc | $(ratio "$scipy_proc" "$($py -c "print($build + $od_proc)")") |"
  } >> "$table"
  echo "syn$s: $check" >> "$work/results/pave-vs-peers-checks.txt"
done
cat "$table"
cat "$work/results/pave-vs-peers-checks.txt"
