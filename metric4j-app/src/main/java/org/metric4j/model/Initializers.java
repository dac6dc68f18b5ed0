package org.metric4j.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;

/**
 * The initialization of the backbones: Xavier (Glorot) for convolution and dense weights; PReLU
 * slopes start at 0.25 ({@link ChannelPRelu}); DJL's defaults elsewhere (zeros, ones for BN scale).
 */
final class Initializers {

    private Initializers() {}

    static Block standard(Block net) {
        net.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        return net;
    }
}
