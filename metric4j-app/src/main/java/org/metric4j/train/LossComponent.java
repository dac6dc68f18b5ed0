package org.metric4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.metric4j.head.ClassCenters;
import org.metric4j.head.ClassScores;
import org.metric4j.head.CosineClassifier;
import org.metric4j.head.LinearClassifier;
import org.metric4j.head.PartialCosineClassifier;
import org.metric4j.head.SampledBatch;
import org.metric4j.loss.CenterLoss;
import org.metric4j.loss.CenterUpdate;
import org.metric4j.loss.MarginSoftmaxLoss;
import org.metric4j.loss.MetricLoss;
import org.metric4j.loss.ProxyLoss;
import org.metric4j.loss.SoftmaxLoss;
import org.metric4j.schedule.StepState;
import org.metric4j.schedule.StepUpdate;

/**
 * One weighted term of a training objective and the head it trains, if any: a pair / tuple loss
 * on the embeddings, a margin softmax on a {@link CosineClassifier}, the softmax loss on a {@link
 * LinearClassifier}, the center loss on {@link ClassCenters} (learned by gradient, or moved by
 * the paper's rule with rate alpha), or a proxy loss ({@link ProxyLoss}: Proxy-Anchor, Proxy-NCA,
 * SoftTriple) on {@link ClassCenters} that hold its proxies, learned by gradient.
 */
public final class LossComponent {

    /** The kinds of component. */
    public enum Kind {
        /** A pair / tuple loss on the embeddings. */
        METRIC,
        /** A margin softmax on a cosine classifier. */
        MARGIN,
        /** Softmax cross entropy on a linear classifier. */
        SOFTMAX,
        /** Center loss on class centers. */
        CENTER,
        /** A proxy loss on class proxies (or sub-centers), a {@link ClassCenters} head. */
        PROXY
    }

    private final Kind kind;
    private final String name;
    private final double weight;
    private final Block head;
    private final MetricLoss metricLoss;
    private final MarginSoftmaxLoss marginLoss;
    private final CenterUpdate centerUpdate;
    private final CenterLoss centerLoss;
    private final ProxyLoss proxyLoss;

    private LossComponent(Kind kind, String name, double weight, Block head, MetricLoss metricLoss,
            MarginSoftmaxLoss marginLoss, CenterUpdate centerUpdate) {
        this(kind, name, weight, head, metricLoss, marginLoss, centerUpdate, null);
    }

    private LossComponent(Kind kind, String name, double weight, Block head, MetricLoss metricLoss,
            MarginSoftmaxLoss marginLoss, CenterUpdate centerUpdate, ProxyLoss proxyLoss) {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight of " + name + " must be >= 0 and finite, got " + weight);
        }
        this.kind = kind;
        this.name = name;
        this.weight = weight;
        this.head = head;
        this.metricLoss = metricLoss;
        this.marginLoss = marginLoss;
        this.centerUpdate = centerUpdate;
        this.centerLoss = kind == Kind.CENTER ? new CenterLoss(centerUpdate) : null;
        this.proxyLoss = proxyLoss;
    }

    /** A pair / tuple loss on the embeddings. */
    public static LossComponent metric(MetricLoss loss, double weight) {
        return new LossComponent(Kind.METRIC, loss.getName(), weight, null, loss, null, null);
    }

    /** A margin softmax with its cosine classifier head. */
    public static LossComponent margin(MarginSoftmaxLoss loss, CosineClassifier head, double weight) {
        return new LossComponent(Kind.MARGIN, loss.getName(), weight, head, null, loss, null);
    }

    /**
     * A margin softmax on the classes a partial classifier (PartialFC) samples each step; the
     * loss scores the renumbered labels of the sample.
     */
    public static LossComponent margin(MarginSoftmaxLoss loss, PartialCosineClassifier head, double weight) {
        return new LossComponent(Kind.MARGIN, loss.getName(), weight, head, null, loss, null);
    }

    /** The softmax loss with its linear classifier head. */
    public static LossComponent softmax(LinearClassifier head, double weight) {
        return new LossComponent(Kind.SOFTMAX, "SoftmaxLoss", weight, head, null, null, null);
    }

    /**
     * The center loss with its centers; with an update rule the centers are not trained by the
     * optimizer but moved by the rule after each step.
     */
    public static LossComponent center(ClassCenters centers, double weight, CenterUpdate update) {
        return new LossComponent(Kind.CENTER, "CenterLoss", weight, centers, null, null, update);
    }

    /**
     * A proxy loss with the block of its proxies: C rows for Proxy-Anchor and Proxy-NCA, C K rows
     * for SoftTriple's K centers per class, K rows for ManifoldLoss's K proxies. The optimizer trains them with the head learning rate
     * ({@code --head-lr-factor} times the backbone's); checkpoints save and restore them as a head.
     */
    public static LossComponent proxy(ProxyLoss loss, ClassCenters proxies, double weight) {
        return new LossComponent(Kind.PROXY, loss.getName(), weight, proxies, null, null, null, loss);
    }

    /** The kind. */
    public Kind kind() {
        return kind;
    }

    /** The name in logs. */
    public String name() {
        return name;
    }

    /** The weight. */
    public double weight() {
        return weight;
    }

    /** The head block, or null for a metric loss. */
    public Block head() {
        return head;
    }

    /** The center update rule, or null. */
    public CenterUpdate centerUpdate() {
        return centerUpdate;
    }

    /**
     * The once-per-step state change of this component, after the optimizer's update: the center
     * loss's {@link CenterLoss#afterStep} (its rule moves the centers), or the {@link StepUpdate#afterStep}
     * of a pair / tuple or proxy loss that has one (a stored histogram, a memory queue) with the
     * predictions its {@code evaluate} takes ([embeddings], or [embeddings, proxies]); the same
     * hook a DJL {@code Trainer} calls through a {@link org.metric4j.schedule.StepListener};
     * nothing for the others.
     *
     * @param embeddings the step's B x D embeddings (no gradient needed)
     * @param labels the step's B class ids
     */
    void afterStep(NDArray embeddings, NDArray labels) {
        if (centerLoss != null && centerUpdate != null) {
            NDArray centers = ((ClassCenters) head).centers().getArray();
            centerLoss.afterStep(new NDList(labels), new NDList(embeddings, centers));
        } else if (metricLoss instanceof StepUpdate u) {
            u.afterStep(new NDList(labels), new NDList(embeddings));
        } else if (proxyLoss instanceof StepUpdate u) {
            u.afterStep(new NDList(labels), new NDList(embeddings, ((ClassCenters) head).centers().getArray()));
        }
    }

    /**
     * The loss's state that checkpoints save (a {@link StepState}: a stored histogram, a memory
     * queue), or null when its loss keeps none.
     */
    StepState stepState() {
        for (Object loss : new Object[] {metricLoss, marginLoss, proxyLoss, centerLoss}) {
            if (loss instanceof StepState s) {
                return s;
            }
        }
        return null;
    }

    /**
     * What the last {@link #loss} call selected, for a pair / tuple loss that selects pairs,
     * triplets or anchors ({@link org.metric4j.loss.SelectionStats}); empty for the others.
     */
    java.util.Optional<org.metric4j.loss.Selection> lastSelection() {
        return metricLoss == null ? java.util.Optional.empty() : metricLoss.lastSelection();
    }

    /** Whether the optimizer updates this component's head parameters. */
    public boolean headTrainedByOptimizer() {
        return head != null && centerUpdate == null;
    }

    /**
     * The unweighted loss of a batch.
     *
     * @param ps the parameter store
     * @param embeddings B x D
     * @param labels B INT64
     * @param training whether in training mode
     * @return the scalar loss
     */
    NDArray loss(ParameterStore ps, NDArray embeddings, NDArray labels, boolean training) {
        switch (kind) {
            case METRIC:
                return metricLoss.compute(embeddings, labels);
            case MARGIN:
                if (head instanceof PartialCosineClassifier partial) {
                    SampledBatch batch = partial.sample(embeddings, labels);
                    return marginLoss.compute(batch.scores(), batch.labels());
                }
                NDList scores = head.forward(ps, new NDList(embeddings), training);
                return marginLoss.compute(ClassScores.fromList(scores), labels);
            case SOFTMAX:
                NDArray logits = head.forward(ps, new NDList(embeddings), training).head();
                return new SoftmaxLoss().compute(logits, labels);
            case PROXY:
                NDList withProxies = head.forward(ps, new NDList(embeddings), training);
                return proxyLoss.compute(embeddings, withProxies.get(1), labels);
            default:
                NDList out = head.forward(ps, new NDList(embeddings), training);
                return centerLoss.compute(embeddings, out.get(1), labels);
        }
    }

    @Override
    public String toString() {
        String loss = metricLoss != null ? metricLoss.toString() : marginLoss != null ? marginLoss.toString()
                : proxyLoss != null ? proxyLoss.toString() : name;
        return weight + " * " + loss + (head == null ? "" : " on " + head)
                + (centerUpdate == null ? "" : " with " + centerUpdate);
    }
}
