package org.metric4j.engine;

import ai.djl.Device;

/**
 * DJL device names ({@code cpu}, {@code gpu0}, {@code gpu1}, ...) for jobs that travel to other
 * JVMs: {@link Device} is not serializable and its {@code toString()} ({@code gpu(1)}) is not a
 * name {@link Device#fromName(String)} parses.
 */
public final class DeviceNames {

    private DeviceNames() {}

    /**
     * The name of a device.
     *
     * @param device a CPU or GPU device
     * @return {@code cpu}, or {@code gpu} and the GPU's id ({@code gpu0} for DJL's default GPU)
     */
    public static String of(Device device) {
        return device.isGpu() ? "gpu" + Math.max(0, device.getDeviceId()) : device.getDeviceType();
    }

    /**
     * The device of a name written by {@link #of(Device)}.
     *
     * @param name {@code cpu}, {@code gpu}, {@code gpu0}, {@code gpu1}, ...
     * @return the device
     * @throws IllegalArgumentException naming the value, for another name
     */
    public static Device parse(String name) {
        Device d;
        try {
            d = Device.fromName(name, null);
        } catch (IllegalArgumentException | NullPointerException e) {
            d = null;
        }
        if (d == null || !(d.getDeviceType().equals(Device.Type.CPU) || d.getDeviceType().equals(Device.Type.GPU))) {
            throw new IllegalArgumentException("device must be cpu, gpu, gpu0, gpu1, ..., got '" + name + "'");
        }
        return d.isGpu() ? Device.gpu(Math.max(0, d.getDeviceId())) : Device.cpu();
    }
}
