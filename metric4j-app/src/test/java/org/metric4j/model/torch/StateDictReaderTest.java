package org.metric4j.model.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.function.BiFunction;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateDictReaderTest {

    private static final JsonObject EXPECTED = TorchFixtures.json("torch/expected.json");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"mbf", "iresnet_1111_nf64"})
    void readsInsightFaceBackbonesEntryByEntry(String name) throws IOException {
        JsonObject fixture = TorchFixtures.json("insightface/backbones/" + name + ".json");
        StateDict sd = StateDictReader.create().read(TorchFixtures.resource("insightface/backbones/" + name + ".pth"));

        TorchFixtures.assertMatches(fixture.getAsJsonArray("state_dict"), sd, name);
        assertEquals(fixture.get("num_state_dict_entries").getAsInt(), sd.size(), name);
        assertEquals(fixture.get("num_state_dict_elements").getAsLong(), sd.numElements(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"views.pth", "dtypes.pth", "ckpt_state_dict.pth", "ckpt_backbone.pth", "ddp_prefix.pth",
        "parameters.pth"})
    void readsWhatTorchSaved(String file) throws IOException {
        StateDict sd = StateDictReader.create().read(TorchFixtures.resource("torch/" + file));

        TorchFixtures.assertMatches(EXPECTED.getAsJsonArray(file), sd, file);
    }

    @Test
    void resolvesViewsThatShareOneStorage() throws IOException {
        StateDict sd = StateDictReader.create().read(TorchFixtures.resource("torch/views.pth"));
        float[] whole = floats(sd.get("whole"));
        for (int i = 0; i < 24; i++) {
            assertEquals(i / 8f, whole[i], 0f, "whole[" + i + "]");
        }
        float[] row2 = floats(sd.get("row2"));
        float[] transposed = floats(sd.get("transposed"));
        float[] everyOther = floats(sd.get("every_other"));
        float[] corner = floats(sd.get("corner"));
        for (int c = 0; c < 6; c++) {
            assertEquals(whole[12 + c], row2[c], 0f, "row2[" + c + "]");
            for (int r = 0; r < 4; r++) {
                assertEquals(whole[r * 6 + c], transposed[c * 4 + r], 0f, "transposed[" + c + "][" + r + "]");
            }
        }
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(whole[r * 6 + 2 * c], everyOther[r * 3 + c], 0f, "every_other[" + r + "][" + c + "]");
            }
        }
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(whole[(r + 1) * 6 + c + 2], corner[r * 3 + c], 0f, "corner[" + r + "][" + c + "]");
            }
        }
        assertEquals(0, sd.get("scalar_view").shape().dimension());
        assertEquals(23 / 8f, floats(sd.get("scalar_view"))[0], 0f);
        assertEquals(1234L, sd.get("num_batches_tracked").longValue());
        assertEquals(DataType.INT64, sd.get("num_batches_tracked").dataType());
    }

    @Test
    void stripsTheDdpPrefix() throws IOException {
        StateDict sd = StateDictReader.create().read(TorchFixtures.resource("torch/ddp_prefix.pth"));

        assertEquals(java.util.List.of("conv.weight", "bn.running_mean", "bn.num_batches_tracked"), sd.keys());
        assertEquals(5L, sd.get("bn.num_batches_tracked").longValue());
    }

    @Test
    void readsTheKeyTheUserNames() throws IOException {
        Path file = TorchFixtures.resource("torch/ckpt_two_dicts.pth");

        StateDict ema = StateDictReader.weightsKey("ema").read(file);

        TorchFixtures.assertMatches(EXPECTED.getAsJsonArray("ckpt_two_dicts.pth"), ema, "ema");
    }

    @Test
    void checkpointWithSeveralDictsListsThem() {
        Path file = TorchFixtures.resource("torch/ckpt_two_dicts.pth");

        String message = assertThrows(StateDictFormatException.class, () -> StateDictReader.create().read(file))
                .getMessage();

        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("[model, ema]"), message);
        assertTrue(message.contains("--weights-key KEY"), message);
    }

    @Test
    void absentWeightsKeyNamesTheKeysThatHoldStateDicts() {
        Path file = TorchFixtures.resource("torch/ckpt_two_dicts.pth");

        String message = assertThrows(StateDictFormatException.class,
                () -> StateDictReader.weightsKey("state_dict").read(file)).getMessage();

        assertTrue(message.contains("no key state_dict"), message);
        assertTrue(message.contains("[model, ema, epoch]"), message);
        assertTrue(message.contains("pass one of [model, ema] as --weights-key"), message);
    }

    @Test
    void legacyFormatSaysHowToResave() {
        Path file = TorchFixtures.resource("torch/legacy.pth");

        String message = assertThrows(StateDictFormatException.class, () -> StateDictReader.create().read(file))
                .getMessage();

        assertTrue(message.startsWith(file + ": the legacy torch.save format of torch < 1.6"), message);
        assertTrue(message.contains("_use_new_zipfile_serialization=True"), message);
    }

    @Test
    void wholeModuleNamesItsClass() {
        Path file = TorchFixtures.resource("torch/whole_module.pth");

        String message = assertThrows(StateDictFormatException.class, () -> StateDictReader.create().read(file))
                .getMessage();

        assertTrue(message.startsWith(file + ": data.pkl holds an instance of class __main__.Tiny"), message);
        assertTrue(message.contains("torch.save(model.state_dict(), path)"), message);
    }

    @Test
    void torchScriptArchiveIsNamed() {
        Path file = TorchFixtures.resource("insightface/backbones/mbf_traced.pt");

        String message = assertThrows(StateDictFormatException.class, () -> StateDictReader.create().read(file))
                .getMessage();

        assertTrue(message.startsWith(file + ": a TorchScript module (torch.jit.save) of class"
                + " __torch__.backbones.mobilefacenet.MobileFaceNet"), message);
    }

    @Test
    void notAZip() throws IOException {
        Path file = tmp.resolve("weights.pth");
        Files.writeString(file, "hello");

        String message = assertThrows(StateDictFormatException.class, () -> StateDictReader.create().read(file))
                .getMessage();

        assertEquals(file + ": not a zip archive (first bytes 68656c6c); expected a torch.save file, which starts"
                + " with PK\\3\\4; save the weights with torch.save(model.state_dict(), path)", message);
    }

    @Test
    void missingStorageEntryIsNamed() throws IOException {
        Path file = tmp.resolve("truncated.pth");
        copyWithout(TorchFixtures.resource("torch/views.pth"), file, "views/data/1");

        String message = assertThrows(StateDictFormatException.class, () -> StateDictReader.create().read(file))
                .getMessage();

        assertTrue(message.startsWith(file + ": data.pkl has no entry views/data/1 for a storage"), message);
    }

    @Test
    void topFolderComesFromTheArchiveNotTheFileName() throws IOException {
        Path renamed = tmp.resolve("renamed.pth");
        Files.copy(TorchFixtures.resource("torch/views.pth"), renamed);

        StateDict sd = StateDictReader.create().read(renamed);

        TorchFixtures.assertMatches(EXPECTED.getAsJsonArray("views.pth"), sd, "renamed");
    }

    @Test
    void swapsStoragesOfABigEndianArchive() throws IOException {
        Path file = tmp.resolve("big.pth");
        rewrite(TorchFixtures.resource("torch/views.pth"), file, (name, data) -> {
            if (name.startsWith("views/data/")) {
                TorchTensor.swap(data, name.equals("views/data/1") ? 8 : 4); // storage 1 is the int64 counter
            }
            return data;
        }, "views/byteorder", "big".getBytes(StandardCharsets.US_ASCII));

        StateDict sd = StateDictReader.create().read(file);

        TorchFixtures.assertMatches(EXPECTED.getAsJsonArray("views.pth"), sd, "big-endian copy");
    }

    @Test
    void unknownByteOrderIsNamed() throws IOException {
        Path file = tmp.resolve("odd.pth");
        rewrite(TorchFixtures.resource("torch/views.pth"), file, (name, data) -> data, "views/byteorder",
                "middle".getBytes(StandardCharsets.US_ASCII));

        String message = assertThrows(StateDictFormatException.class, () -> StateDictReader.create().read(file))
                .getMessage();

        assertTrue(message.startsWith(file + ": views/byteorder says 'middle'; expected 'little' or 'big'"), message);
    }

    static float[] floats(TorchTensor t) {
        FloatBuffer b = t.buffer().asFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    /** Copies a stored zip archive except one entry, which must be there. */
    private static void copyWithout(Path from, Path to, String skipped) throws IOException {
        boolean[] seen = {false};
        rewrite(from, to, (name, data) -> {
            seen[0] |= name.equals(skipped);
            return name.equals(skipped) ? null : data;
        }, null, null);
        assertTrue(seen[0], "entry " + skipped + " present");
    }

    /**
     * Copies a stored zip archive, each entry's data mapped (null drops the entry), and adds one
     * entry after the first when {@code added} is not null.
     */
    private static void rewrite(Path from, Path to, BiFunction<String, byte[], byte[]> map, String added,
            byte[] addedData) throws IOException {
        try (ZipFile in = new ZipFile(from.toFile());
                OutputStream os = Files.newOutputStream(to);
                ZipOutputStream out = new ZipOutputStream(os)) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            boolean first = true;
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                byte[] data;
                try (InputStream is = in.getInputStream(e)) {
                    data = map.apply(e.getName(), is.readAllBytes());
                }
                if (data != null) {
                    putStored(out, e.getName(), data);
                }
                if (first && added != null) {
                    putStored(out, added, addedData);
                }
                first = false;
            }
        }
    }

    private static void putStored(ZipOutputStream out, String name, byte[] data) throws IOException {
        ZipEntry copy = new ZipEntry(name);
        copy.setMethod(ZipEntry.STORED);
        copy.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        copy.setCrc(crc.getValue());
        out.putNextEntry(copy);
        out.write(data);
        out.closeEntry();
    }
}
