package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RecordIoDataset} on the three layouts of insightface/recordio: MXFaceDataset's items,
 * labels and pixels (expected.json), and ImageFolder's pixel convention.
 */
class RecordIoDatasetTest {

    @ParameterizedTest
    @ValueSource(strings = {"face2rec2", "rec_builder", "im2rec"})
    void itemsAreMxFaceDatasets(String layout) throws Exception {
        RecordIoConformance.bundled().dataset(layout);
    }

    @Test
    void theSourceImagesDecodeToTheFixturesPixels() throws Exception {
        RecordIoConformance.bundled().imageFolder();
    }

    @Test
    void imagesAreNormalizedChwRgbAsImageFolders() throws Exception {
        try (RecordIoDataset ds = RecordIoDataset.open(RecordIoConformance.bundled().rec("im2rec"))) {
            assertEquals(3, ds.channels());
            assertEquals(112, ds.height());
            assertEquals(112, ds.width());
            float[] dst = new float[1 + ds.imageSize()];
            ds.image(4, dst, 1);
            BufferedImage img = ds.decode(4);
            int n = 112 * 112;
            for (int p : new int[] {0, 57 * 112 + 31, n - 1}) {
                int v = img.getRGB(p % 112, p / 112);
                assertEquals((((v >>> 16) & 0xff) - 127.5f) / 127.5f, dst[1 + p], "R of pixel " + p);
                assertEquals((((v >>> 8) & 0xff) - 127.5f) / 127.5f, dst[1 + n + p], "G of pixel " + p);
                assertEquals(((v & 0xff) - 127.5f) / 127.5f, dst[1 + 2 * n + p], "B of pixel " + p);
            }
            assertEquals(0f, dst[0], "nothing written before offset");
        }
    }

    @Test
    void aCorruptedImageIsAnUncheckedErrorNamingTheKey(@TempDir Path tmp) throws Exception {
        Path src = RecordIoConformance.bundled().rec("rec_builder");
        Path rec = tmp.resolve("train.rec");
        byte[] b = Files.readAllBytes(src);
        // key 1 at 0: 8-byte head, 24-byte IRHeader, then the JPEG: break its SOI marker
        b[8 + 24] = 0;
        b[8 + 25] = 0;
        Files.write(rec, b);
        Files.copy(src.resolveSibling("train.idx"), tmp.resolve("train.idx"));
        try (RecordIoDataset ds = RecordIoDataset.open(rec)) {
            assertEquals(1, ds.key(0));
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                    () -> ds.image(0, new float[ds.imageSize()], 0));
            assertEquals("image 0 (" + rec + " key 1) does not decode: " + rec
                    + " key 1: no ImageIO reader recognizes its content", e.getMessage());
        }
    }

    @Test
    void aNonIntegerClassLabelIsAnErrorNamingTheKey(@TempDir Path tmp) throws Exception {
        Path src = RecordIoConformance.bundled().rec("im2rec");
        Path rec = tmp.resolve("train.rec");
        byte[] b = Files.readAllBytes(src);
        // the first record (key 1, offset 0): float label at payload offset 4
        int bits = Float.floatToIntBits(0.5f);
        for (int i = 0; i < 4; i++) {
            b[8 + 4 + i] = (byte) (bits >>> (8 * i));
        }
        Files.write(rec, b);
        Files.copy(src.resolveSibling("train.idx"), tmp.resolve("train.idx"));
        IOException e = assertThrows(IOException.class, () -> RecordIoDataset.open(rec));
        assertEquals(rec + ": key 1: class label 0.5, expected a non-negative integer", e.getMessage());
    }

    @Test
    void aParallelBatchEqualsTheSerialOne() throws Exception {
        Path rec = RecordIoConformance.bundled().rec("face2rec2");
        int[] idx = {11, 0, 5, 5, 3, 7, 1, 10, 2, 9, 4, 6, 8};
        try (RecordIoDataset serial = RecordIoDataset.builder().setRec(rec).optThreads(1).build();
                RecordIoDataset parallel = RecordIoDataset.builder().setRec(rec).optThreads(3).build();
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(3, parallel.threads());
            float[] a = serial.batch(m, idx).toFloatArray();
            float[] b = parallel.batch(m, idx).toFloatArray();
            assertArrayEquals(a, b, "3 threads vs 1");
            float[] one = new float[serial.imageSize()];
            serial.image(5, one, 0);
            assertArrayEquals(one, Arrays.copyOfRange(b, 2 * one.length, 3 * one.length), "item 2 of the batch is image 5");
            assertArrayEquals(Arrays.copyOfRange(b, 2 * one.length, 3 * one.length),
                    Arrays.copyOfRange(b, 3 * one.length, 4 * one.length), "a repeated index");
        }
    }

    @Test
    void grayscaleAndTargetSizeAreImageFoldersConvention() throws Exception {
        Path rec = RecordIoConformance.bundled().rec("rec_builder");
        try (RecordIoDataset gray = RecordIoDataset.builder().setRec(rec).optChannels(1).optSize(56, 64)
                .optThreads(2).build();
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(1 * 56 * 64, gray.imageSize());
            NDArray batch = gray.batch(m, new int[] {0, 1});
            assertEquals(new Shape(2, 1, 56, 64), batch.getShape());
            BufferedImage img = Pixels.toRgb(gray.decode(1), 56, 64);
            int v = img.getRGB(10, 20);
            float want = (Pixels.luma(v) - 127.5f) / 127.5f;
            assertEquals(want, batch.toFloatArray()[56 * 64 + 20 * 64 + 10], 1e-6f, "luma of pixel (20, 10) of item 1");
        }
    }
}
