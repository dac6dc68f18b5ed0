package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;

/**
 * {@code train --val FILE.bin}: InsightFace's verification after each evaluation, in metrics.csv,
 * and {@code OUTPUT/best} holding the model of the highest accuracy on the first set, which
 * {@code evaluate --bin --model} scores to the same accuracy.
 */
class TrainValCommandTest {

    private static Path bin(String name) throws Exception {
        return Path.of(TrainValCommandTest.class.getResource("/insightface/verification/" + name).toURI());
    }

    /**
     * {@code pairs} pairs of the fixture's set (genuine and impostor alternately) as a Python 3 pickle (protocol 4 opcodes:
     * PROTO, EMPTY_LIST, MARK, BINBYTES..., APPENDS, NEWTRUE/NEWFALSE, TUPLE2, STOP), so that the
     * training test evaluates 2 x 2 x pairs images per epoch rather than 1,200.
     */
    static Path smallBin(Path dir, String name, int pairs) throws Exception {
        org.metric4j.data.VerificationBin full = org.metric4j.data.VerificationBin.read(bin("synth_py3.bin"));
        // genuine and impostor pairs alternately, so that each of the 10 folds holds both
        java.util.List<Integer> genuine = new java.util.ArrayList<>();
        java.util.List<Integer> impostor = new java.util.ArrayList<>();
        for (int k = 0; k < full.pairs(); k++) {
            (full.issame()[k] ? genuine : impostor).add(k);
        }
        int[] chosen = new int[pairs];
        for (int k = 0; k < pairs; k++) {
            chosen[k] = (k % 2 == 0 ? genuine : impostor).get(k / 2);
        }
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(new byte[] {(byte) 0x80, 4, ']', '('});
        for (int k : chosen) {
            for (int i = 2 * k; i <= 2 * k + 1; i++) {
                byte[] jpeg = full.image(i);
                b.write('B');
                b.write(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(jpeg.length).array());
                b.write(jpeg);
            }
        }
        b.write(new byte[] {'e', ']', '('});
        for (int k : chosen) {
            b.write(full.issame()[k] ? 0x88 : 0x89);
        }
        b.write(new byte[] {'e', (byte) 0x86, '.'});
        Path out = dir.resolve(name + ".bin");
        Files.write(out, b.toByteArray());
        return out;
    }

    private static String[] train(Path out, String... extra) {
        String[] base = {"train", "--dataset",
            "synthetic-faces:identities=4,images=4,size=112,eval-identities=2,eval-images=2,pairs=4",
            "--backbone", "faceresnet:dim=8,stem=4,units=1", "--loss", "arcface:scale=16,margin=0.2",
            "--optimizer", "sgd", "--lr", "constant:lr=0.05", "--batch-size", "8", "--output", out.toString(),
            "--no-progress", "--device", TestDevice.name()};
        String[] all = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void valSetsAreEvaluatedEachEpochAndTheBestModelIsKept(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Path small2 = smallBin(dir, "synth_py2", 20);
        Path small3 = smallBin(dir, "synth_py3", 20);
        CliRun r = CliRun.of(train(out, "--epochs", "3", "--val", small2.toString(), "--val", small3.toString()));
        assertEquals(0, r.code(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(4, csv.size(), String.join("\n", csv));
        List<String> header = Arrays.asList(csv.get(0).split(","));
        for (String c : new String[] {"synth_py2_accuracy", "synth_py2_accuracy_std", "synth_py2_xnorm",
            "synth_py2_val_at_far_1e-3", "synth_py3_accuracy"}) {
            assertTrue(header.contains(c), "metrics.csv lacks " + c + ": " + header);
        }
        int acc = header.indexOf("synth_py2_accuracy");
        int acc3 = header.indexOf("synth_py3_accuracy");
        double best = Double.NEGATIVE_INFINITY;
        int bestEpoch = 0;
        for (int row = 1; row < csv.size(); row++) {
            String[] v = csv.get(row).split(",");
            double a = Double.parseDouble(v[acc]);
            assertEquals(a, Double.parseDouble(v[acc3]), 0.0, "the two files hold the same set");
            assertTrue(a >= 0 && a <= 1, csv.get(row));
            if (a > best) {
                best = a;
                bestEpoch = row;
            }
        }
        JsonObject info = JsonParser.parseString(Files.readString(out.resolve("best/best.json"))).getAsJsonObject();
        assertEquals("synth_py2_accuracy", info.get("metric").getAsString());
        assertEquals(bestEpoch, info.get("epoch").getAsInt(), info.toString());
        assertEquals(best, info.get("value").getAsDouble(), 1e-5, "metrics.csv rounds to 6 digits");
        assertTrue(Files.isRegularFile(out.resolve("best/backbone.json")) && Files.notExists(out.resolve("best.tmp")));

        // the kept model scores the same accuracy through evaluate --bin --model
        r = CliRun.of("evaluate", "--bin", small2.toString(), "--model", out.resolve("best").toString(),
                "--device", TestDevice.name());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        JsonObject set = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject().getAsJsonObject("sets")
                .getAsJsonObject("synth_py2");
        assertEquals(info.get("value").getAsDouble(), set.get("accuracy_mean").getAsDouble(), 1e-12, r.out());
    }

    @Test
    void badValInputIsOneClearLine(@TempDir Path dir) throws Exception {
        Path notPickle = dir.resolve("lfw.bin");
        Files.write(notPickle, new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0});
        CliRun r = CliRun.of(train(dir.resolve("a"), "--epochs", "1", "--val", notPickle.toString()));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--val " + notPickle) && r.err().strip().split("\n").length <= 3, r.err());
        assertTrue(Files.notExists(dir.resolve("a")), "nothing written");
        r = CliRun.of("train", "--dataset", "synthetic-faces:identities=2,images=2,size=32,channels=1", "--backbone",
                "lenetpp:dim=8", "--epochs", "1", "--val", bin("synth_py2.bin").toString(), "--no-progress");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--val needs 3 x 112 x 112 training images") && r.err().contains("1 x 32 x 32"),
                r.err());
    }
}
