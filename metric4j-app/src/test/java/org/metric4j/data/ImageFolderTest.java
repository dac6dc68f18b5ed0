package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;

/** A tree of PNG and JPEG files written here, with a corrupt file and odd entries. */
class ImageFolderTest {

    @TempDir
    Path root;

    /** An 8 x 8 RGB image whose pixel (x, y) is (r0 + x, g0 + y, b0). */
    private static BufferedImage rgb(int r0, int g0, int b0) {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, ((r0 + x) << 16) | ((g0 + y) << 8) | b0);
            }
        }
        return img;
    }

    private void write(BufferedImage img, String format, String path) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, format, file.toFile()), "writer for " + format);
    }

    @BeforeEach
    void tree() throws IOException {
        write(rgb(10, 20, 30), "png", "bob/bob_0001.png");
        write(rgb(100, 120, 140), "png", "bob/bob_0002.PNG");
        write(rgb(200, 100, 50), "jpg", "alice/alice_0001.jpg");
        BufferedImage gray = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(3, 2, 0, 100);
        write(gray, "png", "carol/carol_0001.png");
        Files.createDirectories(root.resolve("empty"));
        Files.writeString(root.resolve("bob/notes.txt"), "not an image");
        Files.writeString(root.resolve("README"), "not an identity");
        Files.write(root.resolve("alice/alice_0002.jpg"), "this is not a JPEG".getBytes());
    }

    @Test
    void aCorruptFileIsAnErrorByDefault() {
        IOException e = assertThrows(IOException.class,
                () -> ImageFolder.builder().setRoot(root).optSize(8, 8).build());
        String m = e.getMessage();
        assertTrue(m.contains("1 of 5 images under " + root + " do not read"), m);
        assertTrue(m.contains(root.resolve("alice/alice_0002.jpg").toString()), m);
        assertTrue(m.contains("no ImageIO reader recognizes its content"), m);
        assertTrue(m.contains("optSkipUnreadable(true)"), m);
    }

    @Test
    void skipUnreadableLeavesItOutAndCountsIt() throws IOException {
        ImageFolder set = ImageFolder.builder().setRoot(root).optSize(8, 8).optSkipUnreadable(true)
                .build();
        assertEquals(1, set.unreadableCount());
        assertEquals(root.resolve("alice/alice_0002.jpg"), set.unreadable().get(0).path());
        assertEquals(List.of("alice", "bob", "carol"), set.identities());
        assertEquals(List.of("empty"), set.emptyIdentities());
        assertEquals(3, set.numClasses());
        assertEquals(4, set.size());
        assertEquals(2, set.ignoredFiles(), "notes.txt and README");
        assertEquals(List.of("alice/alice_0001", "bob/bob_0001", "bob/bob_0002", "carol/carol_0001"),
                List.of(set.name(0), set.name(1), set.name(2), set.name(3)));
        assertArrayEquals(new long[] {0, 1, 1, 2}, set.labelArray());
        assertEquals(root.resolve("bob/bob_0002.PNG"), set.path(2));
    }

    @Test
    void pixelsAreRgbChwNormalizedLikeInsightFace() throws IOException {
        ImageFolder set = ImageFolder.builder().setRoot(root).optSize(8, 8).optSkipUnreadable(true)
                .build();
        float[] img = new float[3 * 64];
        set.image(1, img, 0); // bob_0001: (10 + x, 20 + y, 30), lossless PNG
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int p = y * 8 + x;
                assertEquals((10 + x - 127.5f) / 127.5f, img[p], 0f, "R at " + x + "," + y);
                assertEquals((20 + y - 127.5f) / 127.5f, img[64 + p], 0f, "G at " + x + "," + y);
                assertEquals((30 - 127.5f) / 127.5f, img[128 + p], 0f, "B at " + x + "," + y);
            }
        }
        // a gray PNG keeps its values (no linear-gray conversion) in all three planes
        set.image(3, img, 0);
        for (int c = 0; c < 3; c++) {
            assertEquals((100 - 127.5f) / 127.5f, img[c * 64 + 2 * 8 + 3], 0f, "plane " + c);
            assertEquals(-1f, img[c * 64], 0f, "plane " + c);
        }
        // JPEG is lossy: close to (200 + x, 100 + y, 50)
        set.image(0, img, 0);
        assertEquals((200 - 127.5f) / 127.5f, img[0], 0.1f);
        assertEquals((100 - 127.5f) / 127.5f, img[64], 0.1f);
        assertEquals((50 - 127.5f) / 127.5f, img[128], 0.1f);
    }

    @Test
    void resizesToTheRequestedSizeAndOneChannelIsLuma() throws IOException {
        ImageFolder set = ImageFolder.builder().setRoot(root).optSize(16, 12).optSkipUnreadable(true)
                .optChannels(1).optCacheSize(2).build();
        assertEquals(16, set.height());
        assertEquals(12, set.width());
        assertEquals(1, set.channels());
        float[] img = new float[16 * 12];
        set.image(2, img, 0); // bob_0002: (100 + x, 120 + y, 140) stretched
        int luma = Pixels.luma((100 << 16) | (120 << 8) | 140);
        assertEquals((luma - 127.5f) / 127.5f, img[0], 0.02f);
        float[] again = new float[16 * 12];
        set.image(2, again, 0); // from the cache
        assertArrayEquals(img, again, 0f);
        try (NDManager manager = TestDevice.manager()) {
            NDArray batch = set.batch(manager, new int[] {2, 0, 2});
            assertEquals(new Shape(3, 1, 16, 12), batch.getShape());
            float[] values = batch.toFloatArray();
            assertArrayEquals(img, Arrays.copyOfRange(values, 0, 192), 0f);
            assertArrayEquals(img, Arrays.copyOfRange(values, 384, 576), 0f);
            assertArrayEquals(new long[] {1, 0, 1}, set.labels(manager, new int[] {2, 0, 2})
                    .toLongArray());
        }
    }

    @Test
    void aFileThatDecodesBadlyIsFoundWhenReadOrByTheDecodeCheck() throws IOException {
        Files.delete(root.resolve("alice/alice_0002.jpg"));
        Path png = root.resolve("carol/carol_0002.png");
        write(rgb(1, 2, 3), "png", "carol/carol_0002.png");
        byte[] bytes = Files.readAllBytes(png);
        Files.write(png, Arrays.copyOf(bytes, 40)); // the header survives, the pixels do not

        ImageFolder lazy = ImageFolder.builder().setRoot(root).optSize(8, 8).build();
        assertEquals(5, lazy.size(), "the header check passes");
        int index = lazy.size() - 1;
        assertEquals("carol/carol_0002", lazy.name(index));
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> lazy.image(index, new float[3 * 64], 0));
        assertTrue(e.getMessage().contains(png.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("does not decode"), e.getMessage());

        IOException strict = assertThrows(IOException.class, () -> ImageFolder.builder()
                .setRoot(root).optSize(8, 8).optCheck(ImageFolder.Check.DECODE).build());
        assertTrue(strict.getMessage().contains(png.toString()), strict.getMessage());
        ImageFolder skipped = ImageFolder.builder().setRoot(root).optSize(8, 8)
                .optCheck(ImageFolder.Check.DECODE).optSkipUnreadable(true).build();
        assertEquals(4, skipped.size());
        assertEquals(png, skipped.unreadable().get(0).path());
    }

    @Test
    void clearErrorsForAMissingRootAndBadOptions() {
        IOException e = assertThrows(IOException.class,
                () -> ImageFolder.builder().setRoot(root.resolve("nope")).build());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ImageFolder.builder().optChannels(2));
        assertTrue(bad.getMessage().contains("channels must be 1 (gray) or 3 (RGB), got 2"),
                bad.getMessage());
        bad = assertThrows(IllegalArgumentException.class, () -> ImageFolder.builder().optSize(0, 5));
        assertTrue(bad.getMessage().contains("got 0 x 5"), bad.getMessage());
    }
}
