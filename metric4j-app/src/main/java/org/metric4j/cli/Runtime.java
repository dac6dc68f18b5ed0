package org.metric4j.cli;

/** Process-wide settings applied before the engine loads: offline natives, thread counts. */
final class Runtime {

    private Runtime() {}

    static void setDefaults() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
