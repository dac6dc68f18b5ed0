package org.metric4j.model.torch;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.razorvine.pickle.IObjectPickler;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.Pickler;

/**
 * Writes the {@code data.pkl} of a {@code torch.save} archive with Pyrolite's Pickler, protocol 2:
 * {@code collections.OrderedDict()} filled by SETITEMS, each value a REDUCE of
 * {@code torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())} whose
 * storage is the BINPERSID {@code ('storage', torch.FloatStorage, key, 'cpu', numel)}, as PyTorch's
 * torch/serialization.py ({@code _save}) and torch/_utils.py write it. Every global used is on the
 * allow-list of {@code torch.load(weights_only=True)} (torch/_weights_only_unpickler.py).
 */
final class StateDictPickler extends Pickler {

    /** A reference to a Python global: GLOBAL {@code module\nname\n}. */
    private record Global(String module, String name) {}

    /** A call of a global: the global, the argument tuple, REDUCE. */
    private record Call(Global function, Object[] args) {}

    /** An {@code OrderedDict} with these items. */
    private record OrderedDict(List<Object[]> items) {}

    /** A persistent id: the tuple, BINPERSID. */
    private record PersistentId(Object[] id) {}

    private static final Global ORDERED_DICT = new Global("collections", "OrderedDict");
    private static final Global REBUILD_TENSOR = new Global("torch._utils", "_rebuild_tensor_v2");

    StateDictPickler() {
        super(false); // no memo: the stream has no shared objects, and torch needs none
    }

    /**
     * The pickle of the state dict, whose tensor i has the storage key {@code storageKeys.get(i)}.
     */
    byte[] pickle(StateDict sd, List<String> storageKeys) throws IOException {
        List<String> keys = sd.keys();
        List<Object[]> items = new java.util.ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            items.add(new Object[] {keys.get(i), tensorCall(sd.get(keys.get(i)), storageKeys.get(i))});
        }
        return dumps(new OrderedDict(items));
    }

    private static Call tensorCall(TorchTensor t, String storageKey) {
        StorageType type = StorageType.of(t.dataType());
        long[] dims = t.shape().getShape();
        Object[] size = new Object[dims.length];
        Object[] stride = new Object[dims.length];
        long step = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            size[d] = dims[d];
            stride[d] = step;
            step *= Math.max(dims[d], 1);
        }
        PersistentId storage = new PersistentId(new Object[] {"storage", new Global(StorageType.MODULE,
                type.className()), storageKey, "cpu", t.size()});
        return new Call(REBUILD_TENSOR, new Object[] {storage, 0L, size, stride, Boolean.FALSE,
                new OrderedDict(List.of())});
    }

    @Override
    protected IObjectPickler getCustomPickler(Class<?> type) {
        if (type == Global.class) {
            return (o, out, p) -> {
                Global g = (Global) o;
                out.write(Opcodes.GLOBAL);
                out.write((g.module() + "\n" + g.name() + "\n").getBytes(StandardCharsets.US_ASCII));
            };
        }
        if (type == Call.class) {
            return (o, out, p) -> {
                Call c = (Call) o;
                p.save(c.function());
                p.save(c.args());
                out.write(Opcodes.REDUCE);
            };
        }
        if (type == OrderedDict.class) {
            return (o, out, p) -> writeOrderedDict((OrderedDict) o, out, p);
        }
        if (type == PersistentId.class) {
            return (o, out, p) -> {
                p.save(((PersistentId) o).id());
                out.write(Opcodes.BINPERSID);
            };
        }
        return super.getCustomPickler(type);
    }

    private static void writeOrderedDict(OrderedDict dict, OutputStream out, Pickler p) throws IOException {
        p.save(new Call(ORDERED_DICT, new Object[0]));
        if (dict.items().isEmpty()) {
            return;
        }
        out.write(Opcodes.MARK);
        for (Object[] item : dict.items()) {
            p.save(item[0]);
            p.save(item[1]);
        }
        out.write(Opcodes.SETITEMS);
    }
}
