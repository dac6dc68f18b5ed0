package org.metric4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.metric4j.io.NpyFormat;
import org.metric4j.model.BackboneSpec;

/**
 * An InsightFace backbone fixture (insightface/backbones/NAME.json and .pth, README beside them)
 * as the CLI tests use it: the {@code --backbone} spec of its {@code arch}, its weights file, its
 * input pixels written as PNG images or as InsightFace's preprocessed tensor (.npy), and its
 * expected embeddings.
 */
final class BackboneFixture {

    final String name;
    final Path dir;
    final JsonObject json;
    private static final int SIZE = 112;

    BackboneFixture(String name) throws Exception {
        this.name = name;
        dir = Path.of(BackboneFixture.class.getResource("/insightface/backbones/" + name + ".json").toURI()).getParent();
        json = JsonParser.parseString(Files.readString(dir.resolve(name + ".json"), StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    /** The weights file. */
    Path pth() {
        return dir.resolve(json.get("weights_file").getAsString());
    }

    /** The {@code --backbone} spec of the fixture's arch (canonical form). */
    String spec() {
        JsonObject arch = json.getAsJsonObject("arch");
        JsonArray counts = arch.has("layers") ? arch.getAsJsonArray("layers") : arch.getAsJsonArray("blocks");
        List<Integer> c = new ArrayList<>();
        counts.forEach(e -> c.add(e.getAsInt()));
        return BackboneSpec.fromArch(arch.get("type").getAsString(), c,
                arch.has("scale") ? arch.get("scale").getAsInt() : null, arch.get("num_features").getAsInt(),
                arch.has("dropout") ? arch.get("dropout").getAsDouble() : null).toString();
    }

    /** The state_dict list: key, shape, dtype, sha256 (and value for counters). */
    JsonArray stateDict() {
        return json.getAsJsonArray("state_dict");
    }

    private JsonArray pixels() {
        return json.getAsJsonObject("input").getAsJsonArray("pixels_uint8");
    }

    int count() {
        return pixels().size();
    }

    private int pixel(int i, int c, int y, int x) {
        return pixels().get(i).getAsJsonArray().get(c).getAsJsonArray().get(y).getAsJsonArray().get(x).getAsInt();
    }

    /** The input as PNGs root/a/0.png, 1.png, ... (one identity, files in input order). */
    Path writeImages(Path root) throws IOException {
        Path folder = Files.createDirectories(root.resolve("a"));
        for (int i = 0; i < count(); i++) {
            BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    img.setRGB(x, y, pixel(i, 0, y, x) << 16 | pixel(i, 1, y, x) << 8 | pixel(i, 2, y, x));
                }
            }
            ImageIO.write(img, "png", folder.resolve(i + ".png").toFile());
        }
        return root;
    }

    /** The fixture's preprocessed input (value_of_pixel[v]) as a float32 N x 3 x 112 x 112 .npy. */
    Path writeTensors(Path file) throws IOException {
        JsonArray table = json.getAsJsonObject("input").getAsJsonArray("value_of_pixel");
        int n = count();
        ByteBuffer b = ByteBuffer.allocate(n * 3 * SIZE * SIZE * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < SIZE; y++) {
                    for (int x = 0; x < SIZE; x++) {
                        b.putFloat(table.get(pixel(i, c, y, x)).getAsFloat());
                    }
                }
            }
        }
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + n + ", 3, " + SIZE + ", " + SIZE
                + "), }";
        int pad = 64 - (10 + header.length() + 1) % 64;
        header = header + " ".repeat(pad % 64) + "\n";
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            out.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) header.length()).array());
            out.write(header.getBytes(StandardCharsets.US_ASCII));
            out.write(b.array());
        }
        return file;
    }

    /** expected.embedding as rows. */
    double[][] expectedEmbedding() {
        return org.metric4j.model.ModelFixtures.rows(json.getAsJsonObject("expected").getAsJsonArray("embedding"));
    }

    /** The rows of an N x D .npy. */
    static double[][] readRows(Path npy) throws IOException {
        NpyFormat.Array a;
        try (InputStream in = Files.newInputStream(npy)) {
            a = NpyFormat.read(in, npy.toString());
        }
        int n = (int) a.shape()[0];
        int d = (int) a.shape()[1];
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a.values(), i * d, out[i], 0, d);
        }
        return out;
    }
}
