package io.github.iothubexporter.classify;

/** Told about every decision, on the state writer thread. Must not block. */
public interface ClassificationListener {
    void classified(Decision decision);
}
