package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.TestDevice;
import org.metric4j.train.Checkpoint;

/**
 * A run records its resolved configuration (run.json and every checkpoint), {@code --resume}
 * refuses changed options unless told, and {@code --version} reports the build's versions.
 */
class RecordedRunTest {

    /** A tiny run; its options leave --momentum, --weight-decay, --head-lr-factor, --seed at their defaults. */
    private static CliRun tiny(Path out, int epochs, String... extra) {
        String[] base = {"train", "--dataset",
            "synthetic-faces:identities=6,images=6,size=32,channels=1,eval-identities=4,eval-images=4,pairs=20",
            "--backbone", "lenetpp:dim=8", "--loss", "arcface:scale=16,margin=0.2", "--optimizer", "adam",
            "--lr", "constant:lr=0.003", "--batch-size", "12", "--epochs", String.valueOf(epochs),
            "--output", out.toString(), "--no-progress", "--device", TestDevice.name()};
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(base));
        for (int i = 0; i < extra.length; i++) { // an option of the base given again replaces its value
            int at = all.indexOf(extra[i]);
            if (at >= 0 && i + 1 < extra.length && !extra[i + 1].startsWith("--")) {
                all.set(at + 1, extra[++i]);
            } else {
                all.add(extra[i]);
            }
        }
        return CliRun.of(all.toArray(new String[0]));
    }

    /** The version in the parent pom (the module's pom names it as its parent's). */
    static String pomVersion() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
        assertTrue(m.find(), "no parent version in " + Path.of("pom.xml").toAbsolutePath());
        return m.group(1).trim();
    }

    private static JsonObject json(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    @Test
    void runJsonAndCheckpointsHoldTheResolvedConfiguration(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliRun r = tiny(out, 1);
        assertEquals(0, r.code(), r.err());
        JsonObject run = json(out.resolve("run.json"));
        JsonObject options = run.getAsJsonObject("options");
        // defaults filled in for options the command line did not give
        assertEquals(0.9, options.get("momentum").getAsDouble(), 0);
        assertEquals(5e-4, options.get("weight-decay").getAsDouble(), 0);
        assertEquals(1.0, options.get("head-lr-factor").getAsDouble(), 0);
        assertEquals(1, options.get("seed").getAsLong());
        assertEquals("none", options.get("pk").getAsString(), "plain shuffling: no P x K");
        assertEquals(12, options.get("batch-size").getAsInt());
        assertEquals(1, options.get("epochs").getAsInt());
        assertEquals("adam", options.get("optimizer").getAsString());
        JsonArray loss = options.getAsJsonArray("loss");
        assertEquals(1, loss.size());
        // component specs resolved: every parameter the component read, defaults included, keys sorted
        assertEquals("arcface:fallback=monotone,margin=0.2,scale=16.0,warmup=0,weight=1.0", loss.get(0).getAsString());
        assertEquals("constant:lr=0.003,warmup=0", options.get("lr").getAsString());
        assertFalse(options.has("allow-changed-options") || options.has("config") || options.has("help"), options.toString());
        JsonObject components = run.getAsJsonObject("components");
        String arc = components.get("loss.0").getAsString();
        assertTrue(arc.contains("ArcFace") && arc.contains("0.2") && arc.contains("16"), arc);
        assertTrue(components.get("optimizer").getAsString().startsWith("Adam(beta1=0.9"), components.toString());
        assertTrue(components.get("sampler").getAsString().startsWith("ShuffleSampler(batchSize=12"), components.toString());
        assertTrue(components.get("backbone").getAsString().contains("Linear"), components.get("backbone").getAsString());
        assertTrue(components.get("lr").getAsString().contains("0.003"), components.get("lr").getAsString());
        JsonObject versions = run.getAsJsonObject("versions");
        assertEquals(pomVersion(), versions.get("metric4j").getAsString());
        assertEquals(Engine.getDjlVersion(), versions.get("djl").getAsString());
        assertEquals(Engine.getInstance().getVersion(), versions.get("pytorch").getAsString());
        assertTrue(versions.get("java").getAsString().startsWith(System.getProperty("java.version")), versions.toString());
        assertEquals(BuildInfo.gitCommit().orElse(null), run.has("git") ? run.get("git").getAsString() : null);
        // the checkpoint records the same
        Map<String, String> recorded = Checkpoint.readState(Checkpoint.latest(out)).config();
        assertEquals("0.9", recorded.get("option.momentum"));
        assertEquals("[arcface:fallback=monotone,margin=0.2,scale=16.0,warmup=0,weight=1.0]", recorded.get("option.loss"));
        assertEquals(arc, recorded.get("component.loss.0"));
        assertEquals(pomVersion(), recorded.get("version.metric4j"));
        assertEquals(Engine.getInstance().getVersion(), recorded.get("version.pytorch"));
    }

    @Test
    void resumeRefusesChangedOptionsUnlessAllowedAndRecordsTheOverride(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        assertEquals(0, tiny(out, 1).code());
        String metrics = Files.readString(out.resolve("metrics.csv"));
        String runJson = Files.readString(out.resolve("run.json"));
        Path checkpoint = Checkpoint.latest(out);
        CliRun r = tiny(out, 2, "--resume", "--lr", "constant:lr=0.01", "--seed", "7");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--lr was constant:lr=0.003,warmup=0, now constant:lr=0.01,warmup=0")
                && r.err().contains("--seed was 1, now 7") && r.err().contains("--allow-changed-options"), r.err());
        assertFalse(r.err().contains("--epochs was"), "a larger --epochs extends the run: " + r.err());
        // nothing already written is lost
        assertEquals(metrics, Files.readString(out.resolve("metrics.csv")));
        assertEquals(runJson, Files.readString(out.resolve("run.json")));
        assertEquals(checkpoint, Checkpoint.latest(out));

        r = tiny(out, 2, "--resume", "--lr", "constant:lr=0.01", "--allow-changed-options");
        assertEquals(0, r.code(), r.err());
        JsonObject resume = json(out.resolve("run.json")).getAsJsonObject("resume");
        assertTrue(resume.get("allowChangedOptions").getAsBoolean(), resume.toString());
        JsonArray changed = resume.getAsJsonArray("changedOptions");
        assertEquals(1, changed.size(), changed.toString());
        JsonObject c = changed.get(0).getAsJsonObject();
        assertEquals("--lr", c.get("option").getAsString());
        assertEquals("constant:lr=0.003,warmup=0", c.get("recorded").getAsString());
        assertEquals("constant:lr=0.01,warmup=0", c.get("now").getAsString());
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size());
        // the override is carried in the checkpoints, which now record the new value
        Map<String, String> recorded = Checkpoint.readState(Checkpoint.latest(out)).config();
        assertEquals("constant:lr=0.01,warmup=0", recorded.get("option.lr"));
        assertTrue(recorded.get("resume.changed-options").contains("--lr was constant:lr=0.003"), recorded.toString());
    }

    @Test
    void aLargerEpochsExtendsTheRunAndASmallerOneIsRefused(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        assertEquals(0, tiny(out, 2).code());
        CliRun r = tiny(out, 1, "--resume");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--epochs 1") && r.err().contains(">= 2"), r.err());
        r = tiny(out, 3, "--resume");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epoch=3"), r.out());
        assertEquals(4, Files.readAllLines(out.resolve("metrics.csv")).size());
        JsonObject run = json(out.resolve("run.json"));
        assertEquals(3, run.getAsJsonObject("options").get("epochs").getAsInt());
        assertEquals(0, run.getAsJsonObject("resume").getAsJsonArray("changedOptions").size());
        assertFalse(run.getAsJsonObject("resume").get("allowChangedOptions").getAsBoolean());
    }

    @Test
    void anExplicitDefaultOrAnUnusedOptionIsNotAChange(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        assertEquals(0, tiny(out, 1).code());
        // the same run spelled with its defaults written out: the resolved options are equal
        CliRun r = tiny(out, 2, "--resume", "--lr", "constant:lr=0.003,warmup=0", "--weight-decay", "0.0005",
                "--momentum", "0.5", // Adam does not read it
                "--loss", "arcface:weight=1,margin=0.20,scale=16");
        assertEquals(0, r.code(), r.err());
        assertEquals(0, json(out.resolve("run.json")).getAsJsonObject("resume").getAsJsonArray("changedOptions").size());
    }

    @Test
    void versionPrintsTheBuildsVersions() throws Exception {
        CliRun r = CliRun.of("--version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("metric4j " + pomVersion()), r.out());
        assertTrue(r.out().contains("DJL " + Engine.getDjlVersion()), r.out());
        assertTrue(r.out().contains("PyTorch " + Engine.getInstance().getVersion()), r.out());
        assertTrue(r.out().contains("Java " + System.getProperty("java.version")), r.out());
        BuildInfo.gitCommit().ifPresent(c -> assertTrue(r.out().contains("git " + c), r.out()));
    }
}
