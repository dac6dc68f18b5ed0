package org.metric4j.engine;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.metric4j.model.TorchScriptEmbedder;

/**
 * An embedding model as an engine's tasks use it: decoded images in, one embedding per image
 * out. Safe to call from several task threads at once.
 */
public interface ImageEmbedder extends AutoCloseable {

    /**
     * The embeddings of the images, resized to the model's input.
     *
     * @param images decoded images
     * @param flipSum InsightFace's verification embedding, L2-normalize(embed(x) + embed(flip(x)))
     * @return one row per image
     */
    float[][] embed(BufferedImage[] images, boolean flipSum);

    @Override
    void close();

    /** A TorchScript file with InsightFace's preprocessing at {@code size} x {@code size}. */
    static ImageEmbedder torchScript(Path file, int size) throws IOException {
        return torchScript(file, size, Device.cpu());
    }

    /** A TorchScript file with InsightFace's preprocessing at {@code size} x {@code size}, run on {@code device}. */
    static ImageEmbedder torchScript(Path file, int size, Device device) throws IOException {
        TorchScriptEmbedder model = TorchScriptEmbedder.load(file, size, size, device);
        return new ImageEmbedder() {
            @Override
            public float[][] embed(BufferedImage[] images, boolean flipSum) {
                return model.embed(images, flipSum);
            }

            @Override
            public void close() {
                model.close();
            }
        };
    }
}
