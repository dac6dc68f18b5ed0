package org.metric4j.data;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes an MXNet indexed RecordIO file, {@code .rec} + {@code .idx}, byte for byte as {@code
 * MXIndexedRecordIO.write_idx} (python/mxnet/recordio.py) over dmlc-core's {@code
 * RecordIOWriter::WriteRecord} (src/recordio.cc) does: the payload is scanned at 4-aligned offsets
 * for the magic {@code 0xced7230a}; each occurrence ends a part (cflag 1 for the
 * first, 2 after) and is dropped; every part is {@code magic, lrec = cflag << 29 | length, bytes};
 * the last part (cflag 0 when unsplit, else 3) is followed by zero padding to a multiple of 4. The
 * {@code .idx} gets {@code key<TAB>offset<LF>} per record, the offset of its first part.
 *
 * <p>Not thread-safe.
 */
public final class RecordIoWriter implements Closeable {

    /** Payloads must be shorter than 2^29 bytes (the lrec length field). */
    public static final int MAX_LENGTH = (1 << 29) - 1;

    private static final byte[] MAGIC = {0x0a, 0x23, (byte) 0xd7, (byte) 0xce};

    private final OutputStream rec;
    private final Writer idx;
    private long position;

    private RecordIoWriter(OutputStream rec, Writer idx) {
        this.rec = rec;
        this.idx = idx;
    }

    /**
     * Creates (or truncates) {@code rec} and {@code idx}.
     *
     * @param rec the {@code .rec} file
     * @param idx the {@code .idx} file
     * @return the writer; close it to flush both files
     * @throws IOException if a file cannot be created
     */
    public static RecordIoWriter create(Path rec, Path idx) throws IOException {
        OutputStream r = new BufferedOutputStream(Files.newOutputStream(rec), 1 << 16);
        try {
            return new RecordIoWriter(r, Files.newBufferedWriter(idx, StandardCharsets.UTF_8));
        } catch (IOException e) {
            r.close();
            throw e;
        }
    }

    /** Writes {@code item} ({@link RecordIoItem#toPayload}) under {@code key}. */
    public void write(long key, RecordIoItem item) throws IOException {
        write(key, item.toPayload());
    }

    /**
     * Writes one record and its index line.
     *
     * @param key the index key
     * @param payload the record's bytes
     * @throws IOException if a file does not write
     */
    public void write(long key, byte[] payload) throws IOException {
        if (payload.length > MAX_LENGTH) {
            throw new IllegalArgumentException("payload must be shorter than 2^29 bytes, got " + payload.length);
        }
        idx.write(key + "\t" + position + "\n");
        int len = payload.length;
        int start = 0;
        for (int i = 0; i + 4 <= len; i += 4) {
            if (payload[i] == MAGIC[0] && payload[i + 1] == MAGIC[1] && payload[i + 2] == MAGIC[2]
                    && payload[i + 3] == MAGIC[3]) {
                part(start == 0 ? 1 : 2, payload, start, i - start);
                start = i + 4;
            }
        }
        part(start == 0 ? 0 : 3, payload, start, len - start);
        int pad = RecordIoRecord.padding(len);
        rec.write(new byte[pad]);
        position += pad;
    }

    private void part(int cflag, byte[] b, int from, int length) throws IOException {
        int lrec = cflag << 29 | length;
        rec.write(MAGIC);
        rec.write(new byte[] {(byte) lrec, (byte) (lrec >>> 8), (byte) (lrec >>> 16), (byte) (lrec >>> 24)});
        rec.write(b, from, length);
        position += 8 + length;
    }

    /** The number of bytes written to the {@code .rec} so far (the next record's offset). */
    public long position() {
        return position;
    }

    @Override
    public void close() throws IOException {
        try (OutputStream r = rec; Writer i = idx) {
            r.flush();
            i.flush();
        }
    }
}
