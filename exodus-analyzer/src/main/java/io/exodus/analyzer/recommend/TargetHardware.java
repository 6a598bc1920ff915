package io.exodus.analyzer.recommend;

import io.exodus.analyzer.config.StorageKind;

/**
 * The machine the settings are tuned for.
 *
 * @param basis where memory and CPUs came from: configured ({@code exodus.analyzer.target-memory}/-cpus), read from
 *              the target, or the recommended instance size
 */
public record TargetHardware(long memoryBytes, int cpus, StorageKind storage, String basis) {
}
