#!/usr/bin/env python3
"""Side-by-side p-median benchmark of the Python peers, on instances of the fixture kind.

Generates an instance like the fixtures of scripts/locate_fixtures.py (points in a 6 km x 6 km
square, some clustered, some uniform; time_s = euclidean metres / 1.2 x U(1.0, 1.3), one decimal;
pairs slower than 3,600 s left out), writes it as demand.csv / sites.csv / od.csv into --out,
then solves the p-median on it with

    spopt-cbc    spopt 0.7.0 ``PMedian.from_cost_matrix`` + PuLP's bundled CBC
    spopt-highs  spopt 0.7.0 ``PMedian.from_cost_matrix`` + HiGHS (highspy)
    pulp-highs   (optional) the sparse model of locate_fixtures.py + HiGHS: continuous
                 assignment variables on the reachable pairs only (spopt's are binary and dense)

each with relative gap 0 and one thread, one solver at a time, each in its own process (which
reads the three files back, so the format round-trips). Times: ``build_s`` (model building),
``solve_s`` (the solver call) and ``seconds`` = build + solve; reading the files (``load_s``) is
not counted. ``--time-limit`` bounds build + solve per solver: the solver gets what is left after
building. A solver process still running at time limit + ``--grace`` is killed (its whole process
group) and reported as killed. Results go to ``<out>/peers.json``.

spopt needs a dense cost matrix: pairs missing from od.csv get ``--unreachable-cost`` seconds
(default 100,000) and the result says how many demands the solution assigns through such a
pair (0 means the optimum is the optimum of the true problem).

usage:
    python scripts/locate_peers.py --demand 500 --sites 100 --p 10 --out /tmp/pm500
    python scripts/locate_peers.py --demand 2000 --sites 100 --p 10 --out /tmp/pm2000 --time-limit 600
"""
import argparse
import importlib.metadata as md
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import locate_fixtures as L  # noqa: E402

SOLVERS = ("spopt-cbc", "spopt-highs", "pulp-highs")
DEFAULT_SOLVERS = "spopt-cbc,spopt-highs"


def load(out):
    """Reads demand.csv, sites.csv and od.csv back into an Instance (times in tenths of a second)."""
    import pandas as pd
    dem = pd.read_csv(os.path.join(out, "demand.csv"), dtype={"id": str})
    sit = pd.read_csv(os.path.join(out, "sites.csv"), dtype={"id": str})
    od = pd.read_csv(os.path.join(out, "od.csv"), dtype={"origin_id": str, "destination_id": str})
    di = {d: i for i, d in enumerate(dem["id"])}
    sj = {s: j for j, s in enumerate(sit["id"])}
    n, m = len(di), len(sj)
    ds = np.zeros((n, m), dtype=np.int64)
    reach = np.zeros((n, m), dtype=bool)
    ii = od["origin_id"].map(di).to_numpy()
    jj = od["destination_id"].map(sj).to_numpy()
    ds[ii, jj] = np.rint(od["time_s"].to_numpy() * 10).astype(np.int64)
    reach[ii, jj] = True
    return L.Instance(demand_ids=list(dem["id"]), weight=dem["weight"].to_numpy().astype(np.int64),
                      site_ids=list(sit["id"]), ds=ds, reach=reach)


def max_rss_mb():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024.0, 1)


def worker(a):
    """One solver on the instance in a.out; prints one JSON line."""
    import pulp
    t = time.perf_counter()
    inst = load(a.out)
    load_s = time.perf_counter() - t
    backend = "cbc" if a.worker.endswith("cbc") else "highs"
    res = {"solver": a.worker, "load_s": round(load_s, 3)}
    t0 = time.perf_counter()
    if a.worker.startswith("spopt"):
        from spopt.locate import PMedian
        cost = np.where(inst.reach, inst.ds / 10.0, float(a.unreachable_cost))
        mdl = PMedian.from_cost_matrix(cost, inst.weight.astype(float), p_facilities=a.p, name=f"pm_{a.worker}")
        prob, y = mdl.problem, mdl.fac_vars
    else:
        prob, y = L.model_pmedian(inst, a.p)
    build_s = time.perf_counter() - t0
    left = max(1.0, a.time_limit - build_s)
    solver, log = L.make_solver(backend, left)
    t1 = time.perf_counter()
    error = None
    try:
        if a.worker.startswith("spopt"):
            mdl.solve(solver, results=False)     # spopt's own solve (raises if PuLP reports no solution)
        else:
            prob.solve(solver)
    except Exception as e:  # noqa: BLE001
        error = f"{type(e).__name__}: {e}"
    solve_s = time.perf_counter() - t1
    st = L.solver_status(prob, backend, log)
    S = L.chosen(y) if st["raw_objective"] is not None else []
    raw = st["raw_objective"]
    scale = 10.0 if a.worker == "pulp-highs" else 1.0      # the sparse model works in tenths of a second
    obj = None if raw is None else raw / scale
    bound = None if st["bound"] is None else st["bound"] / scale
    exact = L.evaluate("pmedian", inst, {}, S) if len(S) == a.p else None
    # demands with weight > 0 that reach no chosen site (only the big-M cost links them)
    unreach = None
    if S:
        pos = inst.weight > 0
        unreach = int((~inst.reach[np.ix_(pos, S)].any(axis=1)).sum())
    res.update({
        "backend": {"cbc": f"CBC {L.cbc_version()} (PuLP {md.version('pulp')})",
                    "highs": f"HiGHS {md.version('highspy')}"}[backend],
        "model": ("spopt PMedian.from_cost_matrix: binary assignment, dense n x m" if a.worker.startswith("spopt")
                  else "PuLP sparse: continuous assignment on reachable pairs, costs in tenths of a second"),
        "status": st["model_status"], "pulp_status": st["status"], "optimal": bool(st["optimal"]),
        "timed_out": (not st["optimal"]) and (build_s + solve_s >= a.time_limit - 1.0 or "time" in
                                               st["model_status"].lower() or "stopped" in st["model_status"].lower()),
        "objective": obj,                 # the solver's incumbent, with its own assignment
        "objective_recomputed": None if exact is None else exact / 10.0,   # its sites, nearest assignment
        "bound": bound,
        "gap": (None if obj is None or bound is None or obj == 0 else round((obj - bound) / abs(obj), 9)),
        "sites": sorted(inst.site_ids[j] for j in S),
        "demands_without_reachable_chosen_site": unreach,
        "build_s": round(build_s, 3), "solve_s": round(solve_s, 3), "seconds": round(build_s + solve_s, 3),
        "solver_time_limit_s": round(left, 1), "variables": len(prob.variables()),
        "constraints": len(prob.constraints), "max_rss_mb": max_rss_mb(), "error": error,
    })
    print("RESULT " + json.dumps(res), flush=True)


def run_one(name, a):
    """Runs one solver in its own process group; kills the group at time limit + grace."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", name, "--out", a.out, "--p", str(a.p),
           "--time-limit", str(a.time_limit), "--unreachable-cost", str(a.unreachable_cost)]
    hard = a.time_limit + a.grace
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=hard)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)     # the worker and its CBC child, nothing else
        proc.communicate()
        return {"solver": name, "status": f"killed at the hard limit ({hard:.0f} s wall)", "optimal": False,
                "timed_out": True, "killed": True, "wall_s": round(time.perf_counter() - t, 1)}
    wall = time.perf_counter() - t
    for line in out.splitlines():
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
            r["wall_s"] = round(wall, 1)
            return r
    return {"solver": name, "status": "worker failed", "optimal": False, "returncode": proc.returncode,
            "stderr_tail": err[-2000:], "wall_s": round(wall, 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--demand", type=int, default=500)
    ap.add_argument("--sites", type=int, default=100)
    ap.add_argument("--p", type=int, default=10)
    ap.add_argument("--seed", type=int, default=None, help="default: 7 * 1,000,003 + demand * 1,000 + sites")
    ap.add_argument("--out", required=True, help="directory for the instance files and peers.json")
    ap.add_argument("--time-limit", type=float, default=600.0, help="build + solve seconds per solver")
    ap.add_argument("--grace", type=float, default=120.0, help="extra wall seconds before a solver is killed")
    ap.add_argument("--solvers", default=DEFAULT_SOLVERS, help=f"comma-separated of {','.join(SOLVERS)}")
    ap.add_argument("--unreachable-cost", type=float, default=100_000.0,
                    help="seconds given to pairs missing from od.csv in spopt's dense matrix")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        return worker(a)

    seed = a.seed if a.seed is not None else 7 * 1_000_003 + a.demand * 1_000 + a.sites
    names = [s for s in a.solvers.split(",") if s]
    for s in names:
        if s not in SOLVERS:
            ap.error(f"unknown solver {s}")
    t = time.perf_counter()
    inst = L.generate(seed, a.demand, a.sites)
    L.write_instance(inst, a.out)
    gen_s = time.perf_counter() - t
    size = sum(os.path.getsize(os.path.join(a.out, f)) for f in ("demand.csv", "sites.csv", "od.csv"))
    print(f"instance {a.demand} x {a.sites}, p = {a.p}, seed {seed}: {int(inst.reach.sum())} OD pairs, "
          f"{size / 1e6:.1f} MB, written in {gen_s:.1f} s", flush=True)

    result = {
        "task": "p-median: minimise sum weight x time_s to the nearest chosen site, |S| = p",
        "instance": {"dir": os.path.abspath(a.out), "demand": a.demand, "sites": a.sites, "p": a.p, "seed": seed,
                     "od_pairs": int(inst.reach.sum()), "od_cutoff_s": L.OD_CUTOFF_S,
                     "total_weight": int(inst.weight.sum()), "generate_s": round(gen_s, 3),
                     "generator": "scripts/locate_fixtures.py generate() defaults: 5 clusters, 60 % of demand "
                                  "clustered, 40 % of sites near the cluster centres"},
        "time_limit_s": a.time_limit, "hard_limit_s": a.time_limit + a.grace,
        "unreachable_cost_s": a.unreachable_cost,
        "timing": "seconds = build_s + solve_s (model building + solver call); load_s (reading the CSVs) "
                  "and process start-up are not counted; wall_s is the whole worker process",
        "solvers": {},
        "machine": {"nproc": os.cpu_count(), "platform": platform.platform(),
                    "loadavg_before": [round(x, 2) for x in os.getloadavg()]},
        "versions": {**L.versions(), "spopt": md.version("spopt"), "pandas": md.version("pandas")},
    }
    for name in names:
        print(f"  {name} ...", flush=True)
        r = run_one(name, a)
        result["solvers"][name] = r
        print(f"  {name:<12} {r.get('status')}: objective {r.get('objective_recomputed', r.get('objective'))}, "
              f"build {r.get('build_s')} s + solve {r.get('solve_s')} s = {r.get('seconds')} s "
              f"(wall {r.get('wall_s')} s, {r.get('max_rss_mb')} MB)", flush=True)
    result["machine"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]

    solved = {k: v for k, v in result["solvers"].items() if v.get("optimal")}
    objs = {k: v["objective_recomputed"] for k, v in solved.items()}
    agree = None
    if objs:
        lo, hi = min(objs.values()), max(objs.values())
        agree = hi - lo <= 1e-6 * max(1.0, abs(hi))
        result["objective"] = lo
    result["agreement"] = {"optimal_solvers": sorted(solved), "objectives": objs, "agree": agree}
    notes = []
    for k, v in result["solvers"].items():
        if v.get("killed"):
            notes.append(f"{k}: killed at the hard limit, no answer")
        elif not v.get("optimal"):
            notes.append(f"{k}: not proven optimal within {a.time_limit:.0f} s ({v.get('status')})"
                         + (f", incumbent {v.get('objective')}, bound {v.get('bound')}" if v.get("objective") else ""))
        if v.get("demands_without_reachable_chosen_site"):
            notes.append(f"{k}: {v['demands_without_reachable_chosen_site']} weighted demands reach none of the "
                         "chosen sites (linked only by the big-M cost)")
    result["notes"] = notes
    with open(os.path.join(a.out, "peers.json"), "w") as fh:
        json.dump(result, fh, indent=1)
        fh.write("\n")
    print(f"agree: {agree}; wrote {os.path.join(a.out, 'peers.json')}", flush=True)


if __name__ == "__main__":
    main()
