"""Writes dynamic_soft_margin_ref_pml.json: pytorch-metric-learning 2.8.1's DynamicSoftMarginLoss,
first call, of 5 queries against a separate reference set of 7 (loss(embeddings, labels,
ref_emb=..., ref_labels=...)), in float64: the loss and its gradients with respect to the queries
and the references, for metric4j's DynamicSoftMarginLossTest.

Run (torch 1.13, PML v2.8.1 source; stubs for scipy / tqdm if missing):
    git -C <pml repo> archive v2.8.1 src | tar -x -C /tmp/pml-dsm
    PYTHONPATH=/tmp/pml-dsm/src python3 dynamic_soft_margin_ref_pml.py > dynamic_soft_margin_ref_pml.json
"""
import json
import sys
import types

for name, attrs in (("scipy", ()), ("scipy.stats", ()), ("scipy.special", ()), ("tqdm", ("tqdm",))):
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
from pytorch_metric_learning.losses import DynamicSoftMarginLoss

torch.manual_seed(11)
B, M, D = 5, 7, 4
queries = torch.randn(B, D, dtype=torch.float64, requires_grad=True)
refs = torch.randn(M, D, dtype=torch.float64, requires_grad=True)
labels = torch.tensor([0, 1, 2, 0, 1])
ref_labels = torch.tensor([2, 2, 1, 0, 0, 1, 3])

loss = DynamicSoftMarginLoss(momentum=0.3)(queries, labels, ref_emb=refs, ref_labels=ref_labels)
loss.backward()

json.dump({
    "generator": "dynamic_soft_margin_ref_pml.py (pytorch-metric-learning " + pytorch_metric_learning.__version__
                 + ", torch " + torch.__version__ + ")",
    "params": {"min_val": -2.0, "num_bins": 10, "momentum": 0.3},
    "embeddings": queries.detach().tolist(),
    "labels": labels.tolist(),
    "ref_emb": refs.detach().tolist(),
    "ref_labels": ref_labels.tolist(),
    "loss": loss.item(),
    "grad_embeddings": queries.grad.tolist(),
    "grad_ref_emb": refs.grad.tolist(),
}, sys.stdout, indent=1)
sys.stdout.write("\n")
