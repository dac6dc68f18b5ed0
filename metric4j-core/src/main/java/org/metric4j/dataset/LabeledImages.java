package org.metric4j.dataset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A labelled image dataset: images C x H x W, float, already normalized.
 *
 * <p>Items are numbered 0 .. {@link #size()} - 1. Labels are dense class (identity) ids in
 * [0, {@link #numClasses()}). Implementations are safe for concurrent reads ({@code image},
 * {@code batch}) from several threads.
 */
public interface LabeledImages {

    /** The number of items. */
    int size();

    /** Channels C (1 for grayscale, 3 for RGB in R, G, B order). */
    int channels();

    /** Height H in pixels. */
    int height();

    /** Width W in pixels. */
    int width();

    /** The class / identity id of item {@code index}, a dense id in [0, numClasses). */
    long label(int index);

    /** The number of classes (identities). */
    int numClasses();

    /** The item name, e.g. {@code "Person/Person_0001"} or {@code "train/123"}. */
    String name(int index);

    /**
     * Writes image {@code index} as C*H*W floats (row-major, normalized) into dst starting at
     * offset.
     */
    void image(int index, float[] dst, int offset);

    /** C*H*W, the number of floats of one image. */
    default int imageSize() {
        return channels() * height() * width();
    }

    /** The labels of all items, in item order (a new array). */
    default long[] labelArray() {
        long[] labels = new long[size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = label(i);
        }
        return labels;
    }

    /**
     * B x C x H x W FLOAT32 batch of the given items on {@code manager} (one bulk create, not per
     * item). The default fills one float[] with {@link #image} and creates the array once.
     */
    default NDArray batch(NDManager manager, int[] indices) {
        int n = imageSize();
        float[] buf = new float[Math.multiplyExact(indices.length, n)];
        for (int i = 0; i < indices.length; i++) {
            image(checkIndex(this, indices[i]), buf, i * n);
        }
        return manager.create(buf, new Shape(indices.length, channels(), height(), width()));
    }

    /** INT64 labels of the given items (shape B). */
    default NDArray labels(NDManager manager, int[] indices) {
        long[] out = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = label(checkIndex(this, indices[i]));
        }
        return manager.create(out, new Shape(indices.length));
    }

    /** {@code index}, or an IllegalArgumentException when it is outside [0, images.size()). */
    static int checkIndex(LabeledImages images, int index) {
        if (index < 0 || index >= images.size()) {
            throw new IllegalArgumentException(
                    "index must be in [0, " + images.size() + "), got " + index);
        }
        return index;
    }
}
