package org.metric4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.metric4j.data.ImageDecoder;

/**
 * How an imported model wants its images: size, fit, channel order, layout, per-channel \( (v -
 * mean_c) / std_c \) on 0..255 pixels, and whether the embedding is InsightFace's flip-sum,
 * L2-normalize(embed(x) + embed(flip(x))). Images are decoded by {@link ImageDecoder} (Java
 * ImageIO). Its JSON form is {@value #FILE_NAME} beside the model file, e.g.
 * {@code {"width":112,"height":112,"fit":"RESIZE","channels":"RGB","layout":"NCHW",
 * "mean":[127.5,127.5,127.5],"std":[127.5,127.5,127.5],"flipSum":false}}; a file may hold only
 * some keys, the others keep their values ({@link #overlay}).
 *
 * @param width the model's input width
 * @param height the model's input height
 * @param fit how an image of another size is brought to width x height
 * @param channels the channel order of the input
 * @param layout the input tensor's layout
 * @param mean three per-channel means, in {@code channels} order, subtracted from 0..255 values
 * @param std three per-channel divisors, finite and &gt; 0
 * @param flipSum whether embeddings are InsightFace's normalized flip-sum
 */
public record Preprocessing(int width, int height, Fit fit, ChannelOrder channels, Layout layout,
        float[] mean, float[] std, boolean flipSum) {

    /** The file beside a model that holds its preprocessing. */
    public static final String FILE_NAME = "preprocessing.json";

    /** InsightFace's ArcFace models: 112 x 112, RGB, NCHW, \( (v - 127.5) / 127.5 \), resized. */
    public static final Preprocessing INSIGHTFACE = new Preprocessing(112, 112, Fit.RESIZE, ChannelOrder.RGB,
            Layout.NCHW, new float[] {127.5f, 127.5f, 127.5f}, new float[] {127.5f, 127.5f, 127.5f}, false);

    /** A model that normalizes inside its graph (MXNet conversions): raw 0..255 values, mean 0, std 1. */
    public static final Preprocessing NORMALIZED_INSIDE = INSIGHTFACE.withNormalization(
            new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f});

    /** How an image of another size is brought to the model's size. */
    public enum Fit {
        /** Resized to width x height (aspect ratio not kept). */
        RESIZE,
        /** The largest centred region of the model's aspect ratio, then resized. */
        CENTER_CROP
    }

    /** Channel order of the input tensor. */
    public enum ChannelOrder { RGB, BGR }

    /** Layout of the input tensor. */
    public enum Layout { NCHW, NHWC }

    /** Validates the fields and copies the arrays. */
    public Preprocessing {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("size must be >= 1 x 1, got " + width + "x" + height);
        }
        if (fit == null || channels == null || layout == null) {
            throw new IllegalArgumentException("fit, channels and layout must be given, got " + fit + ", "
                    + channels + ", " + layout);
        }
        mean = three("mean", mean);
        std = three("std", std);
        for (int c = 0; c < 3; c++) {
            if (!Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("mean must be finite, got " + Arrays.toString(mean));
            }
            if (!(std[c] > 0) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException("std must be finite and > 0, got " + Arrays.toString(std));
            }
        }
    }

    private static float[] three(String what, float[] v) {
        if (v == null || (v.length != 1 && v.length != 3)) {
            throw new IllegalArgumentException(what + " must have 1 or 3 values, got "
                    + (v == null ? "none" : Arrays.toString(v)));
        }
        return v.length == 1 ? new float[] {v[0], v[0], v[0]} : v.clone();
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** This preprocessing at another size. */
    public Preprocessing withSize(int w, int h) {
        return new Preprocessing(w, h, fit, channels, layout, mean, std, flipSum);
    }

    /** This preprocessing with other means and divisors (1 or 3 values each). */
    public Preprocessing withNormalization(float[] newMean, float[] newStd) {
        return new Preprocessing(width, height, fit, channels, layout, newMean, newStd, flipSum);
    }

    /** This preprocessing with another fit, channel order, layout and flip-sum. */
    public Preprocessing with(Fit newFit, ChannelOrder newChannels, Layout newLayout, boolean newFlipSum) {
        return new Preprocessing(width, height, newFit, newChannels, newLayout, mean, std, newFlipSum);
    }

    /** The input shape of {@code n} images: N x 3 x H x W or N x H x W x 3. */
    public Shape shape(int n) {
        return layout == Layout.NCHW ? new Shape(n, 3, height, width) : new Shape(n, height, width, 3);
    }

    /** The model's input of decoded images ({@link ImageDecoder}), mirrored left-right when {@code mirror}. */
    public NDArray toInput(NDManager manager, BufferedImage[] images, boolean mirror) {
        return manager.create(pixels(images, mirror), shape(images.length));
    }

    /**
     * The normalized values of images fitted to the model's size, in {@link #layout} and {@link
     * #channels} order, C order.
     *
     * @param images decoded images of any size
     * @param mirror whether to mirror each image left-right (the second half of a flip-sum)
     * @return N x 3 x H x W or N x H x W x 3 values
     */
    public float[] pixels(BufferedImage[] images, boolean mirror) {
        int plane = height * width;
        float[] out = new float[Math.multiplyExact(images.length, 3 * plane)];
        int[] order = channels == ChannelOrder.RGB ? new int[] {16, 8, 0} : new int[] {0, 8, 16};
        int[] row = new int[width];
        for (int n = 0; n < images.length; n++) {
            BufferedImage img = fitted(images[n]);
            int base = n * 3 * plane;
            for (int y = 0; y < height; y++) {
                img.getRGB(0, y, width, 1, row, 0, width);
                for (int x = 0; x < width; x++) {
                    int rgb = row[mirror ? width - 1 - x : x];
                    for (int c = 0; c < 3; c++) {
                        float v = (((rgb >> order[c]) & 0xff) - mean[c]) / std[c];
                        out[layout == Layout.NCHW ? base + c * plane + y * width + x : base + (y * width + x) * 3 + c] = v;
                    }
                }
            }
        }
        return out;
    }

    /** {@code img} at the model's size by {@link #fit}. */
    public BufferedImage fitted(BufferedImage img) {
        if (fit == Fit.CENTER_CROP) {
            int w = img.getWidth();
            int h = img.getHeight();
            // the largest centred w' x h' with w' / h' = width / height
            int cw = (int) Math.min(w, Math.round((double) h * width / height));
            int ch = (int) Math.min(h, Math.round((double) w * height / width));
            if (cw != w || ch != h) {
                img = ImageDecoder.rgb(img).getSubimage((w - cw) / 2, (h - ch) / 2, cw, ch);
            }
        }
        return ImageDecoder.resize(img, width, height);
    }

    /**
     * Mirrors preprocessed values left-right (the width axis of {@code shape} in {@link #layout}),
     * for tensors that arrive already preprocessed.
     *
     * @param values C-order values of {@code shape}
     * @param shape N x C x H x W (NCHW) or N x H x W x C (NHWC)
     * @return a mirrored copy
     */
    public float[] mirror(float[] values, Shape shape) {
        int wAxis = layout == Layout.NCHW ? 3 : 2;
        long inner = 1;
        for (int i = wAxis + 1; i < shape.dimension(); i++) {
            inner *= shape.get(i);
        }
        int w = (int) shape.get(wAxis);
        int in = (int) inner;
        float[] out = new float[values.length];
        int rowLength = w * in;
        for (int start = 0; start < values.length; start += rowLength) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(values, start + (w - 1 - x) * in, out, start + x * in, in);
            }
        }
        return out;
    }

    /** This preprocessing as JSON ({@value #FILE_NAME}). */
    public String toJson() {
        return new GsonBuilder().setPrettyPrinting().create().toJson(this);
    }

    /** Writes {@value #FILE_NAME} into {@code dir}; returns the file. */
    public Path write(Path dir) throws IOException {
        return Files.writeString(dir.resolve(FILE_NAME), toJson() + System.lineSeparator(), StandardCharsets.UTF_8);
    }

    /**
     * This preprocessing with the keys of a JSON object replacing their fields: {@code width},
     * {@code height}, {@code fit} (RESIZE, CENTER_CROP), {@code channels} (RGB, BGR), {@code layout}
     * (NCHW, NHWC), {@code mean} and {@code std} (a number or an array of 1 or 3), {@code flipSum}.
     *
     * @param json the JSON text
     * @param source names the JSON in errors (a file name)
     * @return the merged preprocessing
     * @throws IllegalArgumentException naming the key, the value and the expectation
     */
    public Preprocessing overlay(String json, String source) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException(source + ": expected a JSON object, got " + e);
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(source + ": not JSON: " + e.getMessage(), e);
        }
        for (String key : o.keySet()) {
            if (!java.util.List.of("width", "height", "fit", "channels", "layout", "mean", "std", "flipSum")
                    .contains(key)) {
                throw new IllegalArgumentException(source + ": unknown key '" + key + "'; expected width, height, "
                        + "fit, channels, layout, mean, std, flipSum");
            }
        }
        try {
            return new Preprocessing(
                    o.has("width") ? positive(o, "width", source) : width,
                    o.has("height") ? positive(o, "height", source) : height,
                    o.has("fit") ? constant(Fit.class, o, "fit", source) : fit,
                    o.has("channels") ? constant(ChannelOrder.class, o, "channels", source) : channels,
                    o.has("layout") ? constant(Layout.class, o, "layout", source) : layout,
                    o.has("mean") ? floats(o, "mean", source) : mean,
                    o.has("std") ? floats(o, "std", source) : std,
                    o.has("flipSum") ? bool(o, "flipSum", source) : flipSum);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(source) ? e : new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static int positive(JsonObject o, String key, String source) {
        JsonElement e = o.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != Math.rint(e.getAsDouble())
                || e.getAsDouble() < 1) {
            throw new IllegalArgumentException(source + ": " + key + " must be an integer >= 1, got " + e);
        }
        return e.getAsInt();
    }

    private static boolean bool(JsonObject o, String key, String source) {
        JsonElement e = o.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new IllegalArgumentException(source + ": " + key + " must be true or false, got " + e);
        }
        return e.getAsBoolean();
    }

    private static <E extends Enum<E>> E constant(Class<E> type, JsonObject o, String key, String source) {
        JsonElement e = o.get(key);
        try {
            return Enum.valueOf(type, e.getAsString().toUpperCase(Locale.ROOT));
        } catch (RuntimeException x) {
            throw new IllegalArgumentException(source + ": " + key + " must be one of "
                    + Arrays.toString(type.getEnumConstants()) + ", got " + e, x);
        }
    }

    private static float[] floats(JsonObject o, String key, String source) {
        JsonElement e = o.get(key);
        try {
            if (e.isJsonArray()) {
                JsonArray a = e.getAsJsonArray();
                float[] v = new float[a.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = a.get(i).getAsJsonPrimitive().isNumber() ? a.get(i).getAsFloat() : Float.NaN;
                }
                return v;
            }
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                return new float[] {e.getAsFloat()};
            }
        } catch (RuntimeException x) {
            // reported below
        }
        throw new IllegalArgumentException(source + ": " + key + " must be a number or an array of 1 or 3 numbers, got " + e);
    }

    /** One line: {@code 112x112 RGB NCHW resize, (v - [127.5, 127.5, 127.5]) / [127.5, 127.5, 127.5], no flip-sum}. */
    @Override
    public String toString() {
        return width + "x" + height + " " + channels + " " + layout + " " + fit.name().toLowerCase(Locale.ROOT)
                .replace('_', '-') + ", (v - " + values(mean) + ") / " + values(std) + ", "
                + (flipSum ? "flip-sum" : "no flip-sum") + ", decoded by " + ImageDecoder.NAME;
    }

    private static String values(float[] v) {
        return v[0] == v[1] && v[1] == v[2] ? fmt(v[0]) : "[" + fmt(v[0]) + ", " + fmt(v[1]) + ", " + fmt(v[2]) + "]";
    }

    private static String fmt(float f) {
        return f == Math.rint(f) && Math.abs(f) < 1e7 ? Integer.toString((int) f) : Float.toString(f);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && width == p.width && height == p.height && fit == p.fit
                && channels == p.channels && layout == p.layout && Arrays.equals(mean, p.mean)
                && Arrays.equals(std, p.std) && flipSum == p.flipSum;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(width, height, fit, channels, layout, Arrays.hashCode(mean),
                Arrays.hashCode(std), flipSum);
    }
}
