package org.metric4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.metric4j.TestDevice;
import org.metric4j.model.torch.StateEntry;

/**
 * The number of parameters (what PyTorch's {@code model.parameters()} counts: every entry but
 * BatchNorm's running statistics and counters) of each named backbone at 512-d on 112 x 112
 * inputs equals PyTorch's count for InsightFace's constructor, and the trainable count leaves
 * out exactly iResNet's frozen {@code features.weight} (F elements).
 */
class BackboneParameterCountTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "iresnet:depth=18,dim=512; 24025600; 24025088",
        "iresnet:depth=34,dim=512; 34139328; 34138816",
        "iresnet:depth=50,dim=512; 43590848; 43590336",
        "iresnet:depth=100,dim=512; 65156160; 65155648",
        "mobilefacenet:dim=512; 2059520; 2059520",
        "mobilefacenet-large:dim=512; 6314880; 6314880",
        "iresnet:layers=1-1-1-1,dim=64; 6511232; 6511168",
    })
    void parameterCountsEqualPyTorchs(String spec, long parameters, long trainable) {
        TorchBackbone block = BackboneSpec.parse(spec).build();
        // cheap: the count does not depend on the values
        for (Parameter.Type type : new Parameter.Type[] {Parameter.Type.WEIGHT, Parameter.Type.OTHER}) {
            block.setInitializer(new ConstantInitializer(0f), type);
        }
        try (NDManager manager = TestDevice.manager()) {
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            long all = 0;
            long train = 0;
            for (StateEntry e : block.stateEntries()) {
                if (e.isCounter() || e.key().endsWith(".running_mean") || e.key().endsWith(".running_var")) {
                    continue;
                }
                all += e.shape().size();
                train += e.parameter().requiresGradient() ? e.shape().size() : 0;
            }
            assertEquals(parameters, all, spec + ": parameters");
            assertEquals(trainable, train, spec + ": trainable parameters");
        }
    }
}
