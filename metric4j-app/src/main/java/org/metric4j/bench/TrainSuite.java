package org.metric4j.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.metric4j.data.FashionMnist;
import org.metric4j.data.SyntheticFaces;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.engine.BenchConfig;
import org.metric4j.sampler.ShuffleSampler;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.train.Components;
import org.metric4j.train.EmbeddingTrainer;
import org.metric4j.train.LossComponent;
import org.metric4j.train.TrainConfig;
import org.metric4j.train.TrainResult;

/**
 * The training suite (issue #5): training throughput in images per second of LeNet++ on
 * Fashion-MNIST (batch 256) with softmax, softmax + center loss and ArcFace, and of the face
 * ResNet on 112 x 112 synthetic faces (batch 64) with ArcFace; plus the share of each step spent
 * in the training loop itself (sampling, batching, bookkeeping), which must stay under 10%.
 * One "iteration" is a short epoch of {@value #STEPS} steps.
 */
final class TrainSuite {

    static final int STEPS = 8;
    private final BenchConfig config;

    TrainSuite(BenchConfig config) {
        this.config = config;
    }

    void run(Consumer<String> out) {
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        BenchConfig c = config.withIterations(1, Math.max(1, Math.min(config.iterations(), 3)));
        LabeledImages fmnist = null;
        if (anySelected("lenetpp_fmnist")) {
            try {
                fmnist = FashionMnist.builder().optDownload(false).build().load(FashionMnist.Split.TRAIN);
            } catch (IOException e) {
                throw new UncheckedIOException("the train suite needs Fashion-MNIST: " + e.getMessage(), e);
            }
        }
        caseOf("lenetpp_fmnist_softmax_b256", fmnist, "lenetpp:dim=64", List.of("softmax"), 256, c, out, gson);
        caseOf("lenetpp_fmnist_center_b256", fmnist, "lenetpp:dim=64",
                List.of("softmax", "center:weight=0.003,alpha=0.5"), 256, c, out, gson);
        caseOf("lenetpp_fmnist_arcface_b256", fmnist, "lenetpp:dim=64", List.of("arcface:scale=30,margin=0.3"),
                256, c, out, gson);
        if (config.selects("faceresnet_synth112_arcface_b64")) {
            LabeledImages faces = SyntheticFaces.builder().optIdentities(200).optImagesPerIdentity(8)
                    .optSize(112, 112).optSeed(config.seed()).optCacheSize(4096).build();
            caseOf("faceresnet_synth112_arcface_b64", faces, "faceresnet:dim=512",
                    List.of("arcface:scale=64,margin=0.5"), 64, c, out, gson);
        }
    }

    private boolean anySelected(String prefix) {
        return Arrays.stream(new String[] {"_softmax_b256", "_center_b256", "_arcface_b256"})
                .anyMatch(s -> config.selects(prefix + s));
    }

    private void caseOf(String name, LabeledImages data, String backbone, List<String> losses, int batch,
            BenchConfig c, Consumer<String> out, Gson gson) {
        if (!config.selects(name)) {
            return;
        }
        TrainingClock clock = new TrainingClock();
        Components.Context ctx = new Components.Context(data.numClasses(), clock);
        List<LossComponent> parts = losses.stream().map(l -> Components.LOSSES.create(l, ctx)).toList();
        TrainConfig tc = TrainConfig.builder().optEpochs(1).optSeed(config.seed())
                .optLearningRate(0.01).optProgressBar(false).optDevice(config.device()).build();
        ShuffleSampler sampler = ShuffleSampler.builder().setSize(data).optBatchSize(batch).optSeed(config.seed()).build();
        TrainResult[] last = new TrainResult[1];
        try (EmbeddingTrainer t = new EmbeddingTrainer(tc, Components.BACKBONES.create(backbone, null), parts, data,
                epoch -> Arrays.copyOf(sampler.epochBatches(epoch), STEPS), List.of(), clock)) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("batch", batch);
            extra.put("steps", STEPS);
            extra.put("backbone", backbone);
            extra.put("losses", losses);
            Map<String, Object> json = CaseTimer.time(name, c, () -> last[0] = t.fit(), extra);
            double ms = ((Number) json.get("ms_median")).doubleValue();
            json.put("images_per_second", CaseTimer.round(STEPS * batch / (ms / 1000)));
            json.put("loop_overhead", CaseTimer.round(last[0].last().loopOverhead()));
            out.accept(gson.toJson(json));
        }
    }
}
