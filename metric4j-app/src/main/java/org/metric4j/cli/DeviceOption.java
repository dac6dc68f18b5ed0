package org.metric4j.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import org.metric4j.engine.DeviceNames;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --device}: where a command's models and arrays live, by DJL's device names ({@code cpu},
 * {@code gpu} = {@code gpu0}, {@code gpu1}, ...). {@link #resolve} checks the name and, for a GPU,
 * that DJL's engine sees it, before the command writes anything.
 */
final class DeviceOption {

    @Option(names = "--device", paramLabel = "NAME", defaultValue = "cpu",
            description = "DJL device: cpu, gpu (= gpu0), gpu1, ... (default: ${DEFAULT-VALUE}).")
    String name = "cpu";

    /**
     * The device, checked.
     *
     * @param spec the command (for the error)
     * @return the device
     * @throws Unavailable naming the option, the value and the expectation, for a name that is not
     *     a DJL device or a GPU that DJL's engine does not see
     */
    Device resolve(CommandSpec spec) {
        Device device;
        try {
            device = DeviceNames.parse(name.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Unavailable(spec.commandLine(), "--device " + name
                    + ": not a DJL device name; expected cpu, gpu, gpu0, gpu1, ...");
        }
        if (!device.isGpu()) {
            return device;
        }
        int id = device.getDeviceId();
        Engine engine = Engine.getInstance();
        int gpus = engine.getGpuCount();
        if (gpus == 0) {
            throw new Unavailable(spec.commandLine(), "--device " + name + ": no GPU visible to DJL's "
                    + engine.getEngineName() + " engine (Engine.getGpuCount() = 0); use cpu");
        }
        if (id >= gpus) {
            throw new Unavailable(spec.commandLine(), "--device " + name + ": DJL's " + engine.getEngineName()
                    + " engine sees " + gpus + " GPU(s), gpu0 to gpu" + (gpus - 1));
        }
        return device;
    }

    /** A device that cannot be used: reported as one line, exit code 2. */
    static final class Unavailable extends CommandLine.ParameterException {

        private static final long serialVersionUID = 1L;

        Unavailable(CommandLine line, String message) {
            super(line, message);
        }
    }
}
