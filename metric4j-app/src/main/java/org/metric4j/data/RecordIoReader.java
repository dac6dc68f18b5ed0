package org.metric4j.data;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Random access to an MXNet indexed RecordIO file, {@code train.rec} with its {@code train.idx}
 * (MXNet {@code MXIndexedRecordIO}, python/mxnet/recordio.py; record format of dmlc-core
 * src/recordio.cc). Every part is {@code uint32 magic 0xced7230a}, {@code uint32 lrec = cflag << 29
 * | length} (little-endian), {@code length} bytes and zero padding to a multiple of 4; a record
 * split at an embedded magic (cflags 1, 2, 3) is reassembled with the magic put back between its
 * parts. The {@code .idx} is text, {@code key<TAB>offset} lines in write order.
 *
 * <p>Reads are positional ({@link FileChannel#read(ByteBuffer, long)}), so several threads may read
 * at once.
 */
public final class RecordIoReader implements Closeable {

    /** The RecordIO magic. */
    public static final int MAGIC = 0xced7230a;

    private final Path rec;
    private final FileChannel channel;
    private final long fileSize;
    private final Map<Long, Long> index;

    private RecordIoReader(Path rec, FileChannel channel, Map<Long, Long> index) throws IOException {
        this.rec = rec;
        this.channel = channel;
        this.fileSize = channel.size();
        this.index = index;
    }

    /**
     * Opens {@code rec} with the {@code .idx} of the same name beside it.
     *
     * @param rec the {@code .rec} file
     * @return the reader
     * @throws IOException if a file is missing or the index is malformed or points outside the file
     */
    public static RecordIoReader open(Path rec) throws IOException {
        String name = rec.getFileName().toString();
        String base = name.endsWith(".rec") ? name.substring(0, name.length() - 4) : name;
        return open(rec, rec.resolveSibling(base + ".idx"));
    }

    /** Opens {@code rec} with the index file {@code idx}. */
    public static RecordIoReader open(Path rec, Path idx) throws IOException {
        if (!Files.isRegularFile(rec)) {
            throw new IOException(rec + ": RecordIO file not found");
        }
        if (!Files.isRegularFile(idx)) {
            throw new IOException(idx + ": missing .idx of " + rec + "; expected key<TAB>offset lines");
        }
        Map<Long, Long> index = readIndex(idx);
        FileChannel ch = FileChannel.open(rec, StandardOpenOption.READ);
        long size = ch.size();
        for (Map.Entry<Long, Long> e : index.entrySet()) {
            if (e.getValue() < 0 || e.getValue() + 8 > size) {
                ch.close();
                throw new IOException(idx + ": key " + e.getKey() + " offset " + e.getValue()
                        + " out of range, expected a record head within " + rec + " of " + size + " bytes");
            }
        }
        return new RecordIoReader(rec, ch, index);
    }

    private static Map<Long, Long> readIndex(Path idx) throws IOException {
        Map<Long, Long> index = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(idx, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t");
            try {
                if (f.length != 2) {
                    throw new NumberFormatException();
                }
                long key = Long.parseLong(f[0].strip());
                if (index.put(key, Long.parseLong(f[1].strip())) != null) {
                    throw new IOException(idx + ": line " + (i + 1) + ": key " + key
                            + " found again, expected unique keys");
                }
            } catch (NumberFormatException e) {
                throw new IOException(idx + ": line " + (i + 1) + ": found '" + line
                        + "', expected key<TAB>offset", e);
            }
        }
        return index;
    }

    /** The {@code .rec} file. */
    public Path path() {
        return rec;
    }

    /** The keys of the index, in its (write) order. */
    public List<Long> keys() {
        return Collections.unmodifiableList(new ArrayList<>(index.keySet()));
    }

    /** Whether the index has {@code key}. */
    public boolean contains(long key) {
        return index.containsKey(key);
    }

    /** The offset of {@code key}'s record, or an IOException naming the key. */
    public long offset(long key) throws IOException {
        Long off = index.get(key);
        if (off == null) {
            throw new IOException(rec + ": key " + key + " not in the index (" + index.size() + " keys)");
        }
        return off;
    }

    /** The record of {@code key}. */
    public RecordIoRecord read(long key) throws IOException {
        return readAt(offset(key));
    }

    /** The record of {@code key}, parsed. */
    public RecordIoItem item(long key) throws IOException {
        return read(key).item(rec + " key " + key);
    }

    /**
     * The record starting at {@code offset}, its parts reassembled.
     *
     * @throws IOException on a bad magic, an unexpected cflag or a part running past the end of file
     */
    public RecordIoRecord readAt(long offset) throws IOException {
        List<Integer> cflags = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long pos = offset;
        while (true) {
            ByteBuffer head = readFully(pos, 8, "record head");
            int magic = head.getInt();
            if (magic != MAGIC) {
                throw new IOException(String.format("%s: offset %d: bad magic 0x%08x, expected 0x%08x",
                        rec, pos, magic, MAGIC));
            }
            int lrec = head.getInt();
            int cflag = lrec >>> 29;
            int length = lrec & ((1 << 29) - 1);
            boolean first = cflags.isEmpty();
            if (first ? cflag != 0 && cflag != 1 : cflag != 2 && cflag != 3) {
                throw new IOException(rec + ": offset " + pos + ": cflag " + cflag + ", expected "
                        + (first ? "0 or 1 (a record's first part)" : "2 or 3 (a continuation part)"));
            }
            if (!first) {
                out.write(head.array(), 0, 4);
            }
            ByteBuffer body = readFully(pos + 8, length, "record body");
            out.write(body.array(), 0, length);
            cflags.add(cflag);
            lengths.add(length);
            pos += 8 + length + RecordIoRecord.padding(length);
            if (cflag == 0 || cflag == 3) {
                break;
            }
        }
        return new RecordIoRecord(offset, cflags.stream().mapToInt(Integer::intValue).toArray(),
                lengths.stream().mapToInt(Integer::intValue).toArray(), out.toByteArray());
    }

    private ByteBuffer readFully(long pos, int n, String what) throws IOException {
        if (pos + n > fileSize) {
            throw new IOException(rec + ": offset " + pos + ": truncated, " + what + " needs " + n
                    + " bytes, found " + Math.max(0, fileSize - pos) + " before end of file");
        }
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (channel.read(b, pos + b.position()) < 0) {
                throw new IOException(rec + ": offset " + pos + ": truncated, " + what + " needs " + n
                        + " bytes, found " + b.position());
            }
        }
        b.flip();
        return b;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "RecordIoReader(" + rec + ", " + index.size() + " keys, " + fileSize + " bytes)";
    }
}
