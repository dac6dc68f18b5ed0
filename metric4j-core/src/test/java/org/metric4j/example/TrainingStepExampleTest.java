package org.metric4j.example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.loss.TripletMarginLoss;
import org.metric4j.miner.TripletMarginMiner;

/**
 * The README's example: a DJL Trainer steps a small embedder with a semi-hard-mined triplet
 * loss, and the loss on the batch goes down.
 */
class TrainingStepExampleTest {

    @Test
    void tripletLossWithMinerTrainsAnEmbedder() {
        long seed = 7;
        try (NDManager manager = TestDevice.manager();
                Model model = Model.newInstance("embedder", TestDevice.get())) {
            // data: 8 classes x 8 items, 32-d inputs around class means
            Random rnd = new Random(seed);
            int classes = 8;
            int perClass = 8;
            int inDim = 32;
            float[][] means = new float[classes][inDim];
            for (float[] m : means) {
                for (int j = 0; j < inDim; j++) {
                    m[j] = (float) rnd.nextGaussian();
                }
            }
            float[] xs = new float[classes * perClass * inDim];
            long[] ys = new long[classes * perClass];
            for (int i = 0; i < ys.length; i++) {
                ys[i] = i % classes;
                for (int j = 0; j < inDim; j++) {
                    xs[i * inDim + j] = means[(int) ys[i]][j] + 1.5f * (float) rnd.nextGaussian();
                }
            }
            NDArray x = manager.create(xs, new Shape(ys.length, inDim));
            NDArray labels = manager.create(ys);

            // --- README example starts here ---
            Block embedder = new SequentialBlock()
                    .add(Linear.builder().setUnits(64).build())
                    .add(ai.djl.nn.Activation::relu)
                    .add(Linear.builder().setUnits(16).build());
            model.setBlock(embedder);
            TripletMarginLoss loss = TripletMarginLoss.builder()
                    .optMargin(0.2)
                    .optMiner(TripletMarginMiner.builder()
                            .optType(TripletMarginMiner.Type.SEMIHARD)
                            .build())
                    .build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build())
                    .optDevices(new Device[] {TestDevice.get()});
            float first = Float.NaN;
            float last = Float.NaN;
            float allBefore;
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(ys.length, inDim));
                allBefore = allTriplets(model, manager, x, labels);
                for (int step = 0; step < 60; step++) {
                    try (NDScope scope = new NDScope();
                            GradientCollector gc = trainer.newGradientCollector()) {
                        NDArray embeddings = trainer.forward(new NDList(x)).head();
                        NDArray value = loss.evaluate(new NDList(labels), new NDList(embeddings));
                        gc.backward(value);
                        float v = value.getFloat();
                        if (step == 0) {
                            first = v;
                        }
                        last = v;
                    }
                    trainer.step();
                }
            }
            // --- README example ends here ---
            // the all-triplet loss with a fixed margin is the quantity to compare before / after
            assertTrue(first > 0, "seed " + seed + ": initial mined loss should be positive, got " + first);
            assertTrue(Float.isFinite(last), "seed " + seed + ": loss not finite: " + last);
            float allAfter = allTriplets(model, manager, x, labels);
            assertTrue(allAfter < allBefore,
                    "seed " + seed + ": training should lower the triplet loss, before " + allBefore
                            + ", after " + allAfter + " (all triplets, margin 0.2)");
        }
    }

    private static float allTriplets(Model model, NDManager manager, NDArray x, NDArray labels) {
        try (NDScope scope = new NDScope()) {
            NDArray emb = model.getBlock().forward(
                    new ai.djl.training.ParameterStore(manager, false), new NDList(x), false).head();
            return TripletMarginLoss.builder().optMargin(0.2).build().compute(emb, labels).getFloat();
        }
    }
}
