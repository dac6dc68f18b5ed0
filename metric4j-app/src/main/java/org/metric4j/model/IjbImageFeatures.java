package org.metric4j.model;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.metric4j.data.ImageDecoder;
import org.metric4j.data.align.FaceAligner;
import org.metric4j.data.align.FaceTemplate;
import org.metric4j.math.Inputs;

/**
 * The image features of InsightFace's {@code recognition/arcface_torch/eval_ijbc.py}: its {@code
 * get_image_feature} with {@code Embedding.get} and {@code forward_db}. Each image is aligned with its
 * 5 landmarks to 112 x 112 ({@link FaceTemplate#EVAL_IJBC}, OpenCV's warp; the script warps the BGR
 * image and converts the crop to RGB, which gives the same pixels), the crop and its left-right mirror
 * go through the network with the embedder's preprocessing, and row i is {@code [f(crop_i) |
 * f(mirror(crop_i))]}, the raw outputs, N x 2D float32. Images are decoded by {@link ImageDecoder}
 * (Java ImageIO; the script's {@code cv2.imread} also applies EXIF orientation and keeps ICC-tagged
 * JPEG values as stored, see {@link ImageDecoder}).
 * Decoding and alignment run on {@code threads} threads, one batch ahead of the forward passes.
 */
public final class IjbImageFeatures {

    /** Images per forward pass by default, {@value} (the script's is 128; the numbers do not depend on it). */
    public static final int DEFAULT_BATCH = 64;
    /** Decoding and aligning threads by default, {@value}. */
    public static final int DEFAULT_THREADS = 2;

    private final FaceAligner aligner = FaceAligner.builder().optTemplate(FaceTemplate.EVAL_IJBC).build();
    private final int batchSize;
    private final int threads;

    /**
     * @param batchSize images per forward pass ({@code >= 1}; each pass is followed by one of the mirrors)
     * @param threads decoding and aligning threads, {@code >= 1}
     */
    public IjbImageFeatures(int batchSize, int threads) {
        Inputs.atLeast("batchSize", batchSize, 1);
        Inputs.atLeast("threads", threads, 1);
        this.batchSize = batchSize;
        this.threads = threads;
    }

    /**
     * The N x 2D features of the images.
     *
     * @param width 2D, the row length
     * @param values N x 2D, row-major
     */
    public record Features(int width, float[] values) {

        /** The number of rows. */
        public int size() {
            return width == 0 ? 0 : values.length / width;
        }
    }

    /** {@code Embedding.get}'s 112 x 112 RGB crop of one image (before the mirror). */
    public BufferedImage align(BufferedImage image, float[] landmarks) {
        return aligner.align(image, landmarks);
    }

    /**
     * Features of {@code folder/names[i]} aligned with {@code landmarks[10 i .. 10 i + 9]}, in the order
     * of {@code names}.
     *
     * @param folder the images' folder ({@code DIR/loose_crop})
     * @param names the image names, relative to the folder
     * @param landmarks N x 10 landmarks, {@code x1, y1, ..., x5, y5}
     * @param lines names the meta file line of image i in errors, e.g. {@code "ijbc_name_5pts_score.txt:3"}
     * @param embedder the network with its 112 x 112 preprocessing
     * @return N x 2D features
     * @throws IOException a missing image (a {@link NoSuchFileException}) or one that does not decode,
     *     naming the file and the meta line
     */
    public Features compute(Path folder, List<String> names, float[] landmarks,
            java.util.function.IntFunction<String> lines, PreprocessedEmbedder embedder) throws IOException {
        int n = names.size();
        if (landmarks.length != 10 * n) {
            throw new IllegalArgumentException("landmarks must hold 10 values per image (" + 10 * n + "), got "
                    + landmarks.length);
        }
        Preprocessing p = embedder.preprocessing();
        if (p.width() != FaceAligner.DEFAULT_SIZE || p.height() != FaceAligner.DEFAULT_SIZE) {
            throw new IllegalArgumentException("eval_ijbc.py aligns to 112 x 112; the model's preprocessing is " + p);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ijb-align");
            t.setDaemon(true);
            return t;
        });
        try {
            float[] values = null;
            int d = 0;
            List<Future<BufferedImage>> next = submit(pool, folder, names, landmarks, lines, 0);
            for (int start = 0; start < n; start += batchSize) {
                List<Future<BufferedImage>> current = next;
                next = submit(pool, folder, names, landmarks, lines, start + batchSize);
                BufferedImage[] crops = new BufferedImage[current.size()];
                for (int i = 0; i < crops.length; i++) {
                    crops[i] = get(current.get(i));
                }
                float[][] plain = embedder.forward(crops, false);
                float[][] mirrored = embedder.forward(crops, true);
                if (values == null) {
                    d = plain[0].length;
                    values = new float[Math.multiplyExact(n, 2 * d)];
                }
                for (int i = 0; i < crops.length; i++) {
                    System.arraycopy(plain[i], 0, values, (start + i) * 2 * d, d);
                    System.arraycopy(mirrored[i], 0, values, (start + i) * 2 * d + d, d);
                }
            }
            return new Features(2 * d, values == null ? new float[0] : values);
        } finally {
            pool.shutdownNow();
        }
    }

    private List<Future<BufferedImage>> submit(ExecutorService pool, Path folder, List<String> names,
            float[] landmarks, java.util.function.IntFunction<String> lines, int start) {
        List<Future<BufferedImage>> out = new ArrayList<>();
        for (int i = start; i < Math.min(names.size(), start + batchSize); i++) {
            int k = i;
            out.add(pool.submit(() -> {
                Path file = folder.resolve(names.get(k));
                if (!Files.isRegularFile(file)) {
                    throw new NoSuchFileException(file.toString(), null, "no such image (" + lines.apply(k) + ")");
                }
                BufferedImage img;
                try {
                    img = ImageDecoder.read(file);
                } catch (IOException e) {
                    throw new IOException(file + ": does not decode as an image (" + lines.apply(k) + "): "
                            + e.getMessage(), e);
                }
                float[] lmk = new float[10];
                System.arraycopy(landmarks, 10 * k, lmk, 0, 10);
                try {
                    return aligner.align(img, lmk);
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ": cannot align with the landmarks of " + lines.apply(k) + ": "
                            + e.getMessage(), e);
                }
            }));
        }
        return out;
    }

    private static BufferedImage get(Future<BufferedImage> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while decoding the IJB images", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
    }

    @Override
    public String toString() {
        return "IjbImageFeatures(template=" + aligner.template() + ", warp=" + aligner.warp() + ", batch=" + batchSize
                + ", threads=" + threads + ")";
    }
}
