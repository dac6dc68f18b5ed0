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
 * genuine and impostor pairs of the evaluation set (equal numbers, shuffled, a multiple of 10),
 * scored by cosine, then the 10-fold protocol.
 */
public final class VerificationEvaluator implements EpochEvaluator {

    private final LabeledImages data;
    private final int[][] pairs;
    private final boolean[] same;

    /**
     * @param data evaluation images (identities disjoint from training)
     * @param pairsPerKind genuine pairs and impostor pairs each (rounded down to a multiple of 5)
     * @param seed the seed of the pair list
     */
    public VerificationEvaluator(LabeledImages data, int pairsPerKind, long seed) {
        this.data = data;
        int per = Math.max(5, pairsPerKind - pairsPerKind % 5);
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
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            ids.add(i);
        }
        Random rnd = new Random(seed);
        int[][] p = new int[2 * per][];
        boolean[] s = new boolean[2 * per];
        for (int k = 0; k < per; k++) {
            List<Integer> g = groups.get(rnd.nextInt(groups.size()));
            int a = rnd.nextInt(g.size());
            int b = rnd.nextInt(g.size() - 1);
            if (b >= a) {
                b++;
            }
            p[2 * k] = new int[] {g.get(a), g.get(b)};
            s[2 * k] = true;
            int x;
            int y;
            do {
                x = ids.get(rnd.nextInt(ids.size()));
                y = ids.get(rnd.nextInt(ids.size()));
            } while (data.label(x) == data.label(y));
            p[2 * k + 1] = new int[] {x, y};
        }
        this.pairs = p;
        this.same = s;
    }

    @Override
    public Map<String, Double> evaluate(Block backbone, NDManager manager) {
        VerificationProtocol.Report r = report(Embedder.embed(backbone, data, 0, manager));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("verification_accuracy", r.accuracyMean());
        m.put("verification_auc", r.auc());
        m.put("verification_eer", r.eer());
        return m;
    }

    /** The protocol's report on embeddings of this evaluator's images (in item order). */
    public VerificationProtocol.Report report(EmbeddingSet e) {
        double[] scores = new double[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            scores[i] = e.cosine(pairs[i][0], pairs[i][1]);
        }
        return VerificationProtocol.builder().build().evaluate(scores, same);
    }
}
