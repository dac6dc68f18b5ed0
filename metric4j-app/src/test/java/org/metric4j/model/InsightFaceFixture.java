package org.metric4j.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The MobileFaceNet fixture (insightface/backbones/mbf.json, README beside it): its input pixels as
 * images and as InsightFace's preprocessed tensor, its expected outputs, and the tolerance check.
 */
final class InsightFaceFixture {

    final Path dir;
    final JsonObject json;
    final int n;
    final int size = 112;

    InsightFaceFixture() throws IOException, URISyntaxException {
        dir = Path.of(InsightFaceFixture.class.getResource("/insightface/backbones/mbf.json").toURI()).getParent();
        json = JsonParser.parseString(Files.readString(dir.resolve("mbf.json"), StandardCharsets.UTF_8)).getAsJsonObject();
        n = json.getAsJsonObject("input").getAsJsonArray("pixels_uint8").size();
    }

    /** pixels_uint8[n][c][h][w] (RGB planes). */
    int pixel(int i, int c, int y, int x) {
        return json.getAsJsonObject("input").getAsJsonArray("pixels_uint8").get(i).getAsJsonArray().get(c)
                .getAsJsonArray().get(y).getAsJsonArray().get(x).getAsInt();
    }

    /** The input as RGB images. */
    BufferedImage[] images() {
        BufferedImage[] out = new BufferedImage[n];
        for (int i = 0; i < n; i++) {
            out[i] = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    out[i].setRGB(x, y, pixel(i, 0, y, x) << 16 | pixel(i, 1, y, x) << 8 | pixel(i, 2, y, x));
                }
            }
        }
        return out;
    }

    /** The fixture's tensor: value_of_pixel[v], i.e. ((v / 255) - 0.5) / 0.5 in float32, N x 3 x 112 x 112. */
    float[] tensor() {
        JsonArray table = json.getAsJsonObject("input").getAsJsonArray("value_of_pixel");
        float[] out = new float[n * 3 * size * size];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        out[k++] = table.get(pixel(i, c, y, x)).getAsFloat();
                    }
                }
            }
        }
        return out;
    }

    /** expected.{key} as rows. */
    double[][] expected(String key) {
        return rows(json.getAsJsonObject("expected").getAsJsonArray(key));
    }

    /** A JSON array of number arrays as rows of doubles. */
    static double[][] rows(JsonArray a) {
        double[][] out = new double[a.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonArray row = a.get(i).getAsJsonArray();
            out[i] = new double[row.size()];
            for (int j = 0; j < row.size(); j++) {
                out[i][j] = row.get(j).getAsDouble();
            }
        }
        return out;
    }

    /** {@link #relativeError(double[][], double[][])} of float32 outputs. */
    static double relativeError(double[][] expected, float[][] actual) {
        double[][] a = new double[actual.length][];
        for (int i = 0; i < a.length; i++) {
            a[i] = new double[actual[i].length];
            for (int j = 0; j < a[i].length; j++) {
                a[i][j] = actual[i][j];
            }
        }
        return relativeError(expected, a);
    }

    /**
     * The largest max|ours - expected| / max|expected| over the rows (the README's relative
     * measure); a NaN output counts as infinitely far.
     */
    static double relativeError(double[][] expected, double[][] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("rows: expected " + expected.length + ", got " + actual.length);
        }
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i].length != actual[i].length) {
                throw new AssertionError("row " + i + " width: expected " + expected[i].length + ", got "
                        + actual[i].length);
            }
            double max = 0;
            double diff = 0;
            for (int j = 0; j < expected[i].length; j++) {
                max = Math.max(max, Math.abs(expected[i][j]));
                double d = Math.abs(expected[i][j] - actual[i][j]);
                diff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(diff, d);
            }
            worst = Math.max(worst, diff / max);
        }
        return worst;
    }

    /** Writes a float32 C-order .npy of any rank. */
    static void writeNpy(Path file, float[] values, long... shape) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims.toString().strip() + "), }";
        int pad = 64 - (10 + header.length() + 1) % 64;
        header = header + " ".repeat(pad % 64) + "\n";
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            out.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) header.length()).array());
            out.write(header.getBytes(StandardCharsets.US_ASCII));
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            out.write(b.array());
        }
    }
}
