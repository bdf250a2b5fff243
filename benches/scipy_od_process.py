#!/usr/bin/env python3
"""The scipy peer as a whole process: read the interchange CSVs, snap points to the nearest
node (cKDTree), run dijkstra from the facilities on the reversed graph with a cutoff, and write
the OD CSV. Timed from outside as one process, like `pave network build` + `pave matrix`.

usage: scipy_od_process.py DATASET_DIR OUT.csv [--cutoff 1800]
"""
import sys

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

d, out = sys.argv[1], sys.argv[2]
cutoff = float(sys.argv[4]) if len(sys.argv) > 4 else 1800.0
nodes = pd.read_csv(f"{d}/nodes.csv")
edges = pd.read_csv(f"{d}/edges.csv")
origins = pd.read_csv(f"{d}/origins.csv")
facilities = pd.read_csv(f"{d}/facilities.csv")
n = len(nodes)
g = csr_matrix((edges.time_s.values, (edges["from"].values, edges["to"].values)), shape=(n, n))
tree = cKDTree(nodes[["x", "y"]].values)
_, o_node = tree.query(origins[["x", "y"]].values)
_, f_node = tree.query(facilities[["x", "y"]].values)
dist = dijkstra(g.T.tocsr(), indices=f_node, limit=cutoff)  # facility rows, times node -> facility
sub = dist[:, o_node]  # facilities x origins
fi, oi = np.nonzero(np.isfinite(sub))
pd.DataFrame({"origin_id": origins.id.values[oi], "destination_id": facilities.id.values[fi], "time_s": sub[fi, oi]}).to_csv(out, index=False, float_format="%.3f")
