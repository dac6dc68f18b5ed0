package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.data.IjbConformance;
import org.metric4j.io.NpyFormat;

/** {@code metric4j evaluate --ijb DIR --embeddings img_feats.npy} on the InsightFace IJB fixture. */
class IjbEvaluateCommandTest {

    private static final IjbConformance FIXTURE;

    static {
        try {
            FIXTURE = IjbConformance.bundled();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static Path dir() {
        return FIXTURE.dir();
    }

    private static JsonObject lastJson(String out) {
        String[] lines = out.strip().split("\n");
        return JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
    }

    private static void assertConfig(String cfg, CliRun r) {
        assertEquals(0, r.code(), r.err());
        JsonObject expected = FIXTURE.json().getAsJsonObject("configs").getAsJsonObject(cfg);
        JsonObject json = lastJson(r.out());
        assertEquals(cfg, json.get("config").getAsString());
        assertEquals(expected.get("auc").getAsDouble(), json.get("auc").getAsDouble(), 1e-9, cfg);
        JsonArray tar = json.getAsJsonArray("tar");
        JsonArray strings = json.getAsJsonArray("tar_percent");
        int k = 0;
        for (var e : expected.getAsJsonArray("tar_at_far")) {
            assertEquals(e.getAsJsonObject().get("tar").getAsDouble(), tar.get(k).getAsDouble(), 0.0, cfg);
            assertEquals(e.getAsJsonObject().get("tar_percent_str").getAsString(), strings.get(k).getAsString(), cfg);
            k++;
        }
        List<String> row = new ArrayList<>();
        expected.getAsJsonArray("table_row").forEach(e -> row.add(e.getAsString()));
        assertTrue(r.out().contains("\n" + String.join(" ", row) + "\n"), r.out());
        assertEquals(row.toString(), json.getAsJsonArray("table_row").asList().stream().map(e -> e.getAsString())
                .toList().toString());
    }

    @Test
    void theScriptsDefaultsPrintItsTable() {
        CliRun r = CliRun.of("evaluate", "--ijb", dir().toString(), "--embeddings",
                dir().resolve("img_feats.npy").toString());
        assertConfig("F2_N1_D1", r);
        for (var line : FIXTURE.json().getAsJsonArray("printed_table_default_config")) {
            assertTrue(r.out().contains(line.getAsString() + "\n"), r.out());
        }
        assertTrue(r.out().contains("ijbc-IJBC 20.83 20.83 20.83 42.71 63.54 95.83"), r.out());
        JsonObject json = lastJson(r.out());
        assertEquals(377, json.get("images").getAsInt());
        assertEquals(64, json.get("templates").getAsInt());
        assertEquals(2016, json.get("pairs").getAsInt());
        assertEquals(96, json.get("genuine_pairs").getAsInt());
        assertTrue(!json.has("identification"), "no 1:N lists in the fixture");
    }

    @Test
    void theSwitchesSelectTheOtherConfigurations() {
        String emb = dir().resolve("img_feats.npy").toString();
        assertConfig("F0_N0_D0", CliRun.of("evaluate", "--ijb", dir().toString(), "--embeddings", emb,
                "--flip", "none", "--no-norm-score", "--no-detector-score"));
        // F1_N0_D1: its 65.62 is an exact 65.625, printed half-even as Python does
        assertConfig("F1_N0_D1", CliRun.of("evaluate", "--ijb", dir().toString(), "--embeddings", emb,
                "--flip", "concat", "--no-norm-score", "--target", "IJBC"));
        assertConfig("F2_N1_D0", CliRun.of("evaluate", "--ijb", dir().toString(), "--embeddings", emb,
                "--no-detector-score", "--norm-score"));
    }

    @Test
    void reportWritesTheRocChartAndTheNumbers(@TempDir Path out) throws IOException {
        Path report = out.resolve("rep");
        CliRun r = CliRun.of("evaluate", "--ijb", dir().toString(), "--embeddings",
                dir().resolve("img_feats.npy").toString(), "--report", report.toString());
        assertConfig("F2_N1_D1", r);
        for (String f : List.of("report.html", "figures/roc.png", "figures/roc.svg", "roc.csv", "ijb.json")) {
            assertTrue(Files.size(report.resolve(f)) > 100, f);
        }
        assertEquals(lastJson(r.out()).toString(),
                JsonParser.parseString(Files.readString(report.resolve("ijb.json"))).toString());
        List<String> roc = Files.readAllLines(report.resolve("roc.csv"));
        assertEquals("fpr,tpr,threshold", roc.get(0));
        assertEquals("0.0,0.0,Infinity", roc.get(1));
        assertEquals("1.0,1.0", roc.get(roc.size() - 1).substring(0, 7));
    }

    /** A copy of the fixture's meta folder, one file changed by {@code edit}. */
    private static Path metaWith(Path tmp, String file, java.util.function.UnaryOperator<List<String>> edit)
            throws IOException {
        Path meta = tmp.resolve("ijb").resolve("meta");
        Files.createDirectories(meta);
        try (Stream<Path> s = Files.list(dir().resolve("meta"))) {
            for (Path p : s.toList()) {
                List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
                if (p.getFileName().toString().equals(file)) {
                    lines = edit.apply(new ArrayList<>(lines));
                }
                Files.write(meta.resolve(p.getFileName()), lines, StandardCharsets.UTF_8);
            }
        }
        return meta.getParent();
    }

    @Test
    void badInputIsOneClearLineWithExitCode2(@TempDir Path tmp) throws IOException {
        String emb = dir().resolve("img_feats.npy").toString();
        Path noImages = metaWith(tmp.resolve("a"), "ijbc_template_pair_label.txt", l -> {
            l.set(4, "999999 " + l.get(4).split(" ")[1] + " 0");
            return l;
        });
        CliRun r = CliRun.of("evaluate", "--ijb", noImages.toString(), "--embeddings", emb);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("ijbc_template_pair_label.txt:5: template 999999 has no images in "
                + "ijbc_face_tid_mid.txt"), r.err());

        Path malformed = metaWith(tmp.resolve("b"), "ijbc_face_tid_mid.txt", l -> {
            l.set(2, "3.jpg 11797");
            return l;
        });
        r = CliRun.of("evaluate", "--ijb", malformed.toString(), "--embeddings", emb);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("ijbc_face_tid_mid.txt:3: expected 3 fields, got 2: '3.jpg 11797'"), r.err());

        Path badScore = metaWith(tmp.resolve("c"), "ijbc_name_5pts_score.txt", l -> {
            l.set(6, l.get(6).substring(0, l.get(6).lastIndexOf(' ')) + " high");
            return l;
        });
        r = CliRun.of("evaluate", "--ijb", badScore.toString(), "--embeddings", emb);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("ijbc_name_5pts_score.txt:7: faceness must be a number, got 'high'"), r.err());

        NpyFormat.Header h = NpyFormat.readHeader(Path.of(emb));
        double[] rows = NpyFormat.readRows(Path.of(emb), h, 0, 376);
        Path shortEmb = tmp.resolve("short.npy");
        try (OutputStream o = Files.newOutputStream(shortEmb)) {
            NpyFormat.write(o, rows, 376, h.shape()[1], DataType.FLOAT32);
        }
        r = CliRun.of("evaluate", "--ijb", dir().toString(), "--embeddings", shortEmb.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("376 rows, but ijbc_face_tid_mid.txt lists 377 images"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());

        r = CliRun.of("evaluate", "--ijb", dir().toString(), "--embeddings", emb, "--target", "LFW");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--target must be one of [IJBC, IJBB], got 'LFW'"), r.err());

        r = CliRun.of("evaluate", "--ijb", dir().toString(), "--embeddings", emb, "--ijb-1n");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--ijb-1n needs"), r.err());

        r = CliRun.of("evaluate", "--ijb", dir().toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--ijb without --embeddings: embedding the IJB images with a model is not "
                + "implemented yet"), r.err());

        r = CliRun.of("evaluate", "--pairs", "x.txt");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("Missing required option: '--embeddings=<embeddings>'"), r.err());
    }
}
