package org.metric4j.model.torch;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state dict in the zip format of {@code torch.save} (torch >= 1.6; PyTorch's
 * torch/serialization.py and caffe2/serialize/inline_container.cc), loadable with
 * {@code torch.load(path, weights_only=True)}: stored (uncompressed) entries
 * {@code <top>/data.pkl} (see {@link StateDictPickler}), {@code <top>/byteorder} ({@code little},
 * as torch >= 2.0 writes it), one contiguous storage per tensor {@code <top>/data/<i>}, and
 * {@code <top>/version} ({@code 3}). {@code <top>} is the file name without its extension, as
 * torch uses. Like PyTorch's writer, the data of every entry starts at a multiple of
 * {@value #ALIGNMENT} bytes from the file start, padded by an {@code FB} extra field in the local
 * header, so that torch's {@code mmap=True} loading and aligned reads work.
 */
public final class StateDictWriter {

    /** The alignment of each entry's data in the file, PyTorch's {@code kFieldAlignment}. */
    public static final int ALIGNMENT = 64;

    /** The archive format version PyTorch writes and reads. */
    public static final String VERSION = "3";

    private static final int LOCAL_HEADER_SIZE = 30;
    private static final int EXTRA_HEADER_SIZE = 4;
    /**
     * A fixed entry time inside the DOS range, so that the files are reproducible and the JDK adds
     * no extended-timestamp field (it does for exactly 1980-01-01 00:00:00, its "before 1980" value).
     */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0, 2);

    private StateDictWriter() {}

    /** Writes the state dict to the file, replacing it. */
    public static void write(StateDict sd, Path file) throws IOException {
        String top = archiveName(file);
        List<String> storageKeys = new ArrayList<>();
        for (int i = 0; i < sd.size(); i++) {
            storageKeys.add(Integer.toString(i));
        }
        byte[] pickle = new StateDictPickler().pickle(sd, storageKeys);
        try (CountingOutputStream counting = new CountingOutputStream(
                        new BufferedOutputStream(Files.newOutputStream(file)));
                ZipOutputStream zip = new ZipOutputStream(counting, StandardCharsets.UTF_8)) {
            put(zip, counting, top + "/data.pkl", pickle);
            put(zip, counting, top + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            List<String> keys = sd.keys();
            for (int i = 0; i < keys.size(); i++) {
                put(zip, counting, top + "/data/" + storageKeys.get(i), sd.get(keys.get(i)).buffer());
            }
            put(zip, counting, top + "/version", (VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    static String archiveName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return stem.isEmpty() ? "archive" : stem;
    }

    private static void put(ZipOutputStream zip, CountingOutputStream counting, String name, byte[] data)
            throws IOException {
        put(zip, counting, name, java.nio.ByteBuffer.wrap(data));
    }

    private static void put(ZipOutputStream zip, CountingOutputStream counting, String name,
            java.nio.ByteBuffer data) throws IOException {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        entry.setCrc(crc.getValue());
        entry.setTimeLocal(ENTRY_TIME);
        byte[] extra = padding(counting.count(), name.getBytes(StandardCharsets.UTF_8).length);
        long dataStart = counting.count() + LOCAL_HEADER_SIZE + name.getBytes(StandardCharsets.UTF_8).length
                + extra.length;
        entry.setExtra(extra);
        zip.putNextEntry(entry);
        if (counting.count() != dataStart || dataStart % ALIGNMENT != 0) {
            throw new IllegalStateException("zip entry " + name + ": data starts at " + counting.count()
                    + ", expected the " + ALIGNMENT + "-aligned offset " + dataStart
                    + " (the JDK's ZipOutputStream wrote a local header of an unexpected size)");
        }
        zip.write(bytes);
        zip.closeEntry();
    }

    /** The {@code FB} extra field that makes the data after a local header at this offset aligned. */
    static byte[] padding(long headerOffset, int nameLength) {
        long start = headerOffset + LOCAL_HEADER_SIZE + nameLength + EXTRA_HEADER_SIZE;
        int pad = (int) ((ALIGNMENT - start % ALIGNMENT) % ALIGNMENT);
        byte[] extra = new byte[EXTRA_HEADER_SIZE + pad];
        extra[0] = 'F';
        extra[1] = 'B';
        extra[2] = (byte) pad;
        extra[3] = (byte) (pad >> 8);
        java.util.Arrays.fill(extra, EXTRA_HEADER_SIZE, extra.length, (byte) 'Z');
        return extra;
    }

    /** Counts the bytes written, so that each local header's offset is known before it is written. */
    private static final class CountingOutputStream extends FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        long count() {
            return count;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
