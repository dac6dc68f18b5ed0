#!/usr/bin/python3
"""Java ImageIO vs PIL on the same JPEGs: pixel differences and the effect on mbf.onnx embeddings.

Usage (from the repository root; measure.sh runs all steps):
  measure.py prepare WORK JPEG...   copies the JPEGs to WORK/jpeg/x/, adds the first re-encoded by
                                    PIL at 4:4:4, at 4:2:0 and at 4:4:4 with an Adobe RGB ICC
                                    profile, and writes PIL's decoding of each
                                    as PNG to WORK/pil/x/
  measure.py compare WORK           pixel table (WORK/imageio/ from ImageIoDecode.java vs WORK/pil/)
                                    and cosines of WORK/emb-jpeg.npy vs WORK/emb-pil.npy
Needs Pillow (9.4.0 measured) and numpy.
"""
import json
import os
import shutil
import struct
import sys

import numpy as np
import PIL
from PIL import Image, JpegImagePlugin, features

SAMPLING = {0: "4:4:4", 1: "4:2:2", 2: "4:2:0", -1: "?"}


def s15(v):
    return struct.pack(">i", int(round(v * 65536)))


def adobe_rgb_icc():
    """A minimal ICC v2 matrix/TRC display profile with Adobe RGB (1998)'s D50-adapted primaries
    and gamma 563/256, as cameras embed it (built here: no such profile is on this machine)."""
    def xyz(x, y, z):
        return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)
    def text(t):
        return b"text" + b"\0" * 4 + t.encode() + b"\0"
    def desc(t):
        a = t.encode() + b"\0"
        return b"desc" + b"\0" * 4 + struct.pack(">I", len(a)) + a + b"\0" * 4 + b"\0" * 4 + b"\0" * 2 + b"\0" * 67
    curv = b"curv" + b"\0" * 4 + struct.pack(">I", 1) + struct.pack(">H", 563) + b"\0\0"
    tags = [(b"desc", desc("Adobe RGB (1998) (measure.py)")), (b"cprt", text("no copyright, test profile")),
            (b"wtpt", xyz(0.96420, 1.0, 0.82491)), (b"rXYZ", xyz(0.60974, 0.31111, 0.01947)),
            (b"gXYZ", xyz(0.20528, 0.62567, 0.06087)), (b"bXYZ", xyz(0.14919, 0.06322, 0.74457)),
            (b"rTRC", curv), (b"gTRC", curv), (b"bTRC", curv)]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for sig, body in tags:
        while (offset + len(data)) % 4:
            data += b"\0"
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (struct.pack(">I", size) + b"none" + bytes([2, 0x10, 0, 0]) + b"mntr" + b"RGB " + b"XYZ "
              + struct.pack(">6H", 2024, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 4 + b"\0" * 4 + b"\0" * 4
              + b"\0" * 4 + b"\0" * 8 + struct.pack(">I", 0) + s15(0.9642) + s15(1.0) + s15(0.82491)
              + b"\0" * 4)
    header += b"\0" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + data


def prepare(work, jpegs):
    src = os.path.join(work, "jpeg", "x")
    pil = os.path.join(work, "pil", "x")
    os.makedirs(src)
    os.makedirs(pil)
    names = []
    for i, p in enumerate(jpegs):
        name = "%d-%s" % (i, os.path.splitext(os.path.basename(p))[0])
        shutil.copy(p, os.path.join(src, name + ".jpg"))
        names.append(name)
    # the first photo re-encoded by libjpeg (through PIL) at the same quality with and without
    # chroma subsampling: the same content, only the 4:2:0 upsampling differs
    photo = Image.open(jpegs[0]).convert("RGB")
    for sub, tag in ((0, "444"), (2, "420")):
        name = "%d-reencoded-q90-%s" % (len(names), tag)
        photo.save(os.path.join(src, name + ".jpg"), quality=90, subsampling=sub)
        names.append(name)
    # the same 4:4:4 pixels tagged Adobe RGB: PIL keeps the stored values, ImageIO converts to sRGB
    name = "%d-reencoded-q90-444-adobe-rgb-icc" % len(names)
    photo.save(os.path.join(src, name + ".jpg"), quality=90, subsampling=0, icc_profile=adobe_rgb_icc())
    names.append(name)
    sources = {n: (jpegs[i] if i < len(jpegs) else "re-encoded from " + jpegs[0]) for i, n in enumerate(names)}
    with open(os.path.join(work, "sources.json"), "w") as out:
        json.dump(sources, out, indent=1)
    for name in names:
        Image.open(os.path.join(src, name + ".jpg")).convert("RGB").save(os.path.join(pil, name + ".png"))


def compare(work):
    src = os.path.join(work, "jpeg", "x")
    rows = []
    sources = json.load(open(os.path.join(work, "sources.json")))
    names = [l.strip().split("/")[-1] for l in open(os.path.join(work, "emb-jpeg-names.txt"))]
    e_jpeg = np.load(os.path.join(work, "emb-jpeg.npy")).astype(np.float64)
    e_pil = np.load(os.path.join(work, "emb-pil.npy")).astype(np.float64)
    pil_names = [l.strip().split("/")[-1] for l in open(os.path.join(work, "emb-pil-names.txt"))]
    assert names == pil_names, (names, pil_names)
    cos = {n: float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)) for n, a, b in zip(names, e_jpeg, e_pil)}
    for f in sorted(os.listdir(src)):
        name = os.path.splitext(f)[0]
        im = Image.open(os.path.join(src, f))
        a = np.asarray(Image.open(os.path.join(work, "imageio", name + ".png")).convert("RGB"), dtype=np.int16)
        b = np.asarray(Image.open(os.path.join(work, "pil", "x", name + ".png")).convert("RGB"), dtype=np.int16)
        d = np.abs(a - b)
        rows.append({
            "image": name, "source": sources[name], "size": "%dx%d" % im.size, "chroma": SAMPLING[JpegImagePlugin.get_sampling(im)],
            "progressive": bool(im.info.get("progressive")), "icc": "icc_profile" in im.info,
            "max_abs": int(d.max()), "mean_abs": round(float(d.mean()), 4),
            "mean_abs_rgb": [round(float(d[..., c].mean()), 4) for c in range(3)],
            "differing": round(float((d > 0).mean()), 4),
            "cosine_mbf": round(cos[name], 6)})
    print("| image | size | chroma | max abs | mean abs (R, G, B) | values differing | cosine (mbf.onnx) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %s | %s%s | %d | %.3f (%s) | %.1f%% | %.6f |" % (
            r["image"], r["size"], r["chroma"], (" progressive" if r["progressive"] else "")
            + (" ICC" if r["icc"] else ""), r["max_abs"],
            r["mean_abs"], ", ".join("%.3f" % v for v in r["mean_abs_rgb"]), 100 * r["differing"],
            r["cosine_mbf"]))
    with open(os.path.join(work, "results.json"), "w") as out:
        json.dump({"pillow": PIL.__version__, "libjpeg_turbo": features.version("libjpeg_turbo"),
                   "java": os.environ.get("JAVA_VERSION", ""), "rows": rows}, out, indent=1)


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3:])
    else:
        compare(sys.argv[2])
