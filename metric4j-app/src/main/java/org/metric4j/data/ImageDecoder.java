package org.metric4j.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The one image decoder of the embedding commands: Java ImageIO ({@code javax.imageio}, JPEG, PNG,
 * BMP, GIF with the JDK's readers), to {@code TYPE_INT_RGB}. Its JPEG pixels equal PIL's
 * (libjpeg-turbo; 4:2:0 included) except where a JPEG embeds an ICC profile: ImageIO converts to
 * sRGB, PIL keeps the stored values (README, docs/experiments/jpeg-decoders); a model checked
 * against Python embeddings of such photos should be fed the same pixels, e.g. with {@code embed
 * --tensors}. Resizing is Java2D bilinear.
 */
public final class ImageDecoder {

    /** The decoder's name, as the commands print it. */
    public static final String NAME = "Java ImageIO";

    private ImageDecoder() {}

    /**
     * Decodes a file at its own size.
     *
     * @param file the image file
     * @return the image as {@code TYPE_INT_RGB}
     * @throws IOException if no ImageIO reader recognizes the file or it cannot be read
     */
    public static BufferedImage read(Path file) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new IOException(file + ": no ImageIO reader recognizes its content");
        }
        return rgb(img);
    }

    /**
     * Decodes a file's content as {@link #read(Path)} decodes the file (the executors of the Spark
     * job read bytes).
     *
     * @param data the file's content
     * @param name names the image in errors (a path or an id)
     * @return the image as {@code TYPE_INT_RGB}
     * @throws IOException if no ImageIO reader recognizes the bytes
     */
    public static BufferedImage read(byte[] data, String name) throws IOException {
        BufferedImage img = ImageIO.read(new java.io.ByteArrayInputStream(data));
        if (img == null) {
            throw new IOException(name + ": no ImageIO reader recognizes its content");
        }
        return rgb(img);
    }

    /** {@code img} as {@code TYPE_INT_RGB} at its own size (gray expanded, alpha dropped). */
    public static BufferedImage rgb(BufferedImage img) {
        return Pixels.toRgb(img, img.getHeight(), img.getWidth());
    }

    /** {@code img} as {@code TYPE_INT_RGB} of {@code width} x {@code height}, resized bilinearly if needed. */
    public static BufferedImage resize(BufferedImage img, int width, int height) {
        Pixels.checkSize(height, width);
        return Pixels.toRgb(img, height, width);
    }
}
