package org.metric4j.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.loss.TripletMarginLoss;
import org.metric4j.miner.TripletMarginMiner;
import org.metric4j.sampler.PxKSampler;

/**
 * The README's library example, run as written: P x K batches from the core's sampler, a
 * semi-hard-mined triplet loss and plain DJL training steps lower the triplet loss of all
 * triplets; a second test checks that the README shows exactly the code this test runs.
 */
class TrainingStepExampleTest {

    private static final Path SOURCE =
            Path.of("src/test/java/org/metric4j/example/TrainingStepExampleTest.java");
    private static final Path README = Path.of("../README.md");

    @Test
    void readmeExampleTrainsAnEmbedderOnPxKBatches() {
        // data: 20 classes x 8 items, 32-d inputs around class means
        Random rnd = new Random(7);
        int classes = 20;
        int perClass = 8;
        int inDim = 32;
        float[][] means = new float[classes][inDim];
        for (float[] m : means) {
            for (int j = 0; j < inDim; j++) {
                m[j] = (float) rnd.nextGaussian();
            }
        }
        float[][] features = new float[classes * perClass][inDim];
        long[] labels = new long[classes * perClass];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % classes;
            for (int j = 0; j < inDim; j++) {
                features[i][j] = means[(int) labels[i]][j] + 1.5f * (float) rnd.nextGaussian();
            }
        }
        int epochs = 30;
        try (NDManager data = TestDevice.manager();
                Model model = Model.newInstance("embedder", TestDevice.get())) {
            model.setBlock(new SequentialBlock()
                    .add(Linear.builder().setUnits(64).build())
                    .add(ai.djl.nn.Activation::relu)
                    .add(Linear.builder().setUnits(16).build()));
            NDArray all = data.create(features);
            NDArray allLabels = data.create(labels);
            float before = Float.NaN;
            List<int[]> seen = new ArrayList<>();

            // --- README example starts here ---
            PxKSampler sampler = PxKSampler.builder()
                    .setLabels(labels).optP(16).optK(4).optSeed(42)    // 16 classes x 4 items per batch
                    .build();
            TripletMarginLoss loss = TripletMarginLoss.builder()
                    .optMargin(0.2)
                    .optMiner(TripletMarginMiner.builder().optType(TripletMarginMiner.Type.SEMIHARD).build())
                    .build();
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(loss))) {
                trainer.initialize(new Shape(sampler.getBatchSize(), features[0].length));
                NDManager manager = trainer.getManager();
                before = allTriplets(model, data, all, allLabels);    // (test only) the initial embedder's
                for (int epoch = 0; epoch < epochs; epoch++) {
                    for (int[] batch : sampler.epochBatches(epoch)) {    // epoch e depends only on (seed, e)
                        seen.add(batch);    // (test only)
                        try (NDScope scope = new NDScope();
                                GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray x = manager.create(Arrays.stream(batch).mapToObj(i -> features[i]).toArray(float[][]::new));
                            NDArray y = manager.create(Arrays.stream(batch).mapToLong(i -> labels[i]).toArray());
                            NDArray embeddings = trainer.forward(new NDList(x)).head();
                            gc.backward(loss.evaluate(new NDList(y), new NDList(embeddings)));
                        }
                        trainer.step();
                    }
                }
            }
            // --- README example ends here ---

            assertFalse(seen.isEmpty(), "the sampler gave no batch");
            for (int[] batch : seen) {
                assertEquals(64, batch.length, "a batch is P x K = 16 x 4 items");
                Set<Long> classesInBatch = new HashSet<>();
                for (int i : batch) {
                    classesInBatch.add(labels[i]);
                }
                assertEquals(16, classesInBatch.size(), "a batch holds P = 16 classes");
            }
            float after = allTriplets(model, data, all, allLabels);
            assertTrue(after < 0.8f * before,
                    "training should lower the all-triplet loss (margin 0.2) by 20%: before " + before
                            + ", after " + after);
        }
    }

    @Test
    void readmeShowsTheCodeThisTestRuns() throws IOException {
        List<String> tested = new ArrayList<>();
        boolean inside = false;
        for (String line : Files.readAllLines(SOURCE)) {
            String t = line.strip();
            if (t.equals("// --- README example starts here ---")) {
                inside = true;
            } else if (t.equals("// --- README example ends here ---")) {
                inside = false;
            } else if (inside && !t.isEmpty() && !t.contains("(test only)")) {
                tested.add(t);
            }
        }
        String readme = Files.readString(README);
        int at = readme.indexOf("Use the core from your own DJL project");
        assertTrue(at >= 0, "the README has no 'Use the core from your own DJL project' section");
        int start = readme.indexOf("```java", at);
        int end = readme.indexOf("```", start + 7);
        List<String> shown = new ArrayList<>();
        for (String line : readme.substring(start + 7, end).split("\n")) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("import ")) {
                shown.add(t);
            }
        }
        assertEquals(tested, shown, "the README's core snippet differs from the code this test runs");
    }

    private static float allTriplets(Model model, NDManager manager, NDArray x, NDArray labels) {
        try (NDScope scope = new NDScope()) {
            NDArray emb = model.getBlock().forward(new ParameterStore(manager, false), new NDList(x), false).head();
            return TripletMarginLoss.builder().optMargin(0.2).build().compute(emb, labels).getFloat();
        }
    }
}
