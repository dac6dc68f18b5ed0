package org.metric4j.io;

import ai.djl.ndarray.types.DataType;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format, version 1.0 (and 2.0 on read): a 2-D float32 ({@code <f4}) or
 * float64 ({@code <f8}) array in C order, as {@code numpy.save} writes embeddings. A 1-D int64
 * ({@code <i8}) or int32 ({@code <i4}) array reads as labels.
 */
public final class NpyFormat {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyFormat() {}

    /**
     * An array read from a .npy stream.
     *
     * @param shape the dimensions
     * @param descr the dtype descriptor ({@code <f4}, {@code <f8}, {@code <i8}, {@code <i4})
     * @param values the values as doubles, C order
     */
    public record Array(long[] shape, String descr, double[] values) {}

    /**
     * A .npy header: what {@link #readRows} needs to read a range of rows without the rest.
     *
     * @param shape the dimensions
     * @param descr the dtype descriptor ({@code <f4}, {@code <f8}, {@code <i8}, {@code <i4})
     * @param dataOffset the byte offset of the first value in the file
     */
    public record Header(long[] shape, String descr, long dataOffset) {

        /** Bytes per value (4 or 8). */
        public int width() {
            return descr.equals("<f4") || descr.equals("<i4") ? 4 : 8;
        }

        /** Values per row: the product of the dimensions after the first (1 for a 1-D array). */
        public long rowValues() {
            long c = 1;
            for (int i = 1; i < shape.length; i++) {
                c *= shape[i];
            }
            return c;
        }
    }

    /** Reads a file's header. */
    public static Header readHeader(java.nio.file.Path file) throws IOException {
        try (InputStream in = new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(file))) {
            return readHeader(new DataInputStream(in), file.toString());
        }
    }

    /**
     * Rows {@code [start, start + rows)} of a file's array (rows of the first dimension), as
     * doubles in C order, read from their byte range only.
     *
     * @param file the .npy file
     * @param header its header ({@link #readHeader(java.nio.file.Path)})
     * @param start the first row
     * @param rows the number of rows
     * @return rows x {@link Header#rowValues()} values
     */
    public static double[] readRows(java.nio.file.Path file, Header header, long start, int rows) throws IOException {
        long n = header.shape().length == 0 ? 1 : header.shape()[0];
        if (start < 0 || rows < 0 || start + rows > n) {
            throw new IllegalArgumentException(file + ": rows [" + start + ", " + (start + rows) + ") are outside the "
                    + n + " rows of the array");
        }
        long per = header.rowValues();
        int width = header.width();
        long bytes = rows * per * width;
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(file + ": " + rows + " rows are too many for one read");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long pos = header.dataOffset() + start * per * width;
            while (buf.hasRemaining()) {
                if (ch.read(buf, pos + buf.position()) < 0) {
                    throw new IOException(file + ": truncated: the header promises " + n + " rows");
                }
            }
        }
        buf.flip();
        return decode(buf, header.descr(), (int) (rows * per));
    }

    /** Reads one array. */
    public static Array read(InputStream stream, String source) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        Header h = readHeader(in, source);
        long[] shape = h.shape();
        String descr = h.descr();
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        int width = h.width();
        if (count * width > Integer.MAX_VALUE - 16) {
            throw new IOException(source + ": array of " + count + " values is too large for one read");
        }
        byte[] data = new byte[(int) (count * width)];
        in.readFully(data);
        double[] values = decode(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN), descr, (int) count);
        return new Array(shape, descr, values);
    }

    private static Header readHeader(DataInputStream in, String source) throws IOException {
        byte[] magic = new byte[6];
        in.readFully(magic);
        for (int i = 0; i < 6; i++) {
            if (magic[i] != MAGIC[i]) {
                throw new IOException(source + ": not a .npy file (bad magic)");
            }
        }
        int major = in.readUnsignedByte();
        in.readUnsignedByte();
        long headerLen;
        long prefix;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
            prefix = 10;
        } else if (major == 2 || major == 3) {
            headerLen = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
            prefix = 12;
        } else {
            throw new IOException(source + ": unsupported .npy version " + major);
        }
        byte[] header = new byte[(int) headerLen];
        in.readFully(header);
        String text = new String(header, StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, text, source, "descr");
        if ("True".equals(group(ORDER, text, source, "fortran_order"))) {
            throw new IOException(source + ": Fortran-order arrays are not supported; save with C order");
        }
        String[] dims = group(SHAPE, text, source, "shape").split(",");
        long[] shape = java.util.Arrays.stream(dims).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        switch (descr) {
            case "<f4":
            case "<i4":
            case "<f8":
            case "<i8":
                break;
            default:
                throw new IOException(source + ": dtype " + descr
                        + " is not supported; expected little-endian float32 (<f4), float64 (<f8), int32 (<i4) or int64 (<i8)");
        }
        return new Header(shape, descr, prefix + headerLen);
    }

    private static double[] decode(ByteBuffer buf, String descr, int count) {
        double[] values = new double[count];
        for (int i = 0; i < values.length; i++) {
            switch (descr) {
                case "<f4":
                    values[i] = buf.getFloat();
                    break;
                case "<f8":
                    values[i] = buf.getDouble();
                    break;
                case "<i4":
                    values[i] = buf.getInt();
                    break;
                default:
                    values[i] = buf.getLong();
            }
        }
        return values;
    }

    /**
     * Writes a 2-D array (rows x cols) as float32 or float64.
     *
     * @param dtype {@link DataType#FLOAT32} ({@code <f4}) or {@link DataType#FLOAT64} ({@code <f8})
     */
    public static void write(OutputStream out, double[] values, long rows, long cols, DataType dtype)
            throws IOException {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT64) {
            throw new IllegalArgumentException("dtype must be FLOAT32 or FLOAT64, got " + dtype);
        }
        boolean float64 = dtype == DataType.FLOAT64;
        if (values.length != rows * cols) {
            throw new IllegalArgumentException(
                    "values must hold rows x cols = " + rows * cols + " entries, got " + values.length);
        }
        writeHeader(out, float64 ? "<f8" : "<f4", "(" + rows + ", " + cols + ")");
        ByteBuffer buf = ByteBuffer.allocate(values.length * (float64 ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            if (float64) {
                buf.putDouble(v);
            } else {
                buf.putFloat((float) v);
            }
        }
        out.write(buf.array());
    }

    /** Writes a 1-D int64 array (labels). */
    public static void writeLongs(OutputStream out, long[] values) throws IOException {
        writeHeader(out, "<i8", "(" + values.length + ",)");
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            buf.putLong(v);
        }
        out.write(buf.array());
    }

    private static void writeHeader(OutputStream out, String descr, String shape) throws IOException {
        String dict = String.format(Locale.ROOT,
                "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape);
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(dict.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < pad; i++) {
            header.write(' ');
        }
        header.write('\n');
        byte[] h = header.toByteArray();
        out.write(MAGIC);
        out.write(1);
        out.write(0);
        out.write(h.length & 0xff);
        out.write((h.length >> 8) & 0xff);
        out.write(h);
    }

    private static String group(Pattern p, String text, String source, String key) throws IOException {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            throw new IOException(source + ": .npy header has no '" + key + "': " + text.trim());
        }
        return m.group(1);
    }
}
