package org.metric4j.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.metric4j.io.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A checkpoint directory {@code checkpoints/epoch-NNNN/}: the backbone's and heads' parameters
 * (DJL's parameter format), the optimizer state, the state of each loss term that keeps one
 * ({@link org.metric4j.schedule.StepState}: {@code loss-K.state}, K the term's index, an encoded
 * {@code NDList}) and {@code state.json} (epoch, iteration, history, the resolved configuration of
 * the run). It is written to a temporary directory and renamed when complete,
 * so an interrupted write never leaves a half checkpoint; the two newest are kept. A checkpoint
 * whose {@code state.json} cannot be read is never deleted: {@link #latest} refuses to choose
 * past it (an {@link IOException} naming the file), and pruning keeps it with a warning.
 */
public final class Checkpoint {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
    private static final String PREFIX = "epoch-";

    /**
     * The saved state.
     *
     * @param epoch the last completed epoch (0-based)
     * @param iteration the training iteration after it
     * @param history per-epoch records
     * @param config the run's recorded configuration: every option with its default filled in,
     *     each component's {@code toString()}, the versions ({@link EmbeddingTrainer#recordedConfiguration()});
     *     {@code train --resume} compares its options with them
     * @param partial for a checkpoint taken inside epoch {@code epoch + 1} (an interrupted run): its
     *     progress; null for a checkpoint at an epoch's end
     */
    public record State(int epoch, long iteration, List<EpochRecord> history, Map<String, String> config,
            EpochProgress partial) {

        /** A checkpoint at the end of epoch {@code epoch}. */
        public State(int epoch, long iteration, List<EpochRecord> history, Map<String, String> config) {
            this(epoch, iteration, history, config, null);
        }
    }

    /**
     * The format of {@code state.json}: the records as their flat maps ({@link EpochRecord#toMap()},
     * {@link EpochProgress#toMap()}), the format of the checkpoints written before the records.
     */
    private record StateFile(int epoch, long iteration, List<Map<String, Double>> history, Map<String, String> config,
            Map<String, Double> partial) {

        static StateFile of(State s) {
            return new StateFile(s.epoch(), s.iteration(), s.history().stream().map(EpochRecord::toMap).toList(),
                    s.config(), s.partial() == null ? null : s.partial().toMap());
        }

        State state() {
            return new State(epoch, iteration,
                    history == null ? List.of() : history.stream().map(EpochRecord::fromMap).toList(), config,
                    partial == null ? null : EpochProgress.fromMap(partial));
        }
    }

    private Checkpoint() {}

    /** Writes a checkpoint without loss states. */
    public static void save(Path root, State state, Block backbone, List<Block> heads, NDList optimizerState)
            throws IOException {
        save(root, state, backbone, heads, optimizerState, Map.of());
    }

    /**
     * Writes a checkpoint.
     *
     * @param lossStates the {@link org.metric4j.schedule.StepState#saveState} of each loss term that
     *     keeps a state, by the term's index (read, not closed)
     */
    public static void save(Path root, State state, Block backbone, List<Block> heads, NDList optimizerState,
            Map<Integer, NDList> lossStates) throws IOException {
        Path dir = root.resolve("checkpoints");
        Files.createDirectories(dir);
        // the end of epoch 3 (0-based): epoch-0003; 120 steps into epoch 4: epoch-0004-step-000120
        String name = state.partial() == null ? String.format("%s%04d", PREFIX, state.epoch())
                : String.format("%s%04d-step-%06d", PREFIX, state.epoch() + 1,
                        state.partial().steps());
        Path tmp = dir.resolve(name + ".tmp");
        FileTrees.delete(tmp);
        Files.createDirectories(tmp);
        writeParams(tmp.resolve("backbone.params"), backbone);
        for (int k = 0; k < heads.size(); k++) {
            writeParams(tmp.resolve("head-" + k + ".params"), heads.get(k));
        }
        Files.write(tmp.resolve("optimizer.ndlist"), optimizerState.encode());
        for (Map.Entry<Integer, NDList> e : lossStates.entrySet()) {
            Files.write(tmp.resolve(lossStateFile(e.getKey())), e.getValue().encode());
        }
        Files.writeString(tmp.resolve("state.json"), json(state), StandardCharsets.UTF_8);
        Path target = dir.resolve(name);
        FileTrees.delete(target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        Listing listing = list(root);
        List<Path> all = listing.readable();
        for (int i = 0; i + 2 < all.size(); i++) {
            FileTrees.delete(all.get(i));
        }
        listing.unreadable().forEach((p, reason) -> LOG.warn("kept the checkpoint {}, not pruned: {}", p, reason));
    }

    /**
     * The newest complete checkpoint under {@code root}, or null.
     *
     * @throws IOException if a checkpoint's {@code state.json} cannot be read (its order among the
     *     others is unknown, so none is chosen); the message names the file and the reason
     */
    public static Path latest(Path root) throws IOException {
        Listing listing = list(root);
        if (!listing.unreadable().isEmpty()) {
            Map.Entry<Path, String> bad = listing.unreadable().entrySet().iterator().next();
            throw new IOException("checkpoint state " + bad.getKey().resolve("state.json") + " is unreadable ("
                    + bad.getValue() + "); move that directory away to resume from the other checkpoints");
        }
        List<Path> all = listing.readable();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** The text of {@code state.json} for {@code state}. */
    static String json(State state) {
        return GSON.toJson(StateFile.of(state));
    }

    /** Reads the state of a checkpoint. */
    public static State readState(Path checkpoint) throws IOException {
        String json = Files.readString(checkpoint.resolve("state.json"), StandardCharsets.UTF_8);
        StateFile file = GSON.fromJson(json, StateFile.class);
        if (file == null) {
            throw new IOException(checkpoint.resolve("state.json") + " is empty");
        }
        try {
            return file.state();
        } catch (IllegalArgumentException e) {
            throw new IOException(checkpoint.resolve("state.json") + ": " + e.getMessage(), e);
        }
    }

    /** Loads parameters into initialized blocks and returns the optimizer state. */
    public static NDList load(Path checkpoint, Block backbone, List<Block> heads, NDManager manager)
            throws IOException {
        readParams(checkpoint.resolve("backbone.params"), backbone, manager);
        for (int k = 0; k < heads.size(); k++) {
            readParams(checkpoint.resolve("head-" + k + ".params"), heads.get(k), manager);
        }
        return NDList.decode(manager, Files.readAllBytes(checkpoint.resolve("optimizer.ndlist")));
    }

    /** The file name of the state of loss term {@code component}. */
    static String lossStateFile(int component) {
        return "loss-" + component + ".state";
    }

    /**
     * The saved state of loss term {@code component}, or null when the checkpoint holds none (it
     * was written before that loss kept a state).
     */
    public static NDList loadLossState(Path checkpoint, int component, NDManager manager) throws IOException {
        Path file = checkpoint.resolve(lossStateFile(component));
        if (!Files.isRegularFile(file)) {
            return null;
        }
        return NDList.decode(manager, Files.readAllBytes(file));
    }

    /** The readable checkpoints, oldest first, and the unreadable ones with the reason. */
    private record Listing(List<Path> readable, Map<Path, String> unreadable) {}

    private static Listing list(Path root) throws IOException {
        Path dir = root.resolve("checkpoints");
        Map<Path, String> unreadable = new java.util.TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return new Listing(new ArrayList<>(), unreadable);
        }
        List<Map.Entry<Path, Long>> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                            && !p.getFileName().toString().endsWith(".tmp")
                            && Files.isRegularFile(p.resolve("state.json"))).toList()) {
                try {
                    found.add(Map.entry(p, readState(p).iteration())); // each state.json read once
                } catch (IOException | RuntimeException e) {
                    unreadable.put(p, e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
        }
        List<Path> readable = found.stream()
                .sorted(Map.Entry.<Path, Long>comparingByValue()
                        .thenComparing(e -> e.getKey().getFileName().toString()))
                .map(Map.Entry::getKey)
                .toList();
        return new Listing(readable, unreadable);
    }

    /** Writes a block's parameters to {@code file} (DJL's {@code saveParameters} format). */
    public static void writeParams(Path file, Block block) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            block.saveParameters(out);
        }
    }

    private static void readParams(Path file, Block block, NDManager manager) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            block.loadParameters(manager, in);
        } catch (MalformedModelException e) {
            throw new IOException("checkpoint file " + file + " does not match the model: " + e.getMessage(), e);
        }
    }
}
