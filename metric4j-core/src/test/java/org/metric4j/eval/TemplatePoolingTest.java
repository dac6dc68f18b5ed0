package org.metric4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link TemplatePooling} and {@link IjbVerification#scores} by hand: template 5 has a video
 * (media 1, two frames) and a still (media 2); template 3 one still. Rows are {@code [f(x) | f(flip
 * x)]} with D = 2.
 */
class TemplatePoolingTest {

    private static final float[] FEATS = {
        1, 0, 1, 0, // t5 m1, faceness 0.5
        3, 0, 1, 2, // t5 m1, faceness 1
        0, 2, 0, 2, // t3 m7, faceness 0.25
        0, 0, 4, 0, // t5 m2, faceness 1
    };
    private static final float[] FACENESS = {0.5f, 1f, 0.25f, 1f};
    private static final long[] TEMPLATES = {5, 5, 3, 5};
    private static final long[] MEDIAS = {1, 1, 7, 2};

    @Test
    void theScriptsDefaultsSumFlipsWeightByFacenessAverageMediaAndSumTemplates() {
        TemplatePooling p = TemplatePooling.builder().build();
        assertEquals("F2_N1_D1", p.key());
        TemplatePooling.Templates t = p.apply(FEATS, 4, FACENESS, TEMPLATES, MEDIAS);
        assertArrayEquals(new long[] {3, 5}, t.ids());
        assertEquals(2, t.dim());
        // images: [1, 0], [4, 2], [0, 1], [4, 0]; t5 = mean([1, 0], [4, 2]) + [4, 0] = [6.5, 1]
        double n = Math.sqrt(6.5 * 6.5 + 1);
        assertArrayEquals(new double[] {0, 1, 6.5 / n, 1 / n}, t.features(), 1e-15);
        double[] s = IjbVerification.scores(t, new long[] {3, 5}, new long[] {5, 5});
        assertArrayEquals(new double[] {1 / n, 1}, s, 1e-15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IjbVerification.scores(t, new long[] {3}, new long[] {4}));
        assertTrue(e.getMessage().contains("pair 1 names template 4, which has no images"), e.getMessage());
    }

    @Test
    void noFlipNoNormScoreNoDetectorScore() {
        TemplatePooling p = TemplatePooling.builder().optFlip(TemplatePooling.Flip.NONE).optWithoutNormScore()
                .optWithoutDetectorScore().build();
        assertEquals("F0_N0_D0", p.key());
        // first halves [1, 0], [3, 0], [0, 2], [0, 0] divided by their norms: [1, 0], [1, 0], [0, 1], NaN
        // (numpy divides 0 by 0 too; the script has no guard)
        float[] x = p.imageFeatures(FEATS, 4, FACENESS);
        assertArrayEquals(new float[] {1, 0, 1, 0, 0, 1}, java.util.Arrays.copyOf(x, 6), 0f);
        assertTrue(Float.isNaN(x[6]), "0 / 0");
        TemplatePooling concat = TemplatePooling.builder().optFlip(TemplatePooling.Flip.CONCAT).build();
        assertEquals("F1_N1_D1", concat.key());
        assertEquals(4, concat.apply(FEATS, 4, FACENESS, TEMPLATES, MEDIAS).dim());
    }

    @Test
    void badShapesAreNamed() {
        TemplatePooling p = TemplatePooling.builder().build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.apply(new float[12], 3, FACENESS, TEMPLATES, MEDIAS));
        assertTrue(e.getMessage().contains("even width, got 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> p.apply(new float[12], 4, FACENESS, TEMPLATES, MEDIAS));
        assertTrue(e.getMessage().contains("feats must be 4 x 4"), e.getMessage());
    }
}
