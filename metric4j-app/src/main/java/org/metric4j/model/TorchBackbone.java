package org.metric4j.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.metric4j.model.torch.StateEntry;
import org.metric4j.model.torch.TorchStateful;

/**
 * A face backbone written after a PyTorch module: one DJL network built with {@link TorchLayers}
 * (so that every parameter and buffer has its PyTorch key), taking N x 3 x 112 x 112 images and
 * giving N x F embeddings. A train-mode forward counts one batch on every BatchNorm's {@code
 * num_batches_tracked}, as PyTorch does. Saved parameters ({@code saveParameters}: DJL's .params,
 * checkpoints) carry those counters after DJL's metadata, so that a reloaded block exports the
 * state dict it had.
 */
public abstract class TorchBackbone extends AbstractBlock implements TorchStateful {

    /** The input side InsightFace's backbones are built for (iResNet's fc_scale is 7 x 7). */
    static final int INPUT_SIZE = 112;

    private final Block net;
    private final TorchLayers layers;
    private final int numFeatures;

    TorchBackbone(Block net, TorchLayers layers, int numFeatures) {
        this.net = addChildBlock("net", net);
        this.layers = layers;
        this.numFeatures = numFeatures;
    }

    /** The embedding size F. */
    public int numFeatures() {
        return numFeatures;
    }

    @Override
    public List<StateEntry> stateEntries() {
        return layers.entries();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        checkInput(inputShapes[0]);
        net.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), numFeatures)};
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        checkInput(x.getShape());
        NDList out = net.forward(ps, new NDList(x), training, params);
        if (training) {
            layers.countTrainingBatch();
        }
        return out;
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        super.saveMetadata(os);
        List<StateEntry> counters = counters();
        os.writeInt(counters.size());
        for (StateEntry e : counters) {
            os.writeLong(e.count().get());
        }
    }

    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        super.loadMetadata(loadVersion, is);
        List<StateEntry> counters = counters();
        int n = is.readInt();
        if (n != counters.size()) {
            throw new MalformedModelException(getClass().getSimpleName() + " parameters hold " + n
                    + " num_batches_tracked counters, the block has " + counters.size());
        }
        for (StateEntry e : counters) {
            e.count().set(is.readLong());
        }
    }

    private List<StateEntry> counters() {
        return layers.entries().stream().filter(StateEntry::isCounter).toList();
    }

    private void checkInput(Shape shape) {
        if (shape.dimension() != 4 || shape.get(1) != 3 || shape.get(2) != INPUT_SIZE || shape.get(3) != INPUT_SIZE) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " input must be N x 3 x "
                    + INPUT_SIZE + " x " + INPUT_SIZE + ", got " + shape);
        }
    }
}
