package io.catchment.importer;

/** The running server an import should go through cannot be reached, or no write key is known for it. */
public final class Unreachable extends Exception {
    public Unreachable(String m) {
        super(m);
    }
}
