package org.metric4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.math.Inputs;

/**
 * A synthetic face-identity dataset that needs no download and no fonts, for open-set tests of
 * metric losses: cartoon faces drawn with Java2D shapes (antialiased), one geometry per
 * identity, many nuisance factors per image.
 *
 * <p><b>Identity</b> (from (seed, identity)): head outline (width, aspect, temple, jaw and chin
 * widths), skin tone, ears, hair (color, style, hairline), eyes (height, spacing, size, shape,
 * tilt, iris color), brows (gap, thickness, length, arch, tilt), nose (length, width), mouth
 * (height, width, lip thickness and color), facial hair, a mole, and a tendency to wear glasses.
 * <b>Image</b> (from (seed, identity, sample)): in-plane rotation, translation, scale, yaw (the
 * features slide and foreshorten on a cylindrical head) and pitch, expression (smile or frown,
 * open mouth, eye openness, raised brows), glasses, clothes and background, lighting (brightness,
 * contrast, a directional shading gradient, a color cast), Gaussian blur and pixel noise. The
 * nuisance ranges scale with {@code optVariation}. As with real faces, the identities differ by
 * small amounts while the images of one identity vary a lot: a nearest-class-mean classifier on
 * raw pixels is far above chance but far from perfect.
 *
 * <p>Item i is sample {@code i % k} of identity {@code firstIdentity + i / k} (k images per
 * identity); labels are dense, {@code i / k}. Names are {@code "id0123/id0123_0004"} with the
 * global identity number, so sets built with disjoint identity ranges
 * ({@code optFirstIdentity}) are disjoint open sets, like LFW against a training set.
 *
 * <p>An image depends only on (seed, identity, sample, size, variation): the same on every call
 * and every thread. Images are rendered lazily (rendering is cheap and a face set with thousands
 * of identities does not fit in memory as floats) and kept in an LRU cache of packed 8-bit RGB
 * pixels (4 bytes a pixel), default {@value #DEFAULT_CACHE_SIZE} images. Pixels are normalized
 * like {@link ImageFolder}: \( (v - 127.5) / 127.5 \), C x H x W in R, G, B order, or one BT.601
 * luma plane with {@code optChannels(1)}. Java2D rasterization may differ in the last bits between
 * JDK versions; within one JDK the pixels are reproducible.
 *
 * <p>This class is the dataset (item numbering, labels, names, normalization, batches); the
 * drawing is {@code FaceRenderer}'s, from the factors of {@code FaceIdentity} and {@code FacePose},
 * and the cache is an {@code ImageCache}.
 */
public final class SyntheticFaces implements LabeledImages {

    /** Default number of identities. */
    public static final int DEFAULT_IDENTITIES = 100;

    /** Default images per identity. */
    public static final int DEFAULT_IMAGES_PER_IDENTITY = 20;

    /** Default height and width (InsightFace's aligned crops). */
    public static final int DEFAULT_SIZE = 112;

    /** Default channels (RGB). */
    public static final int DEFAULT_CHANNELS = 3;

    /** Default seed. */
    public static final long DEFAULT_SEED = 0;

    /** Default strength of the per-image nuisance factors (0: every image of an identity equal). */
    public static final double DEFAULT_VARIATION = 1.0;

    /** Default LRU cache capacity in images (0: no cache). */
    public static final int DEFAULT_CACHE_SIZE = 1024;

    private final int identities;
    private final int perIdentity;
    private final int firstIdentity;
    private final int height;
    private final int width;
    private final int channels;
    private final long seed;
    private final double variation;
    private final Normalization normalization;
    private final float[] table;
    private final FaceRenderer renderer;
    private final ImageCache cache;

    private SyntheticFaces(Builder b) {
        this.identities = b.identities;
        this.perIdentity = b.perIdentity;
        this.firstIdentity = b.firstIdentity;
        this.height = b.height;
        this.width = b.width;
        this.channels = b.channels;
        this.seed = b.seed;
        this.variation = b.variation;
        this.normalization = b.normalization;
        this.table = normalization.table();
        this.renderer = new FaceRenderer(height, width, seed, variation);
        this.cache = new ImageCache(b.cacheSize);
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int size() {
        return identities * perIdentity;
    }

    @Override
    public int channels() {
        return channels;
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
        return LabeledImages.checkIndex(this, index) / perIdentity;
    }

    @Override
    public int numClasses() {
        return identities;
    }

    /** The global identity number of item {@code index} ({@code firstIdentity + label}). */
    public int identity(int index) {
        return firstIdentity + LabeledImages.checkIndex(this, index) / perIdentity;
    }

    /** The sample number of item {@code index} within its identity. */
    public int sample(int index) {
        return LabeledImages.checkIndex(this, index) % perIdentity;
    }

    /** The first global identity number. */
    public int firstIdentity() {
        return firstIdentity;
    }

    /** Images per identity. */
    public int imagesPerIdentity() {
        return perIdentity;
    }

    @Override
    public String name(int index) {
        String id = String.format(Locale.ROOT, "id%04d", identity(index));
        return String.format(Locale.ROOT, "%s/%s_%04d", id, id, sample(index));
    }

    @Override
    public void image(int index, float[] dst, int offset) {
        LabeledImages.checkIndex(this, index);
        int[] packed = cache.get(index, i -> Pixels.packed(render(identity(i), sample(i))));
        Pixels.writeChw(packed, channels, table, dst, offset);
    }

    /** Renders the items in parallel (common fork-join pool), then creates the array once. */
    @Override
    public NDArray batch(NDManager manager, int[] indices) {
        int n = imageSize();
        float[] buf = new float[Math.multiplyExact(indices.length, n)];
        for (int index : indices) {
            LabeledImages.checkIndex(this, index);
        }
        IntStream.range(0, indices.length).parallel().forEach(i -> image(indices[i], buf, i * n));
        return manager.create(buf,
                new ai.djl.ndarray.types.Shape(indices.length, channels, height, width));
    }

    /**
     * Renders image {@code sample} of global identity {@code identity} at this set's size as 8-bit
     * RGB, before normalization (any identity, also outside this set's range).
     */
    public BufferedImage render(int identity, int sample) {
        return renderer.render(identity, sample);
    }

    /**
     * Writes a PNG grid to look at: one row per identity (the first {@code rows} of this set), one
     * column per sample (the first {@code columns}), 2-pixel gaps; gray when channels is 1.
     */
    public void writeSampleGrid(Path png, int rows, int columns) throws IOException {
        if (rows < 1 || rows > identities) {
            throw new IllegalArgumentException(
                    "rows must be in [1, " + identities + "], got " + rows);
        }
        if (columns < 1 || columns > perIdentity) {
            throw new IllegalArgumentException(
                    "columns must be in [1, " + perIdentity + "], got " + columns);
        }
        int gap = 2;
        BufferedImage grid = new BufferedImage(columns * (width + gap) + gap,
                rows * (height + gap) + gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < columns; c++) {
                    BufferedImage face = render(firstIdentity + r, c);
                    if (channels == 1) {
                        int[] px = Pixels.packed(face);
                        for (int i = 0; i < px.length; i++) {
                            int v = Pixels.luma(px[i]);
                            px[i] = (v << 16) | (v << 8) | v;
                        }
                        face.setRGB(0, 0, width, height, px, 0, width);
                    }
                    g.drawImage(face, gap + c * (width + gap), gap + r * (height + gap), null);
                }
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(grid, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    @Override
    public String toString() {
        return "SyntheticFaces(identities=" + identities + " from " + firstIdentity
                + ", imagesPerIdentity=" + perIdentity + ", size=" + channels + " x " + height
                + " x " + width + ", seed=" + seed + ", variation=" + variation + ")";
    }

    /** Builder of {@link SyntheticFaces}. */
    public static final class Builder {
        private int identities = DEFAULT_IDENTITIES;
        private int perIdentity = DEFAULT_IMAGES_PER_IDENTITY;
        private int firstIdentity;
        private int height = DEFAULT_SIZE;
        private int width = DEFAULT_SIZE;
        private int channels = DEFAULT_CHANNELS;
        private long seed = DEFAULT_SEED;
        private double variation = DEFAULT_VARIATION;
        private Normalization normalization = Normalization.INSIGHTFACE;
        private int cacheSize = DEFAULT_CACHE_SIZE;

        private Builder() {}

        /** The number of identities (default {@value #DEFAULT_IDENTITIES}). */
        public Builder optIdentities(int identities) {
            this.identities = identities;
            return this;
        }

        /** Images per identity (default {@value #DEFAULT_IMAGES_PER_IDENTITY}). */
        public Builder optImagesPerIdentity(int imagesPerIdentity) {
            this.perIdentity = imagesPerIdentity;
            return this;
        }

        /**
         * The global number of the first identity (default 0): identities are
         * {@code first .. first + identities - 1}; give training and evaluation sets disjoint
         * ranges.
         */
        public Builder optFirstIdentity(int firstIdentity) {
            this.firstIdentity = firstIdentity;
            return this;
        }

        /** Height and width (default {@value #DEFAULT_SIZE} x {@value #DEFAULT_SIZE}). */
        public Builder optSize(int height, int width) {
            Pixels.checkSize(height, width);
            this.height = height;
            this.width = width;
            return this;
        }

        /** 3 for RGB, 1 for BT.601 luma (default {@value #DEFAULT_CHANNELS}). */
        public Builder optChannels(int channels) {
            this.channels = Pixels.checkChannels(channels);
            return this;
        }

        /** The seed of all identities and images (default {@value #DEFAULT_SEED}). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Strength of the per-image nuisance factors (default {@value #DEFAULT_VARIATION}; 0
         * renders every image of an identity alike, 2 doubles pose, lighting, blur and noise).
         */
        public Builder optVariation(double variation) {
            if (!(variation >= 0) || !Double.isFinite(variation)) {
                throw new IllegalArgumentException(
                        "variation must be finite and >= 0, got " + variation);
            }
            this.variation = variation;
            return this;
        }

        /** The pixel normalization (default InsightFace's \( (v - 127.5) / 127.5 \)). */
        public Builder optNormalization(Normalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /** LRU cache capacity in images (default {@value #DEFAULT_CACHE_SIZE}; 0: none). */
        public Builder optCacheSize(int cacheSize) {
            if (cacheSize < 0) {
                throw new IllegalArgumentException("cacheSize must be >= 0, got " + cacheSize);
            }
            this.cacheSize = cacheSize;
            return this;
        }

        /** The dataset (nothing is rendered yet). */
        public SyntheticFaces build() {
            Inputs.atLeast("identities", identities, 1);
            Inputs.atLeast("imagesPerIdentity", perIdentity, 1);
            if (firstIdentity < 0 || (long) firstIdentity + identities > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("firstIdentity must be >= 0 with firstIdentity"
                        + " + identities <= 2^31 - 1, got " + firstIdentity);
            }
            if ((long) identities * perIdentity > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("identities * imagesPerIdentity must fit an int,"
                        + " got " + identities + " * " + perIdentity);
            }
            return new SyntheticFaces(this);
        }
    }
}
