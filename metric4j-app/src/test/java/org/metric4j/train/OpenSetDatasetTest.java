package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.metric4j.data.SyntheticFaces;
import org.metric4j.dataset.LabeledImages;
import org.metric4j.eval.EmbeddingSet;
import org.metric4j.eval.VerificationProtocol;
import org.metric4j.support.Requirements;

/**
 * The demo's data: {@code fashion-mnist:seen=7} (training and closed-set test on classes 0-6,
 * open-set pairs of classes 7-9, class angles), and {@link VerificationEvaluator} with unequal
 * numbers of genuine and impostor pairs.
 */
class OpenSetDatasetTest {

    @Test
    void unequalPairCountsAndTheirFolds() {
        LabeledImages data = SyntheticFaces.builder().optIdentities(3).optImagesPerIdentity(5).optSize(8, 8)
                .optChannels(1).optSeed(2).build();
        VerificationEvaluator v = new VerificationEvaluator(data, 30, 100, 7, "openset");
        assertEquals(30, v.genuinePairs());
        assertEquals(100, v.impostorPairs());
        assertEquals("openset", v.prefix());
        // one-hot embeddings of the class: every genuine pair scores 1, every impostor 0
        double[] onehot = new double[data.size() * 3];
        long[] y = new long[data.size()];
        for (int i = 0; i < data.size(); i++) {
            y[i] = data.label(i);
            onehot[i * 3 + (int) y[i]] = 1;
        }
        VerificationProtocol.Report r = v.report(new EmbeddingSet(onehot, data.size(), 3, y, null));
        assertEquals(1.0, r.accuracyMean(), 0);
        assertEquals(1.0, r.auc(), 0);
        assertEquals(1.0, r.tarAtFar().get(1e-2), 0);
        // the same seed draws the same list; equal counts keep the historical constructor's list
        VerificationEvaluator a = new VerificationEvaluator(data, 20, 5);
        VerificationEvaluator b = new VerificationEvaluator(data, 20, 20, 5, VerificationEvaluator.DEFAULT_PREFIX);
        double[] noisy = new double[data.size() * 3];
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < noisy.length; i++) {
            noisy[i] = onehot[i] + rnd.nextGaussian();
        }
        EmbeddingSet e = new EmbeddingSet(noisy, data.size(), 3, y, null);
        assertEquals(a.report(e).accuracyMean(), b.report(e).accuracyMean(), 0);
        assertEquals(a.report(e).auc(), b.report(e).auc(), 0);
        assertThrows(IllegalArgumentException.class, () -> new VerificationEvaluator(data, 4, 100, 7, "x"));
    }

    @Test
    void fashionMnistSeenClassesAndTheOpenSet() {
        Requirements.fashionMnist();
        Datasets.TrainData d = Datasets.DATASETS.create("fashion-mnist:seen=7,limit=700,eval-limit=300,ncc-train=100,"
                + "genuine=50,impostor=200", 1L);
        assertEquals(700, d.train().size());
        assertEquals(7, d.train().numClasses());
        assertEquals(300, d.heldOut().size());
        for (int i = 0; i < d.train().size(); i++) {
            assertTrue(d.train().label(i) < 7);
        }
        assertTrue(d.name().contains("open set: 3000 test images of classes 7-9"), d.name());
        assertEquals(3, d.evaluators().size());
        VerificationEvaluator open = (VerificationEvaluator) d.evaluators().get(2);
        assertEquals(50, open.genuinePairs());
        assertEquals(200, open.impostorPairs());
        assertEquals(3000, open.data().size());
        assertEquals(3, open.data().numClasses());
        assertTrue(d.evaluators().get(1) instanceof ClassAnglesEvaluator);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.DATASETS.create("fashion-mnist:seen=1", 1L));
        assertTrue(e.getMessage().contains("seen must be in [2, 10], got 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Datasets.DATASETS.create("fashion-mnist:genuine=10", 1L));
        assertTrue(e.getMessage().contains("need seen=K < 10"), e.getMessage());
    }
}
