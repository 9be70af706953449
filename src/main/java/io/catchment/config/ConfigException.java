package io.catchment.config;

import io.catchment.CatchmentException;

/** Invalid configuration, found at start-up before anything is bound or opened. Names the key and the problem. */
public final class ConfigException extends CatchmentException {
    public ConfigException(String message) {
        super(message);
    }
}
