"""Reference values for TorchOptimizerConformanceTest, computed by torch itself.

Reads a JSON object on stdin: {"params": {name: [shape, values]}, "grads": [[{name: values}] per step],
"lrs": [...], "momentum", "weight_decay", "clip": {"grads": {name: [shape, values]}, "max_norm"}}
and prints {"sgd": {name: values}, "adamw": {name: values}, "clip": {"norm", "grads": {name: values}},
"poly": [...]} : the parameters after the steps of torch.optim.SGD (momentum, coupled weight decay,
nesterov False) and torch.optim.AdamW (decoupled weight decay, default betas and eps), the lr changed
before each step as a scheduler does; torch.nn.utils.clip_grad_norm_ on the given gradients; and
the lr of arcface_torch's PolynomialLRWarmup (lr_scheduler.py, commit 7fadd42) per iteration.
Run with Debian's /usr/bin/python3 (python3-torch), float32 as the trainer.
"""
import json
import sys
import warnings

import torch
from torch.optim.lr_scheduler import _LRScheduler

warnings.filterwarnings("ignore")


class PolynomialLRWarmup(_LRScheduler):
    """arcface_torch's scheduler, get_lr as in lr_scheduler.py."""

    def __init__(self, optimizer, warmup_iters, total_iters=5, power=1.0, last_epoch=-1):
        super().__init__(optimizer, last_epoch=last_epoch)
        self.total_iters = total_iters
        self.power = power
        self.warmup_iters = warmup_iters

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch > self.total_iters:
            return [g["lr"] for g in self.optimizer.param_groups]
        if self.last_epoch <= self.warmup_iters:
            return [b * self.last_epoch / self.warmup_iters for b in self.base_lrs]
        l, w, t = self.last_epoch, self.warmup_iters, self.total_iters
        f = ((1.0 - (l - w) / (t - w)) / (1.0 - (l - 1 - w) / (t - w))) ** self.power
        return [g["lr"] * f for g in self.optimizer.param_groups]


def tensors(d):
    return {k: torch.tensor(v[1], dtype=torch.float32).reshape(v[0]) for k, v in d.items()}


def run(make, spec):
    params = {k: torch.nn.Parameter(t) for k, t in tensors(spec["params"]).items()}
    opt = make(list(params.values()))
    for lr, grads in zip(spec["lrs"], spec["grads"]):
        for g in opt.param_groups:
            g["lr"] = lr
        for k, p in params.items():
            p.grad = torch.tensor(grads[k], dtype=torch.float32).reshape(p.shape)
        opt.step()
    return {k: p.detach().reshape(-1).tolist() for k, p in params.items()}


spec = json.load(sys.stdin)
out = {
    "sgd": run(lambda ps: torch.optim.SGD(ps, lr=1.0, momentum=spec["momentum"],
                                          weight_decay=spec["weight_decay"], nesterov=False), spec),
    "adamw": run(lambda ps: torch.optim.AdamW(ps, lr=1.0, weight_decay=spec["adamw_weight_decay"]), spec),
}
clip = {k: torch.nn.Parameter(torch.zeros(t.shape)) for k, t in tensors(spec["clip"]["grads"]).items()}
for k, t in tensors(spec["clip"]["grads"]).items():
    clip[k].grad = t
norm = torch.nn.utils.clip_grad_norm_(clip.values(), spec["clip"]["max_norm"])
out["clip"] = {"norm": float(norm), "grads": {k: p.grad.reshape(-1).tolist() for k, p in clip.items()}}
p = spec["poly"]
opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=p["lr"])
sched = PolynomialLRWarmup(opt, p["warmup"], p["total"], power=p["power"])
lrs = []
for _ in range(p["iterations"]):
    lrs.append(opt.param_groups[0]["lr"])
    opt.step()
    sched.step()
out["poly"] = lrs
json.dump(out, sys.stdout)
