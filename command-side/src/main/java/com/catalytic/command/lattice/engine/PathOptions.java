package com.catalytic.command.lattice.engine;

/**
 * @param maxPathVertices how many vertices of the path to return at most (the length is always the full one)
 * @param maxExplored     how many vertices a search may visit before giving up (bounds its memory)
 */
public record PathOptions(int maxPathVertices, long maxExplored, Cancellation cancellation) {
}
