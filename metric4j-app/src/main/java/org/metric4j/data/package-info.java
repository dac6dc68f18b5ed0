/**
 * Labelled image data for training and evaluation: the {@link org.metric4j.data.LabeledImages}
 * contract (C x H x W float images, dense class ids, item names), readers for Fashion-MNIST
 * ({@link org.metric4j.data.IdxFile}, {@link org.metric4j.data.FashionMnist}) and for face crops
 * stored one directory per identity ({@link org.metric4j.data.ImageFolder}), a synthetic
 * face-identity set that needs no download ({@link org.metric4j.data.SyntheticFaces}), batch
 * samplers that are reproducible per (seed, epoch) ({@link org.metric4j.data.PxKSampler},
 * {@link org.metric4j.data.ShuffleSampler}) and an adapter to DJL's
 * {@link ai.djl.training.dataset.RandomAccessDataset}.
 */
package org.metric4j.data;
