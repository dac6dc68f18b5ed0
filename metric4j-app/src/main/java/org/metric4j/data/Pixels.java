package org.metric4j.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/** Conversions between 8-bit images and normalized C x H x W floats. */
final class Pixels {

    private Pixels() {}

    /**
     * {@code src} as an {@code TYPE_INT_RGB} image of {@code width} x {@code height}, resized
     * bilinearly when its size differs. Gray images are expanded from their raster values (not
     * through Java2D's linear-gray color conversion, which would brighten them); alpha is dropped.
     */
    static BufferedImage toRgb(BufferedImage src, int height, int width) {
        BufferedImage rgb = src;
        if (src.getType() != BufferedImage.TYPE_INT_RGB) {
            rgb = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
            Raster r = src.getRaster();
            int bands = r.getNumBands();
            int w = src.getWidth();
            int h = src.getHeight();
            boolean gray = src.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                    && !(src.getColorModel() instanceof IndexColorModel);
            if (gray && bands <= 2 && r.getSampleModel().getSampleSize(0) <= 16) {
                int bits = r.getSampleModel().getSampleSize(0);
                int[] row = new int[w];
                int[] out = new int[w];
                for (int y = 0; y < h; y++) {
                    r.getSamples(0, y, w, 1, 0, row);
                    for (int x = 0; x < w; x++) {
                        int v = bits == 8 ? row[x] : Math.round(row[x] * 255f / ((1 << bits) - 1));
                        out[x] = (v << 16) | (v << 8) | v;
                    }
                    rgb.setRGB(0, y, w, 1, out, 0, w);
                }
            } else {
                int[] row = new int[w];
                for (int y = 0; y < h; y++) {
                    src.getRGB(0, y, w, 1, row, 0, w);
                    rgb.setRGB(0, y, w, 1, row, 0, w);
                }
            }
        }
        if (rgb.getWidth() == width && rgb.getHeight() == height) {
            return rgb;
        }
        BufferedImage dst = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
                    RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(rgb, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return dst;
    }

    /**
     * Writes packed RGB pixels ({@code 0xRRGGBB}, row-major) as C x H x W normalized floats: three
     * planes R, G, B, or one plane of luma \( 0.299 R + 0.587 G + 0.114 B \) (ITU-R BT.601,
     * rounded to 8 bits as PIL's {@code convert("L")}).
     */
    static void writeChw(int[] rgb, int channels, float[] table, float[] dst, int offset) {
        int n = rgb.length;
        if (channels == 3) {
            for (int p = 0; p < n; p++) {
                int v = rgb[p];
                dst[offset + p] = table[(v >>> 16) & 0xff];
                dst[offset + n + p] = table[(v >>> 8) & 0xff];
                dst[offset + 2 * n + p] = table[v & 0xff];
            }
        } else {
            for (int p = 0; p < n; p++) {
                dst[offset + p] = table[luma(rgb[p])];
            }
        }
    }

    /** BT.601 luma of a packed RGB pixel, rounded to 0..255. */
    static int luma(int v) {
        int r = (v >>> 16) & 0xff;
        int g = (v >>> 8) & 0xff;
        int b = v & 0xff;
        return (r * 299 + g * 587 + b * 114 + 500) / 1000;
    }

    /** The packed pixels of a {@code TYPE_INT_RGB} image, row-major (a copy). */
    static int[] packed(BufferedImage rgb) {
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        return rgb.getRGB(0, 0, w, h, null, 0, w);
    }

    /** {@code channels} must be 1 or 3. */
    static int checkChannels(int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException(
                    "channels must be 1 (gray) or 3 (RGB), got " + channels);
        }
        return channels;
    }

    /** Height and width must be &gt;= 1. */
    static void checkSize(int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "size must be >= 1 x 1 (height x width), got " + height + " x " + width);
        }
    }
}
