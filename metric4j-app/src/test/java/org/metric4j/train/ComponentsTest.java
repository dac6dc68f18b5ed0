package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.metric4j.loss.ArcFaceLoss;
import org.metric4j.model.IResNet;
import org.metric4j.model.MobileFaceNet;
import org.metric4j.model.TorchBackbone;
import org.metric4j.TestDevice;
import org.metric4j.schedule.Schedule;
import org.metric4j.schedule.TrainingClock;

/** Every component by name: builds with defaults, computes, and explains bad names and values. */
class ComponentsTest {

    @Test
    void everyLossBuildsAndGivesAFiniteValue() {
        Components.Context ctx = new Components.Context(4, new TrainingClock());
        try (NDManager m = TestDevice.manager()) {
            Engine.getInstance().setRandomSeed(1);
            NDArray emb = m.randomNormal(new Shape(16, 8));
            NDArray labels = m.create(new long[] {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3});
            ParameterStore ps = new ParameterStore(m, false);
            for (String name : Components.LOSSES.names()) {
                // manifold's default K = 50 proxies needs batches of >= 50: 4 proxies for this batch of 16
                LossComponent c = Components.LOSSES.create(name.equals("manifold") ? "manifold:k=4" : name, ctx);
                if (c.head() != null) {
                    c.head().initialize(m, DataType.FLOAT32, new Shape(16, 8));
                }
                double v = c.loss(ps, emb, labels, true).getFloat();
                // dynamic soft margin weighs d_ap - d_an itself, which is negative for easy triplets
                assertTrue(Double.isFinite(v) && (v >= 0 || name.equals("dynamic-soft-margin")), name + " gave " + v);
            }
        }
    }

    @Test
    void backbonesProduceEmbeddingsOfTheRequestedSize() {
        try (NDManager m = TestDevice.manager()) {
            Block lenet = Components.BACKBONES.create("lenetpp:dim=3", null);
            lenet.initialize(m, DataType.FLOAT32, new Shape(2, 1, 28, 28));
            assertEquals(new Shape(2, 3), lenet.getOutputShapes(new Shape[] {new Shape(2, 1, 28, 28)})[0]);
            NDArray out = lenet.forward(new ParameterStore(m, false), new NDList(m.ones(new Shape(2, 1, 28, 28))), false).head();
            assertEquals(new Shape(2, 3), out.getShape());
            Block face = Components.BACKBONES.create("faceresnet:dim=64", null);
            face.initialize(m, DataType.FLOAT32, new Shape(2, 3, 112, 112));
            NDArray f = face.forward(new ParameterStore(m, false), new NDList(m.ones(new Shape(2, 3, 112, 112))), false).head();
            assertEquals(new Shape(2, 64), f.getShape());
        }
    }

    /**
     * lenetpp's width sets the first stage's channels (w, then 2w and 4w): six 5 x 5 convolutions
     * with biases, six channel-wise PReLUs, the 4w x 3 x 3 -> dim embedding layer, and BatchNorm's
     * scale and shift when bn=true.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"'lenetpp:dim=3', 32, 3, false", "'lenetpp:dim=3,bn=true,width=16', 16, 3, true",
            "'lenetpp:dim=2,width=8', 8, 2, false"})
    void lenetWidthSetsTheChannels(String spec, int w, int dim, boolean bn) {
        int[][] convs = {{1, w}, {w, w}, {w, 2 * w}, {2 * w, 2 * w}, {2 * w, 4 * w}, {4 * w, 4 * w}};
        long expected = 0;
        for (int[] io : convs) {
            expected += (long) io[0] * io[1] * 25 + io[1] + io[1]; // weights, biases, PReLU slopes
        }
        expected += 4L * w * 9 * dim + dim + (bn ? 2L * dim : 0);
        try (NDManager m = TestDevice.manager()) {
            Block lenet = Components.BACKBONES.create(spec, null);
            lenet.initialize(m, DataType.FLOAT32, new Shape(2, 1, 28, 28));
            long trainable = 0;
            for (var p : lenet.getParameters().values()) {
                trainable += p.requiresGradient() ? p.getArray().size() : 0;
            }
            assertEquals(expected, trainable, spec);
            NDArray out = lenet.forward(new ParameterStore(m, false), new NDList(m.ones(new Shape(2, 1, 28, 28))), false).head();
            assertEquals(new Shape(2, dim), out.getShape());
        }
    }

    @Test
    void schedulesFromSpecs() {
        Schedule step = Components.LEARNING_RATES.create("step:lr=0.1,gamma=0.1,at=2;4", null).apply(10);
        assertEquals(0.1, step.valueAt(19), 1e-15);
        assertEquals(0.01, step.valueAt(20), 1e-15);
        assertEquals(0.001, step.valueAt(40), 1e-15);
        Schedule cos = Components.LEARNING_RATES.create("cosine:lr=1,epochs=2,warmup=5", null).apply(10);
        assertEquals(0.01, cos.valueAt(0), 1e-8, "DJL's trackers are float");
        assertEquals(0.0, cos.valueAt(20), 1e-12);
        // DJL's warm-up: linear from 1% to the main schedule's first value, then the main schedule
        assertEquals(0.01 + 0.99 * 3 / 5, cos.valueAt(3), 1e-6);
        assertEquals(1.0, cos.valueAt(5), 1e-6);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 7 / 15)), cos.valueAt(12), 1e-6);
        // step with a warm-up still decays at the epochs given
        Schedule warmStep = Components.LEARNING_RATES.create("step:lr=0.1,gamma=0.1,at=2,warmup=5", null).apply(10);
        assertEquals(0.1, warmStep.valueAt(19), 1e-7);
        assertEquals(0.01, warmStep.valueAt(20), 1e-8);
        Schedule poly = Components.LEARNING_RATES.create("poly:lr=0.1,epochs=1", null).apply(10);
        assertEquals(0.1 * (1 - 4 / 10.0), poly.valueAt(4), 1e-15, "arcface_torch's power 1");
        Schedule warmPoly = Components.LEARNING_RATES.create("poly:lr=0.1,epochs=2,warmup-epochs=1,power=2", null)
                .apply(10);
        assertEquals(0.1 * 4 / 10, warmPoly.valueAt(4), 1e-15, "warm-up from 0 over the first epoch");
        assertEquals(0.1 * Math.pow(1 - 5 / 10.0, 2), warmPoly.valueAt(15), 1e-15, "decay over epochs 1..2");
        assertEquals(0.0, poly.valueAt(10), 1e-12);
        Schedule exp = Components.LEARNING_RATES.create("exponential:lr=0.1,gamma=0.5", null).apply(10);
        assertEquals(0.05, exp.valueAt(10), 1e-7);
        assertEquals(0.1 * Math.pow(0.5, 0.5), exp.valueAt(5), 1e-7);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Components.LEARNING_RATES.create("cosine:lr=0.1,min=0.2", null).apply(10));
        assertTrue(e.getMessage().contains("lr > min"), e.getMessage());
    }

    @Test
    void aResolvedSpecWritesOutEveryParameterItsComponentRead() {
        Spec face = Spec.parse("faceresnet:dim=8");
        Components.BACKBONES.create(face, null);
        assertEquals("faceresnet:dim=8,dropout=0.2,stem=16,units=1", face.resolved());
        Components.Context ctx = new Components.Context(4, new TrainingClock());
        Spec a = Spec.parse("arcface:scale=16,weight=1");
        Spec b = Spec.parse("ArcFace:weight=1.0,scale=16.0,margin=" + ArcFaceLoss.DEFAULT_MARGIN);
        Components.LOSSES.create(a, ctx);
        Components.LOSSES.create(b, ctx);
        assertEquals(a.resolved(), b.resolved(), "two spellings of one configuration");
        Spec c = Spec.parse("arcface:scale=16,margin=0.4");
        Components.LOSSES.create(c, ctx);
        assertTrue(!c.resolved().equals(a.resolved()) && c.resolved().contains("margin=0.4"), c.resolved());
    }

    /** What the Javadoc of LEARNING_RATES says an extended run (a larger --epochs) meets. */
    @Test
    void schedulesPastTheirEndHoldTheirFinalValue() {
        Schedule cos = Components.LEARNING_RATES.create("cosine:lr=1,min=0.1,epochs=2", null).apply(10);
        Schedule poly = Components.LEARNING_RATES.create("poly:lr=0.1,end=0.01,epochs=1", null).apply(10);
        for (long it : new long[] {20, 25, 100, 10_000}) {
            assertEquals(0.1, cos.valueAt(it), 1e-7, "cosine at iteration " + it);
            assertEquals(0.01, poly.valueAt(it), 1e-8, "poly at iteration " + it);
        }
        Schedule step = Components.LEARNING_RATES.create("step:lr=0.1,gamma=0.1,at=2", null).apply(10);
        assertEquals(0.01, step.valueAt(1000), 1e-15);
        Schedule exp = Components.LEARNING_RATES.create("exponential:lr=0.1,gamma=0.5", null).apply(10);
        assertEquals(0.1 * Math.pow(0.5, 4), exp.valueAt(40), 1e-7, "exponential continues");
    }

    @Test
    void badNamesAndValuesListTheChoices() {
        Components.Context ctx = new Components.Context(4, new TrainingClock());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Components.LOSSES.create("arcfaec", ctx));
        assertTrue(e.getMessage().contains("unknown loss 'arcfaec'") && e.getMessage().contains("arcface")
                && e.getMessage().contains("cosface"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Components.LOSSES.create("arcface:margn=0.5", ctx));
        assertTrue(e.getMessage().contains("no parameter 'margn'") && e.getMessage().contains("margin"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Components.LOSSES.create("arcface:margin=big", ctx));
        assertTrue(e.getMessage().contains("margin must be a number, got 'big'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Components.LOSSES.create("arcface:margin=28.6", ctx));
        assertTrue(e.getMessage().contains("(degrees?)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Components.MINERS.create("semi-hard", null));
        assertTrue(e.getMessage().contains("semihard"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Components.BACKBONES.create("resnet", null));
        assertTrue(e.getMessage().contains("lenetpp") && e.getMessage().contains("faceresnet")
                && e.getMessage().contains("iresnet, mobilefacenet, mobilefacenet-large"), e.getMessage());
    }

    @Test
    void insightFaceBackbonesAreBuiltByTheirSpecParser() {
        TorchBackbone b = (TorchBackbone) Components.BACKBONES.create(
                "iresnet:layers=1-1-1-1,dim=64", null);
        assertTrue(b instanceof IResNet, b.getClass().getName());
        assertEquals(64, b.numFeatures());
        assertEquals(128, ((TorchBackbone) Components.BACKBONES.create("mobilefacenet:dim=128", null))
                .numFeatures());
        assertTrue(Components.BACKBONES.create("mobilefacenet-large", null) instanceof MobileFaceNet);
        assertEquals(Components.PYTORCH_BACKBONES.stream().filter(Components.BACKBONES.names()::contains).toList(),
                Components.PYTORCH_BACKBONES, "every PyTorch backbone is registered");
        // the registry's key check, then BackboneSpec's own validation
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Components.BACKBONES.create("iresnet:dept=50", null));
        assertEquals("'iresnet' has no parameter 'dept'; valid: depth, dim, dropout, layers", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Components.BACKBONES.create("iresnet:depth=51", null));
        assertTrue(e.getMessage().startsWith("backbone spec 'iresnet:depth=51': ") && e.getMessage().contains("51"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Components.BACKBONES.create("iresnet", null));
        assertTrue(e.getMessage().contains("iresnet needs exactly one of depth and layers"), e.getMessage());
        assertTrue(Components.BACKBONES.help().get("mobilefacenet").contains("(parameters: blocks, dim, scale)"),
                Components.BACKBONES.help().toString());
    }
}
