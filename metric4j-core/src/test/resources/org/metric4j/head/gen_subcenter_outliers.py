"""Writes subcenter_outliers.json: PML 2.8.1's SubCenterArcFaceLoss.get_outliers on a small
float64 case. Run with torch 1.13 and PYTHONPATH=<pytorch-metric-learning v2.8.1>/src:

    python3 gen_subcenter_outliers.py > subcenter_outliers.json

Classes 0..2 have embeddings near one of their sub-centers (some far from every one); class 3
has none, so its dominant center is not defined (PML leaves that column uninitialized).
"""
import json
import sys
import types

import numpy as np
import torch

# PML imports scipy.stats, scipy.special and tqdm, which SubCenterArcFaceLoss.get_outliers never
# uses (ArcFace overrides the init_margin that calls scipy.special): stub them where missing
for name in ("scipy", "scipy.stats", "scipy.special", "tqdm"):
    try:
        __import__(name)
    except ModuleNotFoundError:
        sys.modules[name] = types.ModuleType(name)
        sys.modules[name].__path__ = []
        sys.modules[name].tqdm = None
from pytorch_metric_learning.losses import SubCenterArcFaceLoss

rng = np.random.default_rng(16)
D, C, K = 4, 4, 3
loss = SubCenterArcFaceLoss(num_classes=C, embedding_size=D, sub_centers=K)
W = torch.tensor(rng.normal(size=(D, C * K)), dtype=torch.float64)
loss.W = torch.nn.Parameter(W.clone())
labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 0]
emb = []
for i, c in enumerate(labels):
    j = rng.integers(K) if i % 4 == 0 else (i % 2)
    noise = 1.2 if i % 5 == 0 else 0.3
    emb.append(W[:, c * K + j].numpy() * rng.uniform(0.5, 2) + rng.normal(size=D) * noise)
emb = torch.tensor(np.array(emb), dtype=torch.float64)
y = torch.tensor(labels)
out = {"generator": "gen_subcenter_outliers.py, pytorch-metric-learning 2.8.1, torch "
       + torch.__version__, "sub_centers": K, "num_classes": C,
       "weights": W.tolist(), "embeddings": emb.tolist(), "labels": labels, "cases": []}
for threshold in (75, 40, 20):
    outliers, centers = loss.get_outliers(emb, y, threshold=threshold)
    out["cases"].append({"threshold": threshold, "outliers": outliers.tolist(),
                         "dominant_centers_classes_0_to_2": centers[:, :3].tolist()})
print(json.dumps(out, indent=1))
