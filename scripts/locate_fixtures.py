#!/usr/bin/env python3
"""Exact reference fixtures for pave's location-allocation solvers.

Generates small synthetic instances deterministically (numpy ``default_rng`` with fixed seeds),
solves each exactly with a MIP solver (HiGHS through PuLP, relative gap 0, one thread),
cross-checks with CBC (PuLP's bundled binary) and, where it is cheap, with an independent
method (complete enumeration, radius search, min-cost flow), and writes

    tests/fixtures/locate/<name>/{demand.csv, sites.csv, od.csv, expected.json}

The objective definitions are in tests/fixtures/locate/README.md and in ``OBJECTIVES`` below.
All travel times are handled as integer tenths of a second ("ds") so that every objective is
computed exactly; they are written to od.csv with one decimal.

usage:
    python scripts/locate_fixtures.py                 # all fixtures
    python scripts/locate_fixtures.py --only pcenter-200x30-p5 --no-cbc
    python scripts/locate_fixtures.py --out-root /tmp/fx   # somewhere else

Environment: Python 3.11 with numpy, PuLP 3.3.2, highspy 1.16.0 and networkx at the
versions pinned in peers/requirements-lock.txt (see tests/fixtures/locate/README.md).
"""
import argparse
import importlib.metadata as md
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np
import pulp

SIDE_M = 6000.0               # instances live in a 6 km x 6 km square
SPEED_MPS = 1.2               # walking speed: time = euclidean metres / 1.2 x factor
FACTOR = (1.0, 1.3)           # per-pair detour factor U(1.0, 1.3)
OD_CUTOFF_S = 3600            # pairs slower than this are left out of od.csv (unreachable)
OD_CUTOFF_DS = OD_CUTOFF_S * 10
UNSERVED_COST_S = 3600        # capacitated kinds: cost per unit of unserved demand
CLASSES = ("fi", "sv")

OBJECTIVES = {
    "pmedian": "minimise sum_i weight_i * min_{j in S} time_ij over |S| = p; demands with weight 0 "
               "are ignored; every demand with weight > 0 must reach a chosen site within the OD table "
               "(pairs missing from od.csv are unreachable)",
    "mclp": "maximise the covered weight sum_i weight_i * [min_{j in S} time_ij <= cutoff_s] over |S| = p "
            "(coverage is inclusive: time == cutoff_s covers)",
    "lscp": "minimise |S| such that every demand with weight > 0 has a chosen site with time_ij <= cutoff_s "
            "(inclusive)",
    "pcenter": "minimise max over demands with weight > 0 of min_{j in S} time_ij over |S| = p "
               "(unweighted p-center; weight only decides whether a demand counts)",
    "cpmedian": "minimise sum_ij flow_ij * time_ij + unserved_cost_s * sum_i unserved_i over |S| = p, where "
                "demand is divisible: sum_j flow_ij + unserved_i = weight_i, flow_ij >= 0 only for reachable "
                "pairs with class_i in accepts_j and j in S, and sum_i flow_ij <= capacity_j (one capacity per "
                "site shared by every class it accepts)",
    "cflp": "minimise sum_{j in S} opening_cost_j + sum_ij flow_ij * time_ij + unserved_cost_s * "
            "sum_i unserved_i over any S (no p), with the cpmedian allocation rules",
}


# ----------------------------------------------------------------------------------------------
# instances

@dataclass
class Instance:
    demand_ids: list
    weight: np.ndarray          # int64, 0..40
    site_ids: list
    ds: np.ndarray              # int64 n x m, travel time in tenths of a second
    reach: np.ndarray           # bool n x m, ds <= OD_CUTOFF_DS (the pairs in od.csv)
    cls: np.ndarray = None      # str per demand ("fi" / "sv") or None
    accepts: list = None        # per site, a set of classes, or None
    capacity: np.ndarray = None
    opening_cost: np.ndarray = None

    @property
    def n(self):
        return len(self.demand_ids)

    @property
    def m(self):
        return len(self.site_ids)


def generate(seed, n_demand, n_sites, *, clusters=5, clustered_frac=0.6, cluster_sigma=(250.0, 700.0),
             site_near_frac=0.4, must_cover_ds=None, classes=False, sv_frac=0.3,
             accepts_p=(0.5, 0.3, 0.2), capacity_total=None, capacity_spread=0.4,
             opening_cost=None):
    """One instance. Demand: ``clustered_frac`` of the points in Gaussian clusters, the rest uniform;
    sites: ``site_near_frac`` near the cluster centres, the rest uniform. Every demand reaches a site
    within the 3,600 s OD cutoff (and within ``must_cover_ds`` if given): demands that do not are redrawn.
    ``capacity_total``: (factor, p_ref): site capacities average factor * total weight / p_ref.
    ``opening_cost``: (base, spread): integer costs base * U(1-spread, 1+spread), rounded to 1000."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(600.0, SIDE_M - 600.0, (clusters, 2))
    sigma = rng.uniform(cluster_sigma[0], cluster_sigma[1], clusters)

    def draw_demand(k):
        clustered = rng.random(k) < clustered_frac
        c = rng.integers(0, clusters, k)
        pts = np.where(clustered[:, None], centres[c] + rng.normal(0.0, 1.0, (k, 2)) * sigma[c, None],
                       rng.uniform(0.0, SIDE_M, (k, 2)))
        return np.clip(pts, 0.0, SIDE_M)

    n_near = int(round(n_sites * site_near_frac))
    c = rng.integers(0, clusters, n_near)
    near = centres[c] + rng.normal(0.0, 1.0, (n_near, 2)) * 1.5 * sigma[c, None]
    sites = np.clip(np.vstack([near, rng.uniform(0.0, SIDE_M, (n_sites - n_near, 2))]), 0.0, SIDE_M)
    sites = sites[rng.permutation(n_sites)]

    def times(pts):
        d = np.sqrt(((pts[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2))
        f = rng.uniform(FACTOR[0], FACTOR[1], d.shape)
        return np.rint(d / SPEED_MPS * f * 10.0).astype(np.int64)

    pts = draw_demand(n_demand)
    ds = times(pts)
    need = OD_CUTOFF_DS if must_cover_ds is None else min(OD_CUTOFF_DS, must_cover_ds)
    for _ in range(10_000):
        bad = np.nonzero(~(ds <= need).any(axis=1))[0]
        if len(bad) == 0:
            break
        pts[bad] = draw_demand(len(bad))
        ds[bad] = times(pts[bad])
    else:
        raise RuntimeError("could not make every demand reachable; change the parameters")

    weight = rng.integers(0, 41, n_demand).astype(np.int64)
    inst = Instance(demand_ids=[f"d{i + 1:04d}" for i in range(n_demand)], weight=weight,
                    site_ids=[f"s{j + 1:03d}" for j in range(n_sites)], ds=ds, reach=ds <= OD_CUTOFF_DS)
    if classes:
        inst.cls = np.where(rng.random(n_demand) < sv_frac, "sv", "fi")
        kinds = [{"fi", "sv"}, {"fi"}, {"sv"}]
        inst.accepts = [kinds[k] for k in rng.choice(3, n_sites, p=list(accepts_p))]
    if capacity_total is not None:
        factor, p_ref = capacity_total
        mean = factor * weight.sum() / p_ref
        inst.capacity = np.rint(mean * rng.uniform(1 - capacity_spread, 1 + capacity_spread, n_sites)).astype(np.int64)
    if opening_cost is not None:
        base, spread = opening_cost
        inst.opening_cost = (np.rint(base * rng.uniform(1 - spread, 1 + spread, n_sites) / 1000.0) * 1000).astype(np.int64)
    return inst


def fmt_ds(v):
    """Tenths of a second -> seconds with at most one decimal (exact)."""
    v = int(v)
    return f"{v // 10}" if v % 10 == 0 else f"{v // 10}.{v % 10}"


def write_instance(inst, out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "demand.csv"), "w", newline="\n") as fh:
        fh.write("id,weight,class\n" if inst.cls is not None else "id,weight\n")
        for i, d in enumerate(inst.demand_ids):
            fh.write(f"{d},{inst.weight[i]}" + (f",{inst.cls[i]}\n" if inst.cls is not None else "\n"))
    cols = ["id"] + (["capacity"] if inst.capacity is not None else []) \
        + (["opening_cost"] if inst.opening_cost is not None else []) + (["accepts"] if inst.accepts is not None else [])
    with open(os.path.join(out, "sites.csv"), "w", newline="\n") as fh:
        fh.write(",".join(cols) + "\n")
        for j, s in enumerate(inst.site_ids):
            row = [s]
            if inst.capacity is not None:
                row.append(str(inst.capacity[j]))
            if inst.opening_cost is not None:
                row.append(str(inst.opening_cost[j]))
            if inst.accepts is not None:
                row.append(" ".join(c for c in CLASSES if c in inst.accepts[j]))
            fh.write(",".join(row) + "\n")
    with open(os.path.join(out, "od.csv"), "w", newline="\n") as fh:
        fh.write("origin_id,destination_id,time_s\n")
        ii, jj = np.nonzero(inst.reach)
        fh.writelines(f"{inst.demand_ids[i]},{inst.site_ids[j]},{fmt_ds(inst.ds[i, j])}\n" for i, j in zip(ii, jj))


# ----------------------------------------------------------------------------------------------
# MIP models (costs in tenths of a second, so every coefficient is an integer)

def _y(m):
    return [pulp.LpVariable(f"y{j}", cat="Binary") for j in range(m)]


def _exclude(prob, y, exclude):
    """No-good cuts: each set in ``exclude`` (site indices) is forbidden as the chosen set."""
    for k, S in enumerate(exclude or []):
        S = set(S)
        prob += (pulp.lpSum(y[j] for j in S) - pulp.lpSum(y[j] for j in range(len(y)) if j not in S)
                 <= len(S) - 1), f"nogood{k}"


def model_pmedian(inst, p, exclude=None):
    prob = pulp.LpProblem("pmedian", pulp.LpMinimize)
    y = _y(inst.m)
    obj = []
    for i in np.nonzero(inst.weight > 0)[0]:
        js = np.nonzero(inst.reach[i])[0]
        xs = [pulp.LpVariable(f"x{i}_{j}", 0, 1) for j in js]
        prob += pulp.LpAffineExpression([(v, 1) for v in xs]) == 1, f"assign{i}"
        for j, v in zip(js, xs):
            prob += v - y[j] <= 0, f"open{i}_{j}"
            obj.append((v, int(inst.weight[i] * inst.ds[i, j])))
    prob += pulp.LpAffineExpression(obj)
    prob += pulp.lpSum(y) == p, "p"
    _exclude(prob, y, exclude)
    return prob, y


def model_mclp(inst, p, cutoff_ds, exclude=None):
    prob = pulp.LpProblem("mclp", pulp.LpMaximize)
    y = _y(inst.m)
    obj = []
    cov = inst.reach & (inst.ds <= cutoff_ds)
    for i in np.nonzero(inst.weight > 0)[0]:
        z = pulp.LpVariable(f"z{i}", 0, 1)
        prob += z - pulp.lpSum(y[j] for j in np.nonzero(cov[i])[0]) <= 0, f"cover{i}"
        obj.append((z, int(inst.weight[i])))
    prob += pulp.LpAffineExpression(obj)
    prob += pulp.lpSum(y) == p, "p"
    _exclude(prob, y, exclude)
    return prob, y


def model_lscp(inst, cutoff_ds, exclude=None, all_demand=False):
    prob = pulp.LpProblem("lscp", pulp.LpMinimize)
    y = _y(inst.m)
    prob += pulp.lpSum(y)
    cov = inst.reach & (inst.ds <= cutoff_ds)
    rows = range(inst.n) if all_demand else np.nonzero(inst.weight > 0)[0]
    for i in rows:
        prob += pulp.lpSum(y[j] for j in np.nonzero(cov[i])[0]) >= 1, f"cover{i}"
    _exclude(prob, y, exclude)
    return prob, y


def model_pcenter(inst, p, exclude=None):
    prob = pulp.LpProblem("pcenter", pulp.LpMinimize)
    y = _y(inst.m)
    D = pulp.LpVariable("D", 0, OD_CUTOFF_DS)
    prob += D
    for i in np.nonzero(inst.weight > 0)[0]:
        js = np.nonzero(inst.reach[i])[0]
        xs = [pulp.LpVariable(f"x{i}_{j}", 0, 1) for j in js]
        prob += pulp.LpAffineExpression([(v, 1) for v in xs]) == 1, f"assign{i}"
        for j, v in zip(js, xs):
            prob += v - y[j] <= 0, f"open{i}_{j}"
        prob += pulp.LpAffineExpression([(v, int(inst.ds[i, j])) for j, v in zip(js, xs)]) - D <= 0, f"radius{i}"
    prob += pulp.lpSum(y) == p, "p"
    _exclude(prob, y, exclude)
    return prob, y


def compatible(inst, i, j):
    return inst.reach[i, j] and (inst.cls is None or inst.accepts is None or inst.cls[i] in inst.accepts[j])


def model_capacitated(inst, p=None, exclude=None):
    """cpmedian (p given) or cflp (p None, opening costs)."""
    prob = pulp.LpProblem("cpmedian" if p is not None else "cflp", pulp.LpMinimize)
    y = _y(inst.m)
    obj = []
    load = [[] for _ in range(inst.m)]
    for i in np.nonzero(inst.weight > 0)[0]:
        w = int(inst.weight[i])
        u = pulp.LpVariable(f"u{i}", 0, w)
        terms = [(u, 1)]
        obj.append((u, UNSERVED_COST_S * 10))
        for j in range(inst.m):
            if compatible(inst, i, j):
                x = pulp.LpVariable(f"x{i}_{j}", 0, w)
                terms.append((x, 1))
                obj.append((x, int(inst.ds[i, j])))
                load[j].append((x, 1))
                prob += x - w * y[j] <= 0, f"open{i}_{j}"
        prob += pulp.LpAffineExpression(terms) == w, f"demand{i}"
    for j in range(inst.m):
        prob += pulp.LpAffineExpression(load[j] + [(y[j], -int(inst.capacity[j]))]) <= 0, f"cap{j}"
    if p is None:
        obj += [(y[j], int(inst.opening_cost[j]) * 10) for j in range(inst.m)]
    else:
        prob += pulp.lpSum(y) == p, "p"
    prob += pulp.LpAffineExpression(obj)
    _exclude(prob, y, exclude)
    return prob, y


def build(kind, inst, spec, exclude=None):
    if kind == "pmedian":
        return model_pmedian(inst, spec["p"], exclude)
    if kind == "mclp":
        return model_mclp(inst, spec["p"], spec["cutoff_s"] * 10, exclude)
    if kind == "lscp":
        return model_lscp(inst, spec["cutoff_s"] * 10, exclude)
    if kind == "pcenter":
        return model_pcenter(inst, spec["p"], exclude)
    if kind == "cpmedian":
        return model_capacitated(inst, spec["p"], exclude)
    if kind == "cflp":
        return model_capacitated(inst, None, exclude)
    raise ValueError(kind)


# ----------------------------------------------------------------------------------------------
# solvers

def versions():
    return {"python": sys.version.split()[0], "numpy": md.version("numpy"), "pulp": md.version("pulp"),
            "highspy": md.version("highspy"), "cbc": cbc_version()}


def cbc_version():
    try:
        path = pulp.PULP_CBC_CMD().path
        out = subprocess.run([path], input="quit\n", capture_output=True, text=True, timeout=30).stdout
        m = re.search(r"Version:\s*(\S+)", out)
        return m.group(1) if m else "unknown"
    except Exception:  # noqa: BLE001
        return "unknown"


def make_solver(solver, time_limit):
    """A PuLP solver object for 'highs' or 'cbc': relative gap 0, one thread, a time limit.
    Returns (solver, CBC log path or None); the log is read back by ``solver_status``."""
    if solver == "highs":
        return pulp.HiGHS(msg=False, gapRel=0.0, threads=1, timeLimit=time_limit), None
    fd, log = tempfile.mkstemp(suffix=".cbc.log")
    os.close(fd)
    return pulp.PULP_CBC_CMD(msg=False, gapRel=0.0, threads=1, timeLimit=time_limit, logPath=log), log


def solver_status(prob, solver, log):
    """Status of a solved problem: PuLP status, whether optimality is proven, the solver's own
    status text, the objective and the best bound (when the solver tells it)."""
    # an objective only for an integer solution: after an early stop without one, PuLP's variable
    # values can be those of an LP relaxation
    has = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    r = {"status": pulp.LpStatus[prob.status], "optimal": prob.sol_status == pulp.LpSolutionOptimal,
         "has_solution": has, "raw_objective": pulp.value(prob.objective) if has else None, "bound": None}
    if solver == "highs":
        h = prob.solverModel
        r["model_status"] = h.modelStatusToString(h.getModelStatus())
        info = h.getInfo()
        # PuLP hands HiGHS a maximisation negated; give the bound in the problem's own sense
        r["bound"] = info.mip_dual_bound * (-1 if prob.sense == pulp.LpMaximize else 1)
        r["optimal"] = r["optimal"] and r["model_status"] == "Optimal"
    else:
        text = ""
        if log and os.path.exists(log):
            with open(log) as fh:
                text = fh.read()
            os.unlink(log)
        m = re.search(r"Result - (.*)", text)
        r["model_status"] = m.group(1).strip() if m else r["status"]
        r["optimal"] = r["optimal"] and m is not None and m.group(1).startswith("Optimal")
        m = re.search(r"Lower bound:\s*(\S+)", text)    # CBC prints it when it stops early
        if m:
            try:
                r["bound"] = float(m.group(1))
            except ValueError:
                pass
        elif r["optimal"]:
            r["bound"] = r["raw_objective"]
    return r


def solve(prob, solver, time_limit):
    """Solve with 'highs' or 'cbc' (gap 0, one thread); ``solver_status`` plus solve seconds."""
    s, log = make_solver(solver, time_limit)
    t = time.perf_counter()
    prob.solve(s)
    sec = time.perf_counter() - t
    r = solver_status(prob, solver, log)
    r["solve_s"] = sec
    return r


def chosen(y):
    return [j for j, v in enumerate(y) if v.value() is not None and v.value() > 0.5]


def run_mip(kind, inst, spec, solver, time_limit, exclude=None):
    t = time.perf_counter()
    prob, y = build(kind, inst, spec, exclude)
    build_s = time.perf_counter() - t
    r = solve(prob, solver, time_limit)
    r["build_s"] = build_s
    r["seconds"] = build_s + r["solve_s"]
    r["sites"] = chosen(y) if r["raw_objective"] is not None else []
    r["n_vars"], r["n_cons"] = len(prob.variables()), len(prob.constraints)
    return r


# ----------------------------------------------------------------------------------------------
# independent evaluation of a chosen set (exact, integer tenths of a second)

def evaluate(kind, inst, spec, S):
    """Objective of site set S (indices) in the fixture's unit (seconds, weight, or sites), exact."""
    pos = inst.weight > 0
    if kind in ("pmedian", "pcenter", "mclp"):
        big = np.iinfo(np.int64).max // 4
        sub = np.where(inst.reach[:, S], inst.ds[:, S], big).min(axis=1) if S else np.full(inst.n, big)
        if kind == "pmedian":
            if (sub[pos] >= big).any():
                return None
            return int((inst.weight[pos] * sub[pos]).sum())
        if kind == "pcenter":
            return int(sub[pos].max()) if (sub[pos] < big).all() else None
        return int(inst.weight[pos & (sub <= spec["cutoff_s"] * 10)].sum())
    if kind == "lscp":
        cov = (inst.reach & (inst.ds <= spec["cutoff_s"] * 10))[:, S].any(axis=1)
        return len(S) if cov[pos].all() else None
    return allocate(inst, S)["cost_ds"] + (sum(int(inst.opening_cost[j]) * 10 for j in S) if kind == "cflp" else 0)


def allocate(inst, S):
    """Optimal divisible allocation to the open sites S: a min-cost flow (networkx network simplex,
    integer data), independent of the MIP solvers. Costs in tenths of a second."""
    import networkx as nx
    G = nx.DiGraph()
    total = int(inst.weight.sum())
    G.add_node("src", demand=-total)
    G.add_node("snk", demand=total)
    for i in np.nonzero(inst.weight > 0)[0]:
        w = int(inst.weight[i])
        G.add_edge("src", ("d", i), capacity=w, weight=0)
        G.add_edge(("d", i), "snk", capacity=w, weight=UNSERVED_COST_S * 10)   # unserved
        for j in S:
            if compatible(inst, i, j):
                G.add_edge(("d", i), ("s", j), capacity=w, weight=int(inst.ds[i, j]))
    for j in S:
        G.add_edge(("s", j), "snk", capacity=int(inst.capacity[j]), weight=0)
    cost, flow = nx.network_simplex(G)
    unserved = {cl: 0 for cl in CLASSES}
    load = {}
    for i in np.nonzero(inst.weight > 0)[0]:
        u = flow[("d", i)]["snk"]
        unserved[str(inst.cls[i]) if inst.cls is not None else "all"] = \
            unserved.get(str(inst.cls[i]) if inst.cls is not None else "all", 0) + u
    for j in S:
        load[inst.site_ids[j]] = flow[("s", j)]["snk"]
    return {"cost_ds": int(cost), "unserved": int(sum(unserved.values())), "unserved_by_class": unserved,
            "load": load}


def enumerate_best(kind, inst, spec):
    """Complete enumeration of every |S| = p choice (numpy, chunked) for mclp and pcenter.
    Returns (best objective, number of optimal sets, one optimal set, seconds)."""
    t = time.perf_counter()
    p, m = spec["p"], inst.m
    pos = np.nonzero(inst.weight > 0)[0]
    combos = np.array(list(itertools.combinations(range(m), p)), dtype=np.int16)
    best, count, arg = None, 0, None
    if kind == "mclp":
        cov = (inst.reach & (inst.ds <= spec["cutoff_s"] * 10))[pos].T     # m x n'
        w = inst.weight[pos]
        for a in range(0, len(combos), 20000):
            c = combos[a:a + 20000]
            val = (cov[c].any(axis=1) * w).sum(axis=1)
            b = val.max()
            if best is None or b > best:
                best, count, arg = int(b), int((val == b).sum()), c[int(np.argmax(val))]
            elif b == best:
                count += int((val == b).sum())
    else:
        big = np.iinfo(np.int32).max
        d = np.where(inst.reach[pos], inst.ds[pos], big).astype(np.int32).T   # m x n'
        for a in range(0, len(combos), 20000):
            c = combos[a:a + 20000]
            val = d[c].min(axis=1).max(axis=1)
            b = val.min()
            if best is None or b < best:
                best, count, arg = int(b), int((val == b).sum()), c[int(np.argmin(val))]
            elif b == best:
                count += int((val == b).sum())
    return best, count, [int(j) for j in arg], time.perf_counter() - t, len(combos)


def pcenter_radius_search(inst, p, solver, time_limit):
    """p-center by radius search: the least radius r among the reachable times such that at most p
    sites cover every weighted demand within r (each test an exact set-cover MIP)."""
    t = time.perf_counter()
    pos = inst.weight > 0
    radii = np.unique(inst.ds[pos][inst.reach[pos]])
    lo, hi = 0, len(radii) - 1
    tests = 0
    while lo < hi:
        mid = (lo + hi) // 2
        prob, y = model_lscp(inst, int(radii[mid]))
        r = solve(prob, solver, time_limit)
        tests += 1
        if r["model_status"] == "Infeasible":      # some demand has no site within r
            lo = mid + 1
            continue
        if not r["optimal"]:
            raise RuntimeError(f"set cover at r={radii[mid]} not solved: {r['model_status']}")
        if round(r["raw_objective"]) <= p:
            hi = mid
        else:
            lo = mid + 1
    return int(radii[lo]), tests, time.perf_counter() - t


# ----------------------------------------------------------------------------------------------
# fixtures

FIXTURES = [
    {"name": "pmedian-300x40-p6", "kind": "pmedian", "p": 6, "seed": 20251,
     "gen": {"n_demand": 300, "n_sites": 40}},
    {"name": "mclp-300x40-p5-600s", "kind": "mclp", "p": 5, "cutoff_s": 600, "seed": 20252,
     "gen": {"n_demand": 300, "n_sites": 40}},
    # demand only in tight clusters (a town's built-up areas), so that a 600 s cover needs few sites
    {"name": "lscp-300x40-600s", "kind": "lscp", "cutoff_s": 600, "seed": 20253,
     "gen": {"n_demand": 300, "n_sites": 40, "clusters": 4, "clustered_frac": 1.0,
             "cluster_sigma": (180.0, 320.0), "site_near_frac": 0.7, "must_cover_ds": 6000}},
    {"name": "pcenter-200x30-p5", "kind": "pcenter", "p": 5, "seed": 20254,
     "gen": {"n_demand": 200, "n_sites": 30}},
    {"name": "cpmedian-200x30-p6", "kind": "cpmedian", "p": 6, "seed": 20255,
     "gen": {"n_demand": 200, "n_sites": 30, "classes": True, "capacity_total": (1.1, 6),
             "accepts_p": (0.3, 0.55, 0.15)}},
    {"name": "cflp-200x30", "kind": "cflp", "seed": 20256,
     "gen": {"n_demand": 200, "n_sites": 30, "classes": True, "capacity_total": (1.1, 6),
             "accepts_p": (0.3, 0.55, 0.15), "opening_cost": (300_000.0, 0.5)}},
]


def objective_out(kind, v):
    """Internal exact value -> the number written to expected.json."""
    if v is None:
        return None
    if kind in ("mclp", "lscp"):
        return int(v)
    return round(v / 10.0, 1)


def make_fixture(spec, out_root, use_cbc=True, time_limit=300.0):
    kind, name = spec["kind"], spec["name"]
    print(f"== {name}", flush=True)
    inst = generate(spec["seed"], **spec["gen"])
    out = os.path.join(out_root, name)
    write_instance(inst, out)

    hi = run_mip(kind, inst, spec, "highs", time_limit)
    if not hi["optimal"]:
        raise RuntimeError(f"{name}: HiGHS did not prove optimality: {hi['model_status']}")
    S = hi["sites"]
    exact = evaluate(kind, inst, spec, S)
    raw_ds = hi["raw_objective"]
    if abs(raw_ds - exact) > 1e-6 * max(1.0, abs(exact)):
        raise RuntimeError(f"{name}: MIP objective {raw_ds} != evaluation of its sites {exact}")
    print(f"   HiGHS: objective {objective_out(kind, exact)} sites {[inst.site_ids[j] for j in S]} "
          f"({hi['seconds']:.2f} s: build {hi['build_s']:.2f}, solve {hi['solve_s']:.2f})", flush=True)

    v = versions()
    cross = {}
    # second best (is the optimal set unique?): forbid the optimal set and solve again
    sb = run_mip(kind, inst, spec, "highs", time_limit, exclude=[S])
    sb_val = evaluate(kind, inst, spec, sb["sites"]) if sb["optimal"] else None
    unique = None if sb_val is None else (sb_val != exact)
    cross["second_best"] = {"method": "HiGHS with a no-good cut excluding the optimal site set",
                            "optimal": sb["optimal"], "objective": objective_out(kind, sb_val),
                            "sites": [inst.site_ids[j] for j in sb["sites"]], "seconds": round(sb["seconds"], 3)}
    print(f"   second best: {objective_out(kind, sb_val)} ({sb['seconds']:.2f} s) -> unique {unique}", flush=True)

    if use_cbc:
        cb = run_mip(kind, inst, spec, "cbc", time_limit)
        cb_val = evaluate(kind, inst, spec, cb["sites"]) if cb["sites"] else None
        cross["cbc"] = {"solver": f"CBC {v['cbc']} (bundled with PuLP {v['pulp']})", "status": cb["model_status"],
                        "optimal": cb["optimal"], "objective": objective_out(kind, cb_val),
                        "sites": [inst.site_ids[j] for j in cb["sites"]], "seconds": round(cb["seconds"], 3),
                        "agrees": bool(cb["optimal"] and cb_val == exact)}
        print(f"   CBC: {objective_out(kind, cb_val)} {cb['model_status']} ({cb['seconds']:.2f} s)", flush=True)
    if kind in ("mclp", "pcenter"):
        b, cnt, arg, sec, ncomb = enumerate_best(kind, inst, spec)
        cross["enumeration"] = {"method": f"all C({inst.m},{spec['p']}) = {ncomb} site sets evaluated (numpy)",
                                "objective": objective_out(kind, b), "optimal_sets": cnt,
                                "one_optimal_set": [inst.site_ids[j] for j in sorted(arg)],
                                "seconds": round(sec, 3), "agrees": b == exact}
        unique = cnt == 1
        print(f"   enumeration: {objective_out(kind, b)}, {cnt} optimal sets ({sec:.2f} s)", flush=True)
    if kind == "pcenter":
        r, tests, sec = pcenter_radius_search(inst, spec["p"], "cbc" if use_cbc else "highs", time_limit)
        cross["radius_search"] = {"method": "binary search over the distinct reachable times; each step an exact "
                                            f"set-cover MIP ({'CBC' if use_cbc else 'HiGHS'}) asking whether "
                                            "p sites cover every weighted demand within r",
                                  "objective": objective_out(kind, r), "set_covers_solved": tests,
                                  "seconds": round(sec, 3), "agrees": r == exact}
        print(f"   radius search: {objective_out(kind, r)} ({tests} covers, {sec:.2f} s)", flush=True)

    notes = []
    exp = {"kind": kind, "p": spec.get("p"), "cutoff_s": spec.get("cutoff_s"),
           "objective": objective_out(kind, exact),
           "sites": sorted(inst.site_ids[j] for j in S),
           "solver": f"HiGHS {v['highspy']} via PuLP {v['pulp']}",
           "cross_check": cross,
           "seconds": round(hi["seconds"], 3),
           "note": ""}
    exp["objective_definition"] = OBJECTIVES[kind]
    exp["objective_unit"] = {"pmedian": "weight x s", "mclp": "weight", "lscp": "sites", "pcenter": "s",
                             "cpmedian": "weight x s", "cflp": "weight x s (opening_cost in the same unit)"}[kind]
    exp["od_cutoff_s"] = OD_CUTOFF_S
    exp["sites_unique"] = unique
    exp["n_demand"], exp["n_sites"] = inst.n, inst.m
    exp["total_weight"] = int(inst.weight.sum())
    exp["zero_weight_demands"] = int((inst.weight == 0).sum())
    exp["od_pairs"] = int(inst.reach.sum())
    exp["seed"] = spec["seed"]
    exp["mip"] = {"status": hi["model_status"], "dual_bound": round(hi["bound"] / 10, 1) if kind not in ("mclp", "lscp")
                  else round(hi["bound"], 3), "build_s": round(hi["build_s"], 3), "solve_s": round(hi["solve_s"], 3),
                  "variables": hi["n_vars"], "constraints": hi["n_cons"],
                  "options": "mip_rel_gap=0, threads=1, costs as integer tenths of a second"}
    if unique:
        notes.append("the optimal site set is unique")
    elif unique is False:
        notes.append("other site sets reach the same objective: compare objectives, not site sets")
    if kind in ("mclp", "lscp"):
        cut = spec["cutoff_s"] * 10
        on_edge = int((inst.reach & (inst.ds == cut)).sum())
        notes.append(f"{on_edge} OD pairs have time_s exactly equal to cutoff_s (they cover)")
        # the same problem with a strict cutoff (time < cutoff_s): tells whether the fixture tells <= from <
        strict = dict(spec, cutoff_s=(cut - 1) / 10.0)
        rs = run_mip(kind, inst, strict, "highs", time_limit)
        exp["objective_if_cutoff_strict"] = objective_out(kind, evaluate(kind, inst, strict, rs["sites"])) \
            if rs["optimal"] else None
    if kind == "mclp":
        exp["covered_fraction"] = round(exact / int(inst.weight.sum()), 6)
    if kind == "lscp":
        alt = model_lscp(inst, spec["cutoff_s"] * 10, all_demand=True)
        ra = solve(alt[0], "highs", time_limit)
        exp["objective_if_zero_weight_demands_must_be_covered"] = int(round(ra["raw_objective"]))
        best_r = evaluate("pcenter", inst, {"cutoff_s": None}, list(range(inst.m)))
        notes.append(f"every demand (including weight 0) has a site within {spec['cutoff_s']} s "
                     f"(max over demands of the nearest site: {fmt_ds(best_r)} s among weighted ones)")
    if kind in ("cpmedian", "cflp"):
        exp["unserved_cost_s"] = UNSERVED_COST_S
        al = allocate(inst, S)
        exp["unserved"] = al["unserved"]
        exp["unserved_by_class"] = al["unserved_by_class"]
        exp["site_load"] = {k: al["load"][k] for k in sorted(al["load"])}
        exp["capacity_of_chosen"] = int(sum(int(inst.capacity[j]) for j in S))
        exp["saturated_sites"] = sorted(inst.site_ids[j] for j in S if al["load"][inst.site_ids[j]] == inst.capacity[j])
        exp["travel_cost"] = round((al["cost_ds"] - al["unserved"] * UNSERVED_COST_S * 10) / 10.0, 1)
        cross["min_cost_flow"] = {"method": "allocation for the chosen sites recomputed by networkx "
                                            "network_simplex (integer data)",
                                  "objective": objective_out(kind, exact), "agrees": True}
        notes.append(f"total capacity of all sites {int(inst.capacity.sum())}, of the chosen "
                     f"{exp['capacity_of_chosen']}, total demand {int(inst.weight.sum())}; "
                     f"an optimal divisible allocation is integral (transportation problem with integer data)")
        if kind == "cflp":
            exp["opening_cost_total"] = int(sum(int(inst.opening_cost[j]) for j in S))
    exp["note"] = "; ".join(notes)
    exp["generated_by"] = f"scripts/locate_fixtures.py --only {name}"
    exp["versions"] = v
    with open(os.path.join(out, "expected.json"), "w", newline="\n") as fh:
        json.dump(exp, fh, indent=1)
        fh.write("\n")
    checks = [c.get("agrees") for c in cross.values() if "agrees" in c]
    if not all(checks):
        print(f"   WARNING: a cross-check disagrees: {cross}", flush=True)
    sz = os.path.getsize(os.path.join(out, "od.csv"))
    print(f"   wrote {out} (od.csv {sz / 1024:.0f} KiB, {exp['od_pairs']} pairs)", flush=True)
    return exp


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out-root", default=os.path.join(root, "tests", "fixtures", "locate"))
    ap.add_argument("--only", default=None, help="comma-separated fixture names")
    ap.add_argument("--no-cbc", action="store_true", help="skip the CBC cross-check")
    ap.add_argument("--time-limit", type=float, default=300.0, help="per MIP solve (s)")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else None
    for spec in FIXTURES:
        if only is None or spec["name"] in only:
            make_fixture(spec, a.out_root, use_cbc=not a.no_cbc, time_limit=a.time_limit)


if __name__ == "__main__":
    main()
