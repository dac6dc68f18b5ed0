"""Writes the small torch.save files that StateDictReaderTest reads, and expected.json.

Run with Debian's python3-torch: /usr/bin/python3 gen_torch_fixtures.py (in this folder).
Each tensor's sha256 is taken over its C-order little-endian bytes (t.contiguous()).
"""
import collections
import hashlib
import json
import torch


def sha(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        b = t.view(torch.int16).numpy().tobytes()
    else:
        b = t.numpy().tobytes()
    return hashlib.sha256(b).hexdigest()


def describe(sd):
    out = []
    for k, t in sd.items():
        e = {"key": k, "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
             "sha256": sha(t)}
        if t.dim() == 0:
            e["value"] = t.item()
        out.append(e)
    return out


g = torch.Generator().manual_seed(7)
base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8
views = collections.OrderedDict()
views["whole"] = base                      # the storage itself
views["row2"] = base[2]                    # offset 12, shares the storage
views["transposed"] = base.t()             # strides (1, 6)
views["every_other"] = base[:, ::2]        # strides (6, 2)
views["corner"] = base[1:3, 2:5]           # offset 8, strides (6, 1)
views["scalar_view"] = base[3, 5]          # 0-d with an offset
views["num_batches_tracked"] = torch.tensor(1234, dtype=torch.int64)

dtypes = collections.OrderedDict()
dtypes["f16"] = torch.randn(3, 5, generator=g).to(torch.float16)
dtypes["f64"] = torch.randn(2, 3, generator=g, dtype=torch.float64)
dtypes["bf16"] = torch.randn(7, generator=g).to(torch.bfloat16)
dtypes["i64"] = torch.tensor([-3, 0, 1 << 40], dtype=torch.int64)
dtypes["i32"] = torch.tensor([[-7, 8], [2 ** 31 - 1, -2 ** 31]], dtype=torch.int32)
dtypes["i8"] = torch.tensor([-128, 0, 127], dtype=torch.int8)
dtypes["u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
dtypes["b"] = torch.tensor([True, False, True])
dtypes["empty"] = torch.zeros(0, 3)
dtypes["f64_scalar"] = torch.tensor(2.5, dtype=torch.float64)

small = collections.OrderedDict()
small["conv.weight"] = torch.randn(2, 1, 3, 3, generator=g)
small["bn.running_mean"] = torch.randn(2, generator=g)
small["bn.num_batches_tracked"] = torch.tensor(5)


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(2, 2)


files = {
    "views.pth": views,
    "dtypes.pth": dtypes,
    "ckpt_state_dict.pth": {"epoch": 3, "state_dict": small},
    "ckpt_backbone.pth": {"state_dict_backbone": small, "epoch": 9},
    "ckpt_two_dicts.pth": {"model": small, "ema": small, "epoch": 1},
    "ddp_prefix.pth": collections.OrderedDict(("module." + k, v) for k, v in small.items()),
    # values pickled with torch._utils._rebuild_parameter, as a dict of nn.Parameters is
    "parameters.pth": collections.OrderedDict(
        (k, torch.nn.Parameter(v, requires_grad=v.is_floating_point())) for k, v in small.items()),
}
expected = {"torch_version": torch.__version__}
for name, obj in files.items():
    torch.save(obj, name)
    # what the reader returns: the state dict itself, unwrapped, "module." stripped
    expected[name] = describe(obj if obj is views or obj is dtypes else small)
expected["views.pth_storage_offsets"] = {k: v.storage_offset() for k, v in views.items()}
expected["views.pth_strides"] = {k: list(v.stride()) for k, v in views.items()}

# the legacy format names storages by id(), so this file differs from run to run
torch.save(small, "legacy.pth", _use_new_zipfile_serialization=False)
torch.manual_seed(0)
torch.save(Tiny(), "whole_module.pth")

with open("expected.json", "w") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")
