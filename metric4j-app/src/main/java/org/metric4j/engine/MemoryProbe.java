package org.metric4j.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of this process from {@code /proc/self/status}: current (VmRSS) and peak
 * (VmHWM). On Linux the peak is reset by writing 5 to {@code /proc/self/clear_refs}, so each case
 * reports its own peak. Elsewhere the values are -1.
 */
public final class MemoryProbe {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private MemoryProbe() {}

    /** Resets the peak to the current resident size; false when the OS does not allow it. */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Current resident set in MiB, or -1. */
    public static double rssMb() {
        return field("VmRSS:");
    }

    /** Peak resident set in MiB since start or the last {@link #resetPeak()}, or -1. */
    public static double peakRssMb() {
        return field("VmHWM:");
    }

    private static double field(String key) {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
