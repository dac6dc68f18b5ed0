package org.metric4j.model;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

/** The model package's test fixtures for tests in other packages (the CLI's). */
public final class ModelFixtures {

    private static InsightFaceFixture fixture;

    private ModelFixtures() {}

    private static synchronized InsightFaceFixture fixture() throws Exception {
        if (fixture == null) {
            fixture = new InsightFaceFixture();
        }
        return fixture;
    }

    /** The folder of insightface/backbones (mbf.onnx, mbf_b1.onnx, mbf.json). */
    public static Path insightFaceDir() throws Exception {
        return fixture().dir;
    }

    /** mbf.json's input as RGB images. */
    public static BufferedImage[] images() throws Exception {
        return fixture().images();
    }

    /** mbf.json's preprocessed tensor, N x 3 x 112 x 112. */
    public static float[] tensor() throws Exception {
        return fixture().tensor();
    }

    /** mbf.json's expected.{key}. */
    public static double[][] expected(String key) throws Exception {
        return fixture().expected(key);
    }

    /** See {@link InsightFaceFixture#rows}. */
    public static double[][] rows(com.google.gson.JsonArray a) {
        return InsightFaceFixture.rows(a);
    }

    /** See {@link InsightFaceFixture#relativeError(double[][], float[][])}. */
    public static double relativeError(double[][] expected, float[][] actual) {
        return InsightFaceFixture.relativeError(expected, actual);
    }

    /** See {@link InsightFaceFixture#relativeError(double[][], double[][])}. */
    public static double relativeError(double[][] expected, double[][] actual) {
        return InsightFaceFixture.relativeError(expected, actual);
    }

    /** See {@link InsightFaceFixture#writeNpy}. */
    public static void writeNpy(Path file, float[] values, long... shape) throws Exception {
        InsightFaceFixture.writeNpy(file, values, shape);
    }

    /** See {@link TinyOnnx#write}. */
    public static Path tinyOnnx(Path file, int height, int width) throws Exception {
        return TinyOnnx.write(file, height, width);
    }
}
