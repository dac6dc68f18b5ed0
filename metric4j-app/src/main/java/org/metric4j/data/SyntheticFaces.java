package org.metric4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.math.Seeds;

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
    private final int cacheSize;
    private final Map<Integer, int[]> cache;

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
        this.cacheSize = b.cacheSize;
        this.cache = cacheSize == 0 ? null : Collections.synchronizedMap(
                new LinkedHashMap<>(16, 0.75f, true) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Integer, int[]> eldest) {
                        return size() > cacheSize;
                    }
                });
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
        int[] packed = cache == null ? null : cache.get(index);
        if (packed == null) {
            packed = Pixels.packed(render(identity(index), sample(index)));
            if (cache != null) {
                cache.put(index, packed);
            }
        }
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
        Face face = new Face(new SplittableRandom(Seeds.mix(seed, identity, 0x1D)));
        Pose pose = new Pose(new SplittableRandom(Seeds.mix(seed, identity, sample, 0x5A)),
                variation, face);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            draw(g, face, pose);
        } finally {
            g.dispose();
        }
        postProcess(img, pose);
        return img;
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

    // ---------------------------------------------------------------- identity and image factors

    private static float uniform(SplittableRandom r, double lo, double hi) {
        return (float) (lo + (hi - lo) * r.nextDouble());
    }

    private static float gauss(SplittableRandom r, double sigma, double clip) {
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        double z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        return (float) Math.max(-clip, Math.min(clip, z * sigma));
    }

    private static int mixRgb(int a, int b, double t) {
        int r = (int) Math.round(((a >> 16) & 0xff) * (1 - t) + ((b >> 16) & 0xff) * t);
        int g = (int) Math.round(((a >> 8) & 0xff) * (1 - t) + ((b >> 8) & 0xff) * t);
        int bl = (int) Math.round((a & 0xff) * (1 - t) + (b & 0xff) * t);
        return (r << 16) | (g << 8) | bl;
    }

    private static Color color(int rgb) {
        return new Color(rgb);
    }

    private static Color shade(int rgb, double factor) {
        int r = (int) Math.min(255, Math.round(((rgb >> 16) & 0xff) * factor));
        int g = (int) Math.min(255, Math.round(((rgb >> 8) & 0xff) * factor));
        int b = (int) Math.min(255, Math.round((rgb & 0xff) * factor));
        return new Color(r, g, b);
    }

    /** 4096 standard normal quantiles, for fast pixel noise (12 random bits a draw). */
    private static final float[] GAUSS = new float[4096];

    static {
        for (int i = 0; i < GAUSS.length; i++) {
            GAUSS[i] = (float) inverseNormal((i + 0.5) / GAUSS.length);
        }
    }

    /** The standard normal quantile (Acklam's rational approximation, relative error 1e-9). */
    private static double inverseNormal(double p) {
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
            3.754408661907416e+00};
        if (p < 0.02425) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - 0.02425) {
            return -inverseNormal(1 - p);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }

    private static final int[] SKIN = {0xF6D7C3, 0xEAC09F, 0xD9A47E, 0xC18863, 0x9C6646, 0x6E452E};
    private static final int[] HAIR = {0x1C1410, 0x3B2618, 0x6A4426, 0xA8743E, 0xD8B878, 0x8C3A1E,
        0x9A9A96, 0xE3E0D8};
    private static final int[] IRIS = {0x3B2A1C, 0x5C3D22, 0x6E7F3A, 0x3E6E9A, 0x7A8A99, 0x2A2A2A};

    /** Identity geometry, in units of the image size, the head centred at the origin. */
    private static final class Face {
        final float a;
        final float b;
        final float temple;
        final float jaw;
        final float chin;
        final int skin;
        final int hair;
        final int hairStyle;
        final float hairline;
        final float hairPart;
        final float earSize;
        final float eyeY;
        final float eyeDist;
        final float eyeW;
        final float eyeH;
        final float eyeTilt;
        final int iris;
        final float browGap;
        final float browThick;
        final float browLen;
        final float browArch;
        final float browTilt;
        final float noseLen;
        final float noseW;
        final float mouthY;
        final float mouthW;
        final float lipThick;
        final int lip;
        final int beard;
        final float moleX;
        final float moleY;
        final boolean mole;
        final double glassesRate;

        Face(SplittableRandom r) {
            a = uniform(r, 0.28, 0.34);
            b = a * uniform(r, 1.18, 1.42);
            temple = uniform(r, 0.82, 0.95);
            jaw = uniform(r, 0.74, 0.94);
            chin = uniform(r, 0.28, 0.48);
            double tone = r.nextDouble() * (SKIN.length - 1);
            int t0 = (int) Math.floor(tone);
            int base = mixRgb(SKIN[t0], SKIN[Math.min(SKIN.length - 1, t0 + 1)], tone - t0);
            skin = mixRgb(base, r.nextBoolean() ? 0xE0A090 : 0xD8C080, r.nextDouble() * 0.25);
            int h = r.nextInt(HAIR.length);
            hair = mixRgb(HAIR[h], HAIR[r.nextInt(HAIR.length)], r.nextDouble() * 0.3);
            hairStyle = r.nextInt(5);
            hairline = uniform(r, 0.55, 0.8);
            hairPart = uniform(r, -0.5, 0.5);
            earSize = uniform(r, 0.055, 0.085);
            eyeY = uniform(r, -0.085, -0.035);
            eyeDist = uniform(r, 0.115, 0.155);
            eyeW = uniform(r, 0.042, 0.06);
            eyeH = eyeW * uniform(r, 0.38, 0.62);
            eyeTilt = uniform(r, -0.18, 0.18);
            iris = IRIS[r.nextInt(IRIS.length)];
            browGap = uniform(r, 0.035, 0.07);
            browThick = uniform(r, 0.008, 0.022);
            browLen = uniform(r, 1.0, 1.5);
            browArch = uniform(r, -0.01, 0.03);
            browTilt = uniform(r, -0.2, 0.2);
            noseLen = uniform(r, 0.11, 0.17);
            noseW = uniform(r, 0.028, 0.05);
            float mouthGap = uniform(r, 0.06, 0.1);
            mouthY = Math.min(eyeY + noseLen + mouthGap, b * 0.72f);
            mouthW = uniform(r, 0.065, 0.1);
            lipThick = uniform(r, 0.006, 0.018);
            lip = mixRgb(skin, r.nextBoolean() ? 0xB0404A : 0x9A5040, uniform(r, 0.3, 0.6));
            double beardRoll = r.nextDouble();
            beard = beardRoll < 0.65 ? 0 : beardRoll < 0.77 ? 1 : beardRoll < 0.9 ? 2 : 3;
            mole = r.nextDouble() < 0.35;
            moleX = uniform(r, -0.7, 0.7);
            moleY = uniform(r, -0.1, 0.6);
            glassesRate = r.nextDouble() < 0.25 ? 0.8 : 0.04;
        }
    }

    /** Per-image factors. */
    private static final class Pose {
        final float roll;
        final float tx;
        final float ty;
        final float scale;
        final float yaw;
        final float pitch;
        final float smile;
        final float mouthOpen;
        final float eyeOpen;
        final float browRaise;
        final boolean glasses;
        final boolean sunglasses;
        final int glassesColor;
        final int shirt;
        final int bg1;
        final int bg2;
        final float bgAngle;
        final float brightness;
        final float contrast;
        final float lightAngle;
        final float lightStrength;
        final float[] cast = new float[3];
        final float blur;
        final float noise;
        final long noiseSeed;
        final float hairJitter;

        Pose(SplittableRandom r, double v, Face face) {
            roll = gauss(r, 0.10 * v, 0.26 * v);
            tx = gauss(r, 0.03 * v, 0.07 * v);
            ty = gauss(r, 0.03 * v, 0.07 * v);
            scale = (float) Math.exp(gauss(r, 0.07 * v, 0.15 * v));
            yaw = gauss(r, 0.30 * v, 0.65 * v);
            pitch = gauss(r, 0.15 * v, 0.35 * v);
            smile = (float) Math.max(-0.5, Math.min(1.0, gauss(r, 0.45 * v, 1.0)));
            mouthOpen = r.nextDouble() < 0.3 * Math.min(1, v) ? uniform(r, 0.2, 1.0) : 0f;
            eyeOpen = r.nextDouble() < 0.1 * Math.min(1, v) ? uniform(r, 0.05, 0.35)
                    : (float) (1 - Math.min(0.6, Math.abs(gauss(r, 0.2 * v, 0.6))));
            browRaise = gauss(r, 0.01 * v, 0.025);
            glasses = r.nextDouble() < (v > 0 ? face.glassesRate : 0);
            sunglasses = glasses && r.nextDouble() < 0.25;
            glassesColor = r.nextBoolean() ? 0x202020 : mixRgb(0x303030, r.nextInt(0x1000000), 0.5);
            double clutter = 1 - Math.min(1, v);
            shirt = mixRgb(r.nextInt(0x1000000), 0x505A64, clutter);
            bg1 = mixRgb(r.nextInt(0x1000000), 0x808080, 0.45 + 0.55 * clutter);
            bg2 = mixRgb(r.nextInt(0x1000000), 0x808080, 0.45 + 0.55 * clutter);
            bgAngle = uniform(r, 0, 2 * Math.PI);
            brightness = (float) Math.exp(gauss(r, 0.2 * v, 0.5));
            contrast = (float) Math.exp(gauss(r, 0.15 * v, 0.4));
            lightAngle = uniform(r, 0, 2 * Math.PI);
            lightStrength = uniform(r, 0, 0.5 * v);
            for (int c = 0; c < 3; c++) {
                cast[c] = (float) Math.exp(gauss(r, 0.06 * v, 0.15));
            }
            blur = r.nextDouble() < 0.5 ? uniform(r, 0, 1.3 * v) : 0f;
            noise = uniform(r, 0, 7 * v);
            noiseSeed = r.nextLong();
            hairJitter = gauss(r, 0.02 * v, 0.05);
        }
    }

    // ------------------------------------------------------------------------------- drawing

    /** Horizontal position of a point x (at depth d in front of the head surface) after yaw. */
    private static float yawX(Face f, Pose p, float x, float depth) {
        double s = Math.max(-1, Math.min(1, x / f.a));
        return (float) (f.a * Math.sin(Math.asin(s) + p.yaw) + depth * Math.sin(p.yaw));
    }

    /** Foreshortening of a feature at x after yaw (cosine of its angle to the viewer). */
    private static float yawScale(Face f, Pose p, float x) {
        double s = Math.max(-1, Math.min(1, x / f.a));
        return (float) Math.max(0.15, Math.cos(Math.asin(s) + p.yaw));
    }

    private void draw(Graphics2D g, Face f, Pose p) {
        double size = Math.min(width, height);
        double bx = Math.cos(p.bgAngle) * width / 2;
        double by = Math.sin(p.bgAngle) * height / 2;
        g.setPaint(new GradientPaint((float) (width / 2.0 - bx), (float) (height / 2.0 - by),
                color(p.bg1), (float) (width / 2.0 + bx), (float) (height / 2.0 + by),
                color(p.bg2)));
        g.fillRect(0, 0, width, height);

        AffineTransform base = g.getTransform();
        g.translate(width / 2.0 + p.tx * size, height / 2.0 + p.ty * size);
        g.rotate(p.roll);
        g.scale(size * p.scale, size * p.scale);
        float pitchY = p.pitch * 0.04f;

        // shoulders and neck
        g.setColor(color(p.shirt));
        g.fill(new Ellipse2D.Float(-f.a * 2.1f, f.b * 1.05f, f.a * 4.2f, f.b * 1.4f));
        g.setColor(shade(f.skin, 0.82));
        g.fill(new Rectangle2D.Float(
                -f.a * 0.42f + p.yaw * 0.02f, f.b * 0.5f, f.a * 0.84f, f.b * 0.8f));

        Shape head = headShape(f);
        // long hair behind the head
        if (f.hairStyle == 1) {
            g.setColor(color(f.hair));
            g.fill(new RoundRectangle2D.Float(-f.a * 1.18f, -f.b * 1.08f, f.a * 2.36f, f.b * 1.95f,
                    f.a * 1.2f, f.a * 1.2f));
        }
        // ears
        for (int side = -1; side <= 1; side += 2) {
            double ang = side * 1.4 + p.yaw;
            if (Math.cos(ang) < -0.2) {
                continue;
            }
            float ex = (float) (f.a * Math.sin(ang));
            float ew = f.earSize * 0.7f * (float) Math.max(0.3, Math.abs(Math.sin(ang)));
            float ey = f.eyeY + pitchY + 0.01f;
            g.setColor(shade(f.skin, 0.9));
            g.fill(new Ellipse2D.Float(ex - ew / 2 + side * ew * 0.25f, ey - f.earSize * 0.4f, ew,
                    f.earSize * 1.5f));
        }
        // face
        g.setColor(color(f.skin));
        g.fill(head);
        // the side turning away gets darker
        float edge = p.yaw > 0 ? -f.a : f.a;
        float reach = f.a * Math.min(1.2f, 0.3f + Math.abs(p.yaw));
        int darkness = (int) Math.min(90, 20 + 90 * Math.abs(p.yaw));
        g.setPaint(new GradientPaint(edge, 0, new Color(0, 0, 0, darkness),
                edge - Math.signum(edge) * reach, 0, new Color(0, 0, 0, 0)));
        g.fill(head);
        // mole
        if (f.mole) {
            float mx = yawX(f, p, f.moleX * f.a, 0);
            g.setColor(shade(f.skin, 0.45));
            float ms = 0.012f;
            g.fill(new Ellipse2D.Float(mx - ms / 2, f.moleY * f.b + pitchY - ms / 2, ms, ms));
        }
        drawHair(g, f, p, head);
        drawBeard(g, f, p, head, pitchY);
        for (int side = -1; side <= 1; side += 2) {
            drawEye(g, f, p, side, pitchY);
        }
        drawNose(g, f, p, pitchY);
        drawMouth(g, f, p, pitchY);
        if (p.glasses) {
            drawGlasses(g, f, p, pitchY);
        }
        g.setTransform(base);
    }

    /** The head outline: a closed Catmull-Rom spline through temple, cheek, jaw and chin points. */
    private static Shape headShape(Face f) {
        float[][] pts = {
            {0, -f.b}, {f.a * f.temple, -f.b * 0.62f}, {f.a, -f.b * 0.05f},
            {f.a * f.jaw, f.b * 0.52f}, {f.a * f.chin, f.b * 0.9f}, {0, f.b},
            {-f.a * f.chin, f.b * 0.9f}, {-f.a * f.jaw, f.b * 0.52f}, {-f.a, -f.b * 0.05f},
            {-f.a * f.temple, -f.b * 0.62f}};
        Path2D.Float path = new Path2D.Float();
        int n = pts.length;
        path.moveTo(pts[0][0], pts[0][1]);
        for (int i = 0; i < n; i++) {
            float[] p0 = pts[(i - 1 + n) % n];
            float[] p1 = pts[i];
            float[] p2 = pts[(i + 1) % n];
            float[] p3 = pts[(i + 2) % n];
            path.curveTo(p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6,
                    p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6, p2[0], p2[1]);
        }
        path.closePath();
        return path;
    }

    private static void drawHair(Graphics2D g, Face f, Pose p, Shape head) {
        g.setColor(color(f.hair));
        float line = -f.b * (f.hairline + p.hairJitter);
        Area cap = new Area(
                new Ellipse2D.Float(-f.a * 1.07f, -f.b * 1.1f, f.a * 2.14f, f.b * 1.9f));
        Path2D.Float above = new Path2D.Float();
        float part = f.hairPart * f.a + p.yaw * f.a * 0.5f;
        above.moveTo(-f.a * 1.5f, -f.b * 1.5f);
        above.lineTo(f.a * 1.5f, -f.b * 1.5f);
        above.lineTo(f.a * 1.5f, line + f.b * 0.25f);
        above.quadTo(f.a * 0.9f, line + f.b * 0.02f, part, line - f.b * 0.04f);
        above.quadTo(-f.a * 0.9f, line + f.b * 0.02f, -f.a * 1.5f, line + f.b * 0.25f);
        above.closePath();
        switch (f.hairStyle) {
            case 2: { // receding: only the sides and the back
                Area sides = new Area(cap);
                sides.subtract(new Area(new Ellipse2D.Float(-f.a * 0.75f, -f.b * 1.3f, f.a * 1.5f,
                        f.b * 0.9f)));
                sides.intersect(new Area(new Rectangle2D.Float(-f.a * 1.5f, -f.b * 1.5f, f.a * 3f,
                        f.b * 1.2f)));
                Area face = new Area(head);
                face.intersect(new Area(new Rectangle2D.Float(-f.a * 0.92f, -f.b * 2f,
                        f.a * 1.84f, f.b * 4f)));
                sides.subtract(face);
                g.fill(sides);
                return;
            }
            case 3: { // curly volume: a crown of circles
                Area crown = new Area();
                for (int i = 0; i <= 8; i++) {
                    double t = Math.PI * (1.05 + 0.9 * i / 8.0);
                    float r = f.a * 0.32f;
                    float cx = (float) (Math.cos(t) * f.a * 0.95);
                    float cy = (float) (Math.sin(t) * f.b * 0.92) + f.b * 0.05f;
                    crown.add(new Area(new Ellipse2D.Float(cx - r, cy - r, 2 * r, 2 * r)));
                }
                crown.add(cap);
                crown.intersect(new Area(above));
                g.fill(crown);
                return;
            }
            case 4: { // crew cut: a thin translucent cap
                cap.intersect(new Area(above));
                Area headArea = new Area(head);
                cap.intersect(headArea);
                g.setColor(new Color(
                        (f.hair >> 16) & 0xff, (f.hair >> 8) & 0xff, f.hair & 0xff, 170));
                g.fill(cap);
                return;
            }
            default: { // short (0) or the top of long hair (1)
                cap.intersect(new Area(above));
                g.fill(cap);
            }
        }
    }

    private static void drawBeard(Graphics2D g, Face f, Pose p, Shape head, float pitchY) {
        if (f.beard == 0) {
            return;
        }
        g.setColor(new Color((f.hair >> 16) & 0xff, (f.hair >> 8) & 0xff, f.hair & 0xff, 215));
        float mx = yawX(f, p, 0, 0.02f);
        float my = f.mouthY + pitchY;
        if (f.beard == 1 || f.beard == 2) { // mustache
            g.setStroke(new BasicStroke(0.016f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D.Float m = new Path2D.Float();
            float w = f.mouthW * 0.62f;
            m.moveTo(mx - w, my - 0.008f);
            m.quadTo(mx, my - 0.035f, mx + w, my - 0.008f);
            g.draw(m);
        }
        if (f.beard == 2) { // full beard: the lower face below the mouth corners
            Path2D.Float below = new Path2D.Float();
            float cheek = f.eyeY + pitchY + f.noseLen * 0.75f;
            below.moveTo(-f.a * 2, cheek);
            below.quadTo(mx, my + 0.02f, f.a * 2, cheek);
            below.lineTo(f.a * 2, f.b * 2);
            below.lineTo(-f.a * 2, f.b * 2);
            below.closePath();
            Area beard = new Area(head);
            beard.intersect(new Area(below));
            beard.subtract(new Area(new Ellipse2D.Float(mx - f.mouthW * 0.7f, my - 0.025f,
                    f.mouthW * 1.4f, 0.05f)));
            g.fill(beard);
        }
        if (f.beard == 3) { // goatee
            g.fill(new Ellipse2D.Float(mx - f.mouthW * 0.45f, my + 0.018f, f.mouthW * 0.9f,
                    Math.max(0.03f, f.b - f.mouthY - 0.02f)));
        }
    }

    private static void drawEye(Graphics2D g, Face f, Pose p, int side, float pitchY) {
        float x0 = side * f.eyeDist;
        float cx = yawX(f, p, x0, 0);
        float fs = yawScale(f, p, x0);
        float w = f.eyeW * fs;
        float open = p.eyeOpen;
        float h = f.eyeH * open;
        float cy = f.eyeY + pitchY;
        AffineTransform saved = g.getTransform();
        g.translate(cx, cy);
        g.rotate(side * f.eyeTilt);
        Path2D.Float eye = new Path2D.Float();
        eye.moveTo(-w, 0);
        eye.quadTo(0, -h * 1.5f, w, 0);
        eye.quadTo(0, h * 1.1f, -w, 0);
        eye.closePath();
        g.setColor(new Color(0xF2EEE8));
        g.fill(eye);
        Shape clip = g.getClip();
        g.clip(eye);
        float ir = f.eyeH * 0.85f;
        float ix = p.yaw * w * 0.3f;
        g.setColor(color(f.iris));
        g.fill(new Ellipse2D.Float(ix - ir * fs, -ir, 2 * ir * fs, 2 * ir));
        g.setColor(new Color(0x101010));
        g.fill(new Ellipse2D.Float(ix - ir * 0.45f * fs, -ir * 0.45f, ir * 0.9f * fs, ir * 0.9f));
        g.setClip(clip);
        g.setColor(shade(f.skin, 0.35));
        g.setStroke(new BasicStroke(0.006f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        Path2D.Float lid = new Path2D.Float();
        lid.moveTo(-w * 1.05f, 0);
        lid.quadTo(0, -h * 1.5f, w * 1.05f, 0);
        g.draw(lid);
        // brow
        float by = -f.eyeH - f.browGap - p.browRaise;
        float bl = w * f.browLen;
        Path2D.Float brow = new Path2D.Float();
        brow.moveTo(-bl, by + side * f.browTilt * bl * 0.3f);
        brow.quadTo(0, by - f.browArch, bl, by - side * f.browTilt * bl * 0.3f);
        g.setColor(shade(f.hair, f.hair == 0 ? 1 : 0.85));
        g.setStroke(new BasicStroke(f.browThick, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(brow);
        g.setTransform(saved);
    }

    private static void drawNose(Graphics2D g, Face f, Pose p, float pitchY) {
        float top = f.eyeY + pitchY + 0.01f;
        float tip = f.eyeY + f.noseLen + pitchY * 1.3f;
        float bridge = yawX(f, p, 0, 0.01f);
        float tx = yawX(f, p, 0, 0.05f);
        g.setColor(shade(f.skin, 0.8));
        g.setStroke(new BasicStroke(0.007f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        Path2D.Float side = new Path2D.Float();
        float dir = p.yaw >= 0 ? -1 : 1;
        side.moveTo(bridge + dir * 0.012f, top);
        side.quadTo(tx + dir * 0.016f, (top + tip) / 2, tx + dir * f.noseW * 0.6f, tip);
        g.draw(side);
        Path2D.Float baseLine = new Path2D.Float();
        baseLine.moveTo(tx - f.noseW, tip - 0.006f);
        baseLine.quadTo(tx, tip + 0.022f, tx + f.noseW, tip - 0.006f);
        g.draw(baseLine);
        g.setColor(shade(f.skin, 0.45));
        float nr = f.noseW * 0.32f;
        for (int s = -1; s <= 1; s += 2) {
            g.fill(new Ellipse2D.Float(
                    tx + s * f.noseW * 0.5f - nr, tip - nr * 0.3f, 2 * nr, nr * 1.1f));
        }
    }

    private static void drawMouth(Graphics2D g, Face f, Pose p, float pitchY) {
        float cx = yawX(f, p, 0, 0.02f);
        float fs = yawScale(f, p, 0);
        float w = f.mouthW * (0.85f + 0.15f * fs) * (1 + 0.15f * Math.max(0, p.smile));
        float cy = f.mouthY + pitchY * 1.5f;
        float lift = p.smile * 0.022f;
        float open = p.mouthOpen * 0.03f;
        Path2D.Float lips = new Path2D.Float();
        lips.moveTo(cx - w, cy - lift);
        lips.quadTo(cx, cy - f.lipThick * 1.6f - open * 0.3f, cx + w, cy - lift);
        lips.quadTo(cx, cy + lift * 1.2f + f.lipThick * 2.2f + open, cx - w, cy - lift);
        lips.closePath();
        g.setColor(color(f.lip));
        g.fill(lips);
        Path2D.Float line = new Path2D.Float();
        line.moveTo(cx - w * 0.98f, cy - lift);
        line.quadTo(cx, cy + lift * 1.4f + open * 0.5f, cx + w * 0.98f, cy - lift);
        if (open > 0) {
            Path2D.Float inner = new Path2D.Float();
            inner.moveTo(cx - w * 0.85f, cy - lift * 0.8f);
            inner.quadTo(cx, cy - open * 0.2f, cx + w * 0.85f, cy - lift * 0.8f);
            inner.quadTo(cx, cy + lift + open * 1.3f, cx - w * 0.85f, cy - lift * 0.8f);
            inner.closePath();
            g.setColor(new Color(0x3A1414));
            g.fill(inner);
            if (p.smile > 0.3) {
                Shape clip = g.getClip();
                g.clip(inner);
                g.setColor(new Color(0xF4F0E6));
                g.fill(new Rectangle2D.Float(
                        cx - w, cy - lift - 0.02f, 2 * w, 0.02f + open * 0.4f));
                g.setClip(clip);
            }
        }
        g.setColor(shade(f.lip, 0.55));
        g.setStroke(new BasicStroke(0.005f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(line);
    }

    private static void drawGlasses(Graphics2D g, Face f, Pose p, float pitchY) {
        Color frame = color(p.glassesColor);
        float cy = f.eyeY + pitchY - f.eyeH * 0.2f;
        float r = f.eyeW * 1.45f;
        float[] xs = new float[2];
        for (int s = 0; s < 2; s++) {
            float x0 = (s == 0 ? -1 : 1) * f.eyeDist;
            xs[s] = yawX(f, p, x0, 0.015f);
            float fs = yawScale(f, p, x0);
            Shape lens = new RoundRectangle2D.Float(xs[s] - r * fs, cy - r * 0.75f, 2 * r * fs,
                    1.5f * r, r * 0.8f, r * 0.8f);
            if (p.sunglasses) {
                g.setColor(new Color(20, 20, 25, 215));
                g.fill(lens);
            } else {
                g.setColor(new Color(200, 220, 240, 40));
                g.fill(lens);
            }
            g.setColor(frame);
            g.setStroke(new BasicStroke(0.008f));
            g.draw(lens);
        }
        Path2D.Float bridge = new Path2D.Float();
        bridge.moveTo(xs[0] + r * 0.7f, cy - r * 0.2f);
        bridge.quadTo((xs[0] + xs[1]) / 2, cy - r * 0.55f, xs[1] - r * 0.7f, cy - r * 0.2f);
        g.draw(bridge);
    }

    // ---------------------------------------------------------------------------- post-processing

    /** Lighting (brightness, contrast, shading gradient, color cast), blur, noise; 8-bit result. */
    private void postProcess(BufferedImage img, Pose p) {
        int n = width * height;
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        float[][] planes = new float[3][n];
        for (int i = 0; i < n; i++) {
            planes[0][i] = (px[i] >>> 16) & 0xff;
            planes[1][i] = (px[i] >>> 8) & 0xff;
            planes[2][i] = px[i] & 0xff;
        }
        double size = Math.min(width, height);
        if (p.blur > 0) {
            for (float[] plane : planes) {
                blur(plane, width, height, p.blur * size / DEFAULT_SIZE);
            }
        }
        float lx = (float) Math.cos(p.lightAngle);
        float ly = (float) Math.sin(p.lightAngle);
        SplittableRandom noise = new SplittableRandom(p.noiseSeed);
        long bits = 0;
        int left = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                float d = (float) (((x - width / 2.0) * lx + (y - height / 2.0) * ly) / size);
                float light = p.brightness * (1 + p.lightStrength * 2 * d);
                int out = 0;
                for (int c = 0; c < 3; c++) {
                    float v = planes[c][i] / 255f * light * p.cast[c];
                    v = (v - 0.5f) * p.contrast + 0.5f;
                    v *= 255f;
                    if (p.noise > 0) {
                        if (left == 0) {
                            bits = noise.nextLong();
                            left = 5;
                        }
                        v += GAUSS[(int) (bits & (GAUSS.length - 1))] * p.noise;
                        bits >>>= 12;
                        left--;
                    }
                    int q = Math.max(0, Math.min(255, Math.round(v)));
                    out = (out << 8) | q;
                }
                px[i] = out;
            }
        }
    }

    /** Separable Gaussian blur in place, edges clamped. */
    private static void blur(float[] plane, int w, int h, double sigma) {
        if (sigma < 0.2) {
            return;
        }
        int radius = (int) Math.ceil(2.5 * sigma);
        float[] k = new float[2 * radius + 1];
        float sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = (float) Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        int pad = radius;
        float[] line = new float[Math.max(w, h) + 2 * pad];
        for (int y = 0; y < h; y++) {
            convolve(plane, y * w, 1, w, k, line);
        }
        for (int x = 0; x < w; x++) {
            convolve(plane, x, w, h, k, line);
        }
    }

    /** Convolves n values a[start + i * stride] with kernel k in place, edges clamped. */
    private static void convolve(float[] a, int start, int stride, int n, float[] k, float[] line) {
        int radius = k.length / 2;
        for (int i = -radius; i < n + radius; i++) {
            line[i + radius] = a[start + Math.max(0, Math.min(n - 1, i)) * stride];
        }
        for (int i = 0; i < n; i++) {
            float acc = 0;
            for (int j = 0; j < k.length; j++) {
                acc += k[j] * line[i + j];
            }
            a[start + i * stride] = acc;
        }
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
            if (identities < 1) {
                throw new IllegalArgumentException("identities must be >= 1, got " + identities);
            }
            if (perIdentity < 1) {
                throw new IllegalArgumentException(
                        "imagesPerIdentity must be >= 1, got " + perIdentity);
            }
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
