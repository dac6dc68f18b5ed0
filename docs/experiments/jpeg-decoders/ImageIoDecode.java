import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.metric4j.data.ImageDecoder;

/**
 * Decodes each JPEG of a folder with metric4j's decoder ({@link ImageDecoder}, Java ImageIO) and
 * writes the pixels losslessly as PNG, for measure.py to compare with PIL's. Run with the app's
 * classes: {@code java -cp metric4j-app/target/classes ImageIoDecode.java IN_DIR OUT_DIR}.
 */
public class ImageIoDecode {
    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args[1]));
        try (var files = Files.list(Path.of(args[0]))) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                BufferedImage img = ImageDecoder.read(f);
                ImageIO.write(img, "png", out.resolve(name.substring(0, name.lastIndexOf('.')) + ".png").toFile());
            }
        }
    }
}
