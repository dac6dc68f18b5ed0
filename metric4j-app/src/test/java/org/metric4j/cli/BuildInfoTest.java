package org.metric4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The git commit read from {@code .git} without running git: plain, worktree, packed, detached, absent. */
class BuildInfoTest {

    private static final String A = "0123456789abcdef0123456789abcdef01234567";
    private static final String B = "89abcdef0123456789abcdef0123456789abcdef";

    @Test
    void aLooseBranchRefOfAPlainCheckout(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve(".git/refs/heads"));
        Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.writeString(dir.resolve(".git/refs/heads/main"), A + "\n");
        Path classes = Files.createDirectories(dir.resolve("app/target/classes"));
        assertEquals(Optional.of(A), BuildInfo.gitCommit(classes));
    }

    @Test
    void aWorktreeWithItsBranchInPackedRefs(@TempDir Path dir) throws Exception {
        Path common = Files.createDirectories(dir.resolve("main/.git"));
        Path wt = Files.createDirectories(common.resolve("worktrees/x"));
        Files.writeString(wt.resolve("HEAD"), "ref: refs/heads/feature\n");
        Files.writeString(wt.resolve("commondir"), "../..\n");
        Files.writeString(common.resolve("packed-refs"), "# pack-refs with: peeled fully-peeled sorted\n"
                + A + " refs/heads/main\n" + B + " refs/heads/feature\n");
        Path tree = Files.createDirectories(dir.resolve("wt"));
        Files.writeString(tree.resolve(".git"), "gitdir: " + wt + "\n");
        assertEquals(Optional.of(B), BuildInfo.gitCommit(tree));
    }

    @Test
    void detachedHeadAndNoCheckout(@TempDir Path dir) throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo/.git"));
        Files.writeString(repo.resolve("HEAD"), B + "\n");
        assertEquals(Optional.of(B), BuildInfo.gitCommit(dir.resolve("repo")));
        Path bare = Files.createDirectories(dir.resolve("elsewhere/lib"));
        Optional<String> none = BuildInfo.gitCommit(bare);
        // the temporary directory is outside any checkout unless the system's is inside one
        if (!Files.exists(Path.of(System.getProperty("java.io.tmpdir"), ".git"))) {
            assertEquals(Optional.empty(), none);
        }
    }

    @Test
    void theBuildOfThisCheckoutNamesItsCommit() throws Exception {
        Optional<String> commit = BuildInfo.gitCommit();
        Process git = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
        String expected = new String(git.getInputStream().readAllBytes()).trim();
        if (git.waitFor() == 0) { // built from a checkout (no git on the PATH: nothing to compare with)
            assertEquals(Optional.of(expected), commit);
        }
    }
}
