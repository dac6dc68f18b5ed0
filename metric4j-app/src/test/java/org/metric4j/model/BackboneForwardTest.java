package org.metric4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.DoubleBuffer;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.metric4j.TestDevice;
import org.metric4j.model.torch.StateEntry;

/**
 * Forward and backward passes of the backbones on random 112 x 112 batches (get_mbf itself for
 * the shapes, a narrow MobileFaceNet with a Residual first stage and a one-block iResNet for the
 * rest, to keep the test short): N x F outputs in
 * eval and train mode, finite; float64 agrees with float32 on the same weights; gradients reach the first convolution and every PReLU; a DJL Trainer's step leaves
 * iResNet's frozen {@code features.weight} at 1 while it moves its bias; the BatchNorm counters
 * count train-mode batches only; eval mode is deterministic and dropout acts in train mode.
 */
class BackboneForwardTest {

    private static final Shape INPUT = new Shape(2, 3, 112, 112);

    private static TorchBackbone initialized(String spec, NDManager manager, DataType dtype) {
        TorchBackbone block = BackboneSpec.parse(spec).build();
        block.initialize(manager, dtype, INPUT);
        return block;
    }

    private static NDArray input(NDManager manager, long seed) {
        manager.getEngine().setRandomSeed((int) seed);
        return manager.randomNormal(INPUT);
    }

    private static Map<String, StateEntry> byKey(TorchBackbone block) {
        return block.stateEntries().stream().collect(Collectors.toMap(StateEntry::key, e -> e));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilefacenet:dim=512", "iresnet:layers=1-1-1-1,dim=64", "iresnet:layers=1-1-1-1,dim=64,dropout=0.2"})
    void outputsAreNByFAndFiniteInBothModes(String spec) {
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone block = initialized(spec, manager, DataType.FLOAT32);
            NDArray x = input(manager, 1);
            for (boolean training : new boolean[] {false, true}) {
                NDArray y = block.forward(new ParameterStore(manager, false), new NDList(x), training).head();
                assertEquals(new Shape(2, block.numFeatures()), y.getShape(), spec + " training=" + training);
                assertEquals(DataType.FLOAT32, y.getDataType());
                assertFalse(y.isNaN().any().getBoolean() || y.isInfinite().any().getBoolean(),
                        spec + " training=" + training + ": non-finite output");
                assertTrue(y.abs().max().getFloat() > 0, spec + ": all-zero output");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilefacenet:dim=64,blocks=2-1-1-1,scale=1", "iresnet:layers=1-1-1-1,dim=64"})
    void float64AgreesWithFloat32OnTheSameWeights(String spec) {
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone b32 = initialized(spec, manager, DataType.FLOAT32);
            TorchBackbone b64 = initialized(spec, manager, DataType.FLOAT64);
            List<StateEntry> from = b32.stateEntries();
            List<StateEntry> to = b64.stateEntries();
            for (int i = 0; i < from.size(); i++) {
                if (!from.get(i).isCounter()) {
                    assertEquals(DataType.FLOAT64, to.get(i).dataType(), to.get(i).key());
                    double[] v = from.get(i).parameter().getArray().toType(DataType.FLOAT64, false).toDoubleArray();
                    to.get(i).parameter().getArray().set(DoubleBuffer.wrap(v));
                }
            }
            NDArray x = input(manager, 2);
            ParameterStore ps = new ParameterStore(manager, false);
            double[] y32 = b32.forward(ps, new NDList(x), false).head().toType(DataType.FLOAT64, false).toDoubleArray();
            NDArray y64 = b64.forward(ps, new NDList(x.toType(DataType.FLOAT64, false)), false).head();
            assertEquals(DataType.FLOAT64, y64.getDataType(), spec);
            double[] v = y64.toDoubleArray();
            double max = 0;
            double diff = 0;
            for (int i = 0; i < v.length; i++) {
                max = Math.max(max, Math.abs(v[i]));
                diff = Math.max(diff, Math.abs(v[i] - y32[i]));
            }
            assertTrue(max > 0 && diff <= 1e-4 * max, spec + ": float32 vs float64 " + diff + " of " + max);
            assertTrue(diff > 0, spec + ": float64 gave float32's exact values (not run in float64?)");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilefacenet:dim=64,blocks=2-1-1-1,scale=1", "iresnet:layers=1-1-1-1,dim=64"})
    void gradientsReachTheFirstConvolutionAndEveryPRelu(String spec) {
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone block = initialized(spec, manager, DataType.FLOAT32);
            NDArray x = input(manager, 3);
            NDArray w = manager.randomNormal(new Shape(2, block.numFeatures()));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = block.forward(new ParameterStore(manager, false), new NDList(x), true).head();
                NDArray loss = y.mul(w).sum();
                System.gc(); // a freed constant would show up as a wrong gradient below
                gc.backward(loss);
            }
            List<StateEntry> entries = block.stateEntries();
            StateEntry first = entries.get(0);
            assertTrue(first.key().endsWith("weight") && first.shape().dimension() == 4, first.key());
            int prelus = 0;
            for (StateEntry e : entries) {
                boolean isFirst = e == first;
                boolean isPrelu = !e.isCounter() && e.shape().dimension() == 1 && e.parameter() != null
                        && e.parameter().getName().equals("alpha");
                if (isFirst || isPrelu) {
                    NDArray g = e.parameter().getArray().getGradient();
                    assertFalse(g.isNaN().any().getBoolean(), spec + " " + e.key() + ": NaN gradient");
                    assertTrue(g.abs().sum().getFloat() > 0, spec + " " + e.key() + ": zero gradient");
                    prelus += isPrelu ? 1 : 0;
                }
            }
            // MobileFaceNet 2-1-1-1: layers.0, 2 x 2 in layers.1, 2 in each DepthWise (3 + 3), conv_sep
            assertEquals(spec.startsWith("mobilefacenet") ? 1 + 4 + 12 + 1 : 5, prelus, spec + ": PReLUs checked");
        }
    }

    @Test
    void aTrainerStepLeavesFeaturesWeightAtOneAndMovesItsBias() {
        TorchBackbone block = BackboneSpec.parse("iresnet:layers=1-1-1-1,dim=64").build();
        try (Model model = Model.newInstance("iresnet", TestDevice.get())) {
            model.setBlock(block);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.5f)).build())
                    .optDevices(new ai.djl.Device[] {TestDevice.get()});
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(INPUT);
                Map<String, StateEntry> e = byKey(block);
                NDArray weight = e.get("features.weight").parameter().getArray();
                NDArray bias = e.get("features.bias").parameter().getArray();
                assertFalse(e.get("features.weight").parameter().requiresGradient(), "features.weight trainable");
                assertTrue(e.get("features.bias").parameter().requiresGradient(), "features.bias trainable");
                NDManager manager = trainer.getManager();
                NDArray x = input(manager, 4);
                NDArray target = manager.randomNormal(new Shape(2, 64));
                float[] bias0 = bias.toFloatArray();
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray y = trainer.forward(new NDList(x)).head();
                    gc.backward(y.sub(target).square().mean());
                }
                trainer.step();
                float[] ones = new float[64];
                java.util.Arrays.fill(ones, 1f);
                assertArrayEquals(ones, weight.toFloatArray(), "features.weight moved");
                assertNotEquals(java.util.Arrays.toString(bias0), java.util.Arrays.toString(bias.toFloatArray()),
                        "features.bias did not move");
            }
        }
    }

    @Test
    void numBatchesTrackedCountsTrainModeForwardsOnly() {
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone block = initialized("iresnet:layers=1-1-1-1,dim=8", manager, DataType.FLOAT32);
            NDArray x = input(manager, 5);
            ParameterStore ps = new ParameterStore(manager, false);
            block.forward(ps, new NDList(x), true);
            block.forward(ps, new NDList(x), false);
            block.forward(ps, new NDList(x), true);
            long counters = 0;
            for (StateEntry e : block.stateEntries()) {
                if (e.isCounter()) {
                    assertEquals(2, e.count().get(), e.key());
                    counters++;
                }
            }
            // stem bn1; 4 x (bn1, bn2, bn3, downsample.1); bn2; features
            assertEquals(1 + 4 * 4 + 1 + 1, counters);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilefacenet:dim=64,blocks=2-1-1-1,scale=1", "iresnet:layers=1-1-1-1,dim=64,dropout=0.2"})
    void evalModeIsDeterministic(String spec) {
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone block = initialized(spec, manager, DataType.FLOAT32);
            NDArray x = input(manager, 6);
            ParameterStore ps = new ParameterStore(manager, false);
            float[] a = block.forward(ps, new NDList(x), false).head().toFloatArray();
            float[] b = block.forward(ps, new NDList(x), false).head().toFloatArray();
            assertArrayEquals(a, b, spec);
        }
    }

    @Test
    void dropoutActsInTrainModeOnly() {
        try (NDManager manager = TestDevice.manager()) {
            String spec = "iresnet:layers=1-1-1-1,dim=16,dropout=0.5";
            TorchBackbone block = initialized(spec, manager, DataType.FLOAT32);
            TorchBackbone without = initialized("iresnet:layers=1-1-1-1,dim=16", manager, DataType.FLOAT32);
            NDArray x = input(manager, 7);
            ParameterStore ps = new ParameterStore(manager, false);
            float[] a = block.forward(ps, new NDList(x), true).head().toFloatArray();
            float[] b = block.forward(ps, new NDList(x), true).head().toFloatArray();
            assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b), spec + ": two train passes");
            float[] c = without.forward(ps, new NDList(x), true).head().toFloatArray();
            float[] d = without.forward(ps, new NDList(x), true).head().toFloatArray();
            assertArrayEquals(c, d, "no dropout: train passes differ");
        }
    }

    @Test
    void rejectsAnInputThatIsNot3By112By112() {
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone block = initialized("mobilefacenet:dim=16", manager, DataType.FLOAT32);
            NDArray x = manager.zeros(new Shape(1, 3, 96, 96));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> block.forward(new ParameterStore(manager, false), new NDList(x), false));
            assertEquals("MobileFaceNet input must be N x 3 x 112 x 112, got (1, 3, 96, 96)", e.getMessage());
        }
    }
}
