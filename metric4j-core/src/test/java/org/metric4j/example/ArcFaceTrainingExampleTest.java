package org.metric4j.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.head.CosineClassifier;
import org.metric4j.loss.ArcFaceLoss;

/**
 * The README's ArcFace example: train backbone + cosine head with ArcFace through a DJL Trainer,
 * then drop the head: save the backbone alone, load it into a fresh model, and check that its
 * embeddings are unchanged and separate the classes.
 */
class ArcFaceTrainingExampleTest {

    @Test
    void trainWithArcFaceThenDeployTheBackboneAlone(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        long seed = 11;
        int classes = 6;
        int perClass = 16;
        int inDim = 24;
        try (NDManager manager = TestDevice.manager()) {
            Random rnd = new Random(seed);
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
                    xs[i * inDim + j] = means[(int) ys[i]][j] + 0.8f * (float) rnd.nextGaussian();
                }
            }
            NDArray x = manager.create(xs, new Shape(ys.length, inDim));
            NDArray labels = manager.create(ys);

            // --- README example starts here ---
            Block backbone = backbone();
            CosineClassifier head = CosineClassifier.builder().setNumClasses(classes).build();
            ArcFaceLoss arcFace = ArcFaceLoss.builder().optScale(16).optMargin(0.3).build();
            float first;
            float last;
            float[] before;
            try (Model model = Model.newInstance("train", TestDevice.get())) {
                model.setBlock(new SequentialBlock().add(backbone).add(head));
                DefaultTrainingConfig config = new DefaultTrainingConfig(arcFace)
                        .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build())
                        .optDevices(new Device[] {TestDevice.get()});
                try (Trainer trainer = model.newTrainer(config)) {
                    trainer.initialize(new Shape(ys.length, inDim));
                    first = step(trainer, arcFace, x, labels);
                    last = first;
                    for (int s = 1; s < 80; s++) {
                        last = step(trainer, arcFace, x, labels);
                    }
                }
                // deployment keeps the backbone only: the head (class weights) is dropped
                before = embed(backbone, manager, x);
                try (Model embedder = Model.newInstance("embedder", TestDevice.get())) {
                    embedder.setBlock(backbone);
                    embedder.save(dir, "embedder");
                }
            }
            // --- README example ends here ---
            assertTrue(last < first / 2,
                    "seed " + seed + ": ArcFace loss should fall, " + first + " -> " + last);
            assertTrue(Files.list(dir).anyMatch(p -> p.getFileName().toString().endsWith(".params")),
                    "the backbone parameters should be saved in " + dir);

            try (Model loaded = Model.newInstance("embedder", TestDevice.get())) {
                Block fresh = backbone();
                loaded.setBlock(fresh);
                fresh.initialize(manager, DataType.FLOAT32, new Shape(1, inDim));
                loaded.load(dir, "embedder");
                float[] after = embed(fresh, manager, x);
                assertArrayEquals(before, after, 0f, "the reloaded backbone must embed identically");
            }
            assertTrue(nearestCentroidAccuracy(before, ys, classes) > 0.9,
                    "seed " + seed + ": deployed embeddings should separate the classes");
        }
    }

    private static Block backbone() {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(32).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(8).build());
    }

    private static float step(Trainer trainer, ArcFaceLoss loss, NDArray x, NDArray labels) {
        float v;
        try (NDScope scope = new NDScope();
                GradientCollector gc = trainer.newGradientCollector()) {
            NDList scores = trainer.forward(new NDList(x));
            NDArray value = loss.evaluate(new NDList(labels), scores);
            gc.backward(value);
            v = value.getFloat();
        }
        trainer.step();
        return v;
    }

    private static float[] embed(Block block, NDManager manager, NDArray x) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), false)
                .head().normalize(2, 1, 1e-12).toFloatArray();
    }

    private static double nearestCentroidAccuracy(float[] emb, long[] ys, int classes) {
        int d = emb.length / ys.length;
        double[][] c = new double[classes][d];
        for (int i = 0; i < ys.length; i++) {
            for (int j = 0; j < d; j++) {
                c[(int) ys[i]][j] += emb[i * d + j];
            }
        }
        int hit = 0;
        for (int i = 0; i < ys.length; i++) {
            int best = -1;
            double bestDot = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                double dot = 0;
                double norm = 0;
                for (int j = 0; j < d; j++) {
                    dot += c[k][j] * emb[i * d + j];
                    norm += c[k][j] * c[k][j];
                }
                dot /= Math.sqrt(norm) + 1e-12;
                if (dot > bestDot) {
                    bestDot = dot;
                    best = k;
                }
            }
            hit += best == ys[i] ? 1 : 0;
        }
        return hit / (double) ys.length;
    }
}
