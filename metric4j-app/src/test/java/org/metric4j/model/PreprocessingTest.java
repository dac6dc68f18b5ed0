package org.metric4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** Preprocessing: the tensor it makes (layout, channel order, normalization, mirror, crop) and its JSON form. */
class PreprocessingTest {

    /** A 3 x 2 image whose pixel (x, y) is r = 10x + y, g = 100 + r, b = 200 + r. */
    private static BufferedImage ramp() {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                int r = 10 * x + y;
                img.setRGB(x, y, r << 16 | (100 + r) << 8 | (200 + r));
            }
        }
        return img;
    }

    @Test
    void layoutsChannelOrderAndNormalizationPlaceEachValue() {
        Preprocessing p = new Preprocessing(3, 2, Preprocessing.Fit.RESIZE, Preprocessing.ChannelOrder.RGB,
                Preprocessing.Layout.NCHW, new float[] {1, 2, 3}, new float[] {2, 4, 8}, false);
        float[] nchw = p.pixels(new BufferedImage[] {ramp()}, false);
        // channel g (1), y = 1, x = 2: v = 100 + 21
        assertEquals((121 - 2) / 4f, nchw[1 * 6 + 1 * 3 + 2], 0f);
        assertEquals((0 - 1) / 2f, nchw[0], 0f);
        Preprocessing bgrNhwc = p.with(p.fit(), Preprocessing.ChannelOrder.BGR, Preprocessing.Layout.NHWC, false);
        float[] nhwc = bgrNhwc.pixels(new BufferedImage[] {ramp()}, false);
        // y = 1, x = 2, channel 0 is blue: v = 200 + 21, with the first mean and std
        assertEquals((221 - 1) / 2f, nhwc[(1 * 3 + 2) * 3], 0f);
        assertEquals(new Shape(5, 2, 3, 3), bgrNhwc.shape(5));
        // mirrored images equal the mirrored tensor
        for (Preprocessing q : new Preprocessing[] {p, bgrNhwc}) {
            float[] plain = q.pixels(new BufferedImage[] {ramp(), ramp()}, false);
            assertArrayEquals(q.pixels(new BufferedImage[] {ramp(), ramp()}, true), q.mirror(plain, q.shape(2)),
                    q.toString());
        }
    }

    @Test
    void centerCropKeepsTheMiddleOfAWideImage() {
        BufferedImage wide = new BufferedImage(30, 10, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 30; x++) {
                wide.setRGB(x, y, x >= 10 && x < 20 ? 0xffffff : 0);
            }
        }
        Preprocessing crop = Preprocessing.NORMALIZED_INSIDE.withSize(10, 10)
                .with(Preprocessing.Fit.CENTER_CROP, Preprocessing.ChannelOrder.RGB, Preprocessing.Layout.NCHW, false);
        float[] v = crop.pixels(new BufferedImage[] {wide}, false);
        for (float f : v) {
            assertEquals(255f, f, 0f, "the crop is the white middle");
        }
        Preprocessing resize = crop.with(Preprocessing.Fit.RESIZE, Preprocessing.ChannelOrder.RGB,
                Preprocessing.Layout.NCHW, false);
        assertEquals(0f, resize.pixels(new BufferedImage[] {wide}, false)[0], 0f, "resize keeps the black left edge");
    }

    @Test
    void jsonRoundTripsAndAPartialFileKeepsTheOtherFields() {
        Preprocessing p = Preprocessing.INSIGHTFACE.withSize(96, 128).with(Preprocessing.Fit.CENTER_CROP,
                Preprocessing.ChannelOrder.BGR, Preprocessing.Layout.NHWC, true);
        assertEquals(p, Preprocessing.NORMALIZED_INSIDE.overlay(p.toJson(), "p.json"));
        Preprocessing partial = Preprocessing.INSIGHTFACE.overlay("{\"mean\": [1, 2, 3], \"flipSum\": true}", "f.json");
        assertArrayEquals(new float[] {1, 2, 3}, partial.mean());
        assertArrayEquals(Preprocessing.INSIGHTFACE.std(), partial.std());
        assertEquals(112, partial.width());
        assertTrue(partial.flipSum());
        for (String[] bad : new String[][] {
                {"{\"size\": 3}", "f.json: unknown key 'size'"},
                {"{\"width\": 0}", "f.json: width must be an integer >= 1, got 0"},
                {"{\"mean\": [1, 2]}", "f.json: mean must have 1 or 3 values, got [1.0, 2.0]"},
                {"{\"layout\": \"CHW\"}", "f.json: layout must be one of [NCHW, NHWC], got \"CHW\""},
                {"[1]", "f.json: expected a JSON object"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Preprocessing.INSIGHTFACE.overlay(bad[0], "f.json"), bad[0]);
            assertTrue(e.getMessage().startsWith(bad[1]), e.getMessage());
        }
    }
}
