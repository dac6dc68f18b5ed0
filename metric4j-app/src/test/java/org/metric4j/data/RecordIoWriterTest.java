package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RecordIoWriter} and {@link RecordIoPacker}: the three fixture layouts reproduced byte for
 * byte, splits at aligned magics only, and a round trip through {@link RecordIoReader} and {@link
 * RecordIoDataset}.
 */
class RecordIoWriterTest {

    private static final byte[] MAGIC = {0x0a, 0x23, (byte) 0xd7, (byte) 0xce};

    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"face2rec2", "rec_builder", "im2rec"})
    void packingTheImageFolderReproducesTheFixtureFiles(String layout) throws Exception {
        RecordIoConformance.bundled().pack(layout);
    }

    @Test
    void aPayloadIsSplitAtAlignedMagicsOnlyAndReadsBack() throws Exception {
        byte[] payload = new byte[30];
        new Random(3).nextBytes(payload);
        System.arraycopy(MAGIC, 0, payload, 0, 4);
        System.arraycopy(MAGIC, 0, payload, 8, 4);
        System.arraycopy(MAGIC, 0, payload, 13, 4);
        Path rec = tmp.resolve("a.rec");
        try (RecordIoWriter w = RecordIoWriter.create(rec, tmp.resolve("a.idx"))) {
            w.write(5, payload);
            assertEquals(8 + 0 + 8 + 4 + 8 + 18 + 2, w.position(), "parts of 0, 4 and 18 bytes, 2 of padding");
            w.write(9, new byte[] {1, 2, 3});
        }
        assertEquals("5\t0\n9\t48\n", Files.readString(tmp.resolve("a.idx"), StandardCharsets.UTF_8));
        try (RecordIoReader r = RecordIoReader.open(rec)) {
            RecordIoRecord a = r.read(5);
            assertArrayEquals(new int[] {1, 2, 3}, a.cflags());
            assertArrayEquals(new int[] {0, 4, 18}, a.lengths(), "the magic at 13 is not aligned");
            assertArrayEquals(payload, a.payload());
            RecordIoRecord b = r.read(9);
            assertArrayEquals(new int[] {0}, b.cflags());
            assertArrayEquals(new byte[] {1, 2, 3}, b.payload());
        }
        assertEquals(48 + 8 + 3 + 1, Files.size(rec));
    }

    @Test
    void anItemPacksAsMxnetPackAndParsesBack() throws Exception {
        RecordIoItem multi = RecordIoItem.multi(new float[] {3f, 1f}, 7, 2, new byte[] {9});
        byte[] p = multi.toPayload();
        assertEquals(24 + 8 + 1, p.length);
        RecordIoItem back = RecordIoItem.parse(p, "test");
        assertEquals(2, back.flag());
        assertEquals(0f, back.label());
        assertArrayEquals(new float[] {3f, 1f}, back.labels());
        assertEquals(7, back.id());
        assertEquals(2, back.id2());
        RecordIoItem scalar = RecordIoItem.parse(RecordIoItem.scalar(4f, 1, 0, new byte[0]).toPayload(), "test");
        assertEquals(0, scalar.flag());
        assertEquals(4f, scalar.classLabel());
    }

    @ParameterizedTest
    @ValueSource(strings = {"FACE2REC2", "REC_BUILDER", "IM2REC"})
    void aPackedFolderReadsBackAsTheSameLabelsAndImages(String layout) throws Exception {
        RecordIoPacker.Layout l = RecordIoPacker.Layout.valueOf(layout);
        Path images = RecordIoConformance.bundled().rec("face2rec2").getParent().resolveSibling("image_folder");
        List<RecordIoPacker.Entry> entries = RecordIoPacker.listFolder(images, l);
        Path rec = tmp.resolve("train.rec");
        RecordIoPacker.write(entries, l, rec, tmp.resolve("train.idx"), tmp.resolve("property"));
        try (RecordIoDataset ds = RecordIoDataset.open(rec)) {
            assertEquals(entries.size(), ds.size());
            assertEquals(3, ds.numClasses());
            for (int i = 0; i < ds.size(); i++) {
                RecordIoPacker.Entry e = entries.get(i);
                assertEquals(e.label(), ds.label(i), layout + " item " + i + " label");
                assertArrayEquals(Files.readAllBytes(e.image()), ds.imageBytes(i), layout + " item " + i + " bytes");
                if (l == RecordIoPacker.Layout.IM2REC) {
                    assertEquals(e.key(), ds.key(i), "im2rec keys are the pre-shuffle indices");
                } else {
                    assertEquals(i + 1, ds.key(i));
                }
            }
        }
    }

    @Test
    void aListLineNamingAMissingFileIsReportedWithFileAndLine() throws Exception {
        Path images = RecordIoConformance.bundled().rec("face2rec2").getParent().resolveSibling("image_folder");
        Path lst = tmp.resolve("train.lst");
        Files.writeString(lst, "1\t0_0_0000000/0_0.jpg\t0\n1\t0_0_0000000/nope.jpg\t0\n");
        IOException e = assertThrows(IOException.class,
                () -> RecordIoPacker.readList(lst, images, RecordIoPacker.Layout.FACE2REC2));
        assertTrue(e.getMessage().startsWith(lst + ":2: image 0_0_0000000/nope.jpg not found"), e.getMessage());
    }

    @Test
    void recBuilderRefusesAnIdentityCut() throws Exception {
        Path images = RecordIoConformance.bundled().rec("face2rec2").getParent().resolveSibling("image_folder");
        List<RecordIoPacker.Entry> e = RecordIoPacker.listFolder(images, RecordIoPacker.Layout.REC_BUILDER);
        List<RecordIoPacker.Entry> cut = List.of(e.get(4), e.get(0));
        IOException ex = assertThrows(IOException.class, () -> RecordIoPacker.write(cut,
                RecordIoPacker.Layout.REC_BUILDER, tmp.resolve("x.rec"), tmp.resolve("x.idx"), tmp.resolve("property")));
        assertTrue(ex.getMessage().contains("class 0 after class 1"), ex.getMessage());
    }
}
