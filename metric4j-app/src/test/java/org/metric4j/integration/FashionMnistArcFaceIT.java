package org.metric4j.integration;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.support.Requirements;
import org.metric4j.TestDevice;
import org.metric4j.data.FashionMnist;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.sampler.ShuffleSampler;
import org.metric4j.train.Components;
import org.metric4j.train.EmbeddingTrainer;
import org.metric4j.train.LossComponent;
import org.metric4j.train.NearestCenterEvaluator;
import org.metric4j.train.TrainConfig;
import org.metric4j.train.TrainResult;
import org.metric4j.schedule.TrainingClock;

/**
 * Issue #5's end-to-end check on real data: LeNet++ with a 64-d embedding trained one epoch on
 * Fashion-MNIST with ArcFace reaches at least 80% test accuracy by nearest class center.
 */
@Tag("heavy")
class FashionMnistArcFaceIT {

    @Test
    void oneEpochOfArcFaceReachesEightyPercent(@TempDir Path dir) throws Exception {
        Requirements.fashionMnist();
        FashionMnist fm = FashionMnist.builder().optDownload(false).build();
        LabeledImages train = fm.load(FashionMnist.Split.TRAIN);
        LabeledImages test = fm.load(FashionMnist.Split.TEST);
        TrainingClock clock = new TrainingClock();
        LossComponent arcFace = Components.LOSSES.create("arcface:scale=30,margin=0.2",
                new Components.Context(train.numClasses(), clock));
        TrainConfig config = TrainConfig.builder().optDevice(TestDevice.get())
                .optEpochs(1).optSeed(1)
                .optOptimizer(TrainConfig.OptimizerKind.ADAM, 0).optLearningRate(0.003).optWeightDecay(0)
                .optOutputDir(dir).optProgressBar(false).build();
        ShuffleSampler sampler = ShuffleSampler.builder().setSize(train).optBatchSize(128).optSeed(1).build();
        TrainResult r;
        try (EmbeddingTrainer t = new EmbeddingTrainer(config, Components.BACKBONES.create("lenetpp:dim=64", null),
                List.of(arcFace), train, sampler::epochBatches,
                List.of(new NearestCenterEvaluator(train, test, 20_000)), clock)) {
            r = t.fit();
        }
        System.out.println("Fashion-MNIST ArcFace, 1 epoch: " + r.last());
        assertTrue(r.last().metrics().get("ncc_accuracy") >= 0.80, "nearest-center test accuracy " + r.last());
    }
}
