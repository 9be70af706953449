package io.catchment.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The console's files: small enough to load at once, and no inline script (its Content-Security-Policy forbids it). */
class ConsoleAssetsTest {
    static final Path CONSOLE = Path.of("src/main/resources/console");

    @Test
    void all_assets_together_are_under_300_kb_gzipped() throws Exception {
        long total = 0;
        List<Path> files;
        try (var walk = Files.walk(CONSOLE)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(Files.readAllBytes(f));
            }
            total += out.size();
        }
        assertThat(files).hasSizeGreaterThan(10);
        assertThat(total).as("gzipped bytes of %d files", files.size()).isLessThan(300 * 1024);
    }

    @Test
    void the_page_has_no_inline_script_or_handler() throws Exception {
        String html = Files.readString(CONSOLE.resolve("index.html"));
        assertThat(html).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>");
        assertThat(html).doesNotContainPattern("\\son[a-z]+=");
        try (var walk = Files.walk(CONSOLE.resolve("pages"))) {
            for (Path js : walk.filter(p -> p.toString().endsWith(".js")).toList()) {
                assertThat(Files.readString(js)).as(js.toString()).doesNotContain("innerHTML");
            }
        }
    }
}
