package org.metric4j.model;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny ONNX model written in the protobuf wire format, for the tests: a graph that normalizes
 * inside like InsightFace's MXNet conversions, {@code e = Flatten(GlobalAveragePool((x - }{@value
 * #SUB}{@code ) * }{@value #MUL}{@code ))}, input {@code x} of [batch, 3, H, W], output {@code e} of
 * [batch, 3]: the per-channel mean of the normalized input. Node names follow MXNet's
 * ({@code _minusscalar0}, {@code _mulscalar0}).
 */
final class TinyOnnx {

    /** Subtracted inside the graph. */
    static final float SUB = 127.5f;
    /** The factor inside the graph (1/128, exact in float32). */
    static final float MUL = 0.0078125f;

    private TinyOnnx() {}

    /** Writes the model with a declared input [batch, 3, height, width] to {@code file}. */
    static Path write(Path file, int height, int width) throws IOException {
        byte[] graph = message(g -> {
            g.writeByteArray(1, node("Sub", "_minusscalar0", new String[] {"x", "sub_b"}, "t0"));
            g.writeByteArray(1, node("Mul", "_mulscalar0", new String[] {"t0", "mul_b"}, "t1"));
            g.writeByteArray(1, node("GlobalAveragePool", "pool0", new String[] {"t1"}, "t2"));
            g.writeByteArray(1, node("Flatten", "flatten0", new String[] {"t2"}, "e"));
            g.writeString(2, "tiny_normalizes_inside");
            g.writeByteArray(5, scalar("sub_b", SUB));
            g.writeByteArray(5, scalar("mul_b", MUL));
            g.writeByteArray(11, valueInfo("x", new Object[] {"batch", 3L, (long) height, (long) width}));
            g.writeByteArray(12, valueInfo("e", new Object[] {"batch", 3L}));
        });
        byte[] model = message(m -> {
            m.writeInt64(1, 7); // ir_version
            m.writeString(2, "metric4j TinyOnnx");
            m.writeByteArray(7, graph);
            m.writeByteArray(8, message(o -> {
                o.writeString(1, "");
                o.writeInt64(2, 13); // opset
            }));
        });
        return Files.write(file, model);
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        body.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] node(String op, String name, String[] inputs, String output) throws IOException {
        return message(n -> {
            for (String i : inputs) {
                n.writeString(1, i);
            }
            n.writeString(2, output);
            n.writeString(3, name);
            n.writeString(4, op);
        });
    }

    private static byte[] scalar(String name, float value) throws IOException {
        byte[] raw = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array();
        return message(t -> {
            t.writeInt32(2, 1); // FLOAT
            t.writeString(8, name);
            t.writeByteArray(9, raw);
        });
    }

    /** dims: a String for a dim_param, a Long for a dim_value. */
    private static byte[] valueInfo(String name, Object[] dims) throws IOException {
        byte[] shape = message(s -> {
            for (Object d : dims) {
                s.writeByteArray(1, message(dim -> {
                    if (d instanceof String p) {
                        dim.writeString(2, p);
                    } else {
                        dim.writeInt64(1, (Long) d);
                    }
                }));
            }
        });
        byte[] tensor = message(t -> {
            t.writeInt32(1, 1); // elem_type FLOAT
            t.writeByteArray(2, shape);
        });
        return message(v -> {
            v.writeString(1, name);
            v.writeByteArray(2, message(type -> type.writeByteArray(1, tensor)));
        });
    }
}
