package org.metric4j.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.metric4j.math.Inputs;

/**
 * Which InsightFace backbone to build, as a one-line spec:
 * <ul>
 *   <li>{@code iresnet:depth=18|34|50|100|200[,dim=512][,dropout=0]} (iresnet18 ... iresnet200),
 *   <li>{@code iresnet:layers=a-b-c-d[,dim=512][,dropout=0]} ({@code IResNet(IBasicBlock, [a, b, c,
 *       d], ...)}),
 *   <li>{@code mobilefacenet[:dim=512][,blocks=1-4-6-2][,scale=2]} ({@code get_mbf}),
 *   <li>{@code mobilefacenet-large[:dim=512]} ({@code get_mbf_large}: blocks 2-8-12-4, scale 4).
 * </ul>
 * Defaults are InsightFace's: dim (num_features) 512, dropout 0. {@link #toString()} gives the
 * canonical spec, which {@link #parse} reads back to an equal record.
 *
 * @param family the architecture
 * @param counts iResNet's {@code layers} or MobileFaceNet's {@code blocks}: four counts >= 1
 * @param scale MobileFaceNet's width multiplier (>= 1); 0 for iResNet
 * @param numFeatures the embedding size F (InsightFace's num_features)
 * @param dropout iResNet's dropout before fc, in [0, 1); 0 for MobileFaceNet
 */
public record BackboneSpec(Family family, List<Integer> counts, int scale, int numFeatures, float dropout) {

    /** The two InsightFace backbone families. */
    public enum Family { IRESNET, MOBILEFACENET }

    /** The accepted forms, quoted in every parse error. */
    public static final String FORMS = "iresnet:depth=18|34|50|100|200[,dim=512][,dropout=0], "
            + "iresnet:layers=a-b-c-d[,dim=512][,dropout=0], "
            + "mobilefacenet[:dim=512][,blocks=1-4-6-2][,scale=2], mobilefacenet-large[:dim=512]";

    private static final int[] DEPTHS = {18, 34, 50, 100, 200};
    private static final List<Integer> MBF_BLOCKS = List.of(1, 4, 6, 2);
    private static final List<Integer> MBF_LARGE_BLOCKS = List.of(2, 8, 12, 4);

    public BackboneSpec {
        counts = List.copyOf(counts);
        if (counts.size() != 4 || counts.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("backbone counts must be 4 block counts >= 1, got " + counts);
        }
        Inputs.atLeast("backbone numFeatures", numFeatures, 1);
        if (family == Family.IRESNET && (scale != 0 || !(dropout >= 0 && dropout < 1))) {
            throw new IllegalArgumentException("iresnet needs scale 0 and dropout in [0, 1), got scale="
                    + scale + ", dropout=" + dropout);
        }
        if (family == Family.MOBILEFACENET && (scale < 1 || dropout != 0)) {
            throw new IllegalArgumentException("mobilefacenet needs scale >= 1 and dropout 0, got scale="
                    + scale + ", dropout=" + dropout);
        }
    }

    /** iresnet18/34/50/100/200 with InsightFace's defaults (512-d, no dropout). */
    public static BackboneSpec iresnet(int depth) {
        return new BackboneSpec(Family.IRESNET, toList(IResNet.layersOfDepth(depth)), 0,
                IResNet.DEFAULT_NUM_FEATURES, IResNet.DEFAULT_DROPOUT);
    }

    /** get_mbf(fp16=False, num_features=512). */
    public static BackboneSpec mobileFaceNet() {
        return new BackboneSpec(Family.MOBILEFACENET, MBF_BLOCKS, MobileFaceNet.DEFAULT_SCALE,
                MobileFaceNet.DEFAULT_NUM_FEATURES, 0f);
    }

    /** get_mbf_large(fp16=False, num_features=512). */
    public static BackboneSpec mobileFaceNetLarge() {
        return new BackboneSpec(Family.MOBILEFACENET, MBF_LARGE_BLOCKS, MobileFaceNet.LARGE_SCALE,
                MobileFaceNet.DEFAULT_NUM_FEATURES, 0f);
    }

    /**
     * The spec of a fixture's {@code arch} object: {@code type} "iresnet" with {@code layers}
     * and {@code dropout}, or "mobilefacenet" with {@code blocks} and {@code scale}; {@code
     * num_features} for both. A null {@code scale} or {@code dropout} means InsightFace's default.
     */
    public static BackboneSpec fromArch(String type, List<Integer> layersOrBlocks, Integer scale, int numFeatures,
            Double dropout) {
        return switch (type) {
            case "iresnet" -> {
                if (scale != null) {
                    throw new IllegalArgumentException("arch type iresnet takes no scale, got scale=" + scale);
                }
                yield new BackboneSpec(Family.IRESNET, layersOrBlocks, 0, numFeatures,
                        dropout == null ? IResNet.DEFAULT_DROPOUT : dropout.floatValue());
            }
            case "mobilefacenet" -> {
                if (dropout != null && dropout != 0) {
                    throw new IllegalArgumentException("arch type mobilefacenet takes no dropout, got dropout=" + dropout);
                }
                yield new BackboneSpec(Family.MOBILEFACENET, layersOrBlocks,
                        scale == null ? MobileFaceNet.DEFAULT_SCALE : scale, numFeatures, 0f);
            }
            default -> throw new IllegalArgumentException(
                    "arch type must be iresnet or mobilefacenet, got " + type);
        };
    }

    /** Parses a spec in one of the {@link #FORMS}. */
    public static BackboneSpec parse(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("backbone spec must be one of " + FORMS + ", got null");
        }
        int colon = spec.indexOf(':');
        String type = (colon < 0 ? spec : spec.substring(0, colon)).trim();
        Map<String, String> args = new LinkedHashMap<>();
        if (colon >= 0) {
            for (String part : spec.substring(colon + 1).split(",", -1)) {
                int eq = part.indexOf('=');
                if (eq <= 0 || eq == part.length() - 1) {
                    throw error(spec, "'" + part + "' is not key=value");
                }
                String key = part.substring(0, eq).trim();
                if (args.put(key, part.substring(eq + 1).trim()) != null) {
                    throw error(spec, "key " + key + " given twice");
                }
            }
        }
        try {
            return switch (type) {
                case "iresnet" -> parseIResNet(spec, args);
                case "mobilefacenet" -> parseMobileFaceNet(spec, args, false);
                case "mobilefacenet-large" -> parseMobileFaceNet(spec, args, true);
                default -> throw error(spec, "unknown type '" + type + "'");
            };
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("backbone spec '")) {
                throw e;
            }
            throw error(spec, e.getMessage());
        }
    }

    private static BackboneSpec parseIResNet(String spec, Map<String, String> args) {
        allow(spec, args, "depth", "layers", "dim", "dropout");
        String depth = args.get("depth");
        String layers = args.get("layers");
        if ((depth == null) == (layers == null)) {
            throw error(spec, "iresnet needs exactly one of depth and layers");
        }
        List<Integer> counts = depth != null
                ? toList(IResNet.layersOfDepth(integer(spec, "depth", depth)))
                : counts(spec, "layers", layers);
        int dim = args.containsKey("dim") ? integer(spec, "dim", args.get("dim")) : IResNet.DEFAULT_NUM_FEATURES;
        float dropout = args.containsKey("dropout") ? number(spec, "dropout", args.get("dropout")) : IResNet.DEFAULT_DROPOUT;
        return new BackboneSpec(Family.IRESNET, counts, 0, dim, dropout);
    }

    private static BackboneSpec parseMobileFaceNet(String spec, Map<String, String> args, boolean large) {
        if (large) {
            allow(spec, args, "dim");
        } else {
            allow(spec, args, "dim", "blocks", "scale");
        }
        BackboneSpec base = large ? mobileFaceNetLarge() : mobileFaceNet();
        List<Integer> blocks = args.containsKey("blocks") ? counts(spec, "blocks", args.get("blocks")) : base.counts;
        int scale = args.containsKey("scale") ? integer(spec, "scale", args.get("scale")) : base.scale;
        int dim = args.containsKey("dim") ? integer(spec, "dim", args.get("dim")) : base.numFeatures;
        return new BackboneSpec(Family.MOBILEFACENET, blocks, scale, dim, 0f);
    }

    /** The block this spec describes, not yet initialized. */
    public TorchBackbone build() {
        int[] c = counts.stream().mapToInt(Integer::intValue).toArray();
        return switch (family) {
            case IRESNET -> IResNet.builder().setLayers(c).optNumFeatures(numFeatures).optDropout(dropout).build();
            case MOBILEFACENET -> MobileFaceNet.builder().optBlocks(c).optScale(scale).optNumFeatures(numFeatures).build();
        };
    }

    /** The canonical spec: named depths and presets where they apply, defaults left out. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (family == Family.IRESNET) {
            s.append("iresnet:");
            String depth = null;
            for (int d : DEPTHS) {
                if (toList(IResNet.layersOfDepth(d)).equals(counts)) {
                    depth = Integer.toString(d);
                }
            }
            s.append(depth != null ? "depth=" + depth : "layers=" + dashed(counts)).append(",dim=").append(numFeatures);
            if (dropout != 0) {
                s.append(",dropout=").append(dropout);
            }
        } else if (counts.equals(MBF_LARGE_BLOCKS) && scale == MobileFaceNet.LARGE_SCALE) {
            s.append("mobilefacenet-large:dim=").append(numFeatures);
        } else {
            s.append("mobilefacenet:dim=").append(numFeatures);
            if (!counts.equals(MBF_BLOCKS) || scale != MobileFaceNet.DEFAULT_SCALE) {
                s.append(",blocks=").append(dashed(counts)).append(",scale=").append(scale);
            }
        }
        return s.toString();
    }

    private static void allow(String spec, Map<String, String> args, String... keys) {
        List<String> allowed = Arrays.asList(keys);
        for (String key : args.keySet()) {
            if (!allowed.contains(key)) {
                throw error(spec, "unknown key '" + key + "' (this type takes " + String.join(", ", keys) + ")");
            }
        }
    }

    private static int integer(String spec, String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw error(spec, key + "=" + value + " is not an integer");
        }
    }

    private static float number(String spec, String key, String value) {
        try {
            return Float.parseFloat(value);
        } catch (NumberFormatException e) {
            throw error(spec, key + "=" + value + " is not a number");
        }
    }

    private static List<Integer> counts(String spec, String key, String value) {
        String[] parts = value.split("-", -1);
        if (parts.length != 4) {
            throw error(spec, key + "=" + value + " is not 4 counts a-b-c-d");
        }
        List<Integer> out = new ArrayList<>();
        for (String p : parts) {
            out.add(integer(spec, key, p));
        }
        return out;
    }

    private static String dashed(List<Integer> counts) {
        StringBuilder s = new StringBuilder();
        for (int c : counts) {
            s.append(s.length() == 0 ? "" : "-").append(c);
        }
        return s.toString();
    }

    private static List<Integer> toList(int[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    private static IllegalArgumentException error(String spec, String problem) {
        return new IllegalArgumentException("backbone spec '" + spec + "': " + problem + "; expected one of " + FORMS);
    }
}
