package io.catchment.log.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** Opens the log's files; a seam so tests can inject a channel that fails its writes. */
@FunctionalInterface
public interface FileOpener {
    FileOpener DEFAULT = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;
}
