package org.metric4j.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.VerificationProtocol;

/**
 * Open-set verification on identities unseen in training (as LFW): a fixed, seeded list of
 * genuine and impostor pairs of the evaluation set, scored by cosine, then the 10-fold protocol:
 * with equal numbers the list alternates genuine and impostor pairs and the folds are its
 * contiguous tenths (as LFW's pairs file); otherwise the k-th pair of each kind is in fold
 * {@code floor(10 k / count of its kind)}. Metrics {@code PREFIX_accuracy}, {@code PREFIX_auc},
 * {@code PREFIX_eer} and {@code PREFIX_tar_at_far_1e-2} (the largest TAR whose FAR is at most
 * 0.01; it rests on at least 100 impostors only when there are 10,000 of them), and with at least
 * {@value #MIN_IMPOSTORS_AT_1E3} impostor pairs {@code PREFIX_tar_at_far_1e-3}.
 */
public final class VerificationEvaluator implements EpochEvaluator {

    /** Impostor pairs from which {@code PREFIX_tar_at_far_1e-3} is reported (it rests on 10 of them). */
    public static final int MIN_IMPOSTORS_AT_1E3 = 10_000;

    /** The prefix of the metrics of the default evaluator. */
    public static final String DEFAULT_PREFIX = "verification";

    private final LabeledImages data;
    private final int[][] pairs;
    private final boolean[] same;
    private final int[] foldOf;
    private final String prefix;

    /**
     * Equal numbers of genuine and impostor pairs, metrics {@code verification_*}.
     *
     * @param data evaluation images (identities disjoint from training)
     * @param pairsPerKind genuine pairs and impostor pairs each (rounded down to a multiple of 5)
     * @param seed the seed of the pair list
     */
    public VerificationEvaluator(LabeledImages data, int pairsPerKind, long seed) {
        this(data, roundedPairs(pairsPerKind), roundedPairs(pairsPerKind), seed, DEFAULT_PREFIX);
    }

    /** Pairs of one kind for an equal-count list: rounded down to a multiple of 5, at least 5. */
    static int roundedPairs(int pairsPerKind) {
        return Math.max(5, pairsPerKind - pairsPerKind % 5);
    }

    /**
     * @param data evaluation images (identities disjoint from training)
     * @param genuine genuine pairs (same class, two different items), at least 5
     * @param impostor impostor pairs (different classes), at least 5
     * @param seed the seed of the pair list
     * @param prefix the metrics' prefix
     */
    public VerificationEvaluator(LabeledImages data, int genuine, int impostor, long seed, String prefix) {
        if (genuine < 5 || impostor < 5) {
            throw new IllegalArgumentException("verification needs at least 5 genuine and 5 impostor pairs, got "
                    + genuine + " and " + impostor);
        }
        this.data = data;
        this.prefix = prefix;
        Map<Long, List<Integer>> byId = new LinkedHashMap<>();
        for (int i = 0; i < data.size(); i++) {
            byId.computeIfAbsent(data.label(i), k -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> groups = new ArrayList<>();
        for (List<Integer> g : byId.values()) {
            if (g.size() >= 2) {
                groups.add(g);
            }
        }
        if (groups.isEmpty() || byId.size() < 2) {
            throw new IllegalArgumentException(
                    "verification needs at least 2 identities and one with 2 images, got " + byId.size()
                            + " identities");
        }
        Random rnd = new Random(seed);
        int n = genuine + impostor;
        int[][] p = new int[n][];
        boolean[] s = new boolean[n];
        int[] f = new int[n];
        // interleaved while both kinds remain (the first 2 * min pairs are the historical list)
        int g = 0;
        int im = 0;
        for (int k = 0; k < n; k++) {
            boolean genuineTurn = im >= impostor || (g < genuine && (k % 2 == 0 || g <= im));
            if (genuineTurn) {
                List<Integer> grp = groups.get(rnd.nextInt(groups.size()));
                int a = rnd.nextInt(grp.size());
                int b = rnd.nextInt(grp.size() - 1);
                if (b >= a) {
                    b++;
                }
                p[k] = new int[] {grp.get(a), grp.get(b)};
                s[k] = true;
                f[k] = (int) ((long) g++ * VerificationProtocol.DEFAULT_FOLDS / genuine);
            } else {
                int x;
                int y;
                do {
                    x = rnd.nextInt(data.size());
                    y = rnd.nextInt(data.size());
                } while (data.label(x) == data.label(y));
                p[k] = new int[] {x, y};
                f[k] = (int) ((long) im++ * VerificationProtocol.DEFAULT_FOLDS / impostor);
            }
        }
        if (genuine == impostor && n % VerificationProtocol.DEFAULT_FOLDS == 0) {
            for (int k = 0; k < n; k++) {
                f[k] = k / (n / VerificationProtocol.DEFAULT_FOLDS);
            }
        }
        this.pairs = p;
        this.same = s;
        this.foldOf = f;
    }

    /** Genuine pairs in the list. */
    public int genuinePairs() {
        int c = 0;
        for (boolean b : same) {
            c += b ? 1 : 0;
        }
        return c;
    }

    /** Impostor pairs in the list. */
    public int impostorPairs() {
        return same.length - genuinePairs();
    }

    @Override
    public Map<String, Double> evaluate(Block backbone, NDManager manager) {
        return metrics(Embedder.embed(backbone, data, 0, manager));
    }

    /** The metrics on embeddings of this evaluator's images (in item order). */
    public Map<String, Double> metrics(EmbeddingSet e) {
        VerificationProtocol.Report r = report(e);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(prefix + "_accuracy", r.accuracyMean());
        m.put(prefix + "_auc", r.auc());
        m.put(prefix + "_eer", r.eer());
        m.put(prefix + "_tar_at_far_1e-2", r.tarAtFar().getOrDefault(1e-2, Double.NaN));
        if (impostorPairs() >= MIN_IMPOSTORS_AT_1E3) {
            m.put(prefix + "_tar_at_far_1e-3", r.tarAtFar().getOrDefault(1e-3, Double.NaN));
        }
        return m;
    }

    /** The metrics' prefix. */
    public String prefix() {
        return prefix;
    }

    /** The evaluation images. */
    public LabeledImages data() {
        return data;
    }

    /** The protocol's report on the backbone's embeddings of this evaluator's images. */
    public VerificationProtocol.Report report(Block backbone, NDManager manager) {
        return report(Embedder.embed(backbone, data, 0, manager));
    }

    /** The protocol's report on embeddings of this evaluator's images (in item order). */
    public VerificationProtocol.Report report(EmbeddingSet e) {
        double[] scores = new double[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            scores[i] = e.cosine(pairs[i][0], pairs[i][1]);
        }
        return VerificationProtocol.builder().build().evaluate(scores, same, foldOf);
    }
}
