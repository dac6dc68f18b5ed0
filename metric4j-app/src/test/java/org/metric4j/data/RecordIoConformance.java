package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;

/**
 * The checks of one {@code kind: recordio} fixture (insightface/README.md, section 2), shared by
 * {@link RecordIoReaderTest}, {@link RecordIoDatasetTest} and InsightFaceFixtureTest: per layout,
 * every record's key, offset, parts and IRHeader fields and the image bytes' SHA-256 equal {@code
 * records_in_file_order}; the {@link RecordIoDataset} has MXFaceDataset's items, keys, labels,
 * header0, identity ranges and decoded RGB SHA-256 ({@code mxfacedataset}).
 */
public final class RecordIoConformance {

    /** The bundled fixture. */
    public static final String RESOURCE = "/insightface/recordio/expected.json";

    private final Path dir;
    private final JsonObject json;

    /** The checks of the fixture {@code file} whose content is {@code json}. */
    public RecordIoConformance(Path file, JsonObject json) {
        this.dir = file.getParent();
        this.json = json;
    }

    /** The bundled fixture. */
    public static RecordIoConformance bundled() throws Exception {
        Path file = Path.of(RecordIoConformance.class.getResource(RESOURCE).toURI());
        return new RecordIoConformance(file,
                JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject());
    }

    /** The layout names, in the JSON's order. */
    public List<String> layouts() {
        return List.copyOf(json.getAsJsonObject("layouts").keySet());
    }

    /** The {@code .rec} of a layout. */
    public Path rec(String layout) {
        return dir.resolve(layout).resolve("train.rec");
    }

    /** The checks by name, in order. */
    public Map<String, Executable> checks() {
        Map<String, Executable> c = new LinkedHashMap<>();
        c.put("image_folder pixels", this::imageFolder);
        for (String layout : layouts()) {
            c.put(layout + " files", () -> files(layout));
            c.put(layout + " records", () -> records(layout));
            c.put(layout + " MXFaceDataset", () -> dataset(layout));
            c.put(layout + " pack", () -> pack(layout));
        }
        return c;
    }

    /** Each source image's file and decoded RGB SHA-256 equal {@code images}. */
    public void imageFolder() throws Exception {
        for (JsonElement e : json.getAsJsonArray("images")) {
            JsonObject img = e.getAsJsonObject();
            Path p = dir.resolve("image_folder").resolve(img.get("path").getAsString());
            byte[] bytes = Files.readAllBytes(p);
            assertEquals(img.get("jpeg_bytes").getAsInt(), bytes.length, p + ": bytes");
            assertEquals(img.get("jpeg_sha256").getAsString(), sha256(bytes), p + ": file SHA-256");
            assertEquals(img.get("rgb_sha256").getAsString(), rgbSha256(ImageDecoder.read(p)),
                    p + ": RGB SHA-256");
        }
    }

    /** The layout's files have the JSON's sizes and SHA-256. */
    public void files(String layout) throws Exception {
        JsonObject files = layout(layout).getAsJsonObject("files");
        for (String name : files.keySet()) {
            byte[] bytes = Files.readAllBytes(dir.resolve(layout).resolve(name));
            JsonObject f = files.getAsJsonObject(name);
            assertEquals(f.get("bytes").getAsLong(), bytes.length, layout + "/" + name + ": bytes");
            assertEquals(f.get("sha256").getAsString(), sha256(bytes), layout + "/" + name + ": SHA-256");
        }
    }

    /**
     * The reader's keys in index order and every record's offset, parts (cflag, length, padding),
     * IRHeader fields, payload size and image SHA-256 equal {@code records_in_file_order}; the
     * records cover the whole file.
     */
    public void records(String layout) throws Exception {
        JsonArray want = layout(layout).getAsJsonArray("records_in_file_order");
        Map<String, String> jpegOfPath = new HashMap<>();
        for (JsonElement e : json.getAsJsonArray("images")) {
            jpegOfPath.put(e.getAsJsonObject().get("path").getAsString(),
                    e.getAsJsonObject().get("jpeg_sha256").getAsString());
        }
        try (RecordIoReader reader = RecordIoReader.open(rec(layout))) {
            assertEquals(want.size(), reader.keys().size(), layout + ": keys in the .idx");
            long end = 0;
            for (int i = 0; i < want.size(); i++) {
                JsonObject r = want.get(i).getAsJsonObject();
                long key = r.get("key").getAsLong();
                String what = layout + " record " + i + " key " + key;
                assertEquals(key, reader.keys().get(i), what + ": key in .idx order");
                assertEquals(r.get("offset").getAsLong(), reader.offset(key), what + ": offset");
                assertEquals(end, reader.offset(key), what + ": starts where the previous record ends");
                RecordIoRecord rec = reader.read(key);
                JsonArray parts = r.getAsJsonArray("parts");
                int[] cflags = new int[parts.size()];
                int[] lengths = new int[parts.size()];
                int[] paddings = new int[parts.size()];
                for (int p = 0; p < parts.size(); p++) {
                    JsonArray part = parts.get(p).getAsJsonArray();
                    cflags[p] = part.get(0).getAsInt();
                    lengths[p] = part.get(1).getAsInt();
                    paddings[p] = part.get(2).getAsInt();
                    end += 8 + lengths[p] + paddings[p];
                }
                assertArrayEquals(cflags, rec.cflags(), what + ": cflags");
                assertArrayEquals(lengths, rec.lengths(), what + ": part lengths");
                for (int p = 0; p < parts.size(); p++) {
                    assertEquals(paddings[p], RecordIoRecord.padding(lengths[p]), what + ": padding of part " + p);
                }
                int joined = 4 * (parts.size() - 1);
                for (int l : lengths) {
                    joined += l;
                }
                assertEquals(joined, rec.payload().length, what + ": payload = parts + magic between them");
                RecordIoItem item = rec.item(what);
                assertEquals(r.get("flag").getAsInt(), item.flag(), what + ": flag");
                JsonElement label = r.get("label");
                if (label.isJsonArray()) {
                    float[] labels = new float[label.getAsJsonArray().size()];
                    for (int k = 0; k < labels.length; k++) {
                        labels[k] = label.getAsJsonArray().get(k).getAsFloat();
                    }
                    assertArrayEquals(labels, item.labels(), what + ": labels");
                    assertEquals(0f, item.label(), what + ": label field with flag > 0");
                } else {
                    assertEquals(0, item.labels().length, what + ": no label array");
                    assertEquals(label.getAsFloat(), item.label(), what + ": label");
                }
                assertEquals(r.get("id").getAsLong(), item.id(), what + ": id");
                assertEquals(r.get("id2").getAsLong(), item.id2(), what + ": id2");
                assertEquals(r.get("payload_bytes").getAsInt(), item.image().length, what + ": image bytes");
                if (r.has("jpeg_sha256")) {
                    assertEquals(r.get("jpeg_sha256").getAsString(), sha256(item.image()), what + ": image SHA-256");
                    assertEquals(jpegOfPath.get(r.get("image_path").getAsString()), sha256(item.image()),
                            what + ": SHA-256 of " + r.get("image_path").getAsString());
                }
            }
            assertEquals(Files.size(rec(layout)), end, layout + ": the records end at the end of file");
        }
    }

    /**
     * {@link RecordIoDataset} has MXFaceDataset's size, keys, header0, labels, identity ranges,
     * class counts, number of classes, names, image bytes and decoded RGB.
     */
    public void dataset(String layout) throws Exception {
        JsonObject l = layout(layout);
        JsonObject mx = l.getAsJsonObject("mxfacedataset");
        try (RecordIoDataset ds = RecordIoDataset.open(rec(layout))) {
            assertEquals(mx.get("len").getAsInt(), ds.size(), layout + ": len");
            assertEquals(l.get("num_images").getAsInt(), ds.size(), layout + ": num_images");
            assertEquals(l.get("num_classes").getAsInt(), ds.numClasses(), layout + ": num_classes");
            JsonArray imgidx = mx.getAsJsonArray("imgidx");
            long[] keys = new long[imgidx.size()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = imgidx.get(i).getAsLong();
            }
            long[] ours = new long[ds.size()];
            for (int i = 0; i < ours.length; i++) {
                ours[i] = ds.key(i);
                assertEquals(Long.toString(ours[i]), ds.name(i), layout + ": name of item " + i);
            }
            assertArrayEquals(keys, ours, layout + ": imgidx");
            JsonElement h0 = mx.get("header0");
            if (h0 == null || h0.isJsonNull()) {
                assertNull(ds.header0(), layout + ": header0");
            } else {
                assertEquals(List.of(h0.getAsJsonArray().get(0).getAsInt(), h0.getAsJsonArray().get(1).getAsInt()),
                        ds.header0(), layout + ": header0");
            }
            JsonArray items = mx.getAsJsonArray("items");
            assertEquals(ds.size(), items.size(), layout + ": items");
            for (JsonElement e : items) {
                JsonObject item = e.getAsJsonObject();
                int i = item.get("index").getAsInt();
                String what = layout + " item " + i;
                assertEquals(item.get("key").getAsLong(), ds.key(i), what + ": key");
                assertEquals(item.get("label").getAsLong(), ds.label(i), what + ": label");
                assertEquals(item.get("jpeg_sha256").getAsString(), sha256(ds.imageBytes(i)), what + ": JPEG SHA-256");
                assertEquals(item.get("rgb_sha256").getAsString(), rgbSha256(ds.decode(i)), what + ": RGB SHA-256");
            }
            JsonArray counts = json.getAsJsonArray("class_counts");
            long[] want = new long[counts.size()];
            for (int c = 0; c < want.length; c++) {
                want[c] = counts.get(c).getAsLong();
            }
            long[] got = new long[ds.numClasses()];
            for (long label : ds.labelArray()) {
                got[(int) label]++;
            }
            assertArrayEquals(want, got, layout + ": class counts");
            JsonElement ranges = mx.get("identity_ranges");
            if (ranges != null && ranges.isJsonObject()) {
                for (Map.Entry<String, JsonElement> r : ranges.getAsJsonObject().entrySet()) {
                    JsonArray range = r.getValue().getAsJsonArray();
                    float[] labels = ds.reader().item(Long.parseLong(r.getKey())).labels();
                    assertArrayEquals(new float[] {range.get(0).getAsFloat(), range.get(1).getAsFloat()}, labels,
                            layout + ": identity range of key " + r.getKey());
                }
            }
        }
    }

    /**
     * {@link RecordIoPacker} on {@code image_folder} reproduces the layout's files (all but the
     * {@code .lst}) byte for byte: face2rec2 from its {@code train.lst} when present, im2rec from
     * the folder (sorted walk and {@code random.seed(100)} shuffle, whose order must equal the
     * records'), RecBuilder from the images in {@code records_in_file_order}.
     */
    public void pack(String layout) throws Exception {
        RecordIoPacker.Layout l = RecordIoPacker.Layout.valueOf(layout.toUpperCase(java.util.Locale.ROOT));
        Path images = dir.resolve("image_folder");
        Path lst = dir.resolve(layout).resolve("train.lst");
        List<RecordIoPacker.Entry> fromJson = new java.util.ArrayList<>();
        for (JsonElement e : layout(layout).getAsJsonArray("records_in_file_order")) {
            JsonObject r = e.getAsJsonObject();
            if (r.has("image_path")) {
                JsonElement label = r.get("label");
                int c = (int) (label.isJsonArray() ? label.getAsJsonArray().get(0).getAsFloat() : label.getAsFloat());
                fromJson.add(new RecordIoPacker.Entry(r.get("key").getAsLong(), c,
                        images.resolve(r.get("image_path").getAsString())));
            }
        }
        List<RecordIoPacker.Entry> entries;
        if (l == RecordIoPacker.Layout.IM2REC) {
            entries = RecordIoPacker.listFolder(images, l);
            assertEquals(fromJson, entries, layout + ": im2rec list (sorted walk, seed-100 shuffle) = record order");
        } else if (l == RecordIoPacker.Layout.FACE2REC2 && Files.isRegularFile(lst)) {
            entries = RecordIoPacker.readList(lst, images, l);
        } else {
            entries = fromJson;
        }
        Path out = Files.createTempDirectory("metric4j-pack-");
        try {
            RecordIoPacker.write(entries, l, out.resolve("train.rec"), out.resolve("train.idx"), out.resolve("property"));
            JsonObject files = layout(layout).getAsJsonObject("files");
            for (String name : files.keySet()) {
                if (name.endsWith(".lst")) {
                    continue;
                }
                byte[] bytes = Files.readAllBytes(out.resolve(name));
                JsonObject f = files.getAsJsonObject(name);
                assertEquals(f.get("bytes").getAsLong(), bytes.length, layout + " packed " + name + ": bytes");
                assertEquals(f.get("sha256").getAsString(), sha256(bytes), layout + " packed " + name + ": SHA-256");
            }
        } finally {
            try (var s = Files.walk(out)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private JsonObject layout(String layout) {
        return json.getAsJsonObject("layouts").getAsJsonObject(layout);
    }

    /** SHA-256 of H x W x 3 uint8 RGB, row-major (the fixture's {@code rgb_sha256}). */
    static String rgbSha256(BufferedImage img) throws NoSuchAlgorithmException {
        int[] packed = Pixels.packed(ImageDecoder.rgb(img));
        byte[] rgb = new byte[packed.length * 3];
        for (int p = 0; p < packed.length; p++) {
            rgb[3 * p] = (byte) (packed[p] >>> 16);
            rgb[3 * p + 1] = (byte) (packed[p] >>> 8);
            rgb[3 * p + 2] = (byte) packed[p];
        }
        return sha256(rgb);
    }

    static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
