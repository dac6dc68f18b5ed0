"""Loads a .pth with real PyTorch and prints its state dict as JSON, for StateDictWriterTest.

usage: python3 describe_torch_load.py FILE [--into-module]

Loads with torch.load(FILE, weights_only=True). With --into-module, also loads the state dict
strictly into the small module Net below and describes net.state_dict() instead, so that the
values have gone through load_state_dict(strict=True). Output: one JSON list of
{"key", "shape", "dtype", "sha256" of the C-order little-endian bytes}, in order.
"""
import hashlib
import json
import sys

import torch


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3, 2)
        self.bn = torch.nn.BatchNorm1d(2)


def sha(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return hashlib.sha256(t.numpy().tobytes()).hexdigest()


sd = torch.load(sys.argv[1], weights_only=True)
if "--into-module" in sys.argv[2:]:
    net = Net()
    net.load_state_dict(sd, strict=True)
    sd = net.state_dict()
print(json.dumps([{"key": k, "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
                   "sha256": sha(t)} for k, t in sd.items()]))
