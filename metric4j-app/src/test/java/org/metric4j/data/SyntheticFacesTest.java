package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;
import org.metric4j.dataset.LabeledImages;

/** Determinism, open-set identity ranges, a raw-pixel baseline that is neither chance nor perfect. */
class SyntheticFacesTest {

    private static SyntheticFaces.Builder small() {
        return SyntheticFaces.builder().optIdentities(20).optImagesPerIdentity(10).optSize(32, 32);
    }

    private static float[] pixels(LabeledImages set, int index) {
        float[] img = new float[set.imageSize()];
        set.image(index, img, 0);
        return img;
    }

    @Test
    void sameSeedGivesIdenticalPixelsWithOrWithoutCache() {
        SyntheticFaces a = small().optSeed(5).build();
        SyntheticFaces b = small().optSeed(5).optCacheSize(0).build();
        for (int i : new int[] {0, 7, 133, 199}) {
            float[] first = pixels(a, i);
            assertArrayEquals(first, pixels(b, i), 0f, "item " + i);
            assertArrayEquals(first, pixels(a, i), 0f, "item " + i + " from the cache");
        }
        // the same (identity, sample) in a set with another size of identity range
        SyntheticFaces shifted = small().optSeed(5).optFirstIdentity(3).optIdentities(2).build();
        assertArrayEquals(pixels(a, 3 * 10 + 4), pixels(shifted, 4), 0f);
        assertFalse(Arrays.equals(pixels(a, 0), pixels(small().optSeed(6).build(), 0)),
                "another seed draws other faces");
    }

    @Test
    void imagesDifferBetweenIdentitiesAndBetweenSamples() {
        SyntheticFaces set = small().build();
        float[] id0 = pixels(set, 0);
        assertFalse(Arrays.equals(id0, pixels(set, 10)), "identity 1, sample 0");
        assertFalse(Arrays.equals(id0, pixels(set, 1)), "identity 0, sample 1");
        SyntheticFaces still = small().optVariation(0).build();
        double within = distance(pixels(still, 0), pixels(still, 1));
        double between = distance(pixels(still, 0), pixels(still, 10));
        assertTrue(within < 1e-6 * between + 1e-9, "variation 0: samples alike, " + within + " vs "
                + between);
    }

    private static double distance(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return d;
    }

    @Test
    void labelsNamesAndDisjointIdentityRanges() {
        SyntheticFaces train = small().build();
        SyntheticFaces eval = small().optFirstIdentity(20).optIdentities(15).optImagesPerIdentity(4)
                .build();
        assertEquals(200, train.size());
        assertEquals(20, train.numClasses());
        assertEquals(15, eval.numClasses());
        assertEquals(3, train.label(34));
        assertEquals("id0003/id0003_0004", train.name(34));
        assertEquals("id0021/id0021_0002", eval.name(6));
        assertEquals(1, eval.label(6), "labels are dense within a set");
        assertEquals(21, eval.identity(6));
        Set<String> trainIds = new HashSet<>();
        for (int i = 0; i < train.size(); i++) {
            trainIds.add(train.name(i).substring(0, 6));
        }
        for (int i = 0; i < eval.size(); i++) {
            assertFalse(trainIds.contains(eval.name(i).substring(0, 6)), eval.name(i));
        }
        assertEquals("id12345/id12345_0000", SyntheticFaces.builder().optFirstIdentity(12345)
                .optIdentities(1).optImagesPerIdentity(1).build().name(0));
    }

    /** Nearest class mean on raw pixels: means of samples 0-4, test on samples 5-9. */
    private static double nearestClassMeanAccuracy(SyntheticFaces set) {
        int n = set.imageSize();
        int k = set.imagesPerIdentity();
        int classes = set.numClasses();
        double[][] mean = new double[classes][n];
        float[][] x = new float[set.size()][];
        for (int i = 0; i < set.size(); i++) {
            x[i] = pixels(set, i);
            if (set.sample(i) < k / 2) {
                for (int j = 0; j < n; j++) {
                    mean[(int) set.label(i)][j] += x[i][j] / (k / 2);
                }
            }
        }
        int correct = 0;
        int total = 0;
        for (int i = 0; i < set.size(); i++) {
            if (set.sample(i) < k / 2) {
                continue;
            }
            int best = -1;
            double bestDistance = Double.MAX_VALUE;
            for (int c = 0; c < classes; c++) {
                double d = 0;
                for (int j = 0; j < n; j++) {
                    d += (x[i][j] - mean[c][j]) * (x[i][j] - mean[c][j]);
                }
                if (d < bestDistance) {
                    bestDistance = d;
                    best = c;
                }
            }
            correct += best == set.label(i) ? 1 : 0;
            total++;
        }
        return correct / (double) total;
    }

    @Test
    void rawPixelBaselineIsWellAboveChanceButFarFromPerfect() {
        double chance = 1.0 / 20;
        double sum = 0;
        for (long seed = 0; seed < 2; seed++) {
            double acc = nearestClassMeanAccuracy(small().optSeed(seed).build());
            assertTrue(acc > 2 * chance, "seed " + seed + ": accuracy " + acc);
            assertTrue(acc < 0.6, "seed " + seed + ": accuracy " + acc);
            sum += acc;
        }
        double mean = sum / 2;
        assertTrue(mean > 3 * chance && mean < 0.5, "mean accuracy " + mean);
        // without the nuisance factors the identities are separable: the task is learnable
        double still = nearestClassMeanAccuracy(small().optVariation(0).build());
        assertTrue(still > 0.95, "variation 0: accuracy " + still);
        System.out.printf("SyntheticFaces 20 x 10 at 32x32: nearest class mean %.2f (chance %.2f),"
                + " %.2f without nuisance%n", mean, chance, still);
    }

    @Test
    void batchMatchesImageAndOneChannelWorks() {
        SyntheticFaces rgb = small().optIdentities(3).build();
        SyntheticFaces gray = small().optIdentities(3).optChannels(1).optSize(16, 24).build();
        assertEquals(3 * 32 * 32, rgb.imageSize());
        assertEquals(16 * 24, gray.imageSize());
        try (NDManager manager = TestDevice.manager()) {
            int[] idx = {29, 0, 13};
            NDArray batch = rgb.batch(manager, idx);
            assertEquals(new Shape(3, 3, 32, 32), batch.getShape());
            float[] values = batch.toFloatArray();
            for (int i = 0; i < idx.length; i++) {
                assertArrayEquals(pixels(rgb, idx[i]), Arrays.copyOfRange(values, i * 3072,
                        (i + 1) * 3072), 0f, "item " + idx[i]);
            }
            assertArrayEquals(new long[] {2, 0, 1}, rgb.labels(manager, idx).toLongArray());
            assertEquals(new Shape(3, 1, 16, 24), gray.batch(manager, idx).getShape());
        }
        float[] g = pixels(gray, 5);
        for (float v : g) {
            assertTrue(v >= -1f && v <= 1f, "normalized to [-1, 1]: " + v);
        }
    }

    @Test
    void writesASampleGrid(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("grid.png");
        small().build().writeSampleGrid(png, 4, 3);
        BufferedImage grid = ImageIO.read(png.toFile());
        assertEquals(3 * (32 + 2) + 2, grid.getWidth());
        assertEquals(4 * (32 + 2) + 2, grid.getHeight());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> small().build().writeSampleGrid(png, 21, 3));
        assertTrue(e.getMessage().contains("rows must be in [1, 20], got 21"), e.getMessage());
    }

    @Test
    void builderRejectsBadValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticFaces.builder().optIdentities(0).build());
        assertTrue(e.getMessage().contains("identities must be >= 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticFaces.builder().optVariation(-1));
        assertTrue(e.getMessage().contains("variation must be finite and >= 0, got -1.0"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> small().build().image(200, new float[3072], 0));
        assertTrue(e.getMessage().contains("index must be in [0, 200), got 200"), e.getMessage());
    }
}
