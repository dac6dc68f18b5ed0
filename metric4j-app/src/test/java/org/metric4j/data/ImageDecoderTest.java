package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding a file's bytes (the Spark executors' way) gives the pixels of decoding the file. */
class ImageDecoderTest {

    @Test
    void bytesDecodeAsTheFile(@TempDir Path dir) throws Exception {
        BufferedImage img = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
        Random rnd = new Random(7);
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++) {
                img.setRGB(x, y, rnd.nextInt(1 << 24));
            }
        }
        for (String format : new String[] {"png", "jpg"}) {
            Path f = dir.resolve("a." + format);
            assertTrue(ImageIO.write(img, format, f.toFile()));
            BufferedImage fromFile = ImageDecoder.read(f);
            BufferedImage fromBytes = ImageDecoder.read(Files.readAllBytes(f), "a");
            assertEquals(BufferedImage.TYPE_INT_RGB, fromBytes.getType(), format);
            assertArrayEquals(fromFile.getRGB(0, 0, 37, 23, null, 0, 37), fromBytes.getRGB(0, 0, 37, 23, null, 0, 37),
                    format);
        }
        IOException e = assertThrows(IOException.class, () -> ImageDecoder.read(new byte[] {1, 2, 3}, "id/x"));
        assertTrue(e.getMessage().startsWith("id/x: no ImageIO reader"), e.getMessage());
    }
}
