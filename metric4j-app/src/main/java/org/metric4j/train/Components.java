package org.metric4j.train;

import ai.djl.nn.Block;
import ai.djl.training.tracker.Tracker;
import ai.djl.training.tracker.WarmUpTracker;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Function;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.head.ClassCenters;
import org.metric4j.head.CosineClassifier;
import org.metric4j.head.LinearClassifier;
import org.metric4j.head.PartialCosineClassifier;
import org.metric4j.loss.AngularLoss;
import org.metric4j.loss.ArcFaceLoss;
import org.metric4j.loss.CenterUpdate;
import org.metric4j.loss.CircleLoss;
import org.metric4j.loss.CoCoLoss;
import org.metric4j.loss.CombinedMarginLoss;
import org.metric4j.loss.ContrastiveLoss;
import org.metric4j.loss.CosFaceLoss;
import org.metric4j.loss.CrossBatchMemory;
import org.metric4j.loss.DecoupledContrastiveLoss;
import org.metric4j.loss.DynamicSoftMarginLoss;
import org.metric4j.loss.HadsellContrastiveLoss;
import org.metric4j.loss.LargeMarginSoftmaxLoss;
import org.metric4j.loss.LiftedStructureLoss;
import org.metric4j.loss.ManifoldLoss;
import org.metric4j.loss.MultiSimilarityLoss;
import org.metric4j.loss.NCALoss;
import org.metric4j.loss.NPairsLoss;
import org.metric4j.loss.NTXentLoss;
import org.metric4j.loss.NormalizedSoftmaxLoss;
import org.metric4j.loss.ProxyAnchorLoss;
import org.metric4j.loss.ProxyNCALoss;
import org.metric4j.loss.ReferenceSetLoss;
import org.metric4j.loss.SoftNearestNeighborsLoss;
import org.metric4j.loss.SoftTripleLoss;
import org.metric4j.loss.SphereFaceLoss;
import org.metric4j.loss.SupConLoss;
import org.metric4j.loss.TripletMarginLoss;
import org.metric4j.loss.UnifiedLoss;
import org.metric4j.miner.BatchHardMiner;
import org.metric4j.miner.MultiSimilarityMiner;
import org.metric4j.miner.TripletMarginMiner;
import org.metric4j.miner.TripletMiner;
import org.metric4j.model.BackboneSpec;
import org.metric4j.model.FaceResNet;
import org.metric4j.model.LeNetPlusPlus;
import org.metric4j.schedule.LinearWarmup;
import org.metric4j.schedule.PolynomialLRWarmup;
import org.metric4j.schedule.PowerDecay;
import org.metric4j.schedule.Schedule;
import org.metric4j.schedule.StepDecay;
import org.metric4j.schedule.TrainingClock;

/**
 * Every trainable component by name, with parameters and the defaults of the classes they build:
 * backbones, losses (with their heads), triplet miners, optimizers and learning-rate schedules.
 * The CLI and run files build any combination from these; unknown names and parameters give
 * errors that list the valid choices.
 */
public final class Components {

    /**
     * What a loss factory needs.
     *
     * @param numClasses classes (identities) of the training set
     * @param clock the training clock that schedules read
     */
    public record Context(int numClasses, TrainingClock clock, double sampleRate, long seed) {

        /** A context without class sampling (sample rate 1). */
        public Context(int numClasses, TrainingClock clock) {
            this(numClasses, clock, 1.0, 0L);
        }

        public Context {
            if (!(sampleRate > 0 && sampleRate <= 1)) {
                throw new IllegalArgumentException("--sample-rate must be in (0, 1], got " + sampleRate);
            }
        }
    }

    private Components() {}

    /**
     * The backbones that are {@link org.metric4j.model.torch.TorchStateful}: they load PyTorch
     * weights ({@code embed --weights}, {@code train --init}) and export them ({@code export
     * --format pth}).
     */
    public static final java.util.List<String> PYTORCH_BACKBONES = java.util.List.of("iresnet", "mobilefacenet",
            "mobilefacenet-large");

    /** Backbones. */
    public static final Registry<Void, Block> BACKBONES = new Registry<Void, Block>("backbone")
            .add("lenetpp", "LeNet++ of the center-loss paper, 28 x 28 inputs; bn=true ends it with a BatchNorm,"
                    + " width=W sets the first stage's channels (default 32; the next stages double them)",
                    Set.of("dim", "bn", "width"), (s, c) -> LeNetPlusPlus.create(
                            s.integer("dim", LeNetPlusPlus.DEFAULT_EMBEDDING), s.flag("bn", false),
                            s.integer("width", LeNetPlusPlus.DEFAULT_WIDTH)))
            .add("faceresnet", "small IR-style ResNet for 112 x 112 faces with a BN-dropout-FC-BN embedding",
                    Set.of("dim", "dropout", "stem", "units"),
                    (s, c) -> FaceResNet.create(s.integer("dim", FaceResNet.DEFAULT_EMBEDDING),
                            s.integer("stem", FaceResNet.DEFAULT_STEM), new int[] {32, 64, 128, 128},
                            s.integer("units", 1), (float) s.number("dropout", FaceResNet.DEFAULT_DROPOUT)))
            .add("iresnet", "InsightFace's iResNet (arcface_torch iresnet18..200), 112 x 112 RGB; depth=18|34|50|100|200"
                    + " or layers=a-b-c-d, dim default 512; loads and exports PyTorch weights",
                    Set.of("depth", "layers", "dim", "dropout"), (s, c) -> insightFace(s))
            .add("mobilefacenet", "InsightFace's MobileFaceNet (get_mbf), 112 x 112 RGB; blocks default 1-4-6-2,"
                    + " scale 2, dim 512; loads and exports PyTorch weights",
                    Set.of("dim", "blocks", "scale"), (s, c) -> insightFace(s))
            .add("mobilefacenet-large", "InsightFace's get_mbf_large (blocks 2-8-12-4, scale 4), 112 x 112 RGB;"
                    + " loads and exports PyTorch weights", Set.of("dim"), (s, c) -> insightFace(s));

    /**
     * An InsightFace backbone: the spec (keys checked by the registry) read by {@link
     * BackboneSpec#parse}, the one parser of these architectures.
     */
    private static Block insightFace(Spec s) {
        StringBuilder text = new StringBuilder(s.name());
        String sep = ":";
        for (java.util.Map.Entry<String, String> e : s.params().entrySet()) {
            text.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = ",";
        }
        return BackboneSpec.parse(text.toString()).build();
    }

    /** Triplet miners. */
    public static final Registry<Void, TripletMiner> MINERS = new Registry<Void, TripletMiner>("miner")
            .add("batch-hard", "hardest positive and negative per anchor", Set.of(), (s, c) -> BatchHardMiner.builder().build())
            .add("semihard", "d_ap < d_an <= d_ap + margin", Set.of("margin"), (s, c) -> margin(s, TripletMarginMiner.Type.SEMIHARD))
            .add("hard", "d_an <= d_ap", Set.of("margin"), (s, c) -> margin(s, TripletMarginMiner.Type.HARD))
            .add("easy", "d_an > d_ap + margin", Set.of("margin"), (s, c) -> margin(s, TripletMarginMiner.Type.EASY))
            .add("all", "every triplet violating the margin", Set.of("margin"), (s, c) -> margin(s, TripletMarginMiner.Type.ALL));

    private static TripletMiner margin(Spec s, TripletMarginMiner.Type type) {
        return TripletMarginMiner.builder().optType(type)
                .optMargin(s.number("margin", TripletMarginMiner.DEFAULT_MARGIN)).build();
    }

    private static final Set<String> W = Set.of("weight");

    private static Set<String> keys(String... k) {
        java.util.Set<String> out = new java.util.HashSet<>(Arrays.asList(k));
        out.add("weight");
        return out;
    }

    private static final Set<String> CONTRASTIVE_KEYS = keys("pos_margin", "neg_margin", "distance");
    private static final Set<String> NTXENT_KEYS = keys("temperature");
    private static final Set<String> TRIPLET_KEYS = keys("margin", "miner", "miner_margin", "swap", "smooth", "distance");
    private static final Set<String> MULTI_SIMILARITY_KEYS = keys("alpha", "beta", "base", "mine");
    private static final String XBM = "cross-batch memory (PML's CrossBatchMemory): each batch against a FIFO queue of"
            + " the last memory (default " + CrossBatchMemory.DEFAULT_MEMORY_SIZE + ") embeddings, written once per"
            + " step and saved with checkpoints, under ";

    private static double w(Spec s) {
        return s.number("weight", 1);
    }

    /**
     * A parameter that must be > 0, checked under the spec's own key (the builders name their
     * argument, which may differ: proxy-nca's scale is ProxyNCALoss's softmaxScale).
     */
    private static double positive(Spec s, String key, double fallback) {
        double v = s.number(key, fallback);
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("'" + s.name() + "': " + key + " must be > 0 and finite, got " + v);
        }
        return v;
    }

    private static Distance distance(Spec s, Distance fallback) {
        String d = s.text("distance", null);
        if (d == null) {
            return fallback;
        }
        switch (d) {
            case "l2":
                return LpDistance.euclidean();
            case "squared-l2":
                return LpDistance.squaredEuclidean();
            case "cosine":
                return CosineSimilarity.create();
            default:
                throw new IllegalArgumentException("'" + s.name() + "': distance must be l2, squared-l2 or cosine, got '" + d + "'");
        }
    }

    private static CosineClassifier cosineHead(Context c, int subCenters) {
        if (c.sampleRate() < 1) {
            throw new IllegalArgumentException("--sample-rate " + c.sampleRate()
                    + " (PartialFC) applies to the losses arcface, cosface and combined only");
        }
        return CosineClassifier.builder().setNumClasses(c.numClasses()).optSubCenters(subCenters).build();
    }

    /**
     * The head of a cosine-margin loss: the full cosine classifier, or with a sample rate below 1
     * PartialFC v2 ({@link PartialCosineClassifier.Update#OPTIMIZER}: one trainable weight under
     * the run's optimizer, each step's classes drawn from (seed, iteration)).
     */
    private static LossComponent cosineMargin(org.metric4j.loss.MarginSoftmaxLoss loss, Context c, double weight) {
        if (c.sampleRate() >= 1) {
            return LossComponent.margin(loss, cosineHead(c, 1), weight);
        }
        PartialCosineClassifier head = PartialCosineClassifier.builder().setNumClasses(c.numClasses())
                .optSampleRate(c.sampleRate()).optSeed(c.seed()).optClock(c.clock())
                .optUpdate(PartialCosineClassifier.Update.OPTIMIZER).build();
        return LossComponent.margin(loss, head, weight);
    }

    /** Losses, each with the head it trains. */
    public static final Registry<Context, LossComponent> LOSSES = new Registry<Context, LossComponent>("loss")
            .add("softmax", "cross entropy on a linear classifier xW + b", W,
                    (s, c) -> LossComponent.softmax(LinearClassifier.of(c.numClasses()), w(s)))
            .add("normface", "normalized softmax (NormFace)", keys("temperature"),
                    (s, c) -> LossComponent.margin(NormalizedSoftmaxLoss.builder().optTemperature(
                            s.number("temperature", NormalizedSoftmaxLoss.DEFAULT_TEMPERATURE)).build(), cosineHead(c, 1), w(s)))
            .add("lsoftmax", "L-Softmax, integer margin", keys("margin", "scale", "lambda", "anneal"),
                    (s, c) -> LossComponent.margin(largeMargin(LargeMarginSoftmaxLoss.builder(), s, c), cosineHead(c, 1), w(s)))
            .add("sphereface", "A-Softmax / SphereFace; anneal=true uses SphereFace's lambda schedule",
                    keys("margin", "scale", "lambda", "anneal"),
                    (s, c) -> LossComponent.margin(largeMargin(SphereFaceLoss.builder(), s, c), cosineHead(c, 1), w(s)))
            .add("cosface", "AM-Softmax / CosFace s(cos - m); with --sample-rate r < 1 PartialFC v2", keys("scale", "margin", "warmup"),
                    (s, c) -> cosineMargin(cosFace(s, c), c, w(s)))
            .add("arcface", "ArcFace s cos(theta + m); margin in radians (default PML's 28.6 degrees); fallback monotone (default, PML's)|none|easy; with --sample-rate r < 1 PartialFC v2", keys("scale", "margin", "fallback", "warmup"),
                    (s, c) -> cosineMargin(arcFace(s, c), c, w(s)))
            .add("subcenter-arcface", "sub-center ArcFace with k sub-centers per class", keys("k", "scale", "margin"),
                    (s, c) -> LossComponent.margin(arcFace(s, c), cosineHead(c, s.integer("k", 3)), w(s)))
            .add("combined", "combined margin s(cos(m1 theta + m2) - m3); with --sample-rate r < 1 PartialFC v2", keys("scale", "m1", "m2", "m3"),
                    (s, c) -> cosineMargin(CombinedMarginLoss.builder()
                            .optScale(s.number("scale", CombinedMarginLoss.DEFAULT_SCALE))
                            .optM1(s.number("m1", CombinedMarginLoss.DEFAULT_M1))
                            .optM2(s.number("m2", CombinedMarginLoss.DEFAULT_M2))
                            .optM3(s.number("m3", CombinedMarginLoss.DEFAULT_M3)).build(), c, w(s)))
            .add("center", "center loss; alpha > 0 moves centers by the paper's rule, alpha=0 learns them",
                    keys("alpha"), (s, c) -> {
                        double alpha = s.number("alpha", CenterUpdate.DEFAULT_ALPHA);
                        return LossComponent.center(ClassCenters.of(c.numClasses()), s.number("weight", 0.003),
                                alpha > 0 ? new CenterUpdate(alpha) : null);
                    })
            .add("proxy-anchor", "Proxy-Anchor (PML's ProxyAnchorLoss), one learned proxy per class, cosine;"
                    + " the paper trains the proxies at 100x the backbone's rate: add --head-lr-factor 100",
                    keys("margin", "alpha"),
                    (s, c) -> LossComponent.proxy(ProxyAnchorLoss.builder()
                            .optMargin(s.number("margin", ProxyAnchorLoss.DEFAULT_MARGIN))
                            .optAlpha(s.number("alpha", ProxyAnchorLoss.DEFAULT_ALPHA)).build(),
                            ClassCenters.of(c.numClasses()), w(s)))
            .add("proxy-nca", "Proxy-NCA (PML's ProxyNCALoss), one learned proxy per class, squared L2 of"
                    + " normalized vectors; proxies train at --head-lr-factor x the backbone's rate",
                    keys("scale"),
                    (s, c) -> LossComponent.proxy(ProxyNCALoss.builder()
                            .optSoftmaxScale(positive(s, "scale", ProxyNCALoss.DEFAULT_SOFTMAX_SCALE)).build(),
                            ClassCenters.of(c.numClasses()), w(s)))
            .add("soft-triple", "SoftTriple (PML's SoftTripleLoss), k learned centers per class, cosine;"
                    + " centers train at --head-lr-factor x the backbone's rate",
                    keys("k", "la", "gamma", "margin"),
                    (s, c) -> {
                        int k = s.integer("k", SoftTripleLoss.DEFAULT_CENTERS_PER_CLASS);
                        if (k < 1) {
                            throw new IllegalArgumentException("'" + s.name() + "': k (centers per class) must be >= 1, got " + k);
                        }
                        if ((long) k * c.numClasses() > Integer.MAX_VALUE) {
                            throw new IllegalArgumentException("'" + s.name() + "': k x classes must fit an int, got "
                                    + k + " x " + c.numClasses());
                        }
                        return LossComponent.proxy(SoftTripleLoss.builder().optCentersPerClass(k)
                                .optLa(s.number("la", SoftTripleLoss.DEFAULT_LA))
                                .optGamma(s.number("gamma", SoftTripleLoss.DEFAULT_GAMMA))
                                .optMargin(s.number("margin", SoftTripleLoss.DEFAULT_MARGIN)).build(),
                                ClassCenters.of(k * c.numClasses()), w(s));
                    })
            .add("dynamic-soft-margin", "dynamic soft margin (PML's DynamicSoftMarginLoss): every triplet's"
                    + " d_ap - d_an weighted by the CDF of their histogram; later steps use momentum x the batch's"
                    + " histogram + (1 - momentum) x the stored one, stored once per step and saved with checkpoints;"
                    + " miner=batch-hard|semihard|hard|easy|all (default: all triplets)",
                    keys("min_val", "num_bins", "momentum", "miner"),
                    (s, c) -> LossComponent.metric(dynamicSoftMargin(s), w(s)))
            .add("manifold", "Manifold loss (PML's ManifoldLoss): k learned proxies (not classes; a batch must hold"
                    + " >= k images), labels unused, meta classes drawn per step from (seed, iteration); proxies"
                    + " train at --head-lr-factor x the backbone's rate",
                    keys("k", "lambda_c", "alpha", "margin"),
                    (s, c) -> {
                        ManifoldLoss.Builder b = ManifoldLoss.builder().optSeed(c.seed()).optClock(c.clock());
                        int k = s.integer("k", ManifoldLoss.DEFAULT_PROXIES);
                        option(s, "k", () -> b.optNumProxies(k));
                        option(s, "lambda_c", () -> b.optLambdaC(s.number("lambda_c", ManifoldLoss.DEFAULT_LAMBDA_C)));
                        option(s, "alpha", () -> b.optAlpha(s.number("alpha", ManifoldLoss.DEFAULT_ALPHA)));
                        option(s, "margin", () -> b.optMargin(s.number("margin", ManifoldLoss.DEFAULT_MARGIN)));
                        return LossComponent.proxy(b.build(), ClassCenters.of(k), w(s));
                    })
            .add("contrastive", "contrastive loss (PML form)", CONTRASTIVE_KEYS,
                    (s, c) -> LossComponent.metric(contrastive(s), w(s)))
            .add("hadsell", "contrastive loss of Hadsell et al. (DeepID2's)", keys("margin"),
                    (s, c) -> LossComponent.metric(HadsellContrastiveLoss.builder().optMargin(s.number("margin", HadsellContrastiveLoss.DEFAULT_MARGIN)).build(), w(s)))
            .add("triplet", "triplet margin loss; miner=batch-hard|semihard|hard|easy|all (default: all triplets)",
                    TRIPLET_KEYS, (s, c) -> LossComponent.metric(triplet(s), w(s)))
            .add("lifted", "lifted structured loss", keys("neg_margin", "pos_margin"),
                    (s, c) -> LossComponent.metric(LiftedStructureLoss.builder()
                            .optNegMargin(s.number("neg_margin", LiftedStructureLoss.DEFAULT_NEG_MARGIN))
                            .optPosMargin(s.number("pos_margin", LiftedStructureLoss.DEFAULT_POS_MARGIN)).build(), w(s)))
            .add("npairs", "multi-class N-pair loss", W, (s, c) -> LossComponent.metric(NPairsLoss.builder().build(), w(s)))
            .add("ntxent", "NT-Xent / InfoNCE over labels", NTXENT_KEYS, (s, c) -> LossComponent.metric(ntxent(s), w(s)))
            .add("supcon", "supervised contrastive loss", keys("temperature"),
                    (s, c) -> LossComponent.metric(SupConLoss.builder().optTemperature(s.number("temperature", SupConLoss.DEFAULT_TEMPERATURE)).build(), w(s)))
            .add("multisimilarity", "multi-similarity loss; mine=true adds its miner", MULTI_SIMILARITY_KEYS,
                    (s, c) -> LossComponent.metric(multiSimilarity(s), w(s)))
            .add("circle", "Circle loss (pair form)", keys("m", "gamma"),
                    (s, c) -> LossComponent.metric(CircleLoss.builder().optM(s.number("m", CircleLoss.DEFAULT_M))
                            .optGamma(s.number("gamma", CircleLoss.DEFAULT_GAMMA)).build(), w(s)))
            .add("angular", "angular loss (alpha in degrees)", keys("alpha"),
                    (s, c) -> LossComponent.metric(AngularLoss.builder().optAlphaDegrees(s.number("alpha", AngularLoss.DEFAULT_ALPHA_DEGREES)).build(), w(s)))
            .add("nca", "NCA", keys("scale"),
                    (s, c) -> LossComponent.metric(NCALoss.builder().optSoftmaxScale(s.number("scale", NCALoss.DEFAULT_SOFTMAX_SCALE)).build(), w(s)))
            .add("snn", "soft nearest neighbours", keys("temperature"),
                    (s, c) -> LossComponent.metric(SoftNearestNeighborsLoss.builder().optTemperature(s.number("temperature", SoftNearestNeighborsLoss.DEFAULT_TEMPERATURE)).build(), w(s)))
            .add("dcl", "decoupled contrastive loss", keys("temperature"),
                    (s, c) -> LossComponent.metric(DecoupledContrastiveLoss.builder().optTemperature(s.number("temperature", DecoupledContrastiveLoss.DEFAULT_TEMPERATURE)).build(), w(s)))
            .add("luni", "unified loss L_uni of the Circle loss paper", keys("gamma", "m"),
                    (s, c) -> LossComponent.metric(UnifiedLoss.builder().optGamma(s.number("gamma", UnifiedLoss.DEFAULT_GAMMA))
                            .optM(s.number("m", UnifiedLoss.DEFAULT_M)).build(), w(s)))
            .add("coco", "congenerous cosine loss (batch centroids)", keys("alpha"),
                    (s, c) -> LossComponent.metric(CoCoLoss.builder().optAlpha(s.number("alpha", CoCoLoss.DEFAULT_ALPHA)).build(), w(s)))
            .add("xbm-contrastive", XBM + "contrastive (its keys as for contrastive)", xbm(CONTRASTIVE_KEYS),
                    (s, c) -> crossBatchMemory(s, contrastive(s)))
            .add("xbm-ntxent", XBM + "NT-Xent (its keys as for ntxent)", xbm(NTXENT_KEYS),
                    (s, c) -> crossBatchMemory(s, ntxent(s)))
            .add("xbm-triplet", XBM + "the triplet margin loss (its keys as for triplet)", xbm(TRIPLET_KEYS),
                    (s, c) -> crossBatchMemory(s, triplet(s)))
            .add("xbm-multisimilarity", XBM + "multi-similarity (its keys as for multisimilarity)",
                    xbm(MULTI_SIMILARITY_KEYS), (s, c) -> crossBatchMemory(s, multiSimilarity(s)));


    private static Set<String> xbm(Set<String> inner) {
        Set<String> out = new java.util.HashSet<>(inner);
        out.add("memory");
        return out;
    }

    /** An inner pair loss in a cross-batch memory of the spec's {@code memory} rows. */
    private static LossComponent crossBatchMemory(Spec s, ReferenceSetLoss inner) {
        CrossBatchMemory.Builder b = CrossBatchMemory.builder(inner);
        option(s, "memory", () -> b.optMemorySize(s.integer("memory", CrossBatchMemory.DEFAULT_MEMORY_SIZE)));
        return LossComponent.metric(b.build(), w(s));
    }

    private static ContrastiveLoss contrastive(Spec s) {
        return ContrastiveLoss.builder()
                .optPosMargin(s.number("pos_margin", ContrastiveLoss.DEFAULT_POS_MARGIN))
                .optNegMargin(s.number("neg_margin", ContrastiveLoss.DEFAULT_NEG_MARGIN))
                .optDistance(distance(s, LpDistance.euclidean())).build();
    }

    private static NTXentLoss ntxent(Spec s) {
        return NTXentLoss.builder().optTemperature(s.number("temperature", NTXentLoss.DEFAULT_TEMPERATURE)).build();
    }

    private static TripletMarginLoss triplet(Spec s) {
        TripletMarginLoss.Builder b = TripletMarginLoss.builder()
                .optMargin(s.number("margin", TripletMarginLoss.DEFAULT_MARGIN))
                .optDistance(distance(s, LpDistance.euclidean()));
        if (s.flag("swap", false)) {
            b.optSwap();
        }
        if (s.flag("smooth", false)) {
            b.optSmoothLoss();
        }
        String miner = s.text("miner", null);
        if (miner != null) {
            String mm = s.text("miner_margin", null);
            b.optMiner(MINERS.create(mm == null || miner.equals("batch-hard") ? miner : miner + ":margin=" + mm, null));
        }
        return b.build();
    }

    private static MultiSimilarityLoss multiSimilarity(Spec s) {
        MultiSimilarityLoss.Builder b = MultiSimilarityLoss.builder()
                .optAlpha(s.number("alpha", MultiSimilarityLoss.DEFAULT_ALPHA))
                .optBeta(s.number("beta", MultiSimilarityLoss.DEFAULT_BETA))
                .optBase(s.number("base", MultiSimilarityLoss.DEFAULT_BASE));
        if (s.flag("mine", false)) {
            b.optMiner(MultiSimilarityMiner.builder().build());
        }
        return b.build();
    }

    private static DynamicSoftMarginLoss dynamicSoftMargin(Spec s) {
        DynamicSoftMarginLoss.Builder b = DynamicSoftMarginLoss.builder();
        option(s, "min_val", () -> b.optMinVal(s.number("min_val", DynamicSoftMarginLoss.DEFAULT_MIN_VAL)));
        option(s, "num_bins", () -> b.optNumBins(s.integer("num_bins", DynamicSoftMarginLoss.DEFAULT_NUM_BINS)));
        option(s, "momentum", () -> b.optMomentum(s.number("momentum", DynamicSoftMarginLoss.DEFAULT_MOMENTUM)));
        String miner = s.text("miner", null);
        if (miner != null) {
            b.optMiner(MINERS.create(miner, null));
        }
        return b.build();
    }

    /** Sets a builder option, naming the spec and its key in the builder's error. */
    private static void option(Spec s, String key, Runnable set) {
        try {
            set.run();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith("'" + s.name() + "'") ? m
                    : "'" + s.name() + "': " + key + ": " + m, e);
        }
    }

    private static LargeMarginSoftmaxLoss largeMargin(LargeMarginSoftmaxLoss.Builder b, Spec s, Context c) {
        b.optMargin(s.integer("margin", LargeMarginSoftmaxLoss.DEFAULT_MARGIN))
                .optScale(s.number("scale", LargeMarginSoftmaxLoss.DEFAULT_SCALE));
        if (s.flag("anneal", false)) {
            b.optLambda(PowerDecay.sphereFace(), c.clock());
        } else {
            b.optLambda(s.number("lambda", 0));
        }
        return b.build();
    }

    private static CosFaceLoss cosFace(Spec s, Context c) {
        double m = s.number("margin", CosFaceLoss.DEFAULT_MARGIN);
        CosFaceLoss.Builder b = CosFaceLoss.builder().optScale(s.number("scale", CosFaceLoss.DEFAULT_SCALE)).optMargin(m);
        int warmup = s.integer("warmup", 0);
        if (warmup > 0) {
            b.optMargin(new LinearWarmup(0, m, warmup), c.clock());
        }
        return b.build();
    }

    private static ArcFaceLoss arcFace(Spec s, Context c) {
        double m = s.number("margin", ArcFaceLoss.DEFAULT_MARGIN);
        String fallback = s.text("fallback", "monotone");
        ArcFaceLoss.Fallback f;
        switch (fallback) {
            case "none":
                f = ArcFaceLoss.Fallback.NONE;
                break;
            case "monotone":
                f = ArcFaceLoss.Fallback.MONOTONE;
                break;
            case "easy":
                f = ArcFaceLoss.Fallback.EASY_MARGIN;
                break;
            default:
                throw new IllegalArgumentException("'" + s.name() + "': fallback must be monotone, none or easy, got '" + fallback + "'");
        }
        ArcFaceLoss.Builder b = ArcFaceLoss.builder().optScale(s.number("scale", ArcFaceLoss.DEFAULT_SCALE))
                .optMargin(m).optFallback(f);
        int warmup = s.integer("warmup", 0);
        if (warmup > 0) {
            b.optMargin(new LinearWarmup(0, m, warmup), c.clock());
        }
        return b.build();
    }

    /**
     * Learning-rate schedules, built from the iterations per epoch: DJL's trackers ({@code
     * FixedTracker}, {@code CosineTracker}, {@code FactorTracker}, and {@code WarmUpTracker} for
     * {@code warmup}), metric4j's {@link StepDecay} for epoch milestones and {@link
     * PolynomialLRWarmup} (arcface_torch's scheduler, its own warm-up from 0, in double precision)
     * for {@code poly}. DJL's warm-up runs the main tracker from its start after the warm-up
     * iterations, so the main schedule is shortened (cosine, poly) or its milestones moved back
     * (step) by the warm-up: the schedule still ends, or decays, at the epochs given.
     *
     * <p>Extending a run ({@code train --resume} with a larger {@code --epochs}): no schedule reads
     * {@code --epochs}. {@code cosine} and {@code poly} are defined over their own {@code epochs=}
     * parameter (default 1), which a resume cannot change without {@code --allow-changed-options};
     * past its end both hold the final value ({@code min}, {@code end}), so the added
     * epochs run at that rate. {@code constant}, {@code step} (milestones in epochs from the start)
     * and {@code exponential} (per iteration) are functions of the iteration alone and simply
     * continue.
     */
    public static final Registry<Void, Function<Integer, Schedule>> LEARNING_RATES =
            new Registry<Void, Function<Integer, Schedule>>("learning-rate schedule")
                    .add("constant", "a constant rate", Set.of("lr", "warmup"),
                            (s, c) -> perEpoch -> {
                                double lr = s.number("lr", 0.01);
                                // without a warm-up, DJL's FixedTracker in double precision (exact in logs)
                                return s.integer("warmup", 0) == 0 ? Schedule.constant(lr)
                                        : warm(s, Tracker.fixed((float) lr), "constant(lr=" + lr + ")");
                            })
                    .add("step", "x gamma at each epoch of 'at' (epochs separated by ';')",
                            Set.of("lr", "gamma", "at", "warmup"),
                            (s, c) -> perEpoch -> {
                                long shift = s.integer("warmup", 0);
                                StepDecay step = new StepDecay(s.number("lr", 0.1), s.number("gamma", 0.1),
                                        Arrays.stream(s.text("at", "").split(";")).filter(t -> !t.isBlank())
                                                .mapToLong(t -> Math.max(0, Long.parseLong(t.trim()) * perEpoch - shift))
                                                .toArray());
                                return shift == 0 ? step : warm(s, step.asTracker(), step.toString());
                            })
                    .add("cosine", "cosine annealing over 'epochs' epochs to 'min' (DJL's CosineTracker)",
                            Set.of("lr", "min", "epochs", "warmup"),
                            (s, c) -> perEpoch -> {
                                double lr = s.number("lr", 0.1);
                                double min = s.number("min", 0);
                                if (!(lr > min) || !(min >= 0)) {
                                    throw new IllegalArgumentException(
                                            "cosine needs lr > min >= 0, got lr=" + lr + ", min=" + min);
                                }
                                int total = mainIterations(s, perEpoch);
                                return warm(s, Tracker.cosine().setBaseValue((float) lr).optFinalValue((float) min)
                                        .setMaxUpdates(total).build(),
                                        "cosine(lr=" + lr + ", min=" + min + ", iterations=" + total + ")");
                            })
                    .add("poly", "InsightFace arcface_torch's PolynomialLRWarmup: linear warm-up from 0 over"
                                    + " 'warmup' iterations (or 'warmup-epochs' epochs), then (1 - t/T)^power decay to"
                                    + " 'end' at 'epochs' epochs (T counts the warm-up), per iteration; arcface_torch:"
                                    + " power 1, end 0",
                            Set.of("lr", "end", "power", "epochs", "warmup", "warmup-epochs"),
                            (s, c) -> perEpoch -> {
                                long epochs = Math.max(1, s.integer("epochs", 1));
                                long warmupEpochs = s.integer("warmup-epochs", 0);
                                long warmup = s.integer("warmup", 0);
                                if (warmup < 0 || warmupEpochs < 0 || (warmup > 0 && warmupEpochs > 0)) {
                                    throw new IllegalArgumentException("poly takes warmup (iterations) or warmup-epochs,"
                                            + " each >= 0, got warmup=" + warmup + ", warmup-epochs=" + warmupEpochs);
                                }
                                return new PolynomialLRWarmup(s.number("lr", 0.1), warmup + warmupEpochs * perEpoch,
                                        epochs * perEpoch, s.number("power", PolynomialLRWarmup.DEFAULT_POWER),
                                        s.number("end", 0));
                            })
                    .add("exponential", "x gamma per epoch, continuously (DJL's FactorTracker, per iteration"
                                    + " gamma^(1/iterations per epoch))",
                            Set.of("lr", "gamma", "warmup"),
                            (s, c) -> perEpoch -> {
                                double lr = s.number("lr", 0.1);
                                double gamma = s.number("gamma", 0.9);
                                if (!(lr > 0) || !(gamma > 0 && gamma <= 1)) {
                                    throw new IllegalArgumentException(
                                            "exponential needs lr > 0 and gamma in (0, 1], got lr=" + lr + ", gamma=" + gamma);
                                }
                                float factor = (float) Math.pow(gamma, 1.0 / Math.max(1, perEpoch));
                                return warm(s, Tracker.factor().setBaseValue((float) lr).setFactor(factor).build(),
                                        "exponential(lr=" + lr + ", gamma=" + gamma + " per epoch)");
                            });

    /** The iterations of the main schedule: 'epochs' epochs less the warm-up, at least 1. */
    private static int mainIterations(Spec s, int perEpoch) {
        long total = (long) Math.max(1, s.integer("epochs", 1)) * perEpoch - s.integer("warmup", 0);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, total));
    }

    /** The main tracker behind DJL's linear warm-up from 1% of its first value, when 'warmup' > 0. */
    private static Schedule warm(Spec s, Tracker main, String description) {
        int warmup = s.integer("warmup", 0);
        if (warmup < 0) {
            throw new IllegalArgumentException("warmup must be >= 0 iterations, got " + warmup);
        }
        if (warmup == 0) {
            return Schedule.of(main, description);
        }
        Tracker warmed = WarmUpTracker.builder().setMainTracker(main).optWarmUpSteps(warmup)
                .optWarmUpBeginValue(0.01f * main.getNewValue(0)).optWarmUpMode(WarmUpTracker.Mode.LINEAR).build();
        return Schedule.of(warmed, "warmup(" + warmup + ", " + description + ")");
    }
}
