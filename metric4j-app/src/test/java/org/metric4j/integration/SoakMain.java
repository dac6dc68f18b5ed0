package org.metric4j.integration;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.engine.MemoryProbe;
import org.metric4j.engine.NativeAllocator;
import org.metric4j.eval.KnnSearch;
import org.metric4j.eval.Neighbours;
import org.metric4j.head.LinearClassifier;
import org.metric4j.model.LeNetPlusPlus;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.train.EmbeddingTrainer;
import org.metric4j.train.EpochEvaluator;
import org.metric4j.train.LossComponent;
import org.metric4j.train.TrainConfig;

/**
 * The soak test's child process ({@link SoakIT}): trains LeNet++ at batch 32 for {@code epochs} x
 * 100 steps with the real trainer (checkpoints, evaluation, the center of a real run), sampling
 * after every 100 steps, then runs {@code blocks} k-NN query blocks, sampling every 50. A sample
 * prints {@code raw PHASE N KB} (the resident set as it is) and {@code rss PHASE N KB} (the resident
 * set after {@link #releaseFreeMemory()}, -1 if that failed). Arguments: output directory, epochs,
 * blocks. With {@code -Dsoak.diag=DIR} (and {@code -XX:NativeMemoryTracking=summary}) each sample
 * also prints VmRSS / RssAnon / RssFile and NMT's committed total, and writes NMT's summary, its
 * diff against a baseline taken at step 300, and /proc/self/smaps into DIR.
 */
public final class SoakMain {

    private SoakMain() {}

    /** Resident memory of this process in KB ({@link MemoryProbe}: /proc/self/status). */
    static long rssKb() throws IOException {
        double mb = MemoryProbe.rssMb();
        if (mb < 0) {
            throw new IOException("/proc/self/status has no VmRSS line");
        }
        return Math.round(mb * 1024);
    }

    static void sample(String phase, long at) throws IOException {
        long raw = rssKb();
        long trimmed = releaseFreeMemory() ? rssKb() : -1;
        System.out.println("rss " + phase + " " + at + " " + trimmed);
        System.out.println("raw " + phase + " " + at + " " + raw);
        diag(phase + "-" + at);
    }

    /**
     * Releases memory that is free but still resident: a {@code System.gc()}, a wait until the
     * cleaners of unreachable direct buffers have run (the JVM's "direct" buffer pool stops
     * shrinking), then glibc's {@code malloc_trim(0)} (through JNA, which DJL depends on), which
     * returns the free pages of every malloc arena to the kernel. Memory still referenced stays.
     */
    static boolean releaseFreeMemory() {
        System.gc();
        java.lang.management.BufferPoolMXBean direct = java.lang.management.ManagementFactory
                .getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        long before = Long.MAX_VALUE;
        for (int i = 0; i < 50 && direct.getMemoryUsed() < before; i++) {
            before = direct.getMemoryUsed();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        com.sun.jna.NativeLibrary.getInstance(com.sun.jna.Platform.C_LIBRARY_NAME).getFunction("malloc_trim")
                .invokeInt(new Object[] {0});
        return true;
    }

    static final String DIAG = System.getProperty("soak.diag");
    static int diagN = 0;

    static String dcmd(String... a) {
        try {
            javax.management.MBeanServer s = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            return (String) s.invoke(new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "vmNativeMemory", new Object[] {a}, new String[] {String[].class.getName()});
        } catch (Exception e) {
            return "ERR " + e;
        }
    }

    static void diag(String tag) {
        if (DIAG == null) {
            return;
        }
        try {
            java.nio.file.Path d = Path.of(DIAG);
            java.nio.file.Files.createDirectories(d);
            String status = java.nio.file.Files.readString(Path.of("/proc/self/status"));
            StringBuilder b = new StringBuilder("diag " + tag);
            for (String l : status.split("\n")) {
                if (l.startsWith("VmRSS") || l.startsWith("RssAnon") || l.startsWith("RssFile") || l.startsWith("Threads")) {
                    b.append(' ').append(l.replaceAll("\\s+", ""));
                }
            }
            String sum = dcmd("summary");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB").matcher(sum);
            if (m.find()) {
                b.append(" nmtCommitted=").append(m.group(2)).append("kB");
            }
            System.out.println(b);
            String n = String.format("%03d-%s", diagN++, tag);
            java.nio.file.Files.writeString(d.resolve(n + ".nmt"), sum);
            if (tag.equals("train-300")) {
                dcmd("baseline");
            }
            if (diagN > 3) {
                java.nio.file.Files.writeString(d.resolve(n + ".diff"), dcmd("summary.diff"));
            }
            java.nio.file.Files.copy(Path.of("/proc/self/smaps"), d.resolve(n + ".smaps"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Random 1 x 16 x 16 images of 10 classes, in memory. */
    record RandomImages(float[][] pixels, long[] labels) implements LabeledImages {
        static RandomImages of(int n, long seed) {
            Random rnd = new Random(seed);
            float[][] px = new float[n][256];
            long[] y = new long[n];
            for (int i = 0; i < n; i++) {
                y[i] = i % 10;
                for (int j = 0; j < 256; j++) {
                    px[i][j] = (float) (rnd.nextGaussian() + 0.1 * y[i]);
                }
            }
            return new RandomImages(px, y);
        }

        @Override public int size() { return labels.length; }
        @Override public int channels() { return 1; }
        @Override public int height() { return 16; }
        @Override public int width() { return 16; }
        @Override public long label(int index) { return labels[index]; }
        @Override public int numClasses() { return 10; }
        @Override public String name(int index) { return "soak/" + index; }
        @Override public void image(int index, float[] dst, int offset) {
            System.arraycopy(pixels[index], 0, dst, offset, 256);
        }
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int epochs = Integer.parseInt(args[1]);
        int blocks = Integer.parseInt(args[2]);
        System.out.println("allocator " + NativeAllocator.name());
        int batch = 32;
        int stepsPerEpoch = 100;
        RandomImages data = RandomImages.of(batch * stepsPerEpoch, 1);
        long[] step = {0};
        EpochEvaluator rss = (backbone, manager) -> {
            step[0] += stepsPerEpoch;
            try {
                sample("train", step[0]);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            System.out.flush();
            return Map.of();
        };
        TrainConfig config = TrainConfig.builder().optEpochs(epochs).optSeed(1).optLearningRate(0.003)
                .optOptimizer(TrainConfig.OptimizerKind.ADAM, 0).optOutputDir(out).optProgressBar(false).build();
        try (EmbeddingTrainer t = new EmbeddingTrainer(config, LeNetPlusPlus.create(2),
                List.of(LossComponent.softmax(LinearClassifier.of(10), 1)), data, e -> {
                    Random rnd = new Random(e);
                    int[][] b = new int[stepsPerEpoch][batch];
                    for (int[] row : b) {
                        for (int i = 0; i < batch; i++) {
                            row[i] = rnd.nextInt(data.size());
                        }
                    }
                    return b;
                }, List.of(rss), new TrainingClock())) {
            t.fit();
        }
        KnnSearch knn = KnnSearch.builder().optQueryBlock(64).build();
        Random rnd = new Random(2);
        try (NDManager m = NDManager.newBaseManager()) {
            float[] ref = new float[5000 * 64];
            for (int i = 0; i < ref.length; i++) {
                ref[i] = (float) rnd.nextGaussian();
            }
            NDArray references = m.create(ref, new Shape(5000, 64));
            for (int b = 1; b <= blocks; b++) {
                try (NDScope scope = new NDScope()) {
                    NDArray queries = m.randomNormal(new Shape(64, 64));
                    knn.search(queries, references, 10, Neighbours.INCLUDE_SELF);
                }
                if (b % 50 == 0) {
                    sample("knn", b);
                    System.out.flush();
                }
            }
        }
        System.out.println("done");
    }
}
