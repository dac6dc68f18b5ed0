/**
 * Readers of labelled image data for training and evaluation, each a
 * {@link org.metric4j.dataset.LabeledImages}: Fashion-MNIST ({@link org.metric4j.data.IdxFile},
 * {@link org.metric4j.data.FashionMnist}), face crops stored one directory per identity
 * ({@link org.metric4j.data.ImageFolder}), MXNet RecordIO face sets read as InsightFace's
 * MXFaceDataset ({@link org.metric4j.data.RecordIoReader}, {@link org.metric4j.data.RecordIoDataset})
 * InsightFace's verification .bin sets ({@link org.metric4j.data.VerificationBin}, lfw.bin, cfp_fp.bin)
 * and a synthetic face-identity set that needs no
 * download ({@link org.metric4j.data.SyntheticFaces}). The samplers and the DJL dataset adapter
 * are in the core ({@code org.metric4j.sampler}, {@code org.metric4j.dataset}).
 */
package org.metric4j.data;

