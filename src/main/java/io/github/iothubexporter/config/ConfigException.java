package io.github.iothubexporter.config;

/** Invalid configuration: the message names the key. The service exits with code 2. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
