package org.metric4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/**
 * An initialized DJL block (a backbone with loaded weights) as an {@link EmbeddingNetwork}: an
 * inference-mode forward (BatchNorm on its running statistics, no dropout) of each batch.
 * {@link #close()} closes the manager that owns the block's parameters.
 */
public final class BlockEmbedder implements EmbeddingNetwork {

    private final Block block;
    private final NDManager manager;

    /**
     * Wraps a block.
     *
     * @param block the initialized block
     * @param manager the manager of its parameters, closed by {@link #close()}
     */
    public BlockEmbedder(Block block, NDManager manager) {
        this.block = block;
        this.manager = manager;
    }

    /** The block. */
    public Block block() {
        return block;
    }

    /** The manager of its parameters. */
    public NDManager manager() {
        return manager;
    }

    @Override
    public synchronized float[][] forward(float[] input, Shape shape) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(input, shape);
            NDArray y = block.forward(new ParameterStore(scope, false), new NDList(x), false).head();
            int n = (int) shape.get(0);
            int d = (int) (y.size() / Math.max(1, n));
            float[] v = y.toFloatArray();
            float[][] out = new float[n][d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(v, i * d, out[i], 0, d);
            }
            return out;
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
