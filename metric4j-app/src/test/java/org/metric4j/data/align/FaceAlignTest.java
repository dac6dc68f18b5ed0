package org.metric4j.data.align;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.metric4j.data.ImageDecoder;

/**
 * The alignment's parts on their own: the similarity fit recovers a known similarity exactly, the
 * templates scale as {@code estimate_norm} scales them, the landmarks file reports bad lines by
 * file and line, and the fixture's checks can fail (the float warp and a half-pixel shift are told
 * apart from cv2's pixels). The fixture itself is checked by InsightFaceFixtureTest.
 */
class FaceAlignTest {

    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void theFitRecoversAKnownSimilarityIncludingAHalfTurn(long seed) {
        Random r = new Random(seed);
        double angle = (r.nextDouble() * 2 - 1) * Math.PI;
        double scale = 0.2 + r.nextDouble() * 3;
        double a = scale * Math.cos(angle);
        double b = scale * Math.sin(angle);
        double tx = r.nextDouble() * 200 - 100;
        double ty = r.nextDouble() * 200 - 100;
        double[] src = new double[10];
        double[] dst = new double[10];
        for (int i = 0; i < 5; i++) {
            src[2 * i] = r.nextDouble() * 300;
            src[2 * i + 1] = r.nextDouble() * 300;
            dst[2 * i] = a * src[2 * i] - b * src[2 * i + 1] + tx;
            dst[2 * i + 1] = b * src[2 * i] + a * src[2 * i + 1] + ty;
        }
        AffineMatrix m = SimilarityTransform.estimate(src, dst);
        AffineMatrix want = new AffineMatrix(a, -b, tx, b, a, ty);
        assertTrue(m.linearDistance(want) < 1e-12 && m.translationDistance(want) < 1e-9,
                "seed " + seed + ": " + m + " vs " + want);
        AffineMatrix id = compose(m, m.inverse());
        assertTrue(id.linearDistance(new AffineMatrix(1, 0, 0, 0, 1, 0)) < 1e-12
                && id.translationDistance(new AffineMatrix(1, 0, 0, 0, 1, 0)) < 1e-9, "seed " + seed + ": " + id);
    }

    @Test
    void coincidingOrTooFewPointsAreRefused() {
        float[] same = new float[10];
        var e = assertThrows(IllegalArgumentException.class, () -> FaceAligner.arcface(112).estimate(same));
        assertTrue(e.getMessage().contains("not all equal"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FaceAligner.arcface(112).estimate(new float[8]));
        assertEquals("landmarks must be 5 x, y pairs (10 values), got 8 values", e.getMessage());
    }

    @Test
    void templatesScaleAsEstimateNormScalesThem() {
        float[] t = FaceTemplate.ARCFACE.points(112);
        float[] t224 = FaceTemplate.ARCFACE.points(224);
        float[] t128 = FaceTemplate.ARCFACE.points(128);
        float[] t256 = FaceTemplate.ARCFACE.points(256);
        for (int i = 0; i < 10; i++) {
            assertEquals(t[i] * 2f, t224[i], 0f, "224: " + i);
            assertEquals(i % 2 == 0 ? t[i] + 8f : t[i], t128[i], 0f, "128: " + i);
            assertEquals(i % 2 == 0 ? t[i] * 2f + 16f : t[i] * 2f, t256[i], 0f, "256: " + i);
        }
        float[] ijbc = FaceTemplate.EVAL_IJBC.points(112);
        assertEquals(70.72990417480469, ijbc[8], 0, "eval_ijbc point 4 x");
        assertEquals(Math.ulp(t[8]), ijbc[8] - t[8], 0f, "one float32 ulp above arcface_dst");
        for (int i = 0; i < 10; i++) {
            assertEquals(i == 8, t[i] != ijbc[i], "only point 4 x differs: " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> FaceTemplate.ARCFACE.points(100));
        var e = assertThrows(IllegalArgumentException.class, () -> FaceAligner.builder().optSize(224)
                .optTemplate(FaceTemplate.EVAL_IJBC).build());
        assertEquals("image size of the EVAL_IJBC template must be 112, got 224", e.getMessage());
    }

    @Test
    void landmarksFileReadsBothFormatsAndNamesTheBadLine() throws IOException {
        Path f = tmp.resolve("lmk.txt");
        Files.writeString(f, "a/1.jpg 1 2 3 4 5 6 7 8 9 10\n\n2.jpg 38.2946 51.6963 3 4 5 6 7 8 9 10 0.75\n");
        List<FaceLandmarks> faces = LandmarksFile.read(f);
        assertEquals(2, faces.size());
        assertEquals("a/1.jpg", faces.get(0).path());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, faces.get(0).landmarks());
        assertTrue(Float.isNaN(faces.get(0).score()));
        assertEquals(3, faces.get(1).line());
        assertEquals((float) 38.2946, faces.get(1).landmarks()[0]);
        assertEquals(0.75f, faces.get(1).score());
        Files.writeString(f, "1.jpg 1 2 3 4 5 6 7 8 9 10\n2.jpg 1 2 3\n");
        var e = assertThrows(IOException.class, () -> LandmarksFile.read(f));
        assertEquals(f + ":2: expected a path and 10 numbers (x1 y1 ... x5 y5), optionally a score, got 3 values"
                + " after the path", e.getMessage());
        Files.writeString(f, "1.jpg 1 2 3 4 5 NaN 7 8 9 10\n");
        e = assertThrows(IOException.class, () -> LandmarksFile.read(f));
        assertEquals(f + ":1: field 7 'NaN' is not a finite number", e.getMessage());
    }

    @Test
    void theFixtureTellsCv2sPixelsFromTheFloatWarpAndFromHalfPixelCentres() throws Exception {
        FaceAlignConformance fixture = FaceAlignConformance.bundled();
        JsonObject img = fixture.images().get(0);
        BufferedImage src = ImageDecoder.read(fixture.dir().resolve("src_0.png"));
        String want = img.getAsJsonObject("norm_crop").get("rgb_sha256").getAsString();
        FaceAligner cv = FaceAligner.arcface(112);
        AffineMatrix m = cv.estimate(FaceAlignConformance.landmarks(img));
        BufferedImage flt = FaceAligner.builder().optWarp(WarpAffine.FLOAT).build().warp(src, m);
        assertNotEquals(want, FaceAlignConformance.rgbSha256(flt), "the float warp is not bit-exact");
        // half-pixel centres: sample at Minv (x + 0.5, y + 0.5) - 0.5
        AffineMatrix half = new AffineMatrix(m.m00(), m.m01(), m.m02() + 0.5 * (m.m00() + m.m01()) - 0.5,
                m.m10(), m.m11(), m.m12() + 0.5 * (m.m10() + m.m11()) - 0.5);
        var d = FaceAlignConformance.Diff.of(cv.warp(src, half),
                ImageDecoder.read(fixture.dir().resolve("aligned_0.png")));
        assertTrue(d.meanAbs() > 0.5, "half-pixel centres must break the float limits: " + d);
    }

    private static AffineMatrix compose(AffineMatrix p, AffineMatrix q) {
        return new AffineMatrix(p.m00() * q.m00() + p.m01() * q.m10(), p.m00() * q.m01() + p.m01() * q.m11(),
                p.m00() * q.m02() + p.m01() * q.m12() + p.m02(), p.m10() * q.m00() + p.m11() * q.m10(),
                p.m10() * q.m01() + p.m11() * q.m11(), p.m10() * q.m02() + p.m11() * q.m12() + p.m12());
    }
}
