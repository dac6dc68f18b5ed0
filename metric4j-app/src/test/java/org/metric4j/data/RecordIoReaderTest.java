package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RecordIoReader} on the three layouts of insightface/recordio (every record as
 * expected.json lists it, the split record of 0_5.jpg included) and on bad input.
 */
class RecordIoReaderTest {

    @ParameterizedTest
    @ValueSource(strings = {"face2rec2", "rec_builder", "im2rec"})
    void everyRecordIsTheFixtures(String layout) throws Exception {
        RecordIoConformance.bundled().records(layout);
    }

    @ParameterizedTest
    @ValueSource(strings = {"face2rec2", "rec_builder", "im2rec"})
    void theLayoutFilesAreTheFixtures(String layout) throws Exception {
        RecordIoConformance.bundled().files(layout);
    }

    @Test
    void theSplitRecordHasTheMagicPutBackBetweenItsThreeParts() throws Exception {
        RecordIoConformance fx = RecordIoConformance.bundled();
        try (RecordIoReader r = RecordIoReader.open(fx.rec("face2rec2"))) {
            RecordIoRecord rec = r.read(6);
            assertArrayEquals(new int[] {1, 2, 3}, rec.cflags());
            assertArrayEquals(new int[] {40, 4, 590}, rec.lengths());
            byte[] magic = {0x0a, 0x23, (byte) 0xd7, (byte) 0xce};
            assertArrayEquals(magic, Arrays.copyOfRange(rec.payload(), 40, 44));
            assertArrayEquals(magic, Arrays.copyOfRange(rec.payload(), 48, 52));
            RecordIoItem item = rec.item("key 6");
            assertEquals(2, item.flag());
            assertArrayEquals(new float[] {1f, 1f}, item.labels());
            assertEquals(610, item.image().length);
            assertArrayEquals(magic, Arrays.copyOfRange(item.image(), 8, 12), "magic at JPEG offset 8");
            assertArrayEquals(magic, Arrays.copyOfRange(item.image(), 16, 20), "magic at JPEG offset 16");
        }
    }

    @Test
    void aCorruptedMagicIsAnErrorNamingFileAndOffset(@TempDir Path tmp) throws Exception {
        Path rec = copy(tmp);
        byte[] b = Files.readAllBytes(rec);
        b[588] ^= 0x01; // record of key 2 starts at 588
        Files.write(rec, b);
        try (RecordIoReader r = RecordIoReader.open(rec)) {
            assertEquals(0, r.read(1).offset());
            IOException e = assertThrows(IOException.class, () -> r.read(2));
            assertEquals(rec + ": offset 588: bad magic 0xced7230b, expected 0xced7230a", e.getMessage());
        }
    }

    @Test
    void aTruncatedFileIsAnErrorNamingFileAndOffset(@TempDir Path tmp) throws Exception {
        Path rec = copy(tmp);
        byte[] b = Files.readAllBytes(rec);
        Files.write(rec, Arrays.copyOf(b, 7296 + 8 + 10)); // the last record, key 15 at 7296, cut
        try (RecordIoReader r = RecordIoReader.open(rec)) {
            assertEquals(14, r.item(14).id());
            IOException e = assertThrows(IOException.class, () -> r.read(15));
            assertEquals(rec + ": offset 7304: truncated, record body needs 32 bytes, found 10 before end of"
                    + " file", e.getMessage());
        }
    }

    @Test
    void anIndexOffsetBeyondTheFileIsAnErrorNamingKeyAndOffset(@TempDir Path tmp) throws Exception {
        Path rec = copy(tmp);
        Path idx = tmp.resolve("train.idx");
        Files.writeString(idx, "1\t0\n2\t99999\n", StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, () -> RecordIoReader.open(rec));
        assertEquals(idx + ": key 2 offset 99999 out of range, expected a record head within " + rec
                + " of 7336 bytes", e.getMessage());
    }

    @Test
    void aMissingIndexIsAnErrorNamingIt(@TempDir Path tmp) throws Exception {
        Path rec = tmp.resolve("train.rec");
        Files.copy(RecordIoConformance.bundled().rec("face2rec2"), rec);
        IOException e = assertThrows(IOException.class, () -> RecordIoReader.open(rec));
        assertTrue(e.getMessage().startsWith(tmp.resolve("train.idx") + ": missing .idx"), e.getMessage());
    }

    @Test
    void aMalformedIndexLineIsAnErrorNamingTheLine(@TempDir Path tmp) throws Exception {
        Path rec = copy(tmp);
        Path idx = tmp.resolve("train.idx");
        Files.writeString(idx, "1\t0\n2 588\n", StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, () -> RecordIoReader.open(rec));
        assertEquals(idx + ": line 2: found '2 588', expected key<TAB>offset", e.getMessage());
    }

    @Test
    void anUnknownKeyIsAnErrorNamingIt() throws Exception {
        try (RecordIoReader r = RecordIoReader.open(RecordIoConformance.bundled().rec("im2rec"))) {
            IOException e = assertThrows(IOException.class, () -> r.read(12));
            assertTrue(e.getMessage().endsWith(": key 12 not in the index (12 keys)"), e.getMessage());
        }
    }

    /** The face2rec2 layout copied into {@code tmp}, returning its .rec. */
    private static Path copy(Path tmp) throws Exception {
        Path src = RecordIoConformance.bundled().rec("face2rec2");
        Files.copy(src, tmp.resolve("train.rec"));
        Files.copy(src.resolveSibling("train.idx"), tmp.resolve("train.idx"));
        return tmp.resolve("train.rec");
    }
}
