package io.github.iothubexporter.state;

import io.github.iothubexporter.model.ConnectionEvent;

import java.util.List;

/**
 * What a submitted batch did once it was durable.
 *
 * @param applied     events that became their identity's latest state
 * @param duplicates  events whose sequence number equalled the stored one
 * @param outOfOrder  events older than the stored one
 * @param tooManyHubs events for a hub beyond {@code state.maxHubs}, not applied
 */
public record ApplyResult(int applied, int duplicates, int outOfOrder, List<ConnectionEvent> tooManyHubs) {
}
