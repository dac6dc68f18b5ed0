package org.metric4j.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long run stays flat (issue #12 part 10): a child JVM with {@code -Xms} equal to {@code -Xmx}
 * and {@code -XX:+AlwaysPreTouch} (so the Java heap is resident from the start and neither hides
 * nor fakes native growth: without pre-touching, the heap's pages becoming resident as the
 * collector cycles through them read as ~35 MB per 100 steps) trains LeNet++ at batch 32 for
 * 1,500 steps with the real trainer (checkpoints every 100 steps) and then runs 500 k-NN query
 * blocks; its resident memory, sampled every 100 steps (every 50 blocks) after a warm-up (300
 * steps, 200 blocks), has a least-squares slope under 2 MB per 100 steps (per 100 blocks). The
 * k-NN warm-up is 200 blocks because the JIT compiles the k-NN path around blocks 150-250 (NMT:
 * "Arena Chunk" 19.9 MB at blocks 200 and 250, 1.2 MB at 300); in one run a 15 MB step at block
 * 200 stayed resident even after the release below and, with a 100-block warm-up, read as 1.8 MB
 * per 100 blocks (other runs: a 7 MB drop there, or flat).
 *
 * <p><b>What is measured.</b> Each sample is the resident set after the child has released what is
 * free ({@link SoakMain#releaseFreeMemory}): a {@code System.gc()} (so that direct buffers DJL no
 * longer references are freed by their cleaners instead of waiting for a collection the fixed heap
 * rarely needs) and glibc's {@code malloc_trim(0)} (which returns the free pages of every malloc
 * arena to the kernel). The raw resident set before that is printed too. Without the release the
 * raw resident set rises now and then in steps of 10-30 MB that are not memory in use: Native Memory
 * Tracking showed the JVM's own compiler arenas ("Arena Chunk", +12.7 MB while C2 compiled at step
 * ~400, back to ~1 MB by step 500) and DJL's direct buffers awaiting collection ("Other", 2-12 MB,
 * up and down) freed to glibc, which keeps the pages in its 64 MB thread arenas (one grew 21 -> 36
 * MB of resident pages); subtracting NMT's committed total does not remove them (RSS minus NMT rose
 * 23 MB over steps 300-900), because the pages are free in glibc, no longer in the JVM's books.
 * Measured raw, 1,500-step slopes were 0.28 and 1.86 MB per 100 steps and 3,000-step ones 0.86,
 * 1.06 and 2.08. A leak, native (libtorch tensors, DJL handles) or Java (direct buffers still
 * referenced), holds its pages and is not trimmed, so it still reads as a slope. Measured this way
 * (three consecutive runs, load 3.7-5 on two shared cores, 100-146 s): training -0.001, 0.169 and
 * 0.174 MB per 100 steps, k-NN -0.878, -0.572 and 0.038 MB per 100 blocks; the k-NN samples after
 * release still show one 7-15 MB rise between blocks 150 and 250 (see the warm-up).
 *
 * <p>The child uses one intra-op thread: LeNet++ at batch 32 gains little from a second, and on a
 * loaded two-core machine (load 6) two OpenMP threads waiting for each other made 1,500 steps take
 * more than the 5 minutes (900 steps in 300 s; 90-195 s at load 3-4).
 *
 * <p>The child runs as the launcher does, without PyTorch's {@code THP_MEM_ALLOC_ENABLE}: with it,
 * the same run grew 1,067 -> 1,407 MB over 3,200 steps (~11 MB per 100 steps, in glibc's thread
 * arenas, never levelling off), against 1,075 -> 1,079 MB over 1,500 steps without it; the
 * environment variable is removed so that a shell which exports it cannot change the result. The
 * child's native allocator is the launcher's default: the command runs through {@code
 * scripts/native-allocator.sh} from an environment without {@code LD_PRELOAD}, {@code MALLOC_CONF}
 * or {@code METRIC4J_ALLOCATOR}: jemalloc where it is installed (CI installs it), else glibc's
 * malloc. Under jemalloc the samples are its resident high-water mark, since glibc's {@code
 * malloc_trim} does not touch its memory: one run measured 0.594 MB per 100 steps and 0.386 per 100
 * blocks; the figures above are glibc's.
 */
@Tag("heavy")
class SoakIT {

    private static final double LIMIT_MB_PER_100 = 2.0;
    /** The sizes. */
    private static final int STEPS = 1500;
    private static final int BLOCKS = 500;

    @Test
    void residentMemoryStaysFlatOverALongRun(@TempDir Path dir) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", ". \"$0\" && exec \"$@\"",
                Path.of("..", "scripts", "native-allocator.sh").toAbsolutePath().toString()));
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms768m", "-Xmx768m", "-XX:+AlwaysPreTouch", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), SoakMain.class.getName(),
                dir.resolve("run").toString(), String.valueOf(STEPS / 100), String.valueOf(BLOCKS)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("THP_MEM_ALLOC_ENABLE");
        for (String variable : List.of("LD_PRELOAD", "MALLOC_CONF", "METRIC4J_ALLOCATOR")) {
            pb.environment().remove(variable);
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        List<double[]> train = new ArrayList<>();
        List<double[]> knn = new ArrayList<>();
        List<double[]> rawTrain = new ArrayList<>();
        List<double[]> rawKnn = new ArrayList<>();
        StringBuilder log = new StringBuilder();
        AtomicReference<String> allocator = new AtomicReference<>("unknown");
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (log) {
                        log.append(line).append('\n');
                        String[] f = line.split(" ");
                        if (f.length == 2 && f[0].equals("allocator")) {
                            allocator.set(f[1]);
                        }
                        if (f.length == 4 && (f[0].equals("rss") || f[0].equals("raw"))) {
                            double[] sample = {Double.parseDouble(f[2]), Double.parseDouble(f[3]) / 1024.0};
                            boolean trimmed = f[0].equals("rss");
                            (f[1].equals("train") ? trimmed ? train : rawTrain : trimmed ? knn : rawKnn).add(sample);
                        }
                    }
                }
            } catch (java.io.IOException e) {
                synchronized (log) {
                    log.append("reading the child's output failed: ").append(e).append('\n');
                }
            }
        });
        reader.setDaemon(true);
        reader.start();
        boolean finished = p.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly().waitFor();
        }
        reader.join(10_000);
        synchronized (log) {
            assertTrue(finished, "the soak run did not finish in 5 minutes:\n" + tail(log));
            assertEquals(0, p.exitValue(), "the soak child failed:\n" + tail(log));
            assertEquals(STEPS / 100, train.size(), "one sample per 100 steps:\n" + tail(log));
            assertEquals(BLOCKS / 50, knn.size(), "one sample per 50 blocks:\n" + tail(log));
            for (double[] s : train) {
                assertTrue(s[1] > 0, "the child could not release free memory (malloc_trim):\n" + tail(log));
            }
            // warm-up: the first 300 steps and the first 200 blocks
            double trainSlope = 100 * slope(train.subList(3, train.size()));
            double knnSlope = 100 * slope(knn.subList(4, knn.size()));
            double rawTrainSlope = 100 * slope(rawTrain.subList(3, rawTrain.size()));
            double rawKnnSlope = 100 * slope(rawKnn.subList(4, rawKnn.size()));
            String samples = String.format(java.util.Locale.ROOT,
                    "%.0f s; after release: train %s%nknn %s%nraw (not asserted, %.3f / %.3f MB per 100): train %s%nknn %s",
                    (System.nanoTime() - t0) / 1e9, format(train), format(knn), rawTrainSlope, rawKnnSlope,
                    format(rawTrain), format(rawKnn));
            assertTrue(trainSlope < LIMIT_MB_PER_100, "training RSS grows " + trainSlope + " MB per 100 steps\n" + samples);
            assertTrue(knnSlope < LIMIT_MB_PER_100, "k-NN RSS grows " + knnSlope + " MB per 100 blocks\n" + samples);
            System.out.printf("soak (%s): training %.3f MB / 100 steps, k-NN %.3f MB / 100 blocks%n%s%n", allocator.get(),
                    trainSlope, knnSlope, samples);
        }
    }

    /** Least-squares slope of (x, y) samples. */
    static double slope(List<double[]> s) {
        double mx = 0;
        double my = 0;
        for (double[] v : s) {
            mx += v[0];
            my += v[1];
        }
        mx /= s.size();
        my /= s.size();
        double sxy = 0;
        double sxx = 0;
        for (double[] v : s) {
            sxy += (v[0] - mx) * (v[1] - my);
            sxx += (v[0] - mx) * (v[0] - mx);
        }
        return sxy / sxx;
    }

    private static String format(List<double[]> s) {
        StringBuilder b = new StringBuilder();
        for (double[] v : s) {
            b.append(String.format(java.util.Locale.ROOT, "%.0f:%.1f ", v[0], v[1]));
        }
        return b.toString();
    }

    private static String tail(StringBuilder log) {
        String s = log.toString();
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }
}
