package org.metric4j.data;

import java.io.IOException;
import java.util.Arrays;
import org.metric4j.dataset.LabeledImages;

/**
 * Grayscale images kept as their raw unsigned bytes (an IDX image file and its label file),
 * normalized on the fly through a 256-entry table: 1 byte per pixel in memory instead of 4.
 */
final class UByteImages implements LabeledImages {

    private final String prefix;
    private final byte[] pixels;
    private final byte[] labels;
    private final int count;
    private final int height;
    private final int width;
    private final int numClasses;
    private final Normalization normalization;
    private final float[] table;

    UByteImages(String prefix, IdxFile images, IdxFile labels, Normalization normalization)
            throws IOException {
        int[] dims = images.dims();
        if (dims.length != 3) {
            throw new IOException(images.source() + ": expected count x rows x cols, got "
                    + dims.length + " dimensions");
        }
        if (labels.dims().length != 1 || labels.count() != images.count()) {
            throw new IOException(labels.source() + ": expected " + images.count()
                    + " labels (one per image of " + images.source() + "), got "
                    + Arrays.toString(labels.dims()));
        }
        this.prefix = prefix;
        this.pixels = images.data();
        this.labels = labels.data();
        this.count = dims[0];
        this.height = dims[1];
        this.width = dims[2];
        int max = -1;
        for (byte b : this.labels) {
            max = Math.max(max, b & 0xff);
        }
        this.numClasses = max + 1;
        this.normalization = normalization;
        this.table = normalization.table();
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int channels() {
        return 1;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public long label(int index) {
        return labels[LabeledImages.checkIndex(this, index)] & 0xff;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public String name(int index) {
        return prefix + "/" + LabeledImages.checkIndex(this, index);
    }

    @Override
    public void image(int index, float[] dst, int offset) {
        int n = height * width;
        int src = LabeledImages.checkIndex(this, index) * n;
        for (int p = 0; p < n; p++) {
            dst[offset + p] = table[pixels[src + p] & 0xff];
        }
    }

    /** The raw pixel byte (0..255) of item {@code index} at row y, column x. */
    int rawPixel(int index, int y, int x) {
        return pixels[(LabeledImages.checkIndex(this, index) * height + y) * width + x] & 0xff;
    }

    @Override
    public String toString() {
        return "UByteImages(" + prefix + ", " + count + " x 1 x " + height + " x " + width
                + ", classes=" + numClasses + ", normalization=" + normalization + ")";
    }
}
