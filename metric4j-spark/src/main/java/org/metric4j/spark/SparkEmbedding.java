package org.metric4j.spark;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.metric4j.engine.EmbedResult;
import org.metric4j.engine.ImageEmbedder;
import org.metric4j.engine.ImageFolderFiles;
import org.metric4j.engine.ImportedModel;

/**
 * The embedding job: images (an image folder, one sub-directory per identity, or a Parquet file
 * of {@code id, label, image} bytes) to a Parquet table of {@code id, label, embedding
 * (array<float>), error}, with a TorchScript or ONNX model and the preprocessing the driver
 * resolved, so that the rows equal those of {@code embed --images} on one machine. Each task
 * batches its images through the executor's one model ({@link ExecutorModels}); an image that does not decode keeps its row with the error and no
 * embedding, and the job reports how many there were.
 */
public final class SparkEmbedding {

    /** The output schema. */
    public static final StructType OUTPUT = new StructType(new StructField[] {
        DataTypes.createStructField("id", DataTypes.StringType, false),
        DataTypes.createStructField("label", DataTypes.LongType, false),
        DataTypes.createStructField("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), true),
        DataTypes.createStructField("error", DataTypes.StringType, true)});

    static final StructType FILES = new StructType(new StructField[] {
        DataTypes.createStructField("id", DataTypes.StringType, false),
        DataTypes.createStructField("label", DataTypes.LongType, false),
        DataTypes.createStructField("path", DataTypes.StringType, false)});

    static final int BATCH = 32;

    private SparkEmbedding() {}

    /**
     * Runs the job with a TorchScript file and InsightFace's preprocessing at {@code size} x {@code size}.
     *
     * @param spark the session
     * @param model the TorchScript file (a path every executor can read)
     * @param size the model's square input size (112 for InsightFace)
     * @param flipSum InsightFace's flip-sum embedding
     * @param images an image folder or a Parquet file of (id, label, image)
     * @param output the Parquet directory to write (must not exist)
     * @param partitions tasks (0: the default parallelism)
     * @param device DJL's device name on the executors ({@code cpu}, {@code gpu0}, ...)
     * @return the counts
     */
    public static EmbedResult run(SparkSession spark, Path model, int size, boolean flipSum, Path images,
            Path output, int partitions, String device) throws IOException {
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("--torchscript: no such file " + model);
        }
        return run(spark, ImportedModel.insightFaceTorchScript(model, size, flipSum), images, output, partitions,
                device);
    }

    /** {@link #run(SparkSession, Path, int, boolean, Path, Path, int, String)} on the cpu. */
    public static EmbedResult run(SparkSession spark, Path model, int size, boolean flipSum, Path images,
            Path output, int partitions) throws IOException {
        return run(spark, model, size, flipSum, images, output, partitions, "cpu");
    }

    /**
     * Embeds the images on a device of every executor with an imported model and the
     * preprocessing the driver resolved (shipped as its JSON; each executor JVM loads the model
     * once, {@link ExecutorModels}).
     *
     * @param spark the session
     * @param model the model file (a path every executor can read), its format and preprocessing
     * @param images an image folder or a Parquet file of (id, label, image)
     * @param output the Parquet directory to write (must not exist)
     * @param partitions tasks (0: the default parallelism)
     * @param device DJL's device name on the executors ({@code cpu}, {@code gpu0}, ...)
     * @return the counts
     */
    public static EmbedResult run(SparkSession spark, ImportedModel model, Path images, Path output,
            int partitions, String device) throws IOException {
        org.metric4j.engine.DeviceNames.parse(device);
        if (!Files.isRegularFile(Path.of(model.file()))) {
            throw new IllegalArgumentException("--" + model.format().name().toLowerCase(java.util.Locale.ROOT)
                    + ": no such file " + model.file());
        }
        if (Files.exists(output)) {
            throw new IllegalArgumentException("--output " + output + " exists; give --force to overwrite it");
        }
        long t0 = System.nanoTime();
        Dataset<Row> input = input(spark, images);
        int n = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
        boolean bytes = !java.util.Arrays.asList(input.columns()).contains("path");
        JavaRDD<Row> rows = input.repartition(n).javaRDD()
                .mapPartitions(part -> embedPartition(part, model, bytes, device));
        spark.createDataFrame(rows, OUTPUT).write().mode(SaveMode.ErrorIfExists).parquet(output.toString());
        Dataset<Row> written = spark.read().parquet(output.toString());
        long total = written.count();
        long unreadable = written.where(written.col("error").isNotNull()).count();
        return new EmbedResult(total, total - unreadable, unreadable, n, (System.nanoTime() - t0) / 1e9);
    }

    /** (id, label, path) rows of an image folder, or the (id, label, image) rows of a Parquet file. */
    static Dataset<Row> input(SparkSession spark, Path images) throws IOException {
        String name = images.getFileName().toString();
        if (name.endsWith(".parquet")) {
            Dataset<Row> df = spark.read().parquet(images.toString());
            for (String c : new String[] {"id", "label", "image"}) {
                if (!java.util.Arrays.asList(df.columns()).contains(c)) {
                    throw new IllegalArgumentException("--images " + images + ": a Parquet input needs columns id, "
                            + "label, image (bytes); it has " + String.join(", ", df.columns()));
                }
            }
            return df.select("id", "label", "image");
        }
        if (!Files.isDirectory(images)) {
            throw new IllegalArgumentException("--images: " + images + " is neither an image folder nor a .parquet");
        }
        // listed as ImageFolder lists it, so ids and labels are those of embed --images
        List<Row> files = new ArrayList<>();
        for (ImageFolderFiles.ImageFile f : ImageFolderFiles.list(images)) {
            files.add(RowFactory.create(f.id(), f.label(), f.path()));
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--images " + images + " has no images (.jpg, .jpeg, .png) in "
                    + "identity sub-directories");
        }
        return spark.createDataFrame(files, FILES);
    }

    private static Iterator<Row> embedPartition(Iterator<Row> part, ImportedModel imported, boolean bytes,
            String device) {
        ImageEmbedder model = ExecutorModels.get(imported, device);
        List<Row> out = new ArrayList<>();
        List<Row> batch = new ArrayList<>();
        List<BufferedImage> pixels = new ArrayList<>();
        while (part.hasNext()) {
            Row r = part.next();
            String id = r.getString(0);
            long label = r.getLong(1);
            BufferedImage img;
            String error = null;
            try {
                byte[] data = bytes ? (byte[]) r.get(2) : Files.readAllBytes(Path.of(r.getString(2)));
                img = data == null ? null : ImageEmbedder.decode(data, id);
                if (img == null) {
                    error = "no image bytes";
                }
            } catch (IOException | RuntimeException e) {
                img = null;
                error = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (img == null) {
                out.add(RowFactory.create(id, label, null, error));
                continue;
            }
            batch.add(RowFactory.create(id, label));
            pixels.add(img);
            if (batch.size() == BATCH) {
                flush(model, batch, pixels, out);
            }
        }
        flush(model, batch, pixels, out);
        return out.iterator();
    }

    private static void flush(ImageEmbedder model, List<Row> batch, List<BufferedImage> pixels,
            List<Row> out) {
        if (batch.isEmpty()) {
            return;
        }
        float[][] e = model.embed(pixels.toArray(new BufferedImage[0]));
        for (int i = 0; i < e.length; i++) {
            Float[] boxed = new Float[e[i].length];
            for (int j = 0; j < boxed.length; j++) {
                boxed[j] = e[i][j];
            }
            out.add(RowFactory.create(batch.get(i).getString(0), batch.get(i).getLong(1), boxed, null));
        }
        batch.clear();
        pixels.clear();
    }
}
