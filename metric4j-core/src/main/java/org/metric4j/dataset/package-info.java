/**
 * The labelled-image contract that training and evaluation read
 * ({@link org.metric4j.dataset.LabeledImages}: C x H x W float images, dense class ids, item
 * names) and its adapter to DJL's {@link ai.djl.training.dataset.RandomAccessDataset}
 * ({@link org.metric4j.dataset.LabeledImagesDataset}), for a stock {@code Trainer} or
 * {@code EasyTrain.fit}. Readers and decoders of image files live in the application.
 */
package org.metric4j.dataset;
