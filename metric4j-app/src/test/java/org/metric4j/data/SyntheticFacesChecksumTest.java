package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the exact output of {@link SyntheticFaces}: SHA-256 (first 16 hex digits) of the pixels,
 * labels and names of small sets at fixed seeds and sizes, through every path that produces
 * pixels (first render, the LRU cache hit, cache eviction, no cache, {@code batch}, {@code render},
 * {@code writeSampleGrid}). The values were computed from the code before it was split into the
 * dataset, the renderer and the cache; a refactoring must leave them unchanged.
 *
 * <p>Java2D rasterization may differ in the last bits between JDK versions (see the class
 * Javadoc), so the pins are asserted on the JDK feature release they were computed on
 * ({@value #PINNED_ON_JDK}) and the test is skipped on others.
 */
class SyntheticFacesChecksumTest {

    /** The JDK feature release the checksums were computed on. */
    static final int PINNED_ON_JDK = 17;

    @BeforeEach
    void sameJdk() {
        assumeTrue(Runtime.version().feature() == PINNED_ON_JDK,
                "checksums pinned on JDK " + PINNED_ON_JDK + ", running " + Runtime.version());
    }

    /** 3 identities x 4 images, 32 x 32 RGB, seed 5, default cache. */
    private static SyntheticFaces rgb() {
        return SyntheticFaces.builder().optIdentities(3).optImagesPerIdentity(4).optSize(32, 32).optSeed(5).build();
    }

    /** Identities 10-11 x 3 images, 16 x 24 luma, seed 7, variation 2, UNIT normalization, no cache. */
    private static SyntheticFaces gray() {
        return SyntheticFaces.builder().optFirstIdentity(10).optIdentities(2).optImagesPerIdentity(3)
                .optSize(16, 24).optChannels(1).optSeed(7).optVariation(2).optNormalization(Normalization.UNIT)
                .optCacheSize(0).build();
    }

    private static final class Digest {
        private final MessageDigest md;

        Digest() {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }

        Digest floats(float[] v) {
            ByteBuffer b = ByteBuffer.allocate(4 * v.length);
            for (float x : v) {
                b.putInt(Float.floatToRawIntBits(x));
            }
            md.update(b.array());
            return this;
        }

        Digest ints(int[] v) {
            ByteBuffer b = ByteBuffer.allocate(4 * v.length);
            for (int x : v) {
                b.putInt(x);
            }
            md.update(b.array());
            return this;
        }

        Digest item(SyntheticFaces set, int i) {
            float[] img = new float[set.imageSize()];
            set.image(i, img, 0);
            floats(img);
            md.update(ByteBuffer.allocate(8).putLong(set.label(i)).array());
            md.update(set.name(i).getBytes(StandardCharsets.UTF_8));
            return this;
        }

        String hex() {
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        }
    }

    private static String items(SyntheticFaces set, int... order) {
        Digest d = new Digest();
        for (int i : order) {
            d.item(set, i);
        }
        return d.hex();
    }

    private static int[] all(SyntheticFaces set) {
        return java.util.stream.IntStream.range(0, set.size()).toArray();
    }

    @Test
    void rgbSetFirstRenderAndFromTheCache() {
        SyntheticFaces set = rgb();
        assertEquals("4e89b9a73d86b998", items(set, all(set)), "first render");
        assertEquals("4e89b9a73d86b998", items(set, all(set)), "from the cache");
    }

    @Test
    void graySetWithoutCache() {
        SyntheticFaces set = gray();
        assertEquals("54827113c93476fe", items(set, all(set)));
    }

    @Test
    void defaultSizeWithoutVariationThroughAOneImageCache() {
        SyntheticFaces set = SyntheticFaces.builder().optIdentities(2).optImagesPerIdentity(2).optVariation(0)
                .optCacheSize(1).build();
        assertEquals("696bde7165b2f55c", items(set, 0, 1, 0, 3, 2, 0, 0));
    }

    @Test
    void batch() {
        SyntheticFaces set = rgb();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray b = set.batch(manager, new int[] {11, 0, 5, 0});
            assertEquals("c1451d23651673d2 (4, 3, 32, 32)", new Digest().floats(b.toFloatArray()).hex() + " " + b.getShape());
        }
    }

    @Test
    void renderOutsideTheSetsRange() {
        BufferedImage img = rgb().render(123, 9);
        int[] px = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        assertEquals("30509246108c3d98", new Digest().ints(px).hex());
    }

    @Test
    void sampleGridOfTheGraySet(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("grid.png");
        gray().writeSampleGrid(png, 2, 3);
        BufferedImage img = ImageIO.read(png.toFile());
        int[] px = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        assertEquals("962ee9f0266608dd 80x38", new Digest().ints(px).hex() + " " + img.getWidth() + "x" + img.getHeight());
    }
}
