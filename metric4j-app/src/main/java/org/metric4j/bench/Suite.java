package org.metric4j.bench;

import java.util.function.Consumer;
import org.metric4j.engine.BenchConfig;

/** The benchmark suites of {@code metric4j bench --suite NAME}. */
public enum Suite {
    /** Pair and tuple losses, forward + backward (issue #2). */
    pair {
        @Override
        public void run(BenchConfig config, Consumer<String> out) {
            new PairSuite(config).run(out);
        }
    },
    /**
     * Margin-softmax heads at 10k and 100k classes against their matrix products, and a partial
     * classifier over 1M classes (issue #3).
     */
    heads {
        @Override
        public void run(BenchConfig config, Consumer<String> out) {
            new HeadsSuite(config).run(out);
        }
    },
    /** Leave-one-out retrieval on 100k embeddings and exact kNN of 10k against 1M (issue #4). */
    eval {
        @Override
        public void run(BenchConfig config, Consumer<String> out) {
            new EvalSuite(config).run(out);
        }
    },
    /** Beyond one machine (issue #8): the Lucene gallery index, build and query, HNSW recall. */
    scale {
        @Override
        public void run(BenchConfig config, Consumer<String> out) {
            new ScaleSuite(config).run(out);
        }
    },
    /**
     * InsightFace backbones: MobileFaceNet as a Block, TorchScript and ONNX; iresnet50 forward and
     * an ArcFace training step (reads the backbone fixtures, {@code --fixtures}).
     */
    models {
        @Override
        public void run(BenchConfig config, Consumer<String> out) {
            new ModelsSuite(config).run(out);
        }
    },
    /**
     * RecordIO (issue #14): read + decode images/s with 1 and 2 threads, and MobileFaceNet trained
     * from a {@code .rec} against pre-decoded tensors in memory (packs its own set in a temp dir).
     */
    data {
        @Override
        public void run(BenchConfig config, Consumer<String> out) {
            new DataSuite(config).run(out);
        }
    },
    /** Training throughput and loop overhead (issue #5). */
    train {
        @Override
        public void run(BenchConfig config, Consumer<String> out) {
            new TrainSuite(config).run(out);
        }
    };

    /**
     * Runs every selected case, printing one JSON line per case.
     *
     * @param config the configuration
     * @param out receives each JSON line
     */
    public abstract void run(BenchConfig config, Consumer<String> out);
}
