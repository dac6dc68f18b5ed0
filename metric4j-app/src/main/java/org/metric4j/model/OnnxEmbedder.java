package org.metric4j.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX embedding model (e.g. InsightFace's {@code w600k_r50.onnx}, a {@code torch.onnx.export})
 * run through DJL's ONNX Runtime engine ({@code "OnnxRuntime"}, CPU natives from the onnxruntime
 * jar, nothing downloaded). The graph's declared input ({@link OnnxGraph}) decides the batching: a
 * dynamic first dimension takes whole batches, a fixed one (batch 1 exports) runs the batch in
 * pieces of that size; a declared channel count or size that contradicts the preprocessing is an
 * error naming the declared shape. PyTorch stays DJL's default engine: this class names its engine.
 */
public final class OnnxEmbedder implements EmbeddingNetwork {

    /** DJL's name of the ONNX Runtime engine. */
    public static final String ENGINE = "OnnxRuntime";

    private final Model model;
    private final OnnxGraph graph;
    private final int fixedBatch;
    private final ThreadLocal<Predictor<NDList, NDList>> predictor;
    private final List<Predictor<NDList, NDList>> predictors = Collections.synchronizedList(new ArrayList<>());

    private OnnxEmbedder(Model model, OnnxGraph graph) {
        this.model = model;
        this.graph = graph;
        long b = graph.input().dims().length > 0 ? graph.input().dims()[0] : OnnxGraph.DYNAMIC;
        this.fixedBatch = b > 0 ? (int) b : 0;
        this.predictor = ThreadLocal.withInitial(() -> {
            Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator());
            predictors.add(p);
            return p;
        });
    }

    /**
     * Loads an ONNX file for a preprocessing, checked against the graph's declared input.
     *
     * @param file the .onnx file
     * @param preprocessing what the inputs will be (size and layout are checked)
     * @param device the device (cpu; a GPU needs ONNX Runtime's CUDA build)
     * @param intraOpThreads ONNX Runtime's intra-op threads, 0 for its default (one per core)
     * @return the embedder
     * @throws IOException if the file cannot be read as an ONNX model
     * @throws IllegalArgumentException if the file is missing or its declared input contradicts the preprocessing
     */
    public static OnnxEmbedder load(Path file, Preprocessing preprocessing, Device device, int intraOpThreads)
            throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file " + file + " does not exist or is not a file");
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op threads must be >= 0 (0 = ONNX Runtime's default), got "
                    + intraOpThreads);
        }
        OnnxGraph graph = OnnxGraph.read(file);
        check(file, graph.input(), preprocessing);
        Map<String, String> options = new HashMap<>();
        if (intraOpThreads > 0) {
            // DJL's OrtModel applies intraOpNumThreads only when interOpNumThreads is given too
            options.put("intraOpNumThreads", Integer.toString(intraOpThreads));
            options.put("interOpNumThreads", "1");
        }
        Model model = Model.newInstance(file.getFileName().toString(), device, ENGINE);
        try {
            model.load(file.toAbsolutePath(), null, options);
        } catch (MalformedModelException | RuntimeException e) {
            model.close();
            throw new IllegalArgumentException("model file " + file + " is not an ONNX model DJL's ONNX Runtime "
                    + "engine can load: " + e.getMessage(), e);
        }
        return new OnnxEmbedder(model, graph);
    }

    /**
     * Checks an ONNX file's declared input against a preprocessing without loading the model (a
     * driver's check before its executors load it).
     *
     * @param file the .onnx file
     * @param preprocessing what the inputs will be
     * @throws IOException if the file cannot be read as ONNX
     * @throws IllegalArgumentException naming the declared shape if it contradicts the preprocessing
     */
    public static void checkInput(Path file, Preprocessing preprocessing) throws IOException {
        check(file, OnnxGraph.read(file).input(), preprocessing);
    }

    /** The declared input must agree with the preprocessing's layout and size where it fixes them. */
    static void check(Path file, OnnxGraph.Input input, Preprocessing p) {
        long[] d = input.dims();
        if (d.length != 4) {
            throw new IllegalArgumentException(file + " declares input '" + input.name() + "' of shape "
                    + input.describe() + "; expected 4 dimensions (N x 3 x H x W or N x H x W x 3)");
        }
        boolean nchw = p.layout() == Preprocessing.Layout.NCHW;
        long[] want = nchw ? new long[] {3, p.height(), p.width()} : new long[] {p.height(), p.width(), 3};
        for (int i = 0; i < 3; i++) {
            if (d[i + 1] >= 0 && d[i + 1] != want[i]) {
                throw new IllegalArgumentException(file + " declares input '" + input.name() + "' of shape "
                        + input.describe() + ", which contradicts the preprocessing " + p.layout() + " "
                        + p.width() + "x" + p.height() + " (" + (nchw ? "N x 3 x " + p.height() + " x " + p.width()
                        : "N x " + p.height() + " x " + p.width() + " x 3") + "); use --size "
                        + (nchw ? d[3] + "x" + d[2] : d[2] + "x" + d[1]) + " or the matching --nhwc");
            }
        }
    }

    /** The graph as read from the file. */
    public OnnxGraph graph() {
        return graph;
    }

    /** The batch size the graph fixes, or 0 when its batch dimension is dynamic. */
    public int fixedBatch() {
        return fixedBatch;
    }

    @Override
    public float[][] forward(float[] input, Shape shape) {
        int n = (int) shape.get(0);
        int per = (int) (shape.size() / Math.max(n, 1));
        if ((long) n * per != input.length) {
            throw new IllegalArgumentException("input has " + input.length + " values, shape " + shape + " needs "
                    + shape.size());
        }
        int step = fixedBatch > 0 ? fixedBatch : Math.max(n, 1);
        float[][] out = new float[n][];
        for (int start = 0; start < n; start += step) {
            int rows = Math.min(step, n - start);
            float[] chunk = new float[step * per]; // a fixed batch is padded with zeros
            System.arraycopy(input, start * per, chunk, 0, rows * per);
            long[] dims = shape.getShape().clone(); // getShape() is the Shape's own array
            dims[0] = step;
            float[][] part = run(chunk, new Shape(dims));
            System.arraycopy(part, 0, out, start, rows);
        }
        return out;
    }

    private float[][] run(float[] x, Shape shape) {
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray in = m.create(x, shape);
            NDList result = predictor.get().predict(new NDList(in));
            try {
                NDArray e = result.get(0);
                if (e.getShape().dimension() != 2 || e.getShape().get(0) != shape.get(0)) {
                    throw new IllegalStateException("the ONNX model's first output has shape " + e.getShape()
                            + "; expected " + shape.get(0) + " x D");
                }
                int d = (int) e.getShape().get(1);
                float[] flat = e.toFloatArray();
                float[][] rows = new float[(int) shape.get(0)][d];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(flat, i * d, rows[i], 0, d);
                }
                return rows;
            } finally {
                result.close();
            }
        } catch (TranslateException e) {
            throw new IllegalStateException("ONNX Runtime forward failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        synchronized (predictors) {
            predictors.forEach(Predictor::close);
            predictors.clear();
        }
        model.close();
    }
}
