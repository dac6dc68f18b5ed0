package org.metric4j.data;

import java.io.IOException;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Pyrolite's unpickler as Python 3's {@code pickle.load(f, encoding='bytes')}: Python 2 byte
 * strings ({@code SHORT_BINSTRING}, {@code BINSTRING}) come out as {@code byte[]}, exactly (Pyrolite
 * alone turns them into Java Strings). Classes are refused ({@code GLOBAL}, {@code STACK_GLOBAL},
 * {@code INST}, {@code OBJ}): a verification {@code .bin} holds only lists, bytes and bools.
 */
final class BytesUnpickler extends Unpickler {

    @Override
    protected Object dispatch(short key) throws IOException {
        switch (key) {
            case Opcodes.SHORT_BINSTRING:
                stack.add(PickleUtils.readbytes(input, PickleUtils.readbyte(input)));
                return NO_RETURN_VALUE;
            case Opcodes.BINSTRING: {
                byte[] len = PickleUtils.readbytes(input, 4);
                int n = (len[0] & 0xff) | (len[1] & 0xff) << 8 | (len[2] & 0xff) << 16 | (len[3] & 0xff) << 24;
                if (n < 0) {
                    throw new PickleException("BINSTRING with negative length " + n);
                }
                stack.add(PickleUtils.readbytes(input, n));
                return NO_RETURN_VALUE;
            }
            case Opcodes.GLOBAL:
            case Opcodes.STACK_GLOBAL:
            case Opcodes.INST:
            case Opcodes.OBJ:
                throw new PickleException("a class reference (opcode " + key + "); expected only lists, "
                        + "byte strings and bools");
            default:
                return super.dispatch(key);
        }
    }
}
