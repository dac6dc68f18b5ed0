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
    void helpListsTheIjbOptionsWithTheScriptsDefaults() {
        CliRun r = CliRun.of("evaluate", "--help");
        assertEquals(0, r.code(), r.err());
        for (String s : List.of("--ijb=DIR", "--flip=MODE", "(default: SUM, the script's)", "--[no-]norm-score",
                "--[no-]detector-score", "--target=IJBC|IJBB", "--[no-]ijb-1n", "--report=DIR", "--embeddings")) {
            assertTrue(r.out().contains(s), s + " in\n" + r.out());
        }
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
        System.out.println("ijb report: " + report);
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
        assertTrue(r.err().contains("--ijb needs --embeddings FILE.npy or a model (--model, --torchscript, --onnx, "
                + "--backbone with --weights) to embed " + dir().resolve("loose_crop") + ", got neither"), r.err());

        r = CliRun.of("evaluate", "--pairs", "x.txt");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("missing --embeddings FILE (or give --bin FILE.bin or --ijb DIR)"), r.err());
    }

    /**
     * 1:N on the fixture with lists made as docs/experiments/ijb-1n/check_ijb_1n.py makes them
     * (subjects = components of the genuine pairs, numbered 100.. by smallest template; that
     * template to G1 for even, G2 for odd subjects; the rest are probes). The expected numbers are
     * that script's numpy transcription of ijb_1n.py: top1 41/48, top5 = top10 = 1, TPIR 22/48 and
     * 28/48 at FAR 0.01 and 0.1, thresholds 0.2633933376687019 and 0.23666757596101676.
     */
    @Test
    void identificationRunsWhenTheListsArePresent(@TempDir Path tmp) throws IOException {
        Path ijb = metaWith(tmp, "none", l -> l);
        java.util.TreeMap<Long, Long> parent = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(dir().resolve("meta/ijbc_face_tid_mid.txt"))) {
            long t = Long.parseLong(line.split(" ")[1]);
            parent.put(t, t);
        }
        java.util.function.LongUnaryOperator find = t -> {
            while (parent.get(t) != t) {
                t = parent.get(t);
            }
            return t;
        };
        for (String line : Files.readAllLines(dir().resolve("meta/ijbc_template_pair_label.txt"))) {
            String[] f = line.split(" ");
            if (f[2].equals("1")) {
                long a = find.applyAsLong(Long.parseLong(f[0]));
                long b = find.applyAsLong(Long.parseLong(f[1]));
                parent.put(Math.max(a, b), Math.min(a, b));
            }
        }
        List<Long> roots = parent.keySet().stream().filter(t -> find.applyAsLong(t) == t).sorted().toList();
        List<String> g1 = new ArrayList<>(List.of("TEMPLATE_ID,SUBJECT_ID"));
        List<String> g2 = new ArrayList<>(g1);
        List<String> probes = new ArrayList<>(g1);
        for (int k = 0; k < roots.size(); k++) {
            long root = roots.get(k);
            List<Long> members = parent.keySet().stream().filter(t -> find.applyAsLong(t) == root).sorted().toList();
            (k % 2 == 0 ? g1 : g2).add(members.get(0) + "," + (100 + k));
            members.subList(1, members.size()).forEach(t -> probes.add(t + "," + (100 + roots.indexOf(root))));
        }
        Path meta = ijb.resolve("meta");
        Files.write(meta.resolve("ijbc_1N_gallery_G1.csv"), g1);
        Files.write(meta.resolve("ijbc_1N_gallery_G2.csv"), g2);
        Files.write(meta.resolve("ijbc_1N_probe_mixed.csv"), probes);

        String emb = dir().resolve("img_feats.npy").toString();
        CliRun r = CliRun.of("evaluate", "--ijb", ijb.toString(), "--embeddings", emb);
        assertConfig("F2_N1_D1", r);
        JsonObject id = lastJson(r.out()).getAsJsonObject("identification");
        assertEquals(48, id.get("probes").getAsInt());
        assertEquals(16, id.get("gallery").getAsInt());
        assertEquals(41 / 48.0, id.get("top1").getAsDouble(), 0.0);
        assertEquals(1.0, id.get("top5").getAsDouble(), 0.0);
        assertEquals(1.0, id.get("top10").getAsDouble(), 0.0);
        assertEquals(22 / 48.0, id.getAsJsonArray("tpir").get(0).getAsDouble(), 0.0);
        assertEquals(28 / 48.0, id.getAsJsonArray("tpir").get(1).getAsDouble(), 0.0);
        assertEquals(0.2633933376687019, id.getAsJsonArray("threshold").get(0).getAsDouble(), 1e-6);
        assertEquals(0.23666757596101676, id.getAsJsonArray("threshold").get(1).getAsDouble(), 1e-6);
        assertTrue(r.out().contains("1:N: 48 probe templates, 16 gallery templates"), r.out());

        r = CliRun.of("evaluate", "--ijb", ijb.toString(), "--embeddings", emb, "--no-ijb-1n");
        assertEquals(0, r.code(), r.err());
        assertTrue(!lastJson(r.out()).has("identification"), r.out());
    }
}
