package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Objects;
import java.util.Optional;
import org.metric4j.distance.PairRelation;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.miner.PairIndices;
import org.metric4j.miner.PairMiner;
import org.metric4j.schedule.StepState;
import org.metric4j.schedule.StepUpdate;

/**
 * Cross-batch memory (XBM; Wang et al. 2020, "Cross-Batch Memory for Embedding Learning",
 * arXiv:1912.06798; PML's {@code CrossBatchMemory}): a FIFO queue of the last M embeddings (and
 * labels) seen, detached, against which the current batch is compared by any {@link
 * ReferenceSetLoss}, so a pair loss sees M references per query instead of B.
 *
 * <p>As PML, a step's loss is the loss of the batch (the queries) against the memory as it is
 * with the batch written in: rows {@code q .. q+B-1} (mod M) of the queue hold the batch, the
 * references are rows {@code 0 .. q+B-1} until the queue has wrapped once and all M rows after;
 * positives are same-label pairs except each query with its own memory row, negatives all
 * different-label pairs; an optional miner narrows the pairs (PML's {@code miner(embeddings,
 * labels, E_mem, L_mem)}). With an enqueue mask, only the masked rows go into the memory and the
 * other rows are the queries (no self-comparison to remove). Gradients reach only the queries.
 *
 * <p>State discipline: {@link #compute} and {@link #evaluate} never change the queue (a DJL
 * {@code Trainer} evaluates a loss twice per step); the write is committed by {@link #afterStep}
 * (a {@code StepListener} calls it once per step) or {@link #update}; {@link #computeAndUpdate}
 * does both for a manual loop. The queue is a checkpointable {@link StepState}. Memory: an M x D
 * queue in the embeddings' dtype and B x M matrices; no B x M x M array.
 *
 * <p>The inner loss must keep no per-step state (a {@link StepUpdate} or {@link StepState}, such
 * as {@link DynamicSoftMarginLoss}): the wrapper neither passes its steps on nor saves such state.
 *
 * <p>With {@link #evaluate}, {@code labels} holds the B class ids and, optionally, a B boolean
 * enqueue mask as its second array. Defaults (PML's): memory size {@value #DEFAULT_MEMORY_SIZE},
 * no miner. Close the wrapper to free the queue.
 */
public final class CrossBatchMemory extends MetricLoss implements StepUpdate, StepState, AutoCloseable {

    /** Default memory size (queue length). */
    public static final int DEFAULT_MEMORY_SIZE = 1024;

    private final ReferenceSetLoss loss;
    /** D, or 0 until the first stored batch (or loaded state) fixes it. */
    private long embeddingSize;
    private final int memorySize;
    private final PairMiner miner;

    private NDManager store;
    private NDArray embeddingMemory;
    private NDArray labelMemory;
    private long queueIdx;
    private boolean filled;
    private volatile boolean lastEmpty;

    private CrossBatchMemory(Builder b) {
        super("CrossBatchMemory");
        this.loss = b.loss;
        this.embeddingSize = b.embeddingSize;
        this.memorySize = b.memorySize;
        this.miner = b.miner;
    }

    /**
     * A builder with PML's defaults.
     *
     * @param loss the inner pair loss
     * @param embeddingSize D, the width of the embeddings ({@code >= 1})
     * @return the builder
     */
    public static Builder builder(ReferenceSetLoss loss, long embeddingSize) {
        Inputs.atLeast("embeddingSize", embeddingSize, 1);
        return new Builder(loss, embeddingSize);
    }

    /**
     * A builder with PML's defaults whose embedding size D is taken from the first batch the
     * memory stores ({@link #update}, {@link #afterStep}) or from a loaded state; every later batch
     * must have that width. Before that, {@link #compute} accepts any width, and an empty memory
     * saves an M x 1 queue of zeros, which {@link #loadState} reads as empty.
     *
     * @param loss the inner pair loss
     * @return the builder
     */
    public static Builder builder(ReferenceSetLoss loss) {
        return new Builder(loss, 0);
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions == null || predictions.isEmpty() || labels == null || labels.isEmpty()) {
            return super.evaluate(labels, predictions);
        }
        return compute(predictions.head(), labels.head(), labels.size() > 1 ? labels.get(1) : null);
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        return compute(embeddings, labels, null);
    }

    /**
     * The loss of a batch against the memory with the batch written in; the queue is unchanged.
     *
     * @param embeddings B x D embeddings, D the embedding size
     * @param labels B class ids
     * @param enqueueMask B booleans, the rows that go into the memory (the others are the
     *     queries), or null: every row goes in and every row is a query
     * @return the loss, a scalar of the embeddings' dtype
     */
    public NDArray compute(NDArray embeddings, NDArray labels, NDArray enqueueMask) {
        Write w = plan(embeddings, labels, enqueueMask);
        lastEmpty = true;
        if (w.queries == null) {
            return nothingSelected(embeddings);
        }
        NDManager m = embeddings.getManager();
        DataType dt = embeddings.getDataType();
        NDArray memE;
        NDArray memL;
        if (embeddingMemory == null) {
            memE = m.zeros(new Shape(memorySize, embeddings.getShape().get(1)), dt, embeddings.getDevice());
            memL = m.zeros(new Shape(memorySize), DataType.INT64, embeddings.getDevice());
        } else {
            memE = embeddingMemory.duplicate();
            memL = labelMemory.duplicate();
            memE.attach(m);
            memL.attach(m);
            if (memE.getDataType() != dt) {
                memE = memE.toType(dt, false);
            }
        }
        if (w.rows.size() > 0) {
            NDIndex at = new NDIndex("{}", w.rows);
            memE.set(at, w.values);
            memL.set(at, w.valueLabels);
        }
        if (!w.nextFilled) {
            if (w.nextIdx == 0) {
                return nothingSelected(embeddings);
            }
            memE = memE.get("0:" + w.nextIdx);
            memL = memL.get("0:" + w.nextIdx);
        }
        PairRelation relation = PairRelation.of(w.queryLabels, memL);
        if (miner != null) {
            PairIndices mined = miner.mine(w.queries, w.queryLabels, memE, memL);
            relation = relation.narrow(mined.positiveMask(), mined.negativeMask());
        }
        if (enqueueMask == null) {
            relation = relation.withoutSelf(w.rows);
        }
        lastEmpty = false;
        return loss.compute(w.queries, memE, relation);
    }

    /** The inner loss's selection of the last call (none selected when the memory was empty). */
    @Override
    public Optional<Selection> lastSelection() {
        if (!lastEmpty && loss instanceof SelectionStats stats) {
            return stats.lastSelection();
        }
        return super.lastSelection();
    }

    /**
     * {@link #compute(NDArray, NDArray, NDArray)} and then {@link #update}: the loss of a step of
     * a manual training loop, the memory moved on.
     */
    public NDArray computeAndUpdate(NDArray embeddings, NDArray labels, NDArray enqueueMask) {
        NDArray out = compute(embeddings, labels, enqueueMask);
        update(embeddings, labels, enqueueMask);
        return out;
    }

    /** {@link #computeAndUpdate(NDArray, NDArray, NDArray)} with every row enqueued. */
    public NDArray computeAndUpdate(NDArray embeddings, NDArray labels) {
        return computeAndUpdate(embeddings, labels, null);
    }

    /** Commits the step's write: {@code labels} = [class ids, optional enqueue mask]. */
    @Override
    public void afterStep(NDList labels, NDList predictions) {
        if (predictions == null || predictions.isEmpty() || labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException(getName() + ": afterStep needs the step's labels and embeddings");
        }
        update(predictions.head(), labels.head(), labels.size() > 1 ? labels.get(1) : null);
    }

    /**
     * Writes the (masked) rows of a batch, detached, into the queue, oldest rows first overwritten.
     *
     * @param embeddings B x D embeddings
     * @param labels B class ids
     * @param enqueueMask the rows to write, or null for all
     */
    public void update(NDArray embeddings, NDArray labels, NDArray enqueueMask) {
        Write w = plan(embeddings, labels, enqueueMask);
        DataType dt = embeddings.getDataType();
        if (store == null) {
            store = NDManager.newBaseManager(embeddings.getDevice());
        }
        if (embeddingMemory == null) {
            embeddingSize = embeddings.getShape().get(1);
            embeddingMemory = store.zeros(new Shape(memorySize, embeddingSize), dt);
            labelMemory = store.zeros(new Shape(memorySize), DataType.INT64);
            // the queue outlives any NDScope the caller's step runs in
            NDScope.unregister(embeddingMemory, labelMemory);
        } else if (embeddingMemory.getDataType() != dt) {
            NDArray old = embeddingMemory;
            embeddingMemory = old.toType(dt, true);
            NDScope.unregister(embeddingMemory);
            old.close();
        }
        if (w.rows.size() > 0) {
            NDIndex at = new NDIndex("{}", w.rows);
            embeddingMemory.set(at, w.values);
            labelMemory.set(at, w.valueLabels);
        }
        queueIdx = w.nextIdx;
        filled = w.nextFilled;
    }

    /** The write of a batch, not yet committed. */
    private record Write(NDArray queries, NDArray queryLabels, NDArray rows, NDArray values, NDArray valueLabels,
            long nextIdx, boolean nextFilled) {}

    private Write plan(NDArray embeddings, NDArray labels, NDArray enqueueMask) {
        long b = Inputs.embeddings("embeddings", embeddings);
        if (embeddingSize > 0 && embeddings.getShape().get(1) != embeddingSize) {
            throw new IllegalArgumentException("embeddings must have the embedding size " + embeddingSize
                    + ", got shape " + embeddings.getShape());
        }
        NDArray y = Inputs.labels("labels", labels, b);
        NDArray all = embeddings.getManager().arange(0L, b, 1L, DataType.INT64).toDevice(embeddings.getDevice(), false);
        NDArray enq;
        NDArray qry;
        if (enqueueMask == null) {
            enq = all;
            qry = all;
        } else {
            if (enqueueMask.getShape().dimension() != 1 || enqueueMask.getShape().get(0) != b) {
                throw new IllegalArgumentException("enqueueMask must be a 1-D array of " + b
                        + " booleans (one per embedding row), got shape " + enqueueMask.getShape());
            }
            NDArray mask = enqueueMask.toType(DataType.BOOLEAN, false);
            enq = all.get(new NDIndex().addBooleanIndex(mask));
            qry = all.get(new NDIndex().addBooleanIndex(mask.logicalNot()));
        }
        long q = enq.size();
        if (q > memorySize) {
            throw new IllegalArgumentException("the rows to enqueue must fit the memory size " + memorySize
                    + ", got " + q);
        }
        NDArray rows = enq.size() == 0 ? enq : all.get("0:" + q).add(queueIdx).mod(memorySize);
        NDArray values = NDMath.takeRows(embeddings.stopGradient(), enq).stopGradient();
        NDArray valueLabels = y.get(new NDIndex("{}", enq));
        long next = (queueIdx + q) % memorySize;
        boolean nextFilled = filled || (q > 0 && next <= queueIdx);
        NDArray queries = qry.size() == 0 ? null
                : enqueueMask == null ? embeddings : NDMath.takeRows(embeddings, qry);
        NDArray queryLabels = enqueueMask == null ? y : y.get(new NDIndex("{}", qry));
        return new Write(queries, queryLabels, rows, values, valueLabels, next, nextFilled);
    }

    /** The queue, its labels, the write index and the filled flag (int64 scalars). */
    @Override
    public NDList saveState() {
        if (embeddingMemory == null) {
            if (store == null) {
                store = NDManager.newBaseManager();
            }
            return new NDList(store.zeros(new Shape(memorySize, Math.max(embeddingSize, 1)), DataType.FLOAT32),
                    store.zeros(new Shape(memorySize), DataType.INT64), store.create(queueIdx),
                    store.create(filled ? 1L : 0L));
        }
        NDManager m = embeddingMemory.getManager();
        return new NDList(embeddingMemory.duplicate(), labelMemory.duplicate(), m.create(queueIdx),
                m.create(filled ? 1L : 0L));
    }

    @Override
    public void loadState(NDList state, NDManager manager) {
        if (state == null || state.size() != 4) {
            throw new IllegalArgumentException(getName() + ": state must hold 4 arrays (queue, labels, write index,"
                    + " filled flag), got " + (state == null ? null : state.size()));
        }
        Shape given = state.get(0).getShape();
        if (embeddingSize == 0 && given.dimension() == 2 && given.get(0) == memorySize && given.get(1) >= 1
                && isEmpty(state)) {
            // an empty memory whose width is still open: nothing to adopt
            clearMemory();
            queueIdx = 0;
            filled = false;
            return;
        }
        long width = embeddingSize > 0 ? embeddingSize : given.dimension() == 2 ? Math.max(given.get(1), 1) : 1;
        Shape queueShape = new Shape(memorySize, width);
        if (!given.equals(queueShape) || !state.get(0).getDataType().isFloating()) {
            throw new IllegalArgumentException(getName() + ": state[0] must be the " + queueShape
                    + " floating queue, got " + given + " " + state.get(0).getDataType());
        }
        if (!state.get(1).getShape().equals(new Shape(memorySize))) {
            throw new IllegalArgumentException(getName() + ": state[1] must be the " + memorySize
                    + " queue labels, got shape " + state.get(1).getShape());
        }
        long idx = state.get(2).toType(DataType.INT64, false).getLong();
        long flag = state.get(3).toType(DataType.INT64, false).getLong();
        if (idx < 0 || idx >= memorySize || (flag != 0 && flag != 1)) {
            throw new IllegalArgumentException(getName() + ": state[2] must be a write index in [0, " + memorySize
                    + ") and state[3] 0 or 1, got " + idx + " and " + flag);
        }
        if (store == null) {
            store = manager.newSubManager();
        }
        embeddingSize = width;
        NDArray e = state.get(0).duplicate();
        NDArray l = state.get(1).toType(DataType.INT64, true);
        e.attach(store);
        l.attach(store);
        NDScope.unregister(e, l);
        if (embeddingMemory != null) {
            embeddingMemory.close();
            labelMemory.close();
        }
        embeddingMemory = e;
        labelMemory = l;
        queueIdx = idx;
        filled = flag == 1;
    }

    private static boolean isEmpty(NDList state) {
        return state.get(2).toType(DataType.INT64, false).getLong() == 0
                && state.get(3).toType(DataType.INT64, false).getLong() == 0;
    }

    private void clearMemory() {
        if (embeddingMemory != null) {
            embeddingMemory.close();
            labelMemory.close();
        }
        embeddingMemory = null;
        labelMemory = null;
    }

    /** The next row the queue writes. */
    public long queueIndex() {
        return queueIdx;
    }

    /** Whether the queue has wrapped once (all M rows are references). */
    public boolean isFilled() {
        return filled;
    }

    /** The memory size M. */
    public int memorySize() {
        return memorySize;
    }

    /** Frees the queue. */
    @Override
    public void close() {
        if (store != null) {
            store.close();
            store = null;
        }
        embeddingMemory = null;
        labelMemory = null;
    }

    @Override
    public String toString() {
        return "CrossBatchMemory(loss=" + loss + ", embeddingSize=" + (embeddingSize > 0 ? embeddingSize : "first batch")
                + ", memorySize=" + memorySize
                + ", miner=" + miner + ")";
    }

    /** Builder of {@link CrossBatchMemory}. */
    public static final class Builder {
        private final ReferenceSetLoss loss;
        private final long embeddingSize;
        private int memorySize = DEFAULT_MEMORY_SIZE;
        private PairMiner miner;

        private Builder(ReferenceSetLoss loss, long embeddingSize) {
            if (loss == null) {
                throw new IllegalArgumentException("loss must be a ReferenceSetLoss, got null");
            }
            if (loss instanceof StepUpdate || loss instanceof StepState) {
                throw new IllegalArgumentException("loss must keep no per-step state: CrossBatchMemory does not pass"
                        + " its steps or checkpoints on to its inner loss, got " + loss);
            }
            this.loss = loss;
            this.embeddingSize = embeddingSize;
        }

        /** The queue length M, {@code >= 1} (default {@value #DEFAULT_MEMORY_SIZE}). */
        public Builder optMemorySize(int memorySize) {
            Inputs.atLeast("memorySize", memorySize, 1);
            this.memorySize = memorySize;
            return this;
        }

        /** A miner of the (query, memory) pairs (default none: all pairs). */
        public Builder optMiner(PairMiner miner) {
            this.miner = Objects.requireNonNull(miner, "miner");
            return this;
        }

        /** The wrapper. */
        public CrossBatchMemory build() {
            return new CrossBatchMemory(this);
        }
    }
}
