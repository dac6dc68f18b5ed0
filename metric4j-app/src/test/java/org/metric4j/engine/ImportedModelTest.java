package org.metric4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.metric4j.model.Preprocessing;

/** What a distributed job ships: the resolved preprocessing survives Java serialization exactly. */
class ImportedModelTest {

    @Test
    void thePreprocessingSurvivesSerializationExactly() throws Exception {
        Preprocessing p = new Preprocessing(96, 80, Preprocessing.Fit.CENTER_CROP, Preprocessing.ChannelOrder.BGR,
                Preprocessing.Layout.NHWC, new float[] {0.1f, 50f, 1e-7f}, new float[] {57.375f, 1f / 3, 255f}, true);
        ImportedModel m = ImportedModel.of(Path.of("m.onnx"), ImportedModel.Format.ONNX, p);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(m);
        }
        ImportedModel back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (ImportedModel) in.readObject();
        }
        assertEquals(m, back);
        assertEquals(p, back.preprocessing());
        assertEquals(Path.of("m.onnx").toAbsolutePath().toString(), back.file());
        assertTrue(back.toString().startsWith("--onnx ") && back.toString().contains("96x80 BGR NHWC center-crop"),
                back.toString());
    }

    @Test
    void insightFaceTorchScriptIsInsightFacesPreprocessingAtTheSize() {
        Preprocessing p = ImportedModel.insightFaceTorchScript(Path.of("m.pt"), 64, true).preprocessing();
        assertEquals(Preprocessing.INSIGHTFACE.withSize(64, 64).with(Preprocessing.Fit.RESIZE,
                Preprocessing.ChannelOrder.RGB, Preprocessing.Layout.NCHW, true), p);
    }

    @Test
    void aBadPreprocessingIsRejectedWhenTheJobIsMade() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImportedModel("m.onnx", ImportedModel.Format.ONNX, "{\"std\": 0}"));
        assertTrue(e.getMessage().contains("std must be finite and > 0"), e.getMessage());
    }
}
