package org.metric4j.cli;

import ai.djl.Device;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.metric4j.bench.Suite;
import org.metric4j.engine.BenchConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code metric4j bench --suite NAME}: one JSON line per case. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run a benchmark suite and print one JSON line per case "
                + "({\"name\", \"ms_median\", \"peak_rss_mb\", ...}).")
final class BenchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--suite", required = true,
            description = "Suite to run: ${COMPLETION-CANDIDATES}.")
    Suite suite;

    @Option(names = "--warmup", defaultValue = "2",
            description = "Warm-up iterations per case (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iterations", defaultValue = "10",
            description = "Timed iterations per case (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--threads", defaultValue = "2",
            description = "Intra-op threads of the engine (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--only", description = "Run only the cases whose name matches this regex.")
    String only;

    @Option(names = "--fixtures", paramLabel = "DIR",
            description = "Folder of the fixture files a suite reads (models: the InsightFace backbones; "
                    + "default: metric4j-app/src/test/resources/insightface/backbones of the checkout).")
    java.nio.file.Path fixtures;

    /** --seed (of the inputs). */
    @picocli.CommandLine.Mixin SeedOption seed;

    /** --device. */
    @picocli.CommandLine.Mixin DeviceOption deviceOption;

    @Override
    public Integer call() {
        if (warmup < 0 || iterations < 1 || threads < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--warmup must be >= 0, --iterations >= 1 and --threads >= 1, got " + warmup
                            + ", " + iterations + ", " + threads);
        }
        Runtime.setIfAbsent("ai.djl.pytorch.num_threads", String.valueOf(threads));
        Runtime.setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        Device device = deviceOption.resolve(spec);
        PrintWriter out = spec.commandLine().getOut();
        BenchConfig config = new BenchConfig(warmup, iterations, threads, only, seed.seed, device, fixtures);
        suite.run(config, line -> {
            out.println(line);
            out.flush();
        });
        return 0;
    }
}
