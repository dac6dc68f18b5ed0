package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.metric4j.schedule.PolynomialLRWarmup;
import org.metric4j.support.Requirements;

/**
 * {@link SgdMomentum}, {@link AdamW}, {@link EmbeddingTrainer#clipGradNorm} and {@link
 * PolynomialLRWarmup} against torch itself ({@code torch_optimizers.py} beside this test's
 * resources, run by {@code /usr/bin/python3} with Debian's python3-torch): the same float32
 * parameters and gradients, several steps with a changing learning rate, weight decay on every
 * parameter as arcface_torch's optimizers apply it.
 */
class TorchOptimizerConformanceTest {

    private static final double[] LRS = {0.1, 0.05, 0.08, 0.02, 0.1};
    private static final double WD = 5e-4;
    private static final double ADAMW_WD = 0.1; // arcface_torch's AdamW configs
    private static final Map<String, long[]> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("fc.weight", new long[] {3, 4});
        SHAPES.put("bn.bias", new long[] {4});
    }

    private static Map<String, float[]> params;
    private static List<Map<String, float[]>> grads;
    private static Map<String, float[]> clipGrads;
    private static JsonObject torch;

    @BeforeAll
    static void runTorch() throws Exception {
        Path python = Requirements.pythonTorch();
        Random random = new Random(14);
        params = random(random, 1);
        grads = new ArrayList<>();
        for (int s = 0; s < LRS.length; s++) {
            grads.add(random(random, 1));
        }
        clipGrads = random(random, 4); // global norm ~ 8 > 5
        JsonObject in = new JsonObject();
        in.add("params", shaped(params));
        JsonArray g = new JsonArray();
        grads.forEach(m -> {
            JsonObject o = new JsonObject();
            m.forEach((k, v) -> o.add(k, new Gson().toJsonTree(v)));
            g.add(o);
        });
        in.add("grads", g);
        in.add("lrs", new Gson().toJsonTree(LRS));
        in.addProperty("momentum", 0.9);
        in.addProperty("weight_decay", WD);
        in.addProperty("adamw_weight_decay", ADAMW_WD);
        JsonObject clip = new JsonObject();
        clip.add("grads", shaped(clipGrads));
        clip.addProperty("max_norm", 5.0);
        in.add("clip", clip);
        JsonObject poly = new JsonObject();
        poly.addProperty("lr", 0.1);
        poly.addProperty("warmup", 4);
        poly.addProperty("total", 23);
        poly.addProperty("power", 1.0);
        poly.addProperty("iterations", 30);
        in.add("poly", poly);
        Process p = new ProcessBuilder(python.toString(), resource("torch_optimizers.py").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream os = p.getOutputStream()) {
            os.write(in.toString().getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), "torch_optimizers.py failed; stdout: " + out);
        torch = JsonParser.parseString(out).getAsJsonObject();
    }

    @Test
    void sgdWithMomentumAndWeightDecayEqualsTorchsSgd() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertClose(torch.getAsJsonObject("sgd"), steps(m, new SgdMomentum(m, 0.9), WD), "SGD");
        }
    }

    @Test
    void adamWEqualsTorchsAdamW() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertClose(torch.getAsJsonObject("adamw"), steps(m, new AdamW(m), ADAMW_WD), "AdamW");
        }
    }

    @Test
    void clippingByGlobalNormEqualsTorchsClipGradNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            Grads block = new Grads(m, clipGrads);
            double norm = EmbeddingTrainer.clipGradNorm(block, 5);
            JsonObject clip = torch.getAsJsonObject("clip");
            assertEquals(clip.get("norm").getAsDouble(), norm, 1e-6 * norm, "total norm before clipping");
            assertTrue(norm > 5, "the case clips: norm " + norm);
            Map<String, float[]> clipped = new LinkedHashMap<>();
            block.getParameters().forEach(p -> clipped.put(p.getKey(),
                    p.getValue().getArray().getGradient().toFloatArray()));
            assertClose(clip.getAsJsonObject("grads"), clipped, "clip_grad_norm_");
            double after = EmbeddingTrainer.clipGradNorm(block, 5);
            assertEquals(5, after, 1e-5, "clipped to max_norm (less 1e-6 / norm)");
            float[] before = block.getParameters().get(0).getValue().getArray().getGradient().toFloatArray();
            EmbeddingTrainer.clipGradNorm(block, 100);
            assertEquals(before[0], block.getParameters().get(0).getValue().getArray().getGradient().toFloatArray()[0],
                    0, "below max_norm the gradients stay as they are");
        }
    }

    @Test
    void polySchedulePerIterationEqualsArcfaceTorchsScheduler() {
        PolynomialLRWarmup s = new PolynomialLRWarmup(0.1, 4, 23, 1);
        JsonArray lrs = torch.getAsJsonArray("poly");
        for (int t = 0; t < lrs.size(); t++) {
            assertEquals(lrs.get(t).getAsDouble(), s.valueAt(t), 1e-15, "iteration " + t);
        }
    }

    /** The parameters after {@link #LRS} steps of {@code optimizer}, every parameter decayed. */
    private static Map<String, float[]> steps(NDManager m, ParameterOptimizer optimizer, double wd) {
        Map<String, NDArray> w = new LinkedHashMap<>();
        params.forEach((k, v) -> w.put(k, m.create(v, new Shape(SHAPES.get(k)))));
        for (int s = 0; s < LRS.length; s++) {
            for (String k : w.keySet()) {
                NDArray g = m.create(grads.get(s).get(k), new Shape(SHAPES.get(k)));
                optimizer.update(k, w.get(k), g, LRS[s], wd);
            }
            optimizer.nextStep();
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        w.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    private static void assertClose(JsonObject expected, Map<String, float[]> actual, String what) {
        double worst = 0;
        for (Map.Entry<String, float[]> e : actual.entrySet()) {
            JsonArray want = expected.getAsJsonArray(e.getKey());
            assertEquals(want.size(), e.getValue().length, what + " " + e.getKey());
            for (int i = 0; i < want.size(); i++) {
                double t = want.get(i).getAsDouble();
                double rel = Math.abs(e.getValue()[i] - t) / Math.max(Math.abs(t), 1e-3);
                worst = Math.max(worst, rel);
                assertTrue(rel <= 1e-6, what + " " + e.getKey() + "[" + i + "]: metric4j " + e.getValue()[i]
                        + ", torch " + t + " (relative " + rel + ")");
            }
        }
        System.out.printf("%s vs torch: largest relative difference %.3g%n", what, worst);
    }

    private static Map<String, float[]> random(Random r, double scale) {
        Map<String, float[]> m = new LinkedHashMap<>();
        SHAPES.forEach((k, s) -> {
            float[] v = new float[(int) new Shape(s).size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (scale * r.nextGaussian());
            }
            m.put(k, v);
        });
        return m;
    }

    private static JsonObject shaped(Map<String, float[]> values) {
        JsonObject o = new JsonObject();
        values.forEach((k, v) -> {
            JsonArray pair = new JsonArray();
            pair.add(new Gson().toJsonTree(SHAPES.get(k)));
            pair.add(new Gson().toJsonTree(v));
            o.add(k, pair);
        });
        return o;
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(TorchOptimizerConformanceTest.class.getResource(name).toURI());
    }

    /** A block whose parameters carry the given gradients (set by one backward of sum(w * g)). */
    private static final class Grads extends AbstractBlock {
        Grads(NDManager m, Map<String, float[]> gradients) {
            List<NDArray> ws = new ArrayList<>();
            List<NDArray> gs = new ArrayList<>();
            gradients.forEach((k, g) -> {
                Parameter p = addParameter(Parameter.builder().setName(k).setType(Parameter.Type.WEIGHT).build());
                NDArray w = m.zeros(new Shape(SHAPES.get(k)));
                p.setArray(w);
                w.setRequiresGradient(true);
                ws.add(w);
                gs.add(m.create(g, new Shape(SHAPES.get(k))));
            });
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray total = ws.get(0).mul(gs.get(0)).sum();
                for (int i = 1; i < ws.size(); i++) {
                    total = total.add(ws.get(i).mul(gs.get(i)).sum());
                }
                gc.backward(total);
            }
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
            return inputs;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }
}
