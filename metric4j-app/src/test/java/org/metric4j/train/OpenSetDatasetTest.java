package org.metric4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
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
        Map<String, Double> m = v.metrics(new EmbeddingSet(onehot, data.size(), 3, y, null));
        assertEquals(List.of("openset_accuracy", "openset_auc", "openset_eer", "openset_tar_at_far_1e-2"),
                List.copyOf(m.keySet()), "TAR at 1e-3 needs 10,000 impostors");
        Map<String, Double> m3 = new VerificationEvaluator(data, 30, 10_000, 7, "x").metrics(
                new EmbeddingSet(onehot, data.size(), 3, y, null));
        assertEquals(1.0, m3.get("x_tar_at_far_1e-3"), 0);
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

    @Test
    void syntheticFacesValidationIdentitiesAreDisjointFromTestAndTraining() {
        Datasets.TrainData d = Datasets.DATASETS.create("synthetic-faces:identities=4,images=3,size=16,channels=1,"
                + "eval-identities=5,eval-images=4,val-identities=6,genuine=20,impostor=10000", 3L);
        assertEquals(2, d.evaluators().size());
        VerificationEvaluator test = (VerificationEvaluator) d.evaluators().get(0);
        VerificationEvaluator val = (VerificationEvaluator) d.evaluators().get(1);
        assertEquals(VerificationEvaluator.DEFAULT_PREFIX, test.prefix());
        assertEquals(Datasets.VALIDATION_PREFIX, val.prefix());
        assertEquals(5, test.data().numClasses());
        assertEquals(6, val.data().numClasses());
        assertEquals(24, val.data().size(), "val-images defaults to eval-images");
        assertEquals(20, val.genuinePairs());
        assertEquals(10_000, val.impostorPairs());
        // labels count from 0 in each set: the identities differ by their images (first images of each set)
        float[] a = new float[16 * 16];
        float[] b = new float[16 * 16];
        float[] c = new float[16 * 16];
        d.train().image(0, a, 0);
        test.data().image(0, b, 0);
        val.data().image(0, c, 0);
        assertFalse(java.util.Arrays.equals(a, b) || java.util.Arrays.equals(b, c) || java.util.Arrays.equals(a, c));
        float[] want = new float[16 * 16];
        SyntheticFaces.builder().optIdentities(6).optImagesPerIdentity(4).optSize(16, 16).optChannels(1)
                .optFirstIdentity(Datasets.VALIDATION_IDENTITIES).optSeed(3).build().image(0, want, 0);
        assertArrayEquals(want, c, 0f);
        assertTrue(d.name().contains("test: 5 unseen identities; validation: 6 others"), d.name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.DATASETS.create("synthetic-faces:pairs=10,genuine=5", 1L));
        assertTrue(e.getMessage().contains("give pairs=N or genuine=G,impostor=I, not both"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Datasets.DATASETS.create("synthetic-faces:val-identities=1", 1L));
        assertTrue(e.getMessage().contains("val-identities must be 0 or >= 2, got 1"), e.getMessage());
    }
}
