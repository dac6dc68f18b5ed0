package org.metric4j.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing requirement skips outside CI and fails under {@code -Dmetric4j.ci=true}. */
class RequirementsTest {

    private String savedCi;
    private String savedChromium;
    private String savedPython;

    @BeforeEach
    void save() {
        savedCi = System.getProperty(Requirements.CI);
        savedChromium = System.getProperty(Requirements.CHROMIUM);
        savedPython = System.getProperty(Requirements.PYTHON_TORCH);
    }

    @AfterEach
    void restore() {
        restore(Requirements.CI, savedCi);
        restore(Requirements.CHROMIUM, savedChromium);
        restore(Requirements.PYTHON_TORCH, savedPython);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void aMissingRequirementSkipsOutsideCi() {
        System.setProperty(Requirements.CI, "false");
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> Requirements.require(false, "the thing is absent"));
        assertTrue(e.getMessage().contains("the thing is absent"), e.getMessage());
        Requirements.require(true, "never shown");
    }

    @Test
    void aMissingRequirementFailsUnderCi() {
        System.setProperty(Requirements.CI, "true");
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Requirements.require(false, "the thing is absent"));
        assertTrue(e.getMessage().startsWith("the thing is absent"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dmetric4j.ci=true"), e.getMessage());
    }

    @Test
    void aNamedBrowserThatIsNotThereFailsUnderCiNamingIt() {
        System.setProperty(Requirements.CI, "true");
        System.setProperty(Requirements.CHROMIUM, "/nonexistent");
        AssertionFailedError e = assertThrows(AssertionFailedError.class, Requirements::chromium);
        assertTrue(e.getMessage().contains("-Dmetric4j.chromium=/nonexistent"), e.getMessage());
    }

    @Test
    void aNamedPythonThatIsNotThereFailsUnderCiNamingIt() {
        System.setProperty(Requirements.CI, "true");
        System.setProperty(Requirements.PYTHON_TORCH, "/nonexistent/python3");
        AssertionFailedError e = assertThrows(AssertionFailedError.class, Requirements::pythonTorch);
        assertTrue(e.getMessage().startsWith("no Python interpreter at /nonexistent/python3"
                + " (-Dmetric4j.python.torch=/nonexistent/python3)"), e.getMessage());
    }

    @Test
    void aPythonWithoutTorchSkipsOutsideCiSayingSo(@TempDir Path dir) throws Exception {
        Path fake = Files.writeString(dir.resolve("python3"), "#!/bin/sh\necho \"No module named 'torch'\" >&2\nexit 1\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        System.setProperty(Requirements.CI, "false");
        System.setProperty(Requirements.PYTHON_TORCH, fake.toString());
        TestAbortedException e = assertThrows(TestAbortedException.class, Requirements::pythonTorch);
        assertTrue(e.getMessage().contains(fake + " cannot import torch: exit 1: No module named 'torch'"),
                e.getMessage());
    }

    @Test
    void theBrowserIsTheFirstExecutableNameOnThePath(@TempDir Path dir) throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        Path chromeInA = Files.createFile(a.resolve("google-chrome"));
        Files.setPosixFilePermissions(chromeInA, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path chromiumInB = Files.createFile(b.resolve("chromium"));
        Files.setPosixFilePermissions(chromiumInB, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createFile(a.resolve("chromium-browser"));    // not executable: ignored
        String path = a + ":" + b;
        assertEquals(chromiumInB, Requirements.onPath(Requirements.BROWSERS, path));
        assertEquals(chromeInA, Requirements.onPath(List.of("chromium-browser", "google-chrome"), path));
        assertNull(Requirements.onPath(List.of("chromium-browser"), path));
    }
}
