# PML 2.8.1 side of bench --suite pair (the eleven original cases and the parity lines):
# forward + backward, float32, 128-d, 2 threads; same names, sizes and loss settings as PairSuite.
import json, sys, time, resource, statistics
import torch
import os
torch.set_num_threads(int(os.environ.get("THREADS", "2")))
from pytorch_metric_learning import losses, miners
D = 128
def pxk(p, k, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.arange(p).repeat_interleave(k)[torch.randperm(p * k, generator=g)]
def timed(name, fn, iters=30, warm=5, **extra):
    for _ in range(warm): fn()
    ts = []
    for _ in range(iters):
        t = time.perf_counter(); fn(); ts.append((time.perf_counter() - t) * 1000)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(dict(name=name, side="pml-2.8.1", ms_median=round(statistics.median(ts), 2), ms_min=round(min(ts), 2), peak_rss_mb=round(rss), **extra)), flush=True)
only = sys.argv[1] if len(sys.argv) > 1 else ""
def want(n): return only in n
torch.manual_seed(0)
def pair_case(name, p, k, loss, miner=None):
    if not want(name): return
    x = torch.randn(p * k, D, requires_grad=True); y = pxk(p, k, 1)
    def f():
        l = loss(x, y, miner(x, y)) if miner else loss(x, y); l.backward(); x.grad = None
    timed(name, f, batch=p * k)
pair_case("contrastive_b256", 64, 4, losses.ContrastiveLoss())
pair_case("triplet_all_b256", 64, 4, losses.TripletMarginLoss())
pair_case("triplet_batch_hard_b256", 64, 4, losses.TripletMarginLoss(margin=0.2), miners.BatchHardMiner())
pair_case("triplet_semihard_b256", 64, 4, losses.TripletMarginLoss(margin=0.2),
          miners.TripletMarginMiner(margin=0.2, type_of_triplets="semihard"))
pair_case("ntxent_b256", 64, 4, losses.NTXentLoss())
pair_case("supcon_b256", 64, 4, losses.SupConLoss())
pair_case("multi_similarity_b256", 64, 4, losses.MultiSimilarityLoss())
pair_case("circle_b256", 64, 4, losses.CircleLoss())
pair_case("lifted_structure_b256", 64, 4, losses.LiftedStructureLoss())
pair_case("triplet_all_b1024", 256, 4, losses.TripletMarginLoss())
pair_case("triplet_all_b2048_k8", 256, 8, losses.TripletMarginLoss())
if want("proxy_anchor"):
    loss = losses.ProxyAnchorLoss(1000, D)
    x = torch.randn(256, D, requires_grad=True); y = torch.randint(0, 1000, (256,))
    def f():
        l = loss(x, y); l.backward(); x.grad = None; loss.proxies.grad = None
    timed("proxy_anchor_b256_c1k", f)
if want("soft_triple"):
    loss = losses.SoftTripleLoss(1000, D)
    x = torch.randn(256, D, requires_grad=True); y = torch.randint(0, 1000, (256,))
    def f():
        l = loss(x, y); l.backward(); x.grad = None; loss.fc.grad = None
    timed("soft_triple_b256_c1k", f)
if want("fastap"):
    loss = losses.FastAPLoss()
    x = torch.randn(256, D, requires_grad=True); y = pxk(64, 4, 1)
    def f():
        l = loss(x, y); l.backward(); x.grad = None
    timed("fastap_b256", f)
for m in (8192, 65536):
    name = "xbm_contrastive_b256_m%d" % m
    if want(name):
        loss = losses.CrossBatchMemory(losses.ContrastiveLoss(), D, memory_size=m)
        y = pxk(64, 4, 1)
        with torch.no_grad():
            for i in range((m + 255) // 256): loss(torch.randn(256, D), y)
        x = torch.randn(256, D, requires_grad=True)
        def f():
            l = loss(x, y); l.backward(); x.grad = None
        try:
            timed(name, f, iters=10 if m > 10000 else 30, warm=2)
        except RuntimeError as e:
            print(json.dumps(dict(name=name, side="pml-2.8.1", error=str(e)[:200])), flush=True)
if want("ntxent_ref"):
    loss = losses.NTXentLoss()
    x = torch.randn(256, D, requires_grad=True); r = torch.randn(4096, D, requires_grad=True)
    y = pxk(64, 4, 1); ry = pxk(64, 64, 2)
    def f():
        l = loss(x, y, ref_emb=r, ref_labels=ry); l.backward(); x.grad = None; r.grad = None
    try:
        timed("ntxent_ref_b256_m4096", f, iters=5, warm=1)
    except RuntimeError as e:
        print(json.dumps(dict(name="ntxent_ref_b256_m4096", side="pml-2.8.1", error=str(e)[:200])), flush=True)
