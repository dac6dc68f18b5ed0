package org.metric4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NpyFormat#readRows}: a row range read from its bytes equals that range of the whole array. */
class NpyRowsTest {

    @Test
    void rowRangesEqualTheWholeArrayInEveryDtype(@TempDir Path dir) throws Exception {
        Random rnd = new Random(11);
        int n = 37;
        int d = 5;
        double[] v = new double[n * d];
        long[] labels = new long[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            labels[i] = rnd.nextInt(1000) - 500;
        }
        for (DataType dt : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
            Path f = dir.resolve("e-" + dt + ".npy");
            try (OutputStream out = Files.newOutputStream(f)) {
                NpyFormat.write(out, v, n, d, dt);
            }
            NpyFormat.Header h = NpyFormat.readHeader(f);
            assertArrayEquals(new long[] {n, d}, h.shape());
            assertEquals(Files.size(f), h.dataOffset() + (long) n * d * h.width(), dt.toString());
            for (int[] r : new int[][] {{0, n}, {0, 1}, {13, 9}, {n - 1, 1}, {5, 0}}) {
                assertArrayEquals(Arrays.copyOfRange(v, r[0] * d, (r[0] + r[1]) * d),
                        NpyFormat.readRows(f, h, r[0], r[1]), dt + " rows " + r[0] + "+" + r[1]);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NpyFormat.readRows(f, h, n - 2, 3));
            assertTrue(e.getMessage().contains("outside the " + n + " rows"), e.getMessage());
        }
        Path l = dir.resolve("labels.npy");
        try (OutputStream out = Files.newOutputStream(l)) {
            NpyFormat.writeLongs(out, labels);
        }
        NpyFormat.Header lh = NpyFormat.readHeader(l);
        double[] got = NpyFormat.readRows(l, lh, 10, 7);
        for (int i = 0; i < 7; i++) {
            assertEquals(labels[10 + i], (long) got[i]);
        }
    }
}
