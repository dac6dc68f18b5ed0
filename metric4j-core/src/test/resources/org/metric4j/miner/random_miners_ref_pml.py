"""Writes random_miners_ref_pml.json: PML 2.8.1's DistanceWeightedMiner weights and
UniformHistogramMiner bins for queries against a separate reference set
(miner(embeddings, labels, ref_emb, ref_labels)), on the batch of random_miners_pml.json split
into 5 queries and 7 references.

Run (torch 1.13, PML v2.8.1 source; stubs for scipy / tqdm if missing):
    git -C <pml repo> archive v2.8.1 src | tar -x -C /tmp/pml-miners
    PYTHONPATH=/tmp/pml-miners/src python3 random_miners_ref_pml.py > random_miners_ref_pml.json
"""
import json
import sys
import types

for name, attrs in (("scipy", ()), ("scipy.stats", ()), ("tqdm", ("tqdm",))):
    try:
        __import__(name)
    except ImportError:
        stub = types.ModuleType(name)
        for attr in attrs:
            setattr(stub, attr, lambda *a, **k: None)
        sys.modules[name] = stub
        if "." in name:
            setattr(sys.modules[name.split(".")[0]], name.split(".")[1], stub)

import torch

import pytorch_metric_learning
from pytorch_metric_learning.miners import DistanceWeightedMiner, UniformHistogramMiner
from pytorch_metric_learning.utils import loss_and_miner_utils as lmu
import pytorch_metric_learning.miners.uniform_histogram_miner as uhm_module

torch.manual_seed(5)
B, D = 12, 4
embeddings = torch.randn(B, D, dtype=torch.float64)
labels = torch.tensor([0, 1, 2, 0, 1, 2, 2, 1, 0, 0, 1, 2])
Q = 5
queries, query_labels = embeddings[:Q], labels[:Q]
refs, ref_labels = embeddings[Q:], labels[Q:]

captured = {}
original = lmu.get_random_triplet_indices


def capture(labels, ref_labels=None, t_per_anchor=None, weights=None):
    captured["weights"] = weights.clone()
    out = original(labels, ref_labels=ref_labels, t_per_anchor=t_per_anchor, weights=weights)
    captured["anchors"] = out[0].tolist()
    return out


lmu.get_random_triplet_indices = capture
DistanceWeightedMiner()(queries, query_labels, refs, ref_labels)
lmu.get_random_triplet_indices = original

NUM_BINS = 10
sizes = []
real_multinomial = torch.multinomial


def every_candidate(w, num_samples, replacement=False):
    sizes.append(len(w))
    return torch.arange(len(w))


uhm_module.torch.multinomial = every_candidate
a1, p, a2, n = UniformHistogramMiner(num_bins=NUM_BINS)(queries, query_labels, refs, ref_labels)
uhm_module.torch.multinomial = real_multinomial
num_pos_bins = None
acc = 0
for i, s in enumerate(sizes):
    acc += s
    if acc == len(a1):
        num_pos_bins = i + 1
        break


def bins(a, o, counts):
    out, at = [], 0
    for c in counts:
        out.append([[int(a[k]), int(o[k])] for k in range(at, at + c)])
        at += c
    return out


json.dump({
    "generator": "random_miners_ref_pml.py (pytorch-metric-learning " + pytorch_metric_learning.__version__
                 + ", torch " + torch.__version__ + ")",
    "queries": Q,
    "embeddings": embeddings.tolist(),
    "labels": labels.tolist(),
    "distance_weighted": {
        "params": {"cutoff": 0.5, "nonzero_loss_cutoff": 1.4},
        "weights": captured["weights"].tolist(),
        "anchors": captured["anchors"],
    },
    "uniform_histogram": {
        "params": {"num_bins": NUM_BINS, "pos_per_bin": 10, "neg_per_bin": 10},
        "pos_bins": bins(a1, p, sizes[:num_pos_bins]),
        "neg_bins": bins(a2, n, sizes[num_pos_bins:]),
    },
}, sys.stdout, indent=1)
sys.stdout.write("\n")
