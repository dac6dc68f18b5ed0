package org.metric4j.integration;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.engine.Engine;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.data.SyntheticFaces;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.sampler.PxKSampler;
import org.metric4j.schedule.TrainingClock;
import org.metric4j.train.Components;
import org.metric4j.train.EmbeddingTrainer;
import org.metric4j.train.LossComponent;
import org.metric4j.train.TrainConfig;
import org.metric4j.train.TrainResult;
import org.metric4j.train.VerificationEvaluator;

/**
 * Issue #5's open-set check: a face ResNet trained with ArcFace on synthetic identities verifies
 * pairs of identities it never saw better than the same network untrained.
 */
@Tag("heavy")
class SyntheticFacesVerificationIT {

    @Test
    void trainedNetworkVerifiesUnseenIdentitiesBetterThanUntrained() {
        LabeledImages train = SyntheticFaces.builder().optIdentities(80).optImagesPerIdentity(16)
                .optSize(56, 56).optSeed(7).build();
        LabeledImages unseen = SyntheticFaces.builder().optIdentities(40).optImagesPerIdentity(8)
                .optFirstIdentity(10_000).optSize(56, 56).optSeed(7).build();
        VerificationEvaluator verification = new VerificationEvaluator(unseen, 300, 3);
        double untrained;
        try (NDManager m = TestDevice.manager()) {
            Engine.getInstance().setRandomSeed(1);
            Block fresh = Components.BACKBONES.create("faceresnet:dim=128", null);
            fresh.initialize(m, DataType.FLOAT32, new Shape(2, 3, 56, 56));
            untrained = verification.evaluate(fresh, m).get("verification_auc");
        }
        TrainingClock clock = new TrainingClock();
        LossComponent arcFace = Components.LOSSES.create("arcface:scale=32,margin=0.3",
                new Components.Context(train.numClasses(), clock));
        TrainConfig config = TrainConfig.builder().optDevice(TestDevice.get())
                .optEpochs(4).optSeed(1)
                .optOptimizer(TrainConfig.OptimizerKind.ADAM, 0).optLearningRate(0.002).optWeightDecay(0)
                .optProgressBar(false).build();
        PxKSampler sampler = PxKSampler.builder().setLabels(train).optP(16).optK(4).optSeed(1).build();
        TrainResult r;
        try (EmbeddingTrainer t = new EmbeddingTrainer(config, Components.BACKBONES.create("faceresnet:dim=128", null),
                List.of(arcFace), train, sampler::epochBatches, List.of(verification), clock)) {
            r = t.fit();
        }
        Map<String, Double> last = r.last().metrics();
        System.out.println("synthetic faces: untrained AUC " + untrained + ", trained " + last);
        assertTrue(last.get("verification_auc") > untrained + 0.05,
                "trained AUC " + last.get("verification_auc") + " should beat untrained " + untrained);
    }
}
