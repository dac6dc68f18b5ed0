package org.metric4j.model;

import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.metric4j.data.ImageDecoder;
import org.metric4j.data.ImageFolder;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.math.Inputs;

/**
 * An imported network with its {@link Preprocessing}: images (decoded by {@link ImageDecoder}, Java
 * ImageIO) or tensors already preprocessed in, embeddings out. With the preprocessing's flip-sum
 * the embedding is InsightFace's L2-normalize(embed(x) + embed(flip(x))), else the raw output.
 */
public final class PreprocessedEmbedder implements AutoCloseable {

    private final EmbeddingNetwork network;
    private final Preprocessing preprocessing;

    /**
     * Combines a network and its preprocessing; {@link #close()} closes the network.
     *
     * @param network the network
     * @param preprocessing how its inputs are made
     */
    public PreprocessedEmbedder(EmbeddingNetwork network, Preprocessing preprocessing) {
        this.network = network;
        this.preprocessing = preprocessing;
    }

    /** The preprocessing. */
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** The embeddings of decoded images of any size (fitted to the model's by the preprocessing). */
    public float[][] embed(BufferedImage[] images) {
        Shape shape = preprocessing.shape(images.length);
        float[][] e = network.forward(preprocessing.pixels(images, false), shape);
        return preprocessing.flipSum() ? flipSum(e, network.forward(preprocessing.pixels(images, true), shape)) : e;
    }

    /**
     * The raw outputs of the network for decoded images (mirrored left-right first when {@code
     * mirror}), whatever the preprocessing's flip-sum: InsightFace's {@code verification.test}
     * combines the two itself.
     */
    public float[][] forward(BufferedImage[] images, boolean mirror) {
        return network.forward(preprocessing.pixels(images, mirror), preprocessing.shape(images.length));
    }

    /**
     * The embeddings of a tensor already preprocessed (N x 3 x H x W, or N x H x W x 3 for NHWC);
     * flip-sum mirrors it along its width axis. The mean and std of the preprocessing are not applied.
     */
    public float[][] embedTensors(float[] values, Shape shape) {
        float[][] e = network.forward(values, shape);
        return preprocessing.flipSum() ? flipSum(e, network.forward(preprocessing.mirror(values, shape), shape)) : e;
    }

    /** The embeddings of an image folder's files, {@code batchSize} images at a time, with labels and names. */
    public EmbeddingSet embed(ImageFolder folder, int batchSize) {
        Inputs.atLeast("batch size", batchSize, 1);
        int n = folder.size();
        double[] values = null;
        int d = 0;
        for (int start = 0; start < n; start += batchSize) {
            BufferedImage[] images = new BufferedImage[Math.min(batchSize, n - start)];
            for (int i = 0; i < images.length; i++) {
                try {
                    images[i] = ImageDecoder.read(folder.path(start + i));
                } catch (IOException e) {
                    throw new UncheckedIOException("image " + (start + i) + " does not decode", e);
                }
            }
            float[][] e = embed(images);
            if (values == null) {
                d = e[0].length;
                values = new double[Math.multiplyExact(n, d)];
            }
            for (int i = 0; i < e.length; i++) {
                for (int j = 0; j < d; j++) {
                    values[(start + i) * d + j] = e[i][j];
                }
            }
        }
        long[] labels = new long[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = folder.label(i);
            names[i] = folder.name(i);
        }
        return new EmbeddingSet(values == null ? new double[0] : values, n, d, labels, names);
    }

    /** L2-normalize(a + b) per row, in float32 like InsightFace's verification (eps 1e-12). */
    static float[][] flipSum(float[][] a, float[][] b) {
        float[][] out = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            float[] s = new float[a[i].length];
            double norm = 0;
            for (int j = 0; j < s.length; j++) {
                s[j] = a[i][j] + b[i][j];
                norm += (double) s[j] * s[j];
            }
            float inv = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
            for (int j = 0; j < s.length; j++) {
                s[j] *= inv;
            }
            out[i] = s;
        }
        return out;
    }

    @Override
    public void close() {
        network.close();
    }
}
