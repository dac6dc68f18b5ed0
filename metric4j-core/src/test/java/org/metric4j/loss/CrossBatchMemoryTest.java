package org.metric4j.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.metric4j.math.NDTestSupport.array;
import static org.metric4j.math.NDTestSupport.gaussian;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.metric4j.TestDevice;
import org.metric4j.distance.PairRelation;
import org.metric4j.miner.PairMarginMiner;

/**
 * {@link CrossBatchMemory}: the queue changes only in {@code afterStep} / {@code update}, a saved
 * queue resumes exactly, the enqueue mask splits queries from memory rows, bad sizes are refused.
 */
class CrossBatchMemoryTest {

    private static final int B = 6;
    private static final int D = 4;
    private static final int MEMORY = 10;

    private static NDArray batch(NDManager m, Random r) {
        return array(m, gaussian(r, B * D), B, D, DataType.FLOAT64);
    }

    private static NDArray labels(NDManager m, Random r) {
        long[] y = new long[B];
        for (int i = 0; i < B; i++) {
            y[i] = r.nextInt(3);
        }
        return m.create(y);
    }

    private static CrossBatchMemory xbm() {
        return CrossBatchMemory.builder(ContrastiveLoss.builder().build(), D).optMemorySize(MEMORY).build();
    }

    private static double v(NDArray a) {
        return a.toType(DataType.FLOAT64, false).getDouble();
    }

    @Test
    void evaluateDoesNotChangeTheQueue() {
        Random r = new Random(1);
        try (NDManager m = TestDevice.manager(); CrossBatchMemory loss = xbm()) {
            for (int step = 0; step < 3; step++) {
                NDList y = new NDList(labels(m, r));
                NDList x = new NDList(batch(m, r));
                long idx = loss.queueIndex();
                double first = v(loss.evaluate(y, x));
                double second = v(loss.evaluate(y, x));
                assertEquals(first, second, 0.0, "step " + step);
                assertEquals(idx, loss.queueIndex(), "evaluate moved the queue");
                loss.afterStep(y, x);
                assertEquals((idx + B) % MEMORY, loss.queueIndex());
            }
            assertTrue(loss.isFilled(), "3 x 6 rows wrap a queue of 10");
        }
    }

    @Test
    void firstStepIsTheBatchAgainstItself() {
        Random r = new Random(2);
        try (NDManager m = TestDevice.manager(); CrossBatchMemory loss = xbm()) {
            NDArray x = batch(m, r);
            NDArray y = labels(m, r);
            ContrastiveLoss inner = ContrastiveLoss.builder().build();
            // the memory holds exactly the batch: each query's own row is removed from the
            // positives, which is the batch's own loss up to the matrix of x against a copy
            assertEquals(v(inner.compute(x, y)), v(loss.computeAndUpdate(x, y)), 1e-9);
            assertEquals(B, loss.queueIndex());
            // the selection is the inner loss's: its positive and negative pairs
            assertEquals(inner.lastSelection().orElseThrow().count(), loss.lastSelection().orElseThrow().count());
        }
    }

    @Test
    void savedQueueResumesExactly() {
        Random r = new Random(3);
        try (NDManager m = TestDevice.manager(); CrossBatchMemory a = xbm(); CrossBatchMemory b = xbm()) {
            NDArray[] xs = new NDArray[3];
            NDArray[] ys = new NDArray[3];
            for (int i = 0; i < 3; i++) {
                xs[i] = batch(m, r);
                ys[i] = labels(m, r);
            }
            a.computeAndUpdate(xs[0], ys[0]);
            a.computeAndUpdate(xs[1], ys[1]);
            NDList state = a.saveState();
            assertEquals(4, state.size());
            assertEquals(2 * B % MEMORY, state.get(2).getLong());
            assertEquals(1L, state.get(3).getLong());
            b.loadState(state, m);
            assertEquals(a.queueIndex(), b.queueIndex());
            assertEquals(a.isFilled(), b.isFilled());
            double uninterrupted = v(a.compute(xs[2], ys[2]));
            double resumed = v(b.compute(xs[2], ys[2]));
            assertEquals(uninterrupted, resumed, 0.0);
            // a fresh wrapper without the state gives another loss: the state matters
            try (CrossBatchMemory fresh = xbm()) {
                assertTrue(Math.abs(v(fresh.compute(xs[2], ys[2])) - uninterrupted) > 1e-6);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> b.loadState(new NDList(state.get(0)), m));
            assertTrue(e.getMessage().contains("4 arrays"), e.getMessage());
        }
    }

    @Test
    void enqueueMaskSplitsQueriesFromMemoryRows() {
        Random r = new Random(4);
        try (NDManager m = TestDevice.manager(); CrossBatchMemory loss = xbm()) {
            NDArray x = batch(m, r);
            NDArray y = m.create(new long[] {0, 1, 0, 1, 0, 1});
            NDArray mask = m.create(new boolean[] {true, true, true, false, false, false});
            ContrastiveLoss inner = ContrastiveLoss.builder().build();
            double expected = v(inner.compute(x.get("3:6"), y.get("3:6"), x.get("0:3"), y.get("0:3")));
            assertEquals(expected, v(loss.compute(x, y, mask)), 1e-12);
            loss.update(x, y, mask);
            assertEquals(3, loss.queueIndex());
            // the next step: its masked rows join the first three in the memory
            NDArray x2 = batch(m, r);
            NDArray mem = x.get("0:3").concat(x2.get("0:3"), 0);
            NDArray memY = y.get("0:3").concat(y.get("0:3"), 0);
            double expected2 = v(inner.compute(x2.get("3:6"), y.get("3:6"), mem, memY));
            assertEquals(expected2, v(loss.evaluate(new NDList(y, mask), new NDList(x2))), 1e-12);
        }
    }

    @Test
    void minerNarrowsTheMemoryPairs() {
        Random r = new Random(5);
        try (NDManager m = TestDevice.manager()) {
            PairMarginMiner miner = PairMarginMiner.builder().build();
            CrossBatchMemory plain = xbm();
            CrossBatchMemory mined = CrossBatchMemory.builder(ContrastiveLoss.builder().build(), D)
                    .optMemorySize(MEMORY).optMiner(miner).build();
            NDArray x = batch(m, r);
            NDArray y = labels(m, r);
            NDArray x2 = batch(m, r);
            NDArray y2 = labels(m, r);
            plain.computeAndUpdate(x, y);
            mined.computeAndUpdate(x, y);
            // by hand: memory rows 0..11 mod 10 after the write of x2 at rows 6..11 -> 6..9, 0, 1
            NDArray mem = x2.get("4:6").concat(x.get("2:6"), 0).concat(x2.get("0:4"), 0);
            NDArray memY = y2.get("4:6").concat(y.get("2:6"), 0).concat(y2.get("0:4"), 0);
            NDArray self = m.create(new long[] {6, 7, 8, 9, 0, 1});
            PairRelation relation = PairRelation.of(y2, memY);
            org.metric4j.miner.PairIndices pairs = miner.mine(x2, y2, mem, memY);
            PairRelation narrowed = relation.narrow(pairs.positiveMask(), pairs.negativeMask()).withoutSelf(self);
            ContrastiveLoss inner = ContrastiveLoss.builder().build();
            assertEquals(v(inner.compute(x2, mem, relation.withoutSelf(self))), v(plain.compute(x2, y2)), 1e-12);
            assertEquals(v(inner.compute(x2, mem, narrowed)), v(mined.compute(x2, y2)), 1e-12);
            assertFalse(v(plain.compute(x2, y2)) == v(mined.compute(x2, y2)), "the miner selected every pair");
            plain.close();
            mined.close();
        }
    }

    private static final double[][] PML_STEPS = {
        {-0.486781, -0.603822, -0.558096, 0.667524, -0.197415, 1.942783, -1.401702, -0.762557, 0.631213, -0.899135,
            -0.557793, 0.690719},
        {0.222459, -0.666225, 0.684642, 0.574002, -0.582883, 0.767942, 0.057093, -1.189375, -0.565885, -0.832654,
            0.901449, 0.211571},
        {0.447928, -0.608824, 0.238946, 0.469888, -1.954005, -0.558733, 0.429516, -2.264317, -0.201712, 1.067711,
            0.324632, -0.068355}};
    private static final long[][] PML_LABELS = {{0, 1, 0, 1}, {1, 2, 1, 0}, {2, 2, 0, 1}};

    private static void assertPmlSteps(ReferenceSetLoss inner, org.metric4j.miner.PairMiner miner, boolean[][] masks,
            double[] expected) {
        CrossBatchMemory.Builder b = CrossBatchMemory.builder(inner, 3).optMemorySize(10);
        if (miner != null) {
            b.optMiner(miner);
        }
        try (NDManager m = TestDevice.manager(); CrossBatchMemory loss = b.build()) {
            for (int i = 0; i < 3; i++) {
                NDArray x = m.create(PML_STEPS[i], new ai.djl.ndarray.types.Shape(4, 3));
                NDArray y = m.create(PML_LABELS[i]);
                NDArray mask = masks == null ? null : m.create(masks[i]);
                assertEquals(expected[i], v(loss.computeAndUpdate(x, y, mask)), 1e-7, inner + " step " + i);
            }
        }
    }

    /**
     * Three steps of B = 4 through a memory of 10 (the third wraps), as pytorch-metric-learning
     * 2.8.1's {@code CrossBatchMemory(loss, 3, memory_size=10, miner=...)} gives them.
     */
    @Test
    void stepsMatchPml() {
        assertPmlSteps(TripletMarginLoss.builder().build(), null, null,
                new double[] {0.6364502842914813, 0.4222829136929643, 0.5917795375537986});
        assertPmlSteps(TripletMarginLoss.builder().build(), PairMarginMiner.builder().build(), null,
                new double[] {0.9316020279490066, 0.7157837597822462, 0.8873459134408256});
        assertPmlSteps(MultiSimilarityLoss.builder().build(), org.metric4j.miner.MultiSimilarityMiner.builder().build(),
                null, new double[] {0.4383160524004879, 0.9888803873115907, 1.2973759910995082});
        assertPmlSteps(ContrastiveLoss.builder().build(), null,
                new boolean[][] {{true, true, false, false}, {true, false, true, false}, {false, true, true, false}},
                new double[] {1.089103801698093, 2.131046406000866, 1.482036199635703});
        assertPmlSteps(MarginLoss.builder().build(), null, null,
                new double[] {0.2659145998485949, 0.3798331632616369, 0.5249670800282197});
    }

    /** Without an embedding size: the first stored batch fixes it; the losses are those of a sized memory. */
    @Test
    void theWidthCanComeFromTheFirstBatch() {
        Random r = new Random(7);
        try (NDManager m = TestDevice.manager(); CrossBatchMemory sized = xbm();
                CrossBatchMemory open = CrossBatchMemory.builder(ContrastiveLoss.builder().build())
                        .optMemorySize(MEMORY).build();
                CrossBatchMemory restored = CrossBatchMemory.builder(ContrastiveLoss.builder().build())
                        .optMemorySize(MEMORY).build()) {
            assertTrue(open.toString().contains("embeddingSize=first batch"), open.toString());
            // an empty memory of open width saves an M x 1 queue, read back as empty
            NDList empty = open.saveState();
            assertEquals(new ai.djl.ndarray.types.Shape(MEMORY, 1), empty.get(0).getShape());
            restored.loadState(empty, m);
            assertEquals(0, restored.queueIndex());
            for (int step = 0; step < 3; step++) {
                NDArray x = batch(m, r);
                NDArray y = labels(m, r);
                assertEquals(v(sized.computeAndUpdate(x, y)), v(open.computeAndUpdate(x, y)), 0.0, "step " + step);
            }
            restored.loadState(open.saveState(), m);
            NDArray x = batch(m, r);
            NDArray y = labels(m, r);
            assertEquals(v(open.compute(x, y)), v(restored.compute(x, y)), 0.0, "a loaded state fixes the width");
            NDArray wide = m.randomNormal(new ai.djl.ndarray.types.Shape(B, D + 1)).toType(DataType.FLOAT64, false);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open.compute(wide, y));
            assertTrue(e.getMessage().contains("embedding size " + D), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> restored.compute(wide, y));
            assertTrue(e.getMessage().contains("embedding size " + D), e.getMessage());
        }
    }

    @Test
    void badSizesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CrossBatchMemory.builder(ContrastiveLoss.builder().build(), D).optMemorySize(0));
        assertTrue(e.getMessage().contains("memorySize must be >= 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CrossBatchMemory.builder(null, D));
        assertTrue(e.getMessage().contains("loss"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CrossBatchMemory.builder(ContrastiveLoss.builder().build(), 0));
        assertTrue(e.getMessage().contains("embeddingSize must be >= 1, got 0"), e.getMessage());
        try (NDManager m = TestDevice.manager(); CrossBatchMemory loss = xbm()) {
            NDArray wide = m.randomNormal(new ai.djl.ndarray.types.Shape(B, D + 1)).toType(DataType.FLOAT64, false);
            NDArray y = m.create(new long[] {0, 1, 0, 1, 0, 1});
            e = assertThrows(IllegalArgumentException.class, () -> loss.compute(wide, y));
            assertTrue(e.getMessage().contains("embedding size " + D) && e.getMessage().contains("(6, 5)"),
                    e.getMessage());
            try (CrossBatchMemory small = CrossBatchMemory.builder(ContrastiveLoss.builder().build(), D)
                    .optMemorySize(4).build()) {
                NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(B, D)).toType(DataType.FLOAT64, false);
                e = assertThrows(IllegalArgumentException.class, () -> small.compute(x, y));
                assertTrue(e.getMessage().contains("memory size 4, got 6"), e.getMessage());
            }
            e = assertThrows(IllegalArgumentException.class, () -> loss.compute(
                    m.randomNormal(new ai.djl.ndarray.types.Shape(B, D)).toType(DataType.FLOAT64, false), y,
                    m.create(new boolean[] {true})));
            assertTrue(e.getMessage().contains("enqueueMask must be a 1-D array of 6"), e.getMessage());
        }
    }

    @Test
    void queueOutlivesTheStepsNdScope() {
        Random r = new Random(7);
        try (NDManager m = TestDevice.manager(); CrossBatchMemory loss = xbm(); CrossBatchMemory copy = xbm()) {
            NDArray x = batch(m, r);
            NDArray y = labels(m, r);
            try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                loss.computeAndUpdate(x, y);
                copy.loadState(loss.saveState(), m);
            }
            NDArray x2 = batch(m, r);
            double after = v(loss.compute(x2, y));
            assertEquals(after, v(copy.compute(x2, y)), 0.0);
            assertTrue(Double.isFinite(after));
        }
    }

    @Test
    void float32QueueFollowsTheEmbeddings() {
        Random r = new Random(6);
        try (NDManager m = TestDevice.manager(); CrossBatchMemory loss = xbm()) {
            NDArray x = batch(m, r).toType(DataType.FLOAT32, false);
            NDArray y = labels(m, r);
            NDArray out = loss.computeAndUpdate(x, y);
            assertEquals(DataType.FLOAT32, out.getDataType());
            assertEquals(DataType.FLOAT32, loss.saveState().get(0).getDataType());
            NDArray again = loss.compute(x.get(new NDIndex("0:3")), y.get("0:3"));
            assertTrue(Double.isFinite(v(again)));
        }
    }
}
