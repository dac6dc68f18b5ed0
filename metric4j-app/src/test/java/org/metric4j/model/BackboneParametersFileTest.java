package org.metric4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.metric4j.TestDevice;
import org.metric4j.model.torch.StateDict;
import org.metric4j.model.torch.StateDictLoader;
import org.metric4j.model.torch.StateDictReader;

/**
 * DJL's parameter file of a {@link TorchBackbone} ({@code saveParameters}: train's
 * model/backbone.params and checkpoints) holds its whole state dict: the fixtures' weights saved and
 * loaded into a fresh block give the same state dict, {@code num_batches_tracked} counters included
 * (the fixtures' are not 0); a file with another number of counters is refused.
 */
class BackboneParametersFileTest {

    @ParameterizedTest
    @ValueSource(strings = {"mbf", "iresnet_1111_nf64"})
    void savedParametersReloadToTheSameStateDict(String name) throws Exception {
        Path pth = Path.of(BackboneParametersFileTest.class.getResource("/insightface/backbones/" + name + ".pth").toURI());
        StateDict released = StateDictReader.create().read(pth);
        BackboneSpec spec = BackboneStateDictTest.specOf(BackboneStateDictTest.fixture(name).getAsJsonObject("arch"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone saved = spec.build();
            saved.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            StateDictLoader.load(released, saved);
            saved.saveParameters(new DataOutputStream(bytes));
            TorchBackbone fresh = spec.build();
            fresh.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            assertNotEquals(released, StateDictLoader.stateDict(fresh), name + ": a fresh block differs");
            fresh.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertEquals(released, StateDictLoader.stateDict(fresh), name);
        }
    }

    @Test
    void anotherNumberOfCountersIsRefused() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (NDManager manager = TestDevice.manager()) {
            TorchBackbone saved = BackboneSpec.parse("iresnet:layers=1-1-1-1,dim=8").build();
            saved.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            saved.saveParameters(new DataOutputStream(bytes));
            TorchBackbone target = BackboneSpec.parse("mobilefacenet:dim=8").build();
            target.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            MalformedModelException e = assertThrows(MalformedModelException.class, () -> target.loadParameters(manager,
                    new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
            assertEquals("MobileFaceNet parameters hold " + counters(saved)
                    + " num_batches_tracked counters, the block has " + counters(target), e.getMessage());
            assertNotEquals(counters(saved), counters(target));
        }
    }

    private static long counters(TorchBackbone block) {
        return block.stateEntries().stream().filter(e -> e.isCounter()).count();
    }
}
