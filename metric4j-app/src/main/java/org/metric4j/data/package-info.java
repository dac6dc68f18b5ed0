/**
 * Readers of labelled image data for training and evaluation, each a
 * {@link org.metric4j.dataset.LabeledImages}: Fashion-MNIST ({@link org.metric4j.data.IdxFile},
 * {@link org.metric4j.data.FashionMnist}), face crops stored one directory per identity
 * ({@link org.metric4j.data.ImageFolder}), MXNet RecordIO face sets read as InsightFace's
 * MXFaceDataset ({@link org.metric4j.data.RecordIoReader}, {@link org.metric4j.data.RecordIoDataset})
 * and written as face2rec2, RecBuilder or im2rec write them ({@link org.metric4j.data.RecordIoWriter},
 * {@link org.metric4j.data.RecordIoPacker}, with CPython's shuffle in {@link org.metric4j.data.PythonRandom}),
 * InsightFace's verification .bin sets ({@link org.metric4j.data.VerificationBin}, lfw.bin, cfp_fp.bin),
 * the IJB-B / IJB-C meta files ({@link org.metric4j.data.IjbMeta}) and a synthetic face-identity set that needs no
 * download ({@link org.metric4j.data.SyntheticFaces}). The samplers and the DJL dataset adapter
 * are in the core ({@code org.metric4j.sampler}, {@code org.metric4j.dataset}). InsightFace's
 * 5-landmark face alignment ({@code norm_crop}) is in {@code org.metric4j.data.align}.
 */
package org.metric4j.data;

