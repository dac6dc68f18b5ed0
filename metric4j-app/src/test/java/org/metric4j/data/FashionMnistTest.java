package org.metric4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metric4j.support.Requirements;
import org.metric4j.TestDevice;
import org.metric4j.dataset.LabeledImages;

/** Fashion-MNIST: the real files when installed, the search order, the download and its errors. */
class FashionMnistTest {

    @TempDir
    Path dir;

    /** Writes a small train split (n items, label i % 10) into {@code into}, gzip or plain. */
    private static void writeSmallSplit(Path into, int n, boolean gzip) throws IOException {
        Files.createDirectories(into);
        byte[] pixels = new byte[n * 28 * 28];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
            for (int p = 0; p < 28 * 28; p++) {
                pixels[i * 784 + p] = (byte) ((i * 7 + p) % 256);
            }
        }
        String ext = gzip ? ".gz" : "";
        IdxFile.write(into.resolve("train-images-idx3-ubyte" + ext), new int[] {n, 28, 28}, pixels, gzip);
        IdxFile.write(into.resolve("train-labels-idx1-ubyte" + ext), new int[] {n}, labels, gzip);
    }

    private FashionMnist.Builder isolated() {
        return FashionMnist.builder()
                .optSystemDir(dir.resolve("no-system"))
                .optCacheDir(dir.resolve("cache"))
                .optDownload(false);
    }

    @Test
    void loadsTheInstalledFiles() throws IOException {
        Requirements.fashionMnist();
        FashionMnist fm = FashionMnist.builder().optCacheDir(dir.resolve("cache")).optDownload(false)
                .build();
        long t0 = System.nanoTime();
        LabeledImages train = fm.load(FashionMnist.Split.TRAIN);
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        LabeledImages test = fm.load(FashionMnist.Split.TEST);
        assertEquals(60000, train.size());
        assertEquals(10000, test.size());
        for (LabeledImages s : List.of(train, test)) {
            assertEquals(1, s.channels());
            assertEquals(28, s.height());
            assertEquals(28, s.width());
            assertEquals(10, s.numClasses());
        }
        int[] histogram = new int[10];
        for (long label : train.labelArray()) {
            histogram[(int) label]++;
        }
        assertArrayEquals(new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000},
                histogram);
        int[] testHistogram = new int[10];
        for (long label : test.labelArray()) {
            testHistogram[(int) label]++;
        }
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000},
                testHistogram);
        assertEquals(9, train.label(0), "the first training image is an ankle boot");
        assertEquals("train/123", train.name(123));
        assertEquals("test/45", test.name(45));

        // normalization (v - 127.5) / 128, from the raw bytes
        UByteImages raw = (UByteImages) train;
        float[] img = new float[784];
        train.image(17, img, 0);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                float expected = (raw.rawPixel(17, y, x) - 127.5f) / 128f;
                assertEquals(expected, img[y * 28 + x], 0f, "pixel " + y + "," + x);
                min = Math.min(min, img[y * 28 + x]);
                max = Math.max(max, img[y * 28 + x]);
            }
        }
        assertEquals(-127.5f / 128f, min, 0f, "background is 0");
        assertTrue(max > 0.5f, "an item has bright pixels, max " + max);

        int[] idx = new int[256];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = (i * 2347) % 60000;
        }
        try (NDManager manager = TestDevice.manager()) {
            train.batch(manager, idx).close(); // warm-up
            long b0 = System.nanoTime();
            NDArray batch = train.batch(manager, idx);
            double batchMs = (System.nanoTime() - b0) / 1e6;
            assertEquals(new Shape(256, 1, 28, 28), batch.getShape());
            assertEquals(DataType.FLOAT32, batch.getDataType());
            float[] values = batch.toFloatArray();
            float[] expected = new float[256 * 784];
            for (int i = 0; i < idx.length; i++) {
                train.image(idx[i], expected, i * 784);
            }
            assertArrayEquals(expected, values, 0f);
            NDArray labels = train.labels(manager, idx);
            assertEquals(DataType.INT64, labels.getDataType());
            assertEquals(train.label(idx[5]), labels.toLongArray()[5]);
            System.out.printf("FashionMnist: train split loaded in %d ms, batch of 256 in %.2f ms%n",
                    loadMs, batchMs);
        }
    }

    @Test
    void theNormalizationIsAnOption() throws IOException {
        Path given = dir.resolve("given");
        writeSmallSplit(given, 20, true);
        LabeledImages unit = isolated().optDataDir(given).optNormalization(Normalization.UNIT).build()
                .load(FashionMnist.Split.TRAIN);
        float[] img = new float[784];
        unit.image(3, img, 0);
        assertEquals(((3 * 7 + 100) % 256) / 255f, img[100], 1e-7f);
    }

    @Test
    void theGivenDirectoryComesFirstPlainOrGzip() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            Path given = dir.resolve("given" + gzip);
            writeSmallSplit(given, 20, gzip);
            // the system directory is the real one: the given directory still wins
            FashionMnist fm = FashionMnist.builder().optDataDir(given).optCacheDir(dir.resolve("c"))
                    .optDownload(false).build();
            assertEquals(given, fm.locate(FashionMnist.Split.TRAIN));
            LabeledImages train = fm.load(FashionMnist.Split.TRAIN);
            assertEquals(20, train.size(), "gzip=" + gzip);
            assertEquals(7, train.label(17));
            assertEquals(10, train.numClasses());
        }
    }

    @Test
    void aGivenDirectoryWithoutTheFilesIsAnErrorNeverAFallBack() throws IOException {
        Path given = Files.createDirectories(dir.resolve("given"));
        Files.write(given.resolve("train-images-idx3-ubyte.gz"), new byte[0]);
        // the cache holds a full split: a given dir= must still not fall back to it
        writeSmallSplit(dir.resolve("cache"), 20, true);
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> isolated().optDataDir(given).build().load(FashionMnist.Split.TRAIN));
        String m = e.getMessage();
        assertEquals(1, e.attempts().size(), m);
        assertTrue(m.contains("Fashion-MNIST train split"), m);
        assertTrue(m.contains("1. dir=" + given + " (given, so the only place searched): missing"
                + " train-labels-idx1-ubyte[.gz]"), m);
        assertTrue(m.contains("give another dir="), m);
        // the real system directory (when installed) does not rescue a wrong dir= either
        assertThrows(DatasetNotFoundException.class, () -> FashionMnist.builder().optDataDir(given)
                .build().load(FashionMnist.Split.TRAIN));
    }

    @Test
    void notFoundListsTheSystemCacheAndDownloadWithTheirFixes() throws IOException {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> isolated().build().load(FashionMnist.Split.TEST));
        String m = e.getMessage();
        assertEquals(3, e.attempts().size(), m);
        assertTrue(m.contains("1. system directory " + dir.resolve("no-system")
                + ": directory does not exist"), m);
        assertTrue(m.contains("apt-get install dataset-fashion-mnist"), m);
        assertTrue(m.contains("2. cache directory " + dir.resolve("cache")
                + ": directory does not exist"), m);
        assertTrue(m.contains("copy t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]"
                + " into it"), m);
        assertTrue(m.contains("dir=DIR (fashion-mnist:dir=DIR)"), m);
        assertTrue(m.contains("3. download: not asked for (nothing downloads unless asked) -> fix:"
                + " fashion-mnist:download=true"), m);
        assertFalse(m.contains("--data-dir"), m);
    }

    @Test
    void nothingDownloadsUnlessAsked() throws Exception {
        int[] requests = {0};
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests[0]++;
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            URI mirror = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/m/");
            FashionMnist.Builder defaults = FashionMnist.builder().optSystemDir(dir.resolve("no-system"))
                    .optCacheDir(dir.resolve("cache")).optMirrors(List.of(mirror));
            DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                    () -> defaults.build().load(FashionMnist.Split.TRAIN));
            assertEquals(0, requests[0], "the default loader must not touch the network");
            assertTrue(e.getMessage().contains("download: not asked for"), e.getMessage());
            assertThrows(DatasetNotFoundException.class,
                    () -> defaults.optDownload(true).build().load(FashionMnist.Split.TRAIN));
            assertTrue(requests[0] > 0, "optDownload(true) downloads");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aRefusedDownloadFailsFastAndIsTheThirdPlace() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI mirror = URI.create("http://127.0.0.1:" + port + "/fashion");
        long t0 = System.nanoTime();
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> isolated().optDownload(true).optMirrors(List.of(mirror))
                        .optTimeout(Duration.ofSeconds(2)).build().load(FashionMnist.Split.TRAIN));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 5, "took " + seconds + " s");
        String m = e.getMessage();
        assertEquals(3, e.attempts().size(), m);
        assertTrue(m.contains("3. download into " + dir.resolve("cache") + ": http://127.0.0.1:"
                + port + "/fashion/train-images-idx3-ubyte.gz: java.net.ConnectException"), m);
        assertTrue(m.contains("fix: check the network and proxy"), m);
    }

    @Test
    void aStalledServerTimesOut() throws IOException {
        try (ServerSocket silent = new ServerSocket(0)) { // accepts (backlog), never answers
            URI mirror = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/");
            long t0 = System.nanoTime();
            DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                    () -> isolated().optDownload(true).optMirrors(List.of(mirror))
                            .optTimeout(Duration.ofMillis(500)).build().load(FashionMnist.Split.TRAIN));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds < 4, "took " + seconds + " s");
            assertTrue(e.getMessage().contains("SocketTimeoutException"), e.getMessage());
        }
        try (Stream<Path> left = Files.list(dir.resolve("cache"))) {
            assertEquals(0, left.count(), "no partial file is left in the cache");
        }
    }

    @Test
    void downloadsIntoTheCacheCheckingTheMd5() throws Exception {
        Path served = dir.resolve("served");
        writeSmallSplit(served, 30, true);
        Map<String, byte[]> files = new HashMap<>();
        Map<String, String> md5 = new HashMap<>();
        for (String name : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")) {
            byte[] bytes = Files.readAllBytes(served.resolve(name));
            files.put("/mirror/" + name, bytes);
            md5.put(name, HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes)));
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = files.get(exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
        try {
            URI missing = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/none/");
            URI mirror = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mirror/");
            Path cache = dir.resolve("cache");

            Map<String, String> wrong = new HashMap<>(md5);
            wrong.put("train-images-idx3-ubyte.gz", "00000000000000000000000000000000");
            DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                    () -> isolated().optDownload(true).optMirrors(List.of(mirror)).checksums(wrong)
                            .build().load(FashionMnist.Split.TRAIN));
            assertTrue(e.getMessage().contains("MD5 mismatch: got " + md5.get(
                    "train-images-idx3-ubyte.gz") + ", expected 00000000000000000000000000000000"),
                    e.getMessage());
            assertFalse(Files.exists(cache.resolve("train-images-idx3-ubyte.gz")));

            // the first mirror answers 404, the second serves the files
            LabeledImages train = isolated().optDownload(true).optMirrors(List.of(missing, mirror))
                    .checksums(md5).build().load(FashionMnist.Split.TRAIN);
            assertEquals(30, train.size());
            assertArrayEquals(files.get("/mirror/train-images-idx3-ubyte.gz"),
                    Files.readAllBytes(cache.resolve("train-images-idx3-ubyte.gz")));
            try (Stream<Path> left = Files.list(cache)) {
                assertEquals(2, left.count(), "exactly the two files, no .part left");
            }
        } finally {
            server.stop(0);
        }
        // now the cache (the second place) holds the split and no download is needed
        assertEquals(dir.resolve("cache"), isolated().build().locate(FashionMnist.Split.TRAIN));
    }

    @Test
    void builderRejectsBadValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FashionMnist.builder().optTimeout(Duration.ZERO));
        assertTrue(e.getMessage().contains("timeout must be > 0, got PT0S"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Normalization(127.5f, 0f));
        assertTrue(e.getMessage().contains("std must be finite and > 0, got 0.0"), e.getMessage());
    }
}
