package org.metric4j.model;

import ai.djl.MalformedModelException;
import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.metric4j.dataset.LabeledImages;

/**
 * An embedding model trained in PyTorch and exported with {@code torch.jit.trace} / {@code
 * script}, run through DJL's PyTorch engine, with InsightFace's preprocessing: RGB, 112 x 112
 * (or the model's size), pixel = (v - 127.5) / 127.5, N x 3 x H x W. With {@code flipSum} the
 * embedding is InsightFace's verification embedding, L2-normalize(embed(x) + embed(flip(x))).
 */
public final class TorchScriptEmbedder implements EmbeddingNetwork {

    private final Model model;
    // one predictor per calling thread over the shared weights: Spark runs several tasks at once
    // in one executor JVM against a single loaded model
    private final ThreadLocal<Predictor<NDList, NDList>> predictor;
    private final java.util.List<Predictor<NDList, NDList>> predictors =
            java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private final int height;
    private final int width;

    private TorchScriptEmbedder(Model model, int height, int width) {
        this.model = model;
        this.predictor = ThreadLocal.withInitial(() -> {
            Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator());
            predictors.add(p);
            return p;
        });
        this.height = height;
        this.width = width;
    }

    /** The input height. */
    public int height() {
        return height;
    }

    /** The input width. */
    public int width() {
        return width;
    }

    /**
     * Loads a TorchScript file.
     *
     * @param file the .pt file
     * @param height input height (112 for InsightFace models)
     * @param width input width
     * @return the embedder
     */
    public static TorchScriptEmbedder load(Path file, int height, int width) throws IOException {
        return load(file, height, width, Device.cpu());
    }

    /**
     * Loads a TorchScript file onto a device: the module's weights and every input batch live there.
     *
     * @param file the .pt file
     * @param height input height (112 for InsightFace models)
     * @param width input width
     * @param device the device (DJL's name: cpu, gpu0, ...)
     * @return the embedder
     */
    public static TorchScriptEmbedder load(Path file, int height, int width, Device device) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file " + file + " does not exist or is not a file");
        }
        Model model = Model.newInstance(file.getFileName().toString(), device, "PyTorch");
        try {
            model.load(file.toAbsolutePath().getParent(), file.getFileName().toString());
        } catch (MalformedModelException | RuntimeException e) {
            model.close();
            throw new IllegalArgumentException(
                    "model file " + file + " is not a TorchScript model DJL's PyTorch engine can load: "
                            + e.getMessage(), e);
        }
        return new TorchScriptEmbedder(model, height, width);
    }

    /** The embeddings (N x D, raw or flip-summed and normalized) of RGB images of the model's size. */
    public float[][] embed(BufferedImage[] images, boolean flipSum) {
        NDManager manager = model.getNDManager();
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(pixels(images, false), new Shape(images.length, 3, height, width));
            NDArray e = run(x);
            if (flipSum) {
                NDArray flipped = m.create(pixels(images, true), new Shape(images.length, 3, height, width));
                e = e.add(run(flipped)).normalize(2, 1, 1e-12);
            }
            float[] flat = e.toFloatArray();
            int d = (int) e.getShape().get(1);
            float[][] out = new float[images.length][d];
            for (int i = 0; i < images.length; i++) {
                System.arraycopy(flat, i * d, out[i], 0, d);
            }
            return out;
        }
    }

    /**
     * The embeddings of a dataset already preprocessed the InsightFace way (an {@link
     * org.metric4j.data.ImageFolder} with its default normalization), in batches.
     */
    public org.metric4j.eval.EmbeddingSet embed(org.metric4j.dataset.LabeledImages data, boolean flipSum, int batchSize) {
        if (data.channels() != 3 || data.height() != height || data.width() != width) {
            throw new IllegalArgumentException("images must be 3 x " + height + " x " + width + " for this model, got "
                    + data.channels() + " x " + data.height() + " x " + data.width());
        }
        int n = data.size();
        double[] values = null;
        int d = -1;
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            int[] idx = new int[end - start];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = start + i;
            }
            try (NDManager m = model.getNDManager().newSubManager()) {
                NDArray x = data.batch(m, idx);
                NDArray e = run(x);
                if (flipSum) {
                    e = e.add(run(x.flip(3))).normalize(2, 1, 1e-12);
                }
                if (values == null) {
                    d = (int) e.getShape().get(1);
                    values = new double[n * d];
                }
                float[] f = e.toFloatArray();
                for (int i = 0; i < f.length; i++) {
                    values[start * d + i] = f[i];
                }
            }
        }
        long[] labels = new long[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = data.label(i);
            names[i] = data.name(i);
        }
        return new org.metric4j.eval.EmbeddingSet(values, n, d, labels, names);
    }

    /** The raw embeddings of a batch preprocessed by a {@link Preprocessing} (any size the module accepts). */
    @Override
    public float[][] forward(float[] input, Shape shape) {
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray e = run(m.create(input, shape));
            float[] flat = e.toFloatArray();
            int d = (int) e.getShape().get(1);
            float[][] out = new float[(int) shape.get(0)][d];
            for (int i = 0; i < out.length; i++) {
                System.arraycopy(flat, i * d, out[i], 0, d);
            }
            return out;
        }
    }

    private NDArray run(NDArray x) {
        try {
            NDArray out = predictor.get().predict(new NDList(x)).singletonOrThrow();
            out.attach(x.getManager());
            return out;
        } catch (TranslateException e) {
            throw new IllegalStateException("TorchScript forward failed: " + e.getMessage(), e);
        }
    }

    /** InsightFace's preprocessing: RGB planes, (v - 127.5) / 127.5, optionally mirrored left-right. */
    private float[] pixels(BufferedImage[] images, boolean mirror) {
        float[] out = new float[images.length * 3 * height * width];
        for (int n = 0; n < images.length; n++) {
            BufferedImage img = images[n];
            if (img.getWidth() != width || img.getHeight() != height) {
                throw new IllegalArgumentException("image " + n + " must be " + width + " x " + height
                        + ", got " + img.getWidth() + " x " + img.getHeight());
            }
            for (int y = 0; y < height; y++) {
                for (int xx = 0; xx < width; xx++) {
                    int rgb = img.getRGB(mirror ? width - 1 - xx : xx, y);
                    int base = ((n * 3) * height + y) * width + xx;
                    out[base] = (((rgb >> 16) & 0xff) - 127.5f) / 127.5f;
                    out[base + height * width] = (((rgb >> 8) & 0xff) - 127.5f) / 127.5f;
                    out[base + 2 * height * width] = ((rgb & 0xff) - 127.5f) / 127.5f;
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        synchronized (predictors) {
            predictors.forEach(Predictor::close);
            predictors.clear();
        }
        model.close();
    }
}
