package org.metric4j;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

/**
 * The device the core's tests run on: {@code -Dmetric4j.device=gpu0} (a DJL device name; default
 * {@code cpu}) runs the same tests on a GPU. Only the CPU of linux-x86_64 is tested in this
 * repository's build.
 */
public final class TestDevice {

    /** The system property naming the device. */
    public static final String PROPERTY = "metric4j.device";

    private TestDevice() {}

    /** The device of {@code -Dmetric4j.device} (default cpu; {@code gpu} is {@code gpu0}). */
    public static Device get() {
        String name = System.getProperty(PROPERTY, "cpu");
        Device d = Device.fromName(name, null);
        if (!d.getDeviceType().equals(Device.Type.CPU) && !d.getDeviceType().equals(Device.Type.GPU)) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be cpu, gpu, gpu0, gpu1, ..., got '" + name + "'");
        }
        return d.isGpu() ? Device.gpu(Math.max(0, d.getDeviceId())) : Device.cpu();
    }

    /** A base manager on the test device. */
    public static NDManager manager() {
        return NDManager.newBaseManager(get());
    }
}
