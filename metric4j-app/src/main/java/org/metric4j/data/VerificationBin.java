package org.metric4j.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * An InsightFace verification set ({@code lfw.bin}, {@code cfp_fp.bin}, {@code agedb_30.bin}): a
 * pickle of {@code (bins, issame_list)}, {@code bins} the 2P encoded images (JPEG or PNG bytes),
 * images {@code 2k} and {@code 2k + 1} forming pair {@code k}, and {@code issame_list} P bools. Both
 * layouts are read: Python 2's (protocol 2, {@code SHORT_BINSTRING} / {@code BINSTRING}, which
 * Python 3 reads with {@code pickle.load(f, encoding='bytes')}) and Python 3's ({@code BINBYTES}).
 * {@link #loadBin} gives the tensors of InsightFace's {@code eval/verification.py load_bin}.
 */
public final class VerificationBin {

    private final Path file;
    private final List<byte[]> images;
    private final boolean[] issame;

    private VerificationBin(Path file, List<byte[]> images, boolean[] issame) {
        this.file = file;
        this.images = images;
        this.issame = issame;
    }

    /**
     * Reads a {@code .bin} file.
     *
     * @param file the pickle
     * @return the set
     * @throws IOException if the file cannot be read or is not the expected pickle (the message
     *     names the file and what was found)
     */
    public static VerificationBin read(Path file) throws IOException {
        Object root;
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            try {
                root = new BytesUnpickler().load(in);
            } catch (IOException | RuntimeException e) { // PickleException, premature end, a bad opcode
                throw new IOException(file + ": not a verification .bin pickle of (bins, issame_list): "
                        + notPickle(file, e), e);
            }
        }
        if (!(root instanceof Object[] tuple) || tuple.length != 2) {
            throw format(file, "the pickle holds " + describe(root));
        }
        if (!(tuple[0] instanceof List<?> bins)) {
            throw format(file, "bins (element 0) is " + describe(tuple[0]));
        }
        if (!(tuple[1] instanceof List<?> same)) {
            throw format(file, "issame_list (element 1) is " + describe(tuple[1]));
        }
        if (bins.size() != 2 * same.size()) {
            throw format(file, bins.size() + " images for " + same.size() + " pairs (2 per pair expected)");
        }
        List<byte[]> images = new ArrayList<>(bins.size());
        for (int i = 0; i < bins.size(); i++) {
            if (!(bins.get(i) instanceof byte[] b)) {
                throw format(file, "image " + i + " is " + describe(bins.get(i)));
            }
            images.add(b);
        }
        boolean[] issame = new boolean[same.size()];
        for (int k = 0; k < issame.length; k++) {
            if (!(same.get(k) instanceof Boolean b)) {
                throw format(file, "issame_list[" + k + "] is " + describe(same.get(k)));
            }
            issame[k] = b;
        }
        return new VerificationBin(file, Collections.unmodifiableList(images), issame);
    }

    private static IOException format(Path file, String found) {
        return new IOException(file + ": expected a pickle of (bins, issame_list) with 2P image byte strings and "
                + "P bools (InsightFace's verification .bin), but " + found);
    }

    private static String notPickle(Path file, Exception e) throws IOException {
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n == 0) {
            return "the file is empty";
        }
        if ((head[0] & 0xff) != 0x80) {
            return "it starts with bytes " + HexFormat.ofDelimiter(" ").formatHex(head, 0, n)
                    + " (a pickle of protocol 2+ starts with 80)";
        }
        boolean truncated = e instanceof java.io.EOFException
                || String.valueOf(e.getMessage()).matches("(?s).*(premature end|expected more bytes).*");
        return truncated ? "the pickle is truncated" : String.valueOf(e.getMessage());
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Object[] t) {
            return "a tuple of " + t.length;
        }
        if (o instanceof List<?> l) {
            return "a list of " + l.size();
        }
        if (o instanceof java.util.Map<?, ?> m) {
            return "a dict of " + m.size();
        }
        if (o instanceof String) {
            return "a str";
        }
        if (o instanceof byte[] b) {
            return "bytes (" + b.length + ")";
        }
        return "a " + o.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " (" + o + ")";
    }

    /** The file read. */
    public Path file() {
        return file;
    }

    /** The set's name: the file name without {@code .bin} ({@code lfw}, {@code cfp_fp}), as InsightFace names it. */
    public String name() {
        String n = file.getFileName().toString();
        return n.endsWith(".bin") ? n.substring(0, n.length() - 4) : n;
    }

    /** The number of images, 2P. */
    public int size() {
        return images.size();
    }

    /** The number of pairs, P. */
    public int pairs() {
        return issame.length;
    }

    /** The encoded bytes of image {@code i}. */
    public byte[] image(int i) {
        return images.get(i).clone();
    }

    /** Whether each pair is genuine. */
    public boolean[] issame() {
        return issame.clone();
    }

    /** Image {@code i} decoded by {@link ImageDecoder} ({@code TYPE_INT_RGB}, grayscale as 3 equal channels). */
    public BufferedImage decode(int i) throws IOException {
        return ImageDecoder.read(images.get(i), file + " image " + i);
    }

    /**
     * The images as {@code load_bin(path, (height, width))} gives them: 2P x 3 x H x W RGB values
     * 0..255 (here uint8), C-order, and the flipped copy mirrored along the width. An image of
     * another size is resized bilinearly by {@link ImageDecoder#resize} (InsightFace's
     * {@code mx.image.resize_short} may differ at the pixel level).
     *
     * @param height H
     * @param width W
     * @param flip whether to mirror each image left-right
     * @return 2P x 3 x H x W bytes (unsigned)
     */
    public byte[] loadBin(int height, int width, boolean flip) throws IOException {
        int plane = height * width;
        byte[] out = new byte[Math.multiplyExact(size(), 3 * plane)];
        for (int i = 0; i < size(); i++) {
            BufferedImage img = decode(i);
            if (img.getHeight() != height || img.getWidth() != width) {
                img = ImageDecoder.resize(img, width, height);
            }
            int base = i * 3 * plane;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int rgb = img.getRGB(flip ? width - 1 - x : x, y);
                    int o = base + y * width + x;
                    out[o] = (byte) (rgb >> 16);
                    out[o + plane] = (byte) (rgb >> 8);
                    out[o + 2 * plane] = (byte) rgb;
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "VerificationBin(" + file + ", " + size() + " images, " + pairs() + " pairs)";
    }
}
