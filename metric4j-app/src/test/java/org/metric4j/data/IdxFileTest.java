package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX round trips (plain and gzip, detected by content), and the errors on broken files. */
class IdxFileTest {

    @TempDir
    Path dir;

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void imagesAndLabelsRoundTripPlainAndGzip() throws IOException {
        byte[] pixels = randomBytes(7 * 5 * 3, 1);
        byte[] labels = randomBytes(7, 2);
        for (boolean gzip : new boolean[] {false, true}) {
            Path img = dir.resolve("img" + gzip);
            Path lab = dir.resolve("lab" + gzip);
            IdxFile.write(img, new int[] {7, 5, 3}, pixels, gzip);
            IdxFile.write(lab, new int[] {7}, labels, gzip);
            byte[] head = Arrays.copyOf(Files.readAllBytes(img), 2);
            assertEquals(gzip, head[0] == (byte) 0x1f && head[1] == (byte) 0x8b, "gzip=" + gzip);
            IdxFile images = IdxFile.readImages(img);
            assertArrayEquals(new int[] {7, 5, 3}, images.dims());
            assertEquals(7, images.count());
            assertEquals(15, images.itemSize());
            assertArrayEquals(pixels, images.data());
            IdxFile read = IdxFile.readLabels(lab);
            assertArrayEquals(new int[] {7}, read.dims());
            assertEquals(1, read.itemSize());
            assertArrayEquals(labels, read.data());
            assertArrayEquals(pixels, IdxFile.read(img).data());
        }
    }

    @Test
    void headerIsBigEndianWithTheMnistMagic() throws IOException {
        Path f = dir.resolve("x");
        IdxFile.write(f, new int[] {2, 28, 28}, new byte[2 * 28 * 28], false);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f));
        assertEquals(0x00000803, b.getInt());
        assertEquals(2, b.getInt());
        assertEquals(28, b.getInt());
        assertEquals(28, b.getInt());
        assertEquals(16 + 2 * 28 * 28, Files.size(f));
    }

    @Test
    void gzipIsDetectedByContentNotByName() throws IOException {
        byte[] data = randomBytes(12, 3);
        Path gzNamedPlain = dir.resolve("plain.gz");
        Path plainNamedGz = dir.resolve("compressed-idx1-ubyte");
        IdxFile.write(gzNamedPlain, new int[] {12}, data, false);
        IdxFile.write(plainNamedGz, new int[] {12}, data, true);
        assertArrayEquals(data, IdxFile.readLabels(gzNamedPlain).data());
        assertArrayEquals(data, IdxFile.readLabels(plainNamedGz).data());
    }

    @Test
    void truncatedDataNamesTheFileAndTheExpectedSize() throws IOException {
        Path full = dir.resolve("full");
        IdxFile.write(full, new int[] {10, 4, 4}, randomBytes(160, 4), false);
        byte[] truncated = Arrays.copyOf(Files.readAllBytes(full), 16 + 100);
        for (boolean gzip : new boolean[] {false, true}) {
            Path cut = dir.resolve("cut" + gzip);
            try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(cut))
                    : Files.newOutputStream(cut)) {
                out.write(truncated);
            }
            IOException e = assertThrows(IOException.class, () -> IdxFile.readImages(cut));
            assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("truncated: expected 160 data bytes (10 x 4 x 4)"
                    + " after the 16-byte header, got 100"), e.getMessage());
        }
    }

    @Test
    void truncatedHeaderAndCutGzipStreamAreErrors() throws IOException {
        Path shortHeader = dir.resolve("short");
        Files.write(shortHeader, new byte[] {0, 0, 8, 3, 0, 0, 0, 10, 0, 0});
        IOException e = assertThrows(IOException.class, () -> IdxFile.readImages(shortHeader));
        assertTrue(e.getMessage().contains("truncated IDX header: expected 3 dimensions"),
                e.getMessage());

        Path gz = dir.resolve("gz");
        IdxFile.write(gz, new int[] {1000}, randomBytes(1000, 5), true);
        byte[] bytes = Files.readAllBytes(gz);
        Path cutGz = dir.resolve("cut.gz");
        Files.write(cutGz, Arrays.copyOf(bytes, bytes.length / 2));
        e = assertThrows(IOException.class, () -> IdxFile.readLabels(cutGz));
        assertTrue(e.getMessage().startsWith(cutGz.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void badMagicSaysWhatWasExpected() throws IOException {
        Path labels = dir.resolve("labels");
        IdxFile.write(labels, new int[] {3}, new byte[3], false);
        IOException e = assertThrows(IOException.class, () -> IdxFile.readImages(labels));
        assertTrue(e.getMessage().contains(labels.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("bad magic 0x00000801, expected 0x00000803 (images)"),
                e.getMessage());

        Path png = dir.resolve("not-idx.png");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        e = assertThrows(IOException.class, () -> IdxFile.readLabels(png));
        assertTrue(e.getMessage().contains("bad magic 0x89504e47, expected 0x00000801 (labels)"),
                e.getMessage());
        e = assertThrows(IOException.class, () -> IdxFile.read(png));
        assertTrue(e.getMessage().contains("expected 0x000008nn"), e.getMessage());
    }

    @Test
    void extraBytesAreAnError() throws IOException {
        Path f = dir.resolve("extra");
        IdxFile.write(f, new int[] {4}, new byte[4], false);
        Files.write(f, new byte[] {1, 2}, java.nio.file.StandardOpenOption.APPEND);
        IOException e = assertThrows(IOException.class, () -> IdxFile.readLabels(f));
        assertTrue(e.getMessage().contains("extra bytes"), e.getMessage());
    }

    @Test
    void writeValidatesItsArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IdxFile.write(dir.resolve("w"), new int[] {2, 3}, new byte[5], false));
        assertTrue(e.getMessage().contains("data must hold 6 bytes"), e.getMessage());
    }
}
