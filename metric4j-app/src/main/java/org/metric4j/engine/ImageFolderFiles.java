package org.metric4j.engine;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.metric4j.data.ImageFolder;

/**
 * The files of an image folder as {@link ImageFolder} lists them (identities sorted by name and
 * numbered in that order, a directory without images getting no label; files sorted; only .jpg,
 * .jpeg and .png, hidden files left out; item names {@code <dir>/<file without extension>}), so an
 * engine's embedding job gives the ids and labels of {@code embed --images}. No image is decoded
 * here: a file that does not decode is the job's to report.
 */
public final class ImageFolderFiles {

    /**
     * One image file.
     *
     * @param id the item name ({@link ImageFolder#name})
     * @param label the identity's label ({@link ImageFolder#label})
     * @param path the file's absolute path
     */
    public record ImageFile(String id, long label, String path) implements Serializable {}

    private ImageFolderFiles() {}

    /** The files of the image folder {@code root}, in {@link ImageFolder}'s order. */
    public static List<ImageFile> list(Path root) throws IOException {
        ImageFolder folder = ImageFolder.builder().setRoot(root).optCheck(ImageFolder.Check.NONE).build();
        List<ImageFile> files = new ArrayList<>(folder.size());
        for (int i = 0; i < folder.size(); i++) {
            files.add(new ImageFile(folder.name(i), folder.label(i), folder.path(i).toAbsolutePath().toString()));
        }
        return files;
    }
}
