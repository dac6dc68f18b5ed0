package org.metric4j.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A RecordIO payload as MXNet's {@code recordio.pack} writes it (python/mxnet/recordio.py): the
 * {@code IRHeader} {@code struct 'IfQQ'} (24 bytes, little-endian: uint32 flag, float32 label,
 * uint64 id, uint64 id2), then, when {@code flag > 0}, {@code flag} float32 labels (the label
 * field is then 0), then the image bytes.
 *
 * @param flag the header's flag: 0 for a scalar label, else the number of labels
 * @param label the scalar label field (0 when {@code flag > 0})
 * @param labels the {@code flag} labels after the header (empty when {@code flag == 0})
 * @param id the header's id (the key for the InsightFace writers)
 * @param id2 the header's id2
 * @param image the bytes after the header and labels (an encoded image, or empty)
 */
public record RecordIoItem(int flag, float label, float[] labels, long id, long id2, byte[] image) {

    /** Size of the {@code IRHeader} struct {@code 'IfQQ'}. */
    public static final int HEADER_BYTES = 24;

    /**
     * Parses a payload.
     *
     * @param payload the record's reassembled bytes
     * @param where names the record in errors (file and key)
     * @return the header fields and image bytes
     * @throws IOException if the payload is shorter than the header and its labels
     */
    public static RecordIoItem parse(byte[] payload, String where) throws IOException {
        if (payload.length < HEADER_BYTES) {
            throw new IOException(where + ": payload of " + payload.length
                    + " bytes, expected at least the " + HEADER_BYTES + "-byte IRHeader");
        }
        ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        long flag = Integer.toUnsignedLong(b.getInt());
        float label = b.getFloat();
        long id = b.getLong();
        long id2 = b.getLong();
        if (flag > (payload.length - HEADER_BYTES) / 4) {
            throw new IOException(where + ": IRHeader flag " + flag + " needs " + flag * 4
                    + " label bytes, found " + (payload.length - HEADER_BYTES) + " after the header");
        }
        float[] labels = new float[(int) flag];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = b.getFloat();
        }
        byte[] image = Arrays.copyOfRange(payload, b.position(), payload.length);
        return new RecordIoItem((int) flag, label, labels, id, id2, image);
    }

    /**
     * An item with a scalar label ({@code flag} 0), as {@code recordio.pack} makes it for a number.
     *
     * @param label the class
     * @param id the header's id (the key for the InsightFace writers)
     * @param id2 the header's id2
     * @param image the encoded image bytes (may be empty)
     */
    public static RecordIoItem scalar(float label, long id, long id2, byte[] image) {
        return new RecordIoItem(0, label, new float[0], id, id2, image);
    }

    /**
     * An item with {@code labels.length} labels ({@code flag = labels.length}, label field 0), as
     * {@code recordio.pack} makes it for a label array.
     */
    public static RecordIoItem multi(float[] labels, long id, long id2, byte[] image) {
        if (labels.length == 0) {
            throw new IllegalArgumentException("labels must not be empty (use scalar for flag 0)");
        }
        return new RecordIoItem(labels.length, 0f, labels, id, id2, image);
    }

    /**
     * The payload, the inverse of {@link #parse}: MXNet {@code recordio.pack}'s {@code
     * struct.pack('IfQQ', flag, label, id, id2)}, the {@code flag} float32 labels, the image bytes.
     */
    public byte[] toPayload() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + 4 * labels.length + image.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(flag).putFloat(label).putLong(id).putLong(id2);
        for (float l : labels) {
            b.putFloat(l);
        }
        return b.put(image).array();
    }

    /** The class as MXFaceDataset takes it: {@code label} when scalar, else {@code labels[0]}. */
    public float classLabel() {
        return flag > 0 ? labels[0] : label;
    }
}
