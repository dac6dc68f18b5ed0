"""Dev-only cross-check of metric4j's IJB 1:N (IjbIdentification, evaluate --ijb) against a numpy
transcription of InsightFace's recognition/_evaluation_/ijb/ijb_1n.py (image2template_feature,
gen_mask, evaluation; commit 7fadd420), not a CI test.

On the bundled IJB fixture (insightface/ijb: no 1:N lists) it makes the lists the way
IjbEvaluateCommandTest does: subjects = connected components of the genuine pairs, numbered
100, 101, ... by their smallest template id; subject k's smallest template goes to G1 (k even) or
G2 (k odd); every other template is a probe. Writes the three CSVs into OUT_DIR/meta (with the
fixture's meta files) and prints the numbers the test asserts.

    /usr/bin/python3 check_ijb_1n.py FIXTURE_DIR OUT_DIR
"""
import math
import os
import shutil
import sys

import numpy as np

src, out = sys.argv[1], sys.argv[2]
meta = os.path.join(out, "meta")
os.makedirs(meta, exist_ok=True)
for f in os.listdir(os.path.join(src, "meta")):
    shutil.copy(os.path.join(src, "meta", f), meta)

rows = [l.split() for l in open(os.path.join(src, "meta", "ijbc_face_tid_mid.txt"))]
templates = np.array([int(r[1]) for r in rows])
medias = np.array([int(r[2]) for r in rows])
faceness = np.array([r[-1] for r in (l.split() for l in open(os.path.join(src, "meta", "ijbc_name_5pts_score.txt")))]).astype(np.float32)
pairs = np.array([[int(x) for x in l.split()] for l in open(os.path.join(src, "meta", "ijbc_template_pair_label.txt"))])

parent = {t: t for t in np.unique(templates)}
def find(t):
    while parent[t] != t:
        t = parent[t]
    return t
for a, b, lab in pairs:
    if lab == 1:
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)
roots = sorted({find(t) for t in parent})
subject = {t: 100 + roots.index(find(t)) for t in parent}
g1, g2, probes = [], [], []
for k, r in enumerate(roots):
    members = sorted(t for t in parent if find(t) == r)
    (g1 if k % 2 == 0 else g2).append(members[0])
    probes += members[1:]
for name, ts in (("ijbc_1N_gallery_G1.csv", g1), ("ijbc_1N_gallery_G2.csv", g2), ("ijbc_1N_probe_mixed.csv", probes)):
    with open(os.path.join(meta, name), "w") as f:
        f.write("TEMPLATE_ID,SUBJECT_ID\n")
        for t in ts:
            f.write("%d,%d\n" % (t, subject[t]))

# --- transcription of ijb_1n.py (default flags: flip sum, norm score, detector score) ---
def read_template_subject_id_list(path):
    m = np.loadtxt(path, dtype=str, skiprows=1, delimiter=",")
    return m[:, 0].astype(int), m[:, 1].astype(int)

def image2template_feature(img_feats, templates, medias, choose_templates, choose_ids):
    unique_templates, indices = np.unique(choose_templates, return_index=True)
    unique_subjectids = choose_ids[indices]
    template_feats = np.zeros((len(unique_templates), img_feats.shape[1]))
    for count_template, uqt in enumerate(unique_templates):
        (ind_t,) = np.where(templates == uqt)
        face_norm_feats = img_feats[ind_t]
        face_medias = medias[ind_t]
        unique_medias, unique_media_counts = np.unique(face_medias, return_counts=True)
        media_norm_feats = []
        for u, ct in zip(unique_medias, unique_media_counts):
            (ind_m,) = np.where(face_medias == u)
            if ct == 1:
                media_norm_feats += [face_norm_feats[ind_m]]
            else:
                media_norm_feats += [np.mean(face_norm_feats[ind_m], 0, keepdims=True)]
        media_norm_feats = np.array(media_norm_feats)
        template_feats[count_template] = np.sum(media_norm_feats, 0)
    template_norm_feats = template_feats / np.sqrt(np.sum(template_feats ** 2, -1, keepdims=True))
    return template_norm_feats, unique_templates, unique_subjectids

def evaluation(query_feats, gallery_feats, mask):
    Fars = [0.01, 0.1]
    query_num = query_feats.shape[0]
    similarity = np.dot(query_feats, gallery_feats.T)
    top_inds = np.argsort(-similarity)
    res = {}
    for k in (1, 5, 10):
        res["top%d" % k] = sum(mask[i] in top_inds[i, 0:k] for i in range(query_num)) / query_num
    required_topk = [math.ceil(query_num * x) for x in Fars]
    top_sims = similarity
    pos_sims = []
    for i in range(query_num):
        gt = mask[i]
        pos_sims.append(top_sims[i, gt])
        top_sims[i, gt] = -2.0
    pos_sims = np.array(pos_sims)
    neg_sims = top_sims[np.where(top_sims > -2.0)]
    import heapq
    neg_sims = heapq.nlargest(max(required_topk), neg_sims)
    res["threshold"], res["tpir"] = [], []
    for far, pos in zip(Fars, required_topk):
        th = neg_sims[pos - 1]
        res["threshold"].append(th)
        res["tpir"].append(np.sum(pos_sims > th) / query_num)
    return res

def gen_mask(query_ids, reg_ids):
    mask = []
    for query_id in query_ids:
        pos = [i for i, x in enumerate(reg_ids) if query_id == x]
        if len(pos) != 1:
            raise RuntimeError("RegIdsError with id = %d" % query_id)
        mask.append(pos[0])
    return mask

img_feats = np.load(os.path.join(src, "img_feats.npy"))
D = img_feats.shape[1] // 2
x = img_feats[:, :D] + img_feats[:, D:]
x = x * faceness[:, np.newaxis]
s1t, s1s = read_template_subject_id_list(os.path.join(meta, "ijbc_1N_gallery_G1.csv"))
s2t, s2s = read_template_subject_id_list(os.path.join(meta, "ijbc_1N_gallery_G2.csv"))
gf, gt, gs = image2template_feature(x, templates, medias, np.concatenate([s1t, s2t]), np.concatenate([s1s, s2s]))
pt, ps = read_template_subject_id_list(os.path.join(meta, "ijbc_1N_probe_mixed.csv"))
pf, put, pus = image2template_feature(x, templates, medias, pt, ps)
print("probes", len(put), "gallery", len(gt))
r = evaluation(pf, gf, gen_mask(pus, gs))
for k, v in r.items():
    print(k, repr(v))
