package org.metric4j.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * A file in the IDX format of MNIST and Fashion-MNIST (LeCun et al., "The MNIST database"): a
 * big-endian 32-bit magic {@code 0x000008nn} (0x08 = unsigned bytes, nn = number of dimensions),
 * nn big-endian 32-bit dimensions, then the bytes in row-major order. Images have
 * magic 0x00000803 (count x rows x cols), labels 0x00000801 (count).
 *
 * <p>Plain and gzip-compressed files are both read; gzip is detected by its magic bytes
 * {@code 1f 8b}, not by the file name. Only unsigned-byte files are supported.
 */
public final class IdxFile {

    /** Magic of an image file: unsigned bytes, 3 dimensions (2051). */
    public static final int MAGIC_IMAGES = 0x00000803;

    /** Magic of a label file: unsigned bytes, 1 dimension (2049). */
    public static final int MAGIC_LABELS = 0x00000801;

    private static final int UNSIGNED_BYTE = 0x08;
    private static final int BUFFER = 1 << 16;

    private final Path source;
    private final int[] dims;
    private final byte[] data;

    private IdxFile(Path source, int[] dims, byte[] data) {
        this.source = source;
        this.dims = dims;
        this.data = data;
    }

    /** Reads an unsigned-byte IDX file of any number of dimensions (1 to 255). */
    public static IdxFile read(Path file) throws IOException {
        return read(file, -1);
    }

    /** Reads an image file (magic 0x00000803: count x rows x cols). */
    public static IdxFile readImages(Path file) throws IOException {
        return read(file, MAGIC_IMAGES);
    }

    /** Reads a label file (magic 0x00000801: count). */
    public static IdxFile readLabels(Path file) throws IOException {
        return read(file, MAGIC_LABELS);
    }

    private static IdxFile read(Path file, int expectedMagic) throws IOException {
        try (InputStream in = open(file)) {
            byte[] head = in.readNBytes(4);
            if (head.length < 4) {
                throw new IOException(file + ": truncated IDX header: expected a 4-byte magic, got "
                        + head.length + " bytes");
            }
            int magic = bigEndian(head, 0);
            int ndims = magic & 0xff;
            boolean idx = (magic >>> 16) == 0 && ((magic >>> 8) & 0xff) == UNSIGNED_BYTE
                    && ndims > 0;
            if (!idx || (expectedMagic >= 0 && magic != expectedMagic)) {
                throw new IOException(String.format(Locale.ROOT,
                        "%s: bad magic 0x%08x, expected %s", file, magic, expectedMagic < 0
                                ? "0x000008nn (unsigned bytes, nn dimensions)"
                                : String.format(Locale.ROOT, "0x%08x (%s)", expectedMagic,
                                        expectedMagic == MAGIC_IMAGES ? "images" : "labels")));
            }
            byte[] dimBytes = in.readNBytes(4 * ndims);
            if (dimBytes.length < 4 * ndims) {
                throw new IOException(file + ": truncated IDX header: expected " + ndims
                        + " dimensions (" + 4 * ndims + " bytes) after the magic, got "
                        + dimBytes.length + " bytes");
            }
            int[] dims = new int[ndims];
            long total = 1;
            for (int d = 0; d < ndims; d++) {
                dims[d] = bigEndian(dimBytes, 4 * d);
                if (dims[d] < 0) {
                    throw new IOException(file + ": dimension " + d + " is negative ("
                            + Integer.toUnsignedString(dims[d]) + " as unsigned)");
                }
                total *= dims[d];
                if (total > Integer.MAX_VALUE - 8) {
                    throw new IOException(
                            file + ": " + shape(dims) + " holds more than 2^31 bytes");
                }
            }
            byte[] data = new byte[(int) total];
            int got = in.readNBytes(data, 0, data.length);
            if (got < data.length) {
                throw new IOException(file + ": truncated: expected " + data.length
                        + " data bytes (" + shape(dims) + ") after the " + (4 + 4 * ndims)
                        + "-byte header, got " + got);
            }
            if (in.read() != -1) {
                throw new IOException(file + ": extra bytes after the " + data.length
                        + " data bytes of " + shape(dims) + " (wrong dimensions in the header?)");
            }
            return new IdxFile(file, dims, data);
        } catch (EOFException | ZipException e) {
            throw new IOException(
                    file + ": corrupt or truncated gzip stream: " + e.getMessage(), e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new GZIPInputStream(in, BUFFER);
        }
        return in;
    }

    /**
     * Writes an unsigned-byte IDX file with the given dimensions, gzip-compressed if {@code gzip}.
     *
     * @param file the file to (over)write
     * @param dims the dimensions (1 to 255 of them, each &gt;= 0)
     * @param data the bytes, exactly the product of {@code dims} of them
     * @param gzip whether to gzip the file
     */
    public static void write(Path file, int[] dims, byte[] data, boolean gzip) throws IOException {
        if (dims.length < 1 || dims.length > 255) {
            throw new IllegalArgumentException(
                    "dims must have 1 to 255 entries, got " + dims.length);
        }
        long total = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "dims must be >= 0, got " + Arrays.toString(dims));
            }
            total *= d;
        }
        if (total != data.length) {
            throw new IllegalArgumentException("data must hold " + total + " bytes for dims "
                    + Arrays.toString(dims) + ", got " + data.length);
        }
        OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), BUFFER);
        OutputStream sink = gzip ? new GZIPOutputStream(raw, BUFFER) : raw;
        try (DataOutputStream out = new DataOutputStream(sink)) {
            out.writeInt((UNSIGNED_BYTE << 8) | dims.length);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
    }

    /** The file this was read from. */
    public Path source() {
        return source;
    }

    /** The dimensions (a copy). */
    public int[] dims() {
        return dims.clone();
    }

    /** The first dimension: the number of items. */
    public int count() {
        return dims[0];
    }

    /** The bytes of one item: the product of all dimensions but the first (1 for labels). */
    public int itemSize() {
        int n = 1;
        for (int d = 1; d < dims.length; d++) {
            n *= dims[d];
        }
        return n;
    }

    /** The data bytes in row-major order; the array itself, not a copy (read it as unsigned). */
    public byte[] data() {
        return data;
    }

    private static int bigEndian(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8)
                | (b[off + 3] & 0xff);
    }

    private static String shape(int[] dims) {
        return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(" x "));
    }

    @Override
    public String toString() {
        return "IdxFile(" + source + ", " + shape(dims) + ")";
    }
}
