package com.catalytic.command.lattice;

import java.time.Instant;

/** What creating a lattice answers; {@code vertices} and {@code edges} exact, as decimal strings. */
public record LatticeCreation(String id, String name, int dimensions, int size, int obstacles, String vertices,
                              String edges, long memoryBytes, Instant createdAt) {
}
