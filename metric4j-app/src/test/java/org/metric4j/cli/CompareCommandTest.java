package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;
import org.metric4j.io.FileTrees;

/** {@code metric4j compare}: several seeds with their spread, {@code --resume}, and bad input. */
class CompareCommandTest {

    private static CliRun tiny(Path out, String... extra) {
        return tiny(out, 2, "constant:lr=0.003", extra);
    }

    private static CliRun tiny(Path out, int epochs, String lr, String... extra) {
        List<String> args = new ArrayList<>(List.of("compare", "--dataset",
                "synthetic-faces:identities=4,images=6,size=28,channels=1,eval-identities=4,eval-images=4,pairs=20",
                "--backbone", "lenetpp:dim=3", "--loss", "softmax", "--loss", "cosface:scale=10,margin=0.1",
                "--optimizer", "adam", "--lr", lr, "--batch-size", "8", "--epochs", String.valueOf(epochs),
                "--seeds", "1,2", "--output", out.toString(), "--no-progress", "--device", TestDevice.name()));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static JsonObject results(Path out) throws Exception {
        return JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
    }

    @Test
    void seedsGiveMeanAndStdAndResumeContinuesExactly(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("cmp");
        CliRun r = tiny(out, "--finding", "2 > softmax on verification_auc");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("[4/4]") && r.out().contains("(seed 2)"), r.out());
        JsonObject first = results(out);
        assertEquals("[1,2]", first.get("seeds").toString());
        JsonArray runs = first.getAsJsonArray("runs");
        assertEquals(2, runs.size());
        for (int i = 0; i < 2; i++) {
            JsonObject run = runs.get(i).getAsJsonObject();
            JsonArray seeds = run.getAsJsonArray("seeds");
            assertEquals(2, seeds.size());
            double a = seeds.get(0).getAsJsonObject().getAsJsonObject("final").get("verification_auc").getAsDouble();
            double b = seeds.get(1).getAsJsonObject().getAsJsonObject("final").get("verification_auc").getAsDouble();
            double mean = run.getAsJsonObject("final").get("verification_auc").getAsDouble();
            double std = run.getAsJsonObject("std").get("verification_auc").getAsDouble();
            assertEquals((a + b) / 2, mean, 1e-12);
            assertEquals(Math.abs(a - b) / Math.sqrt(2), std, 1e-12); // sample std of two values
            assertEquals(2, seeds.get(0).getAsJsonObject().getAsJsonArray("history").size());
        }
        JsonObject finding = first.getAsJsonArray("findings").get(0).getAsJsonObject();
        assertEquals("cosface:scale=10,margin=0.1", finding.get("run").getAsString());
        assertEquals("softmax", finding.get("baseline").getAsString());
        double cos = runs.get(1).getAsJsonObject().getAsJsonObject("final").get("verification_auc").getAsDouble();
        double soft = runs.get(0).getAsJsonObject().getAsJsonObject("final").get("verification_auc").getAsDouble();
        assertEquals(cos > soft, finding.get("holds").getAsBoolean());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Findings: " + (cos > soft ? 1 : 0) + " of 1 hold"), "the report opens with it");
        assertTrue(html.contains("\u00b1"), "the table shows mean +- std");
        assertTrue(html.contains("verification-accuracy-by-epoch"), "a figure of the metric by epoch");
        assertTrue(html.contains("metric4j compare --dataset"), "the command as typed");

        // everything finished: --resume reads the runs back and trains nothing
        CliRun again = tiny(out, "--resume");
        assertEquals(0, again.code(), again.err());
        assertEquals(4, again.out().split("already done", -1).length - 1, again.out());
        assertEquals(withoutTimes(first), withoutTimes(results(out)), "the read-back comparison's numbers");

        // the last run loses its last epoch (as if stopped there): --resume trains that epoch only, to the same result
        Path last = out.resolve("runs/02-cosface-scale-10-margin-0-1/seed-2/checkpoints/epoch-0001");
        assertTrue(Files.isDirectory(last), last.toString());
        FileTrees.delete(last);
        CliRun resumed = tiny(out, "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resumed after epoch 1"), resumed.out());
        assertEquals(3, resumed.out().split("already done", -1).length - 1, resumed.out());
        assertEquals(withoutTimes(first), withoutTimes(results(out)), "the resumed comparison's numbers");
    }

    /** The runs' numbers without wall-clock times, which no rerun repeats. */
    private static String withoutTimes(JsonObject results) {
        String s = results.getAsJsonArray("runs").toString();
        return s.replaceAll("\"(seconds|images_per_second|loop_overhead)\":[-0-9.eE]+,?", "");
    }

    @Test
    void resumeRefusesOtherSettingsAndMissingComparisons(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("cmp");
        CliRun none = tiny(out, "--resume");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("--resume") && none.err().contains("holds no comparison"), none.err());
        assertEquals(0, tiny(out, 1, "constant:lr=0.003").code());
        // another JVM may write an object's keys in another order: still the same settings
        Path plan = out.resolve("comparison.json");
        JsonObject recorded = JsonParser.parseString(Files.readString(plan)).getAsJsonObject();
        JsonObject reordered = new JsonObject();
        List<String> keys = new ArrayList<>(recorded.keySet());
        java.util.Collections.reverse(keys);
        for (String k : keys) {
            reordered.add(k, recorded.get(k));
        }
        Files.writeString(plan, reordered.toString());
        CliRun sameSettings = tiny(out, 1, "constant:lr=0.003", "--resume");
        assertEquals(0, sameSettings.code(), sameSettings.err());
        CliRun other = tiny(out, 1, "constant:lr=0.001", "--resume");
        assertEquals(2, other.code());
        assertTrue(other.err().contains("--resume") && other.err().contains("other settings"), other.err());
        CliRun exists = tiny(out, 1, "constant:lr=0.003");
        assertEquals(2, exists.code());
        assertTrue(exists.err().contains("exists") && exists.err().contains("--resume"), exists.err());
        CliRun both = tiny(out, "--resume", "--force");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("exclude each other"), both.err());
        CliRun badFinding = tiny(dir.resolve("c"), "--finding", "3 > 1 on verification_auc");
        assertEquals(2, badFinding.code());
        assertTrue(badFinding.err().contains("--finding: finding '3 > 1 on verification_auc': runs 3 are not in 1..2"),
                badFinding.err());
        assertFalse(Files.exists(dir.resolve("c")));
        CliRun twice = tiny(dir.resolve("b"), "--seeds", "2"); // 1,2 then 2
        assertEquals(2, twice.code());
        assertTrue(twice.err().contains("--seeds") && twice.err().contains("distinct"), twice.err());
        assertFalse(Files.exists(dir.resolve("b/results.json")));
    }

    @Test
    void headLearningRateFactorReachesEveryRunAndIsPartOfThePlan(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("cmp");
        CliRun r = tiny(out, 1, "constant:lr=0.003", "--head-lr-factor", "10");
        assertEquals(0, r.code(), r.err());
        JsonObject plan = JsonParser.parseString(Files.readString(out.resolve("comparison.json"))).getAsJsonObject();
        assertEquals(10.0, plan.get("head_lr_factor").getAsDouble(), 0);
        assertTrue(Files.readString(out.resolve("report.html")).contains("learning rate constant:lr=0.003 (heads at 10.0x)"));
        long recorded;
        try (var files = Files.walk(out.resolve("runs"))) {
            recorded = files.filter(Files::isRegularFile).filter(p -> {
                try {
                    return Files.readString(p).contains("\"component.head-lr-factor\": \"10.0\"");
                } catch (java.io.IOException | java.io.UncheckedIOException e) {
                    return false;
                }
            }).map(p -> p.getParent().getParent()).distinct().count();
        }
        assertEquals(4, recorded, "both runs of both seeds trained their heads at 10x");
        CliRun other = tiny(out, 1, "constant:lr=0.003", "--resume");
        assertEquals(2, other.code());
        assertTrue(other.err().contains("other settings"), other.err());
        CliRun bad = tiny(dir.resolve("b"), "--head-lr-factor", "0");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--head-lr-factor must be > 0 and finite, got 0.0"), bad.err());
        assertFalse(Files.exists(dir.resolve("b")));
    }
}
