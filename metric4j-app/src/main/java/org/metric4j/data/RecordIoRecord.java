package org.metric4j.data;

import java.io.IOException;

/**
 * One record of an MXNet RecordIO file as stored (dmlc-core {@code src/recordio.cc}): the offset
 * of its first part, the cflag and length of every part (cflag 0 for a whole record; 1, 2, 3 for
 * the first, middle and last part of a record split at an embedded magic) and the reassembled
 * payload, the magic put back between parts.
 *
 * <p>Its arrays are not copied; {@code equals} compares them by identity.
 *
 * @param offset the file offset of the first part's magic
 * @param cflags the cflag of each part, in file order
 * @param lengths the payload length of each part (without the 8-byte head and the padding)
 * @param payload the record's bytes, parts joined with the magic between them
 */
public record RecordIoRecord(long offset, int[] cflags, int[] lengths, byte[] payload) {

    /** The zero padding after a part of {@code length} bytes, up to a multiple of 4. */
    public static int padding(int length) {
        return (4 - (length & 3)) & 3;
    }

    /**
     * The record's payload parsed as MXNet's {@code IRHeader}, labels and image bytes.
     *
     * @param where names the record in errors (file and key)
     */
    public RecordIoItem item(String where) throws IOException {
        return RecordIoItem.parse(payload, where);
    }
}
