package org.metric4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.metric4j.data.RecordIoDataset;
import org.metric4j.data.RecordIoPacker;
import org.metric4j.data.SyntheticFaces;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.engine.BenchConfig;
import org.metric4j.io.FileTrees;
import org.metric4j.sampler.ShuffleSampler;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.train.Components;
import org.metric4j.train.EmbeddingTrainer;
import org.metric4j.train.LossComponent;
import org.metric4j.train.TrainConfig;

/**
 * The data suite (issue #14): {@link Sizes#images} 112 x 112 synthetic faces written as JPEG files,
 * packed with {@link RecordIoPacker} (face2rec2 layout) in a temporary directory; then RecordIO
 * read + decode throughput (images/s, batches of {@value #DECODE_BATCH}) with 1 and 2 decoding
 * threads, and MobileFaceNet (ArcFace, batch {@value #TRAIN_BATCH}) trained from the {@code .rec}
 * against the same training from pre-decoded tensors in memory, images/s each and their ratio (1
 * when decoding keeps up). One training iteration is {@value #STEPS} steps.
 */
final class DataSuite {

    static final int DECODE_BATCH = 256;
    static final int TRAIN_BATCH = 64;
    static final int STEPS = 4;

    /** Suite sizes (smaller in tests). */
    record Sizes(int identities, int imagesPerIdentity, String backbone, int batch, int steps) {
        int images() {
            return identities * imagesPerIdentity;
        }
    }

    static final Sizes DEFAULT = new Sizes(100, 20, "mobilefacenet", TRAIN_BATCH, STEPS);

    private final BenchConfig config;
    private final Sizes sizes;

    DataSuite(BenchConfig config) {
        this(config, DEFAULT);
    }

    DataSuite(BenchConfig config, Sizes sizes) {
        this.config = config;
        this.sizes = sizes;
    }

    void run(Consumer<String> out) {
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("metric4j-bench-data-");
            long t0 = System.nanoTime();
            Path rec = pack(dir);
            double packSeconds = (System.nanoTime() - t0) / 1e9;
            BenchConfig c = config.withIterations(Math.min(config.warmup(), 1), Math.max(1, Math.min(config.iterations(), 3)));
            for (int threads : new int[] {1, 2}) {
                String name = "recordio_decode_112_t" + threads;
                if (config.selects(name)) {
                    try (RecordIoDataset ds = RecordIoDataset.builder().setRec(rec).optThreads(threads).build()) {
                        Map<String, Object> extra = new LinkedHashMap<>();
                        extra.put("images", ds.size());
                        extra.put("decode_threads", threads);
                        extra.put("rec_bytes", Files.size(rec));
                        extra.put("pack_seconds", CaseTimer.round(packSeconds));
                        Map<String, Object> json = CaseTimer.time(name, c, () -> decodeAll(ds), extra);
                        json.put("images_per_second", perSecond(ds.size(), json));
                        out.accept(gson.toJson(json));
                    }
                }
            }
            String recName = "mobilefacenet_rec_b" + sizes.batch();
            String memName = "mobilefacenet_memory_b" + sizes.batch();
            if (config.selects(recName) || config.selects(memName)) {
                try (RecordIoDataset ds = RecordIoDataset.builder().setRec(rec).optThreads(2).build()) {
                    Map<String, Object> fromRec = train(recName, ds, c);
                    Map<String, Object> fromMemory = train(memName, InMemory.of(ds), c);
                    double ratio = ((Number) fromRec.get("images_per_second")).doubleValue()
                            / ((Number) fromMemory.get("images_per_second")).doubleValue();
                    fromRec.put("ratio_to_memory", CaseTimer.round(ratio));
                    out.accept(gson.toJson(fromRec));
                    out.accept(gson.toJson(fromMemory));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the data suite: " + e.getMessage(), e);
        } finally {
            if (dir != null) {
                try {
                    FileTrees.delete(dir);
                } catch (IOException e) {
                    // a temporary directory left behind is not worth failing the run
                }
            }
        }
    }

    private Path pack(Path dir) throws IOException {
        SyntheticFaces faces = SyntheticFaces.builder().optIdentities(sizes.identities())
                .optImagesPerIdentity(sizes.imagesPerIdentity()).optSize(112, 112).optSeed(config.seed()).build();
        Path images = dir.resolve("images");
        for (int id = 0; id < sizes.identities(); id++) {
            Path d = Files.createDirectories(images.resolve(String.format("%05d", id)));
            for (int k = 0; k < sizes.imagesPerIdentity(); k++) {
                if (!ImageIO.write(faces.render(faces.firstIdentity() + id, k), "jpg", d.resolve(k + ".jpg").toFile())) {
                    throw new IOException("no ImageIO JPEG writer");
                }
            }
        }
        Path rec = dir.resolve("train.rec");
        RecordIoPacker.write(RecordIoPacker.listFolder(images, RecordIoPacker.Layout.FACE2REC2),
                RecordIoPacker.Layout.FACE2REC2, rec, dir.resolve("train.idx"), null);
        return rec;
    }

    private static void decodeAll(RecordIoDataset ds) {
        try (NDManager m = NDManager.newBaseManager()) {
            for (int from = 0; from < ds.size(); from += DECODE_BATCH) {
                int[] idx = java.util.stream.IntStream.range(from, Math.min(ds.size(), from + DECODE_BATCH)).toArray();
                NDArray b = ds.batch(m, idx);
                b.close();
            }
        }
    }

    private Map<String, Object> train(String name, LabeledImages data, BenchConfig c) {
        TrainingClock clock = new TrainingClock();
        Components.Context ctx = new Components.Context(data.numClasses(), clock);
        List<LossComponent> parts = List.of(Components.LOSSES.create("arcface:scale=64,margin=0.5", ctx));
        TrainConfig tc = TrainConfig.builder().optEpochs(1).optSeed(config.seed())
                .optLearningRate(0.01).optProgressBar(false).optDevice(config.device()).build();
        ShuffleSampler sampler = ShuffleSampler.builder().setSize(data).optBatchSize(sizes.batch())
                .optSeed(config.seed()).build();
        try (EmbeddingTrainer t = new EmbeddingTrainer(tc, Components.BACKBONES.create(sizes.backbone(), null), parts,
                data, epoch -> Arrays.copyOf(sampler.epochBatches(epoch), sizes.steps()), List.of(), clock)) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("batch", sizes.batch());
            extra.put("steps", sizes.steps());
            extra.put("backbone", sizes.backbone());
            extra.put("data", data instanceof RecordIoDataset ? "recordio, 2 decoding threads" : "pre-decoded in memory");
            Map<String, Object> json = CaseTimer.time(name, c, t::fit, extra);
            json.put("images_per_second", perSecond(sizes.steps() * sizes.batch(), json));
            return json;
        }
    }

    private static double perSecond(int images, Map<String, Object> json) {
        return CaseTimer.round(images / (((Number) json.get("ms_median")).doubleValue() / 1000));
    }

    /** Every image of a dataset decoded once into one float array. */
    private record InMemory(LabeledImages source, float[] pixels) implements LabeledImages {
        static InMemory of(LabeledImages source) {
            float[] pixels = new float[Math.multiplyExact(source.size(), source.imageSize())];
            for (int i = 0; i < source.size(); i++) {
                source.image(i, pixels, i * source.imageSize());
            }
            return new InMemory(source, pixels);
        }

        @Override public int size() { return source.size(); }
        @Override public int channels() { return source.channels(); }
        @Override public int height() { return source.height(); }
        @Override public int width() { return source.width(); }
        @Override public long label(int index) { return source.label(index); }
        @Override public int numClasses() { return source.numClasses(); }
        @Override public String name(int index) { return source.name(index); }
        @Override public void image(int index, float[] dst, int offset) {
            System.arraycopy(pixels, LabeledImages.checkIndex(this, index) * imageSize(), dst, offset, imageSize());
        }
    }
}
