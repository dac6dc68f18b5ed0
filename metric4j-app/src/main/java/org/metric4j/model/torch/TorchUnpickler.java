package org.metric4j.model.torch;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Unpickles the {@code data.pkl} of a {@code torch.save} zip archive (PyTorch's
 * torch/serialization.py, {@code _load}) with Pyrolite. Globals resolve per instance against an
 * allow-list in the spirit of torch/_weights_only_unpickler.py: {@code collections.OrderedDict},
 * {@code torch._utils._rebuild_tensor_v2} and {@code _rebuild_parameter} (torch/_utils.py) and the
 * {@code torch.*Storage} classes; any other class becomes an inert {@link PickledObject}. A
 * persistent id {@code ('storage', storage class, key, location, numel)} loads
 * {@code <top>/data/<key>}; {@code _rebuild_tensor_v2} copies its view (offset, size, stride) out
 * of that storage into a C-order {@link TorchTensor}.
 */
final class TorchUnpickler extends Unpickler {

    /** A loaded storage: {@code numel} elements of {@code type} as little-endian bytes. */
    private record Storage(String key, StorageType type, long numel, byte[] bytes) {}

    private final Path file;
    private final ZipFile zip;
    private final String top;
    private final boolean bigEndian;
    private final Map<String, Storage> storages = new HashMap<>();

    /**
     * @param bigEndian whether the archive's {@code byteorder} record says {@code big}, so that
     *     storages are swapped to little-endian as they are read
     */
    TorchUnpickler(Path file, ZipFile zip, String top, boolean bigEndian) {
        this.file = file;
        this.zip = zip;
        this.top = top;
        this.bigEndian = bigEndian;
    }

    /** Unpickles {@code <top>/data.pkl}. */
    Object loadDataPkl() throws IOException {
        ZipEntry entry = zip.getEntry(top + "/data.pkl");
        if (entry == null) {
            throw new StateDictFormatException(file + ": the zip archive has no " + top + "/data.pkl; expected a"
                    + " torch.save archive (<top>/data.pkl, <top>/data/<key>, <top>/version); re-save it with"
                    + " torch.save(model.state_dict(), path)");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return load(in);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    protected Object dispatch(short key) throws IOException {
        if (key == Opcodes.GLOBAL) {
            String module = PickleUtils.readline(input);
            String name = PickleUtils.readline(input);
            stack.add(resolve(module, name));
            return NO_RETURN_VALUE;
        }
        if (key == Opcodes.STACK_GLOBAL) {
            String name = (String) stack.pop();
            String module = (String) stack.pop();
            stack.add(resolve(module, name));
            return NO_RETURN_VALUE;
        }
        if (key == Opcodes.EMPTY_DICT) {
            // Pyrolite's dicts are HashMaps; a state dict's order is part of it
            stack.add(new LinkedHashMap<Object, Object>());
            return NO_RETURN_VALUE;
        }
        if (key == Opcodes.DICT) {
            Map<Object, Object> dict = new LinkedHashMap<>();
            putPairs(dict, stack.pop_all_since_marker());
            stack.add(dict);
            return NO_RETURN_VALUE;
        }
        if (key == Opcodes.SETITEMS) {
            List<Object> pairs = stack.pop_all_since_marker();
            putPairs(dictOnStack(), pairs);
            return NO_RETURN_VALUE;
        }
        if (key == Opcodes.SETITEM) {
            Object value = stack.pop();
            Object k = stack.pop();
            dictOnStack().put(k, value);
            return NO_RETURN_VALUE;
        }
        if (key == Opcodes.BUILD) {
            // OrderedDict's state is its _metadata (module versions), which no metric4j block needs
            Object state = stack.pop();
            if (stack.peek() instanceof PickledObject object) {
                object.setState(state);
            }
            return NO_RETURN_VALUE;
        }
        return super.dispatch(key);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dictOnStack() {
        Object top = stack.peek();
        if (!(top instanceof Map<?, ?>)) {
            throw failure("SETITEM(S) on " + describe(top) + "; expected a dict");
        }
        return (Map<Object, Object>) top;
    }

    private static void putPairs(Map<Object, Object> dict, List<Object> pairs) {
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            dict.put(pairs.get(i), pairs.get(i + 1));
        }
    }

    private Object resolve(String module, String name) {
        String qualified = module + "." + name;
        switch (qualified) {
            case "collections.OrderedDict":
                return (IObjectConstructor) args -> new LinkedHashMap<Object, Object>();
            case "torch._utils._rebuild_tensor_v2":
                return (IObjectConstructor) this::rebuildTensor;
            case "torch._utils._rebuild_parameter":
                // (data, requires_grad, backward_hooks): a Parameter's values are its data tensor
                return (IObjectConstructor) args -> args[0];
            default:
                return StorageType.ofClass(module, name).<Object>map(t -> t)
                        .orElseGet(() -> (IObjectConstructor) args -> new PickledObject(qualified, args));
        }
    }

    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] id) || id.length != 5 || !"storage".equals(id[0])) {
            throw failure("a persistent id " + describe(pid) + "; expected ('storage', storage class, key,"
                    + " location, numel) as torch.save writes it");
        }
        if (!(id[1] instanceof StorageType type)) {
            throw failure("storage class " + describe(id[1]) + "; supported: " + StorageType.supportedClasses());
        }
        String key = String.valueOf(id[2]);
        long numel = ((Number) id[4]).longValue();
        Storage storage = storages.computeIfAbsent(key, k -> loadStorage(k, type, numel));
        if (storage.type() != type) {
            throw failure("storage " + key + " as both " + storage.type().className() + " and " + type.className()
                    + "; expected one type per storage, as torch.save writes it");
        }
        return storage;
    }

    private Storage loadStorage(String key, StorageType type, long numel) {
        String name = top + "/data/" + key;
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw failure("no entry " + name + " for a storage that data.pkl refers to; expected one raw"
                    + " little-endian storage per key under " + top + "/data/ (a truncated or hand-edited"
                    + " archive? re-save it with torch.save)");
        }
        long needed = numel * type.dataType().getNumOfBytes();
        if (needed > Integer.MAX_VALUE - 8) {
            throw failure("storage " + name + " of " + needed + " bytes; at most 2 GiB per storage is supported");
        }
        if (entry.getSize() < needed) {
            throw failure("storage " + name + " of " + entry.getSize() + " bytes; data.pkl says " + numel + " "
                    + type.dataType() + " elements, " + needed + " bytes (a truncated archive?)");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) needed);
            if (bigEndian) {
                TorchTensor.swap(bytes, type.dataType().getNumOfBytes());
            }
            return new Storage(key, type, numel, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(new StateDictFormatException(file + ": cannot read " + name + ": " + e, e));
        }
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata])}. */
    private Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof Storage storage)) {
            throw failure("_rebuild_tensor_v2" + describe(args) + "; expected (storage, storage_offset, size,"
                    + " stride, requires_grad, backward_hooks)");
        }
        long offset = ((Number) args[1]).longValue();
        long[] size = longs(args[2]);
        long[] stride = longs(args[3]);
        if (size.length != stride.length) {
            throw failure("a tensor of size " + Arrays.toString(size) + " with stride " + Arrays.toString(stride)
                    + "; expected one stride per dimension");
        }
        Shape shape = new Shape(size);
        int width = storage.type().dataType().getNumOfBytes();
        long count = shape.size();
        byte[] out = new byte[Math.toIntExact(count * width)];
        if (count > 0) {
            long last = offset;
            for (int d = 0; d < size.length; d++) {
                if (size[d] < 0 || stride[d] < 0) {
                    throw failure("a tensor of size " + Arrays.toString(size) + " with stride "
                            + Arrays.toString(stride) + "; expected sizes and strides >= 0");
                }
                last += (size[d] - 1) * stride[d];
            }
            if (offset < 0 || last >= storage.numel()) {
                throw failure("a view (offset " + offset + ", size " + Arrays.toString(size) + ", stride "
                        + Arrays.toString(stride) + ") that reaches element " + last + " of storage "
                        + storage.key() + ", which has " + storage.numel() + " elements");
            }
            gather(storage.bytes(), offset, size, stride, width, out);
        }
        return TorchTensor.wrap(storage.type().dataType(), shape, out);
    }

    /** Copies the strided view into C order, one contiguous innermost run at a time. */
    private static void gather(byte[] src, long offset, long[] size, long[] stride, int width, byte[] out) {
        int dims = size.length;
        if (dims == 0) {
            System.arraycopy(src, (int) offset * width, out, 0, width);
            return;
        }
        long inner = size[dims - 1];
        boolean innerContiguous = stride[dims - 1] == 1;
        long[] index = new long[dims - 1];
        int at = 0;
        while (true) {
            long base = offset;
            for (int d = 0; d < dims - 1; d++) {
                base += index[d] * stride[d];
            }
            if (innerContiguous) {
                int n = (int) (inner * width);
                System.arraycopy(src, (int) (base * width), out, at, n);
                at += n;
            } else {
                for (long i = 0; i < inner; i++) {
                    System.arraycopy(src, (int) ((base + i * stride[dims - 1]) * width), out, at, width);
                    at += width;
                }
            }
            int d = dims - 2;
            while (d >= 0 && ++index[d] == size[d]) {
                index[d] = 0;
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }

    private long[] longs(Object tuple) {
        if (!(tuple instanceof Object[] items)) {
            throw failure("a tensor size or stride " + describe(tuple) + "; expected a tuple of ints");
        }
        long[] out = new long[items.length];
        for (int i = 0; i < items.length; i++) {
            out[i] = ((Number) items[i]).longValue();
        }
        return out;
    }

    private UncheckedIOException failure(String found) {
        return new UncheckedIOException(new StateDictFormatException(file + ": data.pkl has " + found));
    }

    static String describe(Object o) {
        if (o instanceof Object[] a) {
            return Arrays.deepToString(a).replace('[', '(').replace(']', ')');
        }
        return String.valueOf(o);
    }
}
