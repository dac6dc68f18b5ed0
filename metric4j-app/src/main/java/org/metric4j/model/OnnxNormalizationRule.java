package org.metric4j.model;

import java.util.List;

/**
 * InsightFace's rule for the input normalization of an ONNX recognition model ({@code ArcFaceONNX}
 * in insightface/python-package/insightface/model_zoo/arcface_onnx.py): if one of the graph's first
 * {@value #NODES} nodes subtracts and one multiplies, the model was converted from MXNet with its
 * normalization inside (mean 0, std 1, {@link Preprocessing#NORMALIZED_INSIDE}); otherwise the
 * caller normalizes with mean 127.5, std 127.5 ({@link Preprocessing#INSIGHTFACE}). InsightFace
 * tests the node names ({@code Sub*} / {@code _minus*}, {@code Mul*} / {@code _mul*}); this rule
 * also accepts the op types {@code Sub} and {@code Mul}, whatever the node's name.
 */
public final class OnnxNormalizationRule {

    /** How many leading nodes are looked at (InsightFace: {@code graph.node[:8]}). */
    public static final int NODES = 8;

    private OnnxNormalizationRule() {}

    /**
     * The preprocessing InsightFace would use for a graph, at its declared input size where the
     * graph fixes it, and why.
     *
     * @param graph the model's graph
     * @param file names the model in the reason
     * @return the preprocessing and its reason
     */
    public static ChosenPreprocessing choose(OnnxGraph graph, String file) {
        List<OnnxGraph.Node> nodes = graph.nodes().subList(0, Math.min(NODES, graph.nodes().size()));
        OnnxGraph.Node sub = null;
        OnnxGraph.Node mul = null;
        for (OnnxGraph.Node n : nodes) {
            if (sub == null && (n.opType().equals("Sub") || n.name().startsWith("Sub") || n.name().startsWith("_minus"))) {
                sub = n;
            }
            if (mul == null && (n.opType().equals("Mul") || n.name().startsWith("Mul") || n.name().startsWith("_mul"))) {
                mul = n;
            }
        }
        Preprocessing p;
        String why;
        if (sub != null && mul != null) {
            p = Preprocessing.NORMALIZED_INSIDE;
            why = file + " normalizes inside: its first " + nodes.size() + " nodes include " + describe(sub)
                    + " and " + describe(mul) + " (InsightFace's ArcFaceONNX rule: mean 0, std 1)";
        } else {
            p = Preprocessing.INSIGHTFACE;
            why = file + " has no leading Sub and Mul among its first " + nodes.size() + " nodes ("
                    + (nodes.isEmpty() ? "none" : nodes.get(0).opType() + (nodes.size() > 1 ? ", " + nodes.get(1).opType() + ", ..." : ""))
                    + ") (InsightFace's ArcFaceONNX rule: mean 127.5, std 127.5)";
        }
        long[] dims = graph.input().dims();
        if (dims.length == 4) {
            boolean nhwc = dims[3] == 3 && dims[1] != 3;
            long h = nhwc ? dims[1] : dims[2];
            long w = nhwc ? dims[2] : dims[3];
            if (h > 0 && w > 0 && (h != p.height() || w != p.width())) {
                p = p.withSize((int) w, (int) h);
                why += "; " + w + "x" + h + " from its declared input " + graph.input().describe();
            }
            if (nhwc) {
                p = p.with(p.fit(), p.channels(), Preprocessing.Layout.NHWC, p.flipSum());
                why += "; NHWC from its declared input " + graph.input().describe();
            }
        }
        return new ChosenPreprocessing(p, why);
    }

    private static String describe(OnnxGraph.Node n) {
        return n.opType() + (n.name().isEmpty() ? "" : " '" + n.name() + "'");
    }
}
