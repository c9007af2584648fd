package com.catalytic.command.lattice.engine;

/**
 * @param maxPathVertices how many vertices of the path to return at most (the length is always the full one)
 * @param maxExplored     how many vertices a search may see before giving up (bounds its memory)
 * @param cancellation    polled during searches; null means {@link Cancellation#none()}
 */
public record PathOptions(int maxPathVertices, long maxExplored, Cancellation cancellation) {

    public PathOptions {
        cancellation = cancellation == null ? Cancellation.none() : cancellation;
    }
}
