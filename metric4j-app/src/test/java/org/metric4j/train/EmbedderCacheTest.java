package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.head.CosineClassifier;
import org.metric4j.loss.ArcFaceLoss;
import org.metric4j.model.LeNetPlusPlus;
import org.metric4j.schedule.TrainingClock;

/**
 * {@link Embedder#cached} and {@link Embedder.Cache}: the evaluations of one state share
 * embeddings, and after training a report reads the final evaluation's embeddings instead of
 * embedding the same images again ({@link EmbeddingTrainer#withFinalEmbeddings}).
 */
class EmbedderCacheTest {

    @Test
    void oneStateIsEmbeddedOnceAndTheFinalEvaluationsEmbeddingsAreKept() {
        EmbeddingTrainerTest.TinyImages data = new EmbeddingTrainerTest.TinyImages(1, 4, 3);
        EmbeddingSet[] seenByEvaluator = new EmbeddingSet[2];
        EpochEvaluator twice = (backbone, manager) -> {
            seenByEvaluator[0] = Embedder.embed(backbone, data, 0, manager);
            seenByEvaluator[1] = Embedder.embed(backbone, data, 0, manager);
            return Map.of("n", (double) seenByEvaluator[0].size());
        };
        TrainConfig config = TrainConfig.builder().optDevice(TestDevice.get()).optEpochs(2).optSeed(3)
                .optLearningRate(0.01).optOptimizer(TrainConfig.OptimizerKind.SGD, 0).optProgressBar(false).build();
        List<LossComponent> parts = List.of(LossComponent.margin(ArcFaceLoss.builder().optScale(16).optMargin(0.2)
                .build(), CosineClassifier.builder().setNumClasses(4).build(), 1));
        try (EmbeddingTrainer t = new EmbeddingTrainer(config, LeNetPlusPlus.create(3), parts, data,
                epoch -> new int[][] {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}}, List.of(twice), new TrainingClock())) {
            NDManager m = t.manager();
            // outside a session every call computes
            assertNotSame(Embedder.embed(t.backbone(), data, 0, m), Embedder.embed(t.backbone(), data, 0, m));
            t.fit();
            assertSame(seenByEvaluator[0], seenByEvaluator[1], "one epoch's evaluators share the embeddings");
            EmbeddingSet again = t.withFinalEmbeddings(() -> Embedder.embed(t.backbone(), data, 0, m));
            assertSame(seenByEvaluator[0], again, "the report reads the final evaluation's embeddings");
            EmbeddingSet fresh = Embedder.embed(t.backbone(), data, 0, m);
            assertNotSame(again, fresh);
            assertArrayEquals(fresh.values(), again.values(), 1e-6, "and they are the trained backbone's");
            // a subset is another key
            assertNotSame(again, t.withFinalEmbeddings(() -> Embedder.embed(t.backbone(), data, 5, m)));
        }
    }
}
