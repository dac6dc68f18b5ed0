package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.train.Checkpoint;

/** Ctrl-C on a real {@code metric4j train} process leaves a checkpoint that {@code --resume} continues. */
@EnabledOnOs(OS.LINUX)
class TrainInterruptTest {

    private static final String[] RUN = {"train", "--dataset",
        "synthetic-faces:identities=6,images=6,size=32,channels=1,eval-identities=4,eval-images=4,pairs=20",
        "--backbone", "lenetpp:dim=8", "--loss", "arcface:scale=16,margin=0.2", "--optimizer", "adam",
        "--lr", "constant:lr=0.003", "--batch-size", "6", "--no-progress"};

    @Test
    void sigintWritesAResumableCheckpoint(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-cp", System.getProperty("java.class.path"),
                Metric4j.class.getName()));
        cmd.addAll(List.of(RUN));
        cmd.addAll(List.of("--epochs", "1000", "--output", out.toString()));
        Path log = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).redirectOutput(dir.resolve("stdout.txt").toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (Checkpoint.latest(out) == null) { // the first epoch is done: training is under way
                if (!p.isAlive()) {
                    throw new AssertionError("train exited early with status " + p.exitValue() + ": "
                            + Files.readString(log, StandardCharsets.UTF_8) + "\n"
                            + Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8));
                }
                assertTrue(System.nanoTime() < deadline, "no checkpoint after 120 s");
                Thread.sleep(100);
            }
            Thread.sleep(700); // into a later epoch
            Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start();
            assertEquals(0, kill.waitFor());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "train did not exit after SIGINT");
        } finally {
            p.destroyForcibly();
        }
        String err = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(130, p.exitValue(), err);
        assertTrue(err.contains("interrupted") && err.contains("--resume"), err);
        Path latest = Checkpoint.latest(out);
        assertNotNull(latest);
        Checkpoint.State state = Checkpoint.readState(latest);
        int epochs = state.epoch() + 3; // resume and train two more epochs (one if it stopped mid-epoch)
        List<String> resume = new ArrayList<>(List.of(RUN));
        resume.addAll(List.of("--epochs", String.valueOf(epochs), "--output", out.toString(), "--resume"));
        CliRun r = CliRun.of(resume.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("epoch=" + epochs), r.out());
        assertEquals(epochs + 1, Files.readAllLines(out.resolve("metrics.csv")).size(),
                "one row per epoch, resumed from " + latest.getFileName() + File.separator);
    }
}
