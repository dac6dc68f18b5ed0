package org.metric4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Where {@code embed} and {@code evaluate} run: here, or on a cluster through a {@link org.metric4j.engine.DistributedEngine}. */
final class EngineOptions {

    @Option(names = "--engine", defaultValue = "local", description = "local, or spark: the job runs on a Spark "
            + "cluster through the metric4j-spark module (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--master", defaultValue = "local[*]",
            description = "With --engine spark: the Spark master URL (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--partitions", defaultValue = "0",
            description = "With --engine spark: tasks / reference shards (default: Spark's parallelism).")
    int partitions;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", description = "With --engine spark: a Spark setting "
            + "for the session, e.g. spark.driver.maxResultSize=16m (repeatable; applied after metric4j's defaults).")
    List<String> sparkConf = new ArrayList<>();

    /**
     * The {@code --spark-conf} settings in order.
     *
     * @throws ParameterException naming the value and the expected form
     */
    Map<String, String> sparkConf(CommandLine cli) {
        Map<String, String> conf = new LinkedHashMap<>();
        for (String kv : sparkConf) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || eq == kv.length() - 1 || kv.substring(0, eq).isBlank()) {
                throw new ParameterException(cli, "--spark-conf expects KEY=VALUE (e.g. spark.executor.memory=4g), got '"
                        + kv + "'");
            }
            conf.put(kv.substring(0, eq).trim(), kv.substring(eq + 1));
        }
        if (!conf.isEmpty() && local()) {
            throw new ParameterException(cli, "--spark-conf needs --engine spark, got --engine " + engine);
        }
        return conf;
    }

    boolean local() {
        return engine.equals("local");
    }
}
