package org.metric4j;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.metric4j.engine.DeviceNames;

/**
 * The device the tests run on: {@code -Dmetric4j.device=gpu0} (any DJL device name; default
 * {@code cpu}) runs the same tests on a GPU. Only the CPU of linux-x86_64 is tested in this
 * repository's build.
 */
public final class TestDevice {

    /** The system property naming the device. */
    public static final String PROPERTY = "metric4j.device";

    private TestDevice() {}

    /** The device of {@code -Dmetric4j.device} (default cpu). */
    public static Device get() {
        return DeviceNames.parse(name());
    }

    /** Its DJL name ({@code cpu}, {@code gpu0}, ...), as a command line takes it. */
    public static String name() {
        return System.getProperty(PROPERTY, "cpu");
    }

    /** A base manager on the test device. */
    public static NDManager manager() {
        return NDManager.newBaseManager(get());
    }
}
