package org.metric4j.engine;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.metric4j.data.ImageDecoder;
import org.metric4j.model.EmbeddingNetwork;
import org.metric4j.model.OnnxEmbedder;
import org.metric4j.model.Preprocessing;
import org.metric4j.model.PreprocessedEmbedder;
import org.metric4j.model.TorchScriptEmbedder;

/**
 * An imported model with its preprocessing as an engine's tasks use it: images decoded by {@link
 * #decode} (the commands' one decoder, Java ImageIO) in, one embedding per image out, computed as
 * {@code embed --torchscript} / {@code embed --onnx} compute it on one machine. Safe to call from
 * several task threads at once.
 */
public interface ImageEmbedder extends AutoCloseable {

    /**
     * The embeddings of the images, fitted to the model's input by its preprocessing (with its
     * flip-sum when the preprocessing says so).
     *
     * @param images decoded images of any size
     * @return one row per image
     */
    float[][] embed(BufferedImage[] images);

    @Override
    void close();

    /**
     * Decodes an image file's bytes as {@code embed --images} decodes the file.
     *
     * @param data the file's content
     * @param name names the image in errors
     * @return the image, {@code TYPE_INT_RGB}
     * @throws IOException if no ImageIO reader recognizes the bytes
     */
    static BufferedImage decode(byte[] data, String name) throws IOException {
        return ImageDecoder.read(data, name);
    }

    /** A TorchScript file with InsightFace's preprocessing at {@code size} x {@code size}, run on {@code device}. */
    static ImageEmbedder torchScript(Path file, int size, boolean flipSum, Device device) throws IOException {
        return load(ImportedModel.insightFaceTorchScript(file, size, flipSum), device);
    }

    /**
     * Loads an imported model on a device.
     *
     * @param model the file, its format and its preprocessing
     * @param device the device
     * @return the embedder; closing it closes the model
     * @throws IOException if the file cannot be read as a model of its format
     */
    static ImageEmbedder load(ImportedModel model, Device device) throws IOException {
        Preprocessing p = model.preprocessing();
        Path file = Path.of(model.file());
        EmbeddingNetwork network = model.format() == ImportedModel.Format.ONNX
                ? OnnxEmbedder.load(file, p, device, 0)
                : TorchScriptEmbedder.load(file, p.height(), p.width(), device);
        PreprocessedEmbedder embedder = new PreprocessedEmbedder(network, p);
        return new ImageEmbedder() {
            @Override
            public float[][] embed(BufferedImage[] images) {
                return embedder.embed(images);
            }

            @Override
            public void close() {
                embedder.close();
            }
        };
    }
}
