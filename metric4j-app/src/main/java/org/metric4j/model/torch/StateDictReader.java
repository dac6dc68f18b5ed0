package org.metric4j.model.torch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import net.razorvine.pickle.PickleException;

/**
 * Reads a state dict saved by {@code torch.save} with torch >= 1.6: a zip archive of stored
 * entries {@code <top>/data.pkl} (the pickled {@code OrderedDict}), {@code <top>/data/<key>} (raw
 * little-endian storages) and {@code <top>/version}, as PyTorch's torch/serialization.py writes it;
 * tensors are rebuilt as {@code _rebuild_tensor_v2} in torch/_utils.py does. The top folder name is
 * taken from the archive, since it need not match the file name.
 *
 * <p>A checkpoint may hold the state dict under a key: the key given to {@link #weightsKey},
 * otherwise the first of {@link #KNOWN_WEIGHTS_KEYS}, otherwise the only value that is a dict of
 * tensors. When every key starts with {@value #DDP_PREFIX} (a model wrapped in
 * {@code DistributedDataParallel}) the prefix is removed.
 *
 * <p>Not read, each with a message that says how to re-save: the legacy pre-1.6 format (a pickle
 * stream from the first byte), a whole pickled module ({@code torch.save(model)}), TorchScript
 * archives, checkpoints with several candidate dicts and no key given. Storages are taken as
 * little-endian unless the archive's {@code byteorder} record (torch >= 2.0) says {@code big}.
 */
public final class StateDictReader {

    /** Checkpoint keys that hold the state dict, tried in order: PyTorch's convention, arcface_torch's. */
    public static final List<String> KNOWN_WEIGHTS_KEYS = List.of("state_dict", "state_dict_backbone");

    /** The key prefix that {@code DistributedDataParallel} adds. */
    public static final String DDP_PREFIX = "module.";

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    private static final int PICKLE_PROTO = 0x80;

    private final String weightsKey;

    private StateDictReader(String weightsKey) {
        this.weightsKey = weightsKey;
    }

    /** A reader that finds the state dict itself (see the class comment). */
    public static StateDictReader create() {
        return new StateDictReader(null);
    }

    /** A reader that takes the state dict from this key of a checkpoint dict. */
    public static StateDictReader weightsKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isBlank()) {
            throw new IllegalArgumentException("weights key must not be blank");
        }
        return new StateDictReader(key);
    }

    /** Reads the state dict in the file. */
    public StateDict read(Path file) throws IOException {
        checkMagic(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String top = topFolder(file, zip);
            Object root;
            try {
                root = new TorchUnpickler(file, zip, top, bigEndian(file, zip, top)).loadDataPkl();
            } catch (PickleException | ClassCastException | IllegalArgumentException | IllegalStateException e) {
                throw new StateDictFormatException(file + ": " + top + "/data.pkl is not a pickle of a state dict"
                        + " this reader understands (" + e.getMessage() + "); expected an OrderedDict of tensors as"
                        + " torch.save(model.state_dict(), path) writes it", e);
            }
            return stripDdpPrefix(toStateDict(file, select(file, root)));
        } catch (ZipException e) {
            throw new StateDictFormatException(file + ": not a readable zip archive (" + e.getMessage()
                    + "); expected a torch.save file (torch >= 1.6); re-save it with torch.save(sd, path)", e);
        }
    }

    private static void checkMagic(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(4);
        }
        if (head.length == 4 && head[0] == ZIP_MAGIC[0] && head[1] == ZIP_MAGIC[1] && head[2] == ZIP_MAGIC[2]
                && head[3] == ZIP_MAGIC[3]) {
            return;
        }
        if (head.length > 0 && (head[0] & 0xff) == PICKLE_PROTO) {
            throw new StateDictFormatException(file + ": the legacy torch.save format of torch < 1.6 (a pickle"
                    + " stream with the magic number, not a zip archive); expected the zip format: re-save it with"
                    + " torch >= 1.6, torch.save(torch.load(path), new_path), or pass"
                    + " _use_new_zipfile_serialization=True");
        }
        throw new StateDictFormatException(file + ": not a zip archive (first bytes " + hex(head) + ");"
                + " expected a torch.save file, which starts with PK\\3\\4; save the weights with"
                + " torch.save(model.state_dict(), path)");
    }

    private static String topFolder(Path file, ZipFile zip) throws StateDictFormatException {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        if (!entries.hasMoreElements()) {
            throw new StateDictFormatException(file + ": an empty zip archive; expected a torch.save archive");
        }
        String first = entries.nextElement().getName();
        int slash = first.indexOf('/');
        if (slash <= 0) {
            throw new StateDictFormatException(file + ": zip entry " + first + " is not in a folder; expected"
                    + " torch.save's layout <top>/data.pkl, <top>/data/<key>, <top>/version");
        }
        String top = first.substring(0, slash);
        if (zip.getEntry(top + "/data.pkl") == null && zip.getEntry(top + "/constants.pkl") != null) {
            throw new StateDictFormatException(file + ": a TorchScript archive (torch.jit.save); expected a state"
                    + " dict: load it as a TorchScript model, or save torch.save(model.state_dict(), path)");
        }
        return top;
    }

    /**
     * Whether the storages are big-endian: the {@code <top>/byteorder} record of torch >= 2.0 says
     * {@code little} or {@code big}; files without it come from earlier versions, which wrote the
     * saving machine's order, little-endian on every platform PyTorch ships for.
     */
    private static boolean bigEndian(Path file, ZipFile zip, String top) throws IOException {
        ZipEntry entry = zip.getEntry(top + "/byteorder");
        if (entry == null) {
            return false;
        }
        String order;
        try (InputStream in = zip.getInputStream(entry)) {
            order = new String(in.readNBytes(16), java.nio.charset.StandardCharsets.US_ASCII).strip();
        }
        return switch (order) {
            case "little" -> false;
            case "big" -> true;
            default -> throw new StateDictFormatException(file + ": " + top + "/byteorder says '" + order
                    + "'; expected 'little' or 'big' (a damaged archive? re-save it with torch.save)");
        };
    }

    /** The map that holds the tensors: the root, or the checkpoint value under a key. */
    private Map<?, ?> select(Path file, Object root) throws StateDictFormatException {
        if (root instanceof PickledObject p && p.className().startsWith("__torch__.")) {
            throw new StateDictFormatException(file + ": a TorchScript module (torch.jit.save) of class "
                    + p.className() + "; expected a state dict: load it as a TorchScript model, or save the"
                    + " weights with torch.save(model.state_dict(), path)");
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new StateDictFormatException(file + ": data.pkl holds " + what(root) + "; expected an OrderedDict"
                    + " or dict of tensors: save model.state_dict() instead of the model, torch.save("
                    + "model.state_dict(), path)");
        }
        if (weightsKey != null) {
            Object value = map.get(weightsKey);
            if (value == null) {
                throw new StateDictFormatException(file + ": the checkpoint has no key " + weightsKey + "; its keys"
                        + " are " + map.keySet() + "; pass one of " + tensorDictKeys(map) + " as --weights-key");
            }
            if (!(value instanceof Map<?, ?> chosen)) {
                throw new StateDictFormatException(file + ": the checkpoint's " + weightsKey + " holds "
                        + what(value) + "; expected a dict of tensors; pass one of " + tensorDictKeys(map)
                        + " as --weights-key");
            }
            return chosen;
        }
        if (!map.isEmpty() && map.values().stream().allMatch(v -> v instanceof TorchTensor)) {
            return map;
        }
        for (String key : KNOWN_WEIGHTS_KEYS) {
            if (map.get(key) instanceof Map<?, ?> chosen) {
                return chosen;
            }
        }
        List<String> candidates = tensorDictKeys(map);
        if (candidates.size() == 1) {
            return (Map<?, ?>) map.get(candidates.get(0));
        }
        if (candidates.size() > 1) {
            throw new StateDictFormatException(file + ": a checkpoint with " + candidates.size() + " dicts of"
                    + " tensors, " + candidates + "; expected one state dict: choose it with --weights-key KEY"
                    + " (e.g. --weights-key " + candidates.get(0) + ")");
        }
        if (map.isEmpty()) {
            return map;
        }
        throw new StateDictFormatException(file + ": a dict with keys " + map.keySet() + " and no tensors; expected"
                + " a state dict, or a checkpoint holding one under " + KNOWN_WEIGHTS_KEYS);
    }

    private static List<String> tensorDictKeys(Map<?, ?> map) {
        List<String> keys = new ArrayList<>();
        map.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m && !m.isEmpty() && m.values().stream().anyMatch(x -> x instanceof TorchTensor)) {
                keys.add(String.valueOf(k));
            }
        });
        return keys;
    }

    private static StateDict toStateDict(Path file, Map<?, ?> map) throws StateDictFormatException {
        StateDict out = new StateDict();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new StateDictFormatException(file + ": state dict key " + e.getKey() + " is a "
                        + what(e.getKey()) + "; expected string keys");
            }
            if (!(e.getValue() instanceof TorchTensor tensor)) {
                throw new StateDictFormatException(file + ": state dict entry " + key + " holds " + what(e.getValue())
                        + "; expected a tensor (a state dict from model.state_dict() holds only tensors)");
            }
            out.put(key, tensor);
        }
        return out;
    }

    private static StateDict stripDdpPrefix(StateDict sd) {
        if (sd.size() > 0 && sd.keys().stream().allMatch(k -> k.startsWith(DDP_PREFIX))) {
            return sd.withoutPrefix(DDP_PREFIX);
        }
        return sd;
    }

    private static String what(Object o) {
        if (o instanceof PickledObject p) {
            return "an instance of class " + p.className();
        }
        if (o instanceof TorchTensor t) {
            return "a tensor " + t;
        }
        return o == null ? "None" : "a " + o.getClass().getSimpleName() + " (" + TorchUnpickler.describe(o) + ")";
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.length() == 0 ? "none, empty file" : sb.toString();
    }

    @Override
    public String toString() {
        return "StateDictReader(weightsKey=" + (weightsKey == null ? "auto " + KNOWN_WEIGHTS_KEYS : weightsKey) + ")";
    }
}
