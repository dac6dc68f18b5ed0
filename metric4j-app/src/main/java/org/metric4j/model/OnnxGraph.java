package org.metric4j.model;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What metric4j reads from an ONNX model file: the graph's nodes (op type, name, inputs), the names
 * of its initializers and its declared inputs, by a small walk over the protobuf wire format
 * ({@code ModelProto.graph}: {@code node} = 1, {@code initializer} = 5, {@code input} = 11; field
 * numbers of onnx.proto), without generated ONNX classes. Everything else (weights, attributes) is
 * skipped.
 *
 * @param nodes the graph's nodes in file (topological) order
 * @param initializers the names of the initializers (weights and constants)
 * @param inputs the declared graph inputs that are not initializers (older IR versions list the
 *     weights among the inputs as well)
 */
public record OnnxGraph(List<Node> nodes, Set<String> initializers, List<Input> inputs) {

    /** A dimension whose size the file leaves open ({@code dim_param} or no value). */
    public static final long DYNAMIC = -1;

    /**
     * One node.
     *
     * @param opType the operator ({@code Conv}, {@code Sub}, ...)
     * @param name the node's name (may be empty)
     * @param inputs the names of its inputs
     */
    public record Node(String opType, String name, List<String> inputs) {}

    /**
     * A declared graph input.
     *
     * @param name the input's name
     * @param dims the declared shape, {@link #DYNAMIC} for an open dimension
     * @param dimNames the symbolic names of the dimensions ({@code dim_param}, empty when fixed)
     */
    public record Input(String name, long[] dims, List<String> dimNames) {

        /** The shape as ONNX Runtime prints it: {@code [batch, 3, 112, 112]} or {@code [1, 3, 112, 112]}. */
        public String describe() {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < dims.length; i++) {
                b.append(i == 0 ? "" : ", ").append(dims[i] >= 0 ? Long.toString(dims[i])
                        : dimNames.get(i).isEmpty() ? "?" : dimNames.get(i));
            }
            return b.append(']').toString();
        }
    }

    /** Defensive copies. */
    public OnnxGraph {
        nodes = List.copyOf(nodes);
        initializers = Set.copyOf(initializers);
        inputs = List.copyOf(inputs);
    }

    /** The first declared input (the image batch of a face model). */
    public Input input() {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("the ONNX graph declares no input besides its initializers");
        }
        return inputs.get(0);
    }

    /**
     * Reads the graph of a {@code .onnx} file.
     *
     * @param file the model file
     * @return its graph
     * @throws IOException if the file cannot be read or is not an ONNX ModelProto
     */
    public static OnnxGraph read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /** Reads the graph of an ONNX model from a stream ({@code source} names it in errors). */
    public static OnnxGraph read(InputStream stream, String source) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(stream);
        in.setSizeLimit(Integer.MAX_VALUE);
        List<Node> nodes = new ArrayList<>();
        Set<String> initializers = new HashSet<>();
        List<Input> declared = new ArrayList<>();
        boolean graph = false;
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) == 7 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) { // ModelProto.graph
                    int limit = in.pushLimit(in.readRawVarint32());
                    readGraph(in, nodes, initializers, declared);
                    in.popLimit(limit);
                    graph = true;
                } else {
                    in.skipField(tag);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(source + ": not an ONNX model (protobuf ModelProto): " + e.getMessage(), e);
        }
        if (!graph) {
            throw new IOException(source + ": not an ONNX model: no ModelProto.graph field");
        }
        List<Input> inputs = new ArrayList<>();
        for (Input i : declared) {
            if (!initializers.contains(i.name())) {
                inputs.add(i);
            }
        }
        return new OnnxGraph(nodes, initializers, inputs);
    }

    private static void readGraph(CodedInputStream in, List<Node> nodes, Set<String> initializers,
            List<Input> inputs) throws IOException {
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == 1 || field == 5 || field == 11) {
                int limit = in.pushLimit(in.readRawVarint32());
                if (field == 1) {
                    nodes.add(readNode(in));
                } else if (field == 5) {
                    initializers.add(readTensorName(in));
                } else {
                    inputs.add(readValueInfo(in));
                }
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
    }

    /** NodeProto: input = 1, output = 2, name = 3, op_type = 4. */
    private static Node readNode(CodedInputStream in) throws IOException {
        List<String> inputs = new ArrayList<>();
        String name = "";
        String op = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> inputs.add(in.readStringRequireUtf8());
                case 3 -> name = in.readStringRequireUtf8();
                case 4 -> op = in.readStringRequireUtf8();
                default -> in.skipField(tag);
            }
        }
        return new Node(op, name, inputs);
    }

    /** TensorProto: name = 8. */
    private static String readTensorName(CodedInputStream in) throws IOException {
        String name = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == 8) {
                name = in.readStringRequireUtf8();
            } else {
                in.skipField(tag);
            }
        }
        return name;
    }

    /**
     * ValueInfoProto: name = 1, type = 2; TypeProto.tensor_type = 1; Tensor.shape = 2;
     * TensorShapeProto.dim = 1; Dimension: dim_value = 1, dim_param = 2.
     */
    private static Input readValueInfo(CodedInputStream in) throws IOException {
        String name = "";
        List<Long> dims = new ArrayList<>();
        List<String> dimNames = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == 1) {
                name = in.readStringRequireUtf8();
            } else if (field == 2) {
                int typeLimit = in.pushLimit(in.readRawVarint32());
                for (int t = in.readTag(); t != 0; t = in.readTag()) {
                    if (WireFormat.getTagFieldNumber(t) == 1) { // tensor_type
                        int tensorLimit = in.pushLimit(in.readRawVarint32());
                        for (int u = in.readTag(); u != 0; u = in.readTag()) {
                            if (WireFormat.getTagFieldNumber(u) == 2) { // shape
                                int shapeLimit = in.pushLimit(in.readRawVarint32());
                                for (int d = in.readTag(); d != 0; d = in.readTag()) {
                                    if (WireFormat.getTagFieldNumber(d) == 1) {
                                        int dimLimit = in.pushLimit(in.readRawVarint32());
                                        readDimension(in, dims, dimNames);
                                        in.popLimit(dimLimit);
                                    } else {
                                        in.skipField(d);
                                    }
                                }
                                in.popLimit(shapeLimit);
                            } else {
                                in.skipField(u);
                            }
                        }
                        in.popLimit(tensorLimit);
                    } else {
                        in.skipField(t);
                    }
                }
                in.popLimit(typeLimit);
            } else {
                in.skipField(tag);
            }
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i);
        }
        return new Input(name, shape, dimNames);
    }

    private static void readDimension(CodedInputStream in, List<Long> dims, List<String> dimNames)
            throws IOException {
        long value = DYNAMIC;
        String param = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> value = in.readInt64();
                case 2 -> param = in.readStringRequireUtf8();
                default -> in.skipField(tag);
            }
        }
        dims.add(value);
        dimNames.add(value >= 0 ? "" : param);
    }
}
