package org.metric4j.cli;

import ai.djl.nn.Block;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.metric4j.model.torch.StateDict;
import org.metric4j.model.torch.StateDictLoader;
import org.metric4j.model.torch.StateDictReader;
import org.metric4j.model.torch.TorchStateful;
import org.metric4j.train.Components;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --weights-key}, and the reading of a PyTorch weights file ({@code embed --weights},
 * {@code train --init}) into a backbone of {@link Components#PYTORCH_BACKBONES}: the state dict is
 * found by {@link StateDictReader} and loaded strictly by {@link StateDictLoader}. Every failure
 * (no such file, unreadable file, a backbone without PyTorch keys, missing, unexpected or
 * mismatched keys) is one line naming the option and the file, exit code 2.
 */
final class PyTorchWeights {

    @Option(names = "--weights-key", paramLabel = "KEY", description = "The checkpoint key holding the state dict "
            + "(default: state_dict, then state_dict_backbone, then the only dict of tensors; a DDP 'module.' prefix "
            + "is removed).")
    String weightsKey;

    /**
     * Reads the state dict of a weights file.
     *
     * @param spec the command (for errors)
     * @param option the option that named the file ({@code --weights}, {@code --init})
     * @param file the .pth file
     */
    StateDict read(CommandSpec spec, String option, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(), option + " " + file + ": no such file");
        }
        try {
            StateDictReader reader;
            try {
                reader = weightsKey == null ? StateDictReader.create() : StateDictReader.weightsKey(weightsKey);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--weights-key '" + weightsKey + "': " + e.getMessage());
            }
            return reader.read(file);
        } catch (IOException e) {
            String message = oneLine(e.getMessage());
            String named = file + ": "; // the reader's messages start with the file: not repeated
            throw new ParameterException(spec.commandLine(), option + " " + file + ": "
                    + (message.startsWith(named) ? message.substring(named.length()) : message));
        }
    }

    /**
     * The backbone as a {@link TorchStateful}, or a one-line error naming the backbones that are.
     *
     * @param spec the command (for errors)
     * @param option the option that needs PyTorch keys ({@code --weights}, {@code --init}, {@code --format pth})
     * @param backbone the backbone spec as given
     * @param block the block it built
     */
    static TorchStateful stateful(CommandSpec spec, String option, String backbone, Block block) {
        if (block instanceof TorchStateful t) {
            return t;
        }
        throw new ParameterException(spec.commandLine(), option + " needs a backbone with PyTorch state-dict keys ("
                + String.join(", ", Components.PYTORCH_BACKBONES) + "), got --backbone " + backbone);
    }

    /**
     * Loads a state dict into an initialized backbone, strictly.
     *
     * @param spec the command (for errors)
     * @param option the option that named the file
     * @param file the file (for errors)
     * @param sd its state dict
     * @param block the backbone
     */
    static void load(CommandSpec spec, String option, Path file, StateDict sd, TorchStateful block) {
        try {
            StateDictLoader.load(sd, block);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + " " + file + ": " + oneLine(e.getMessage()));
        }
    }

    private static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\s*\\R\\s*", " ");
    }
}
