package com.catalytic.command.lattice.engine;

import java.math.BigInteger;
import java.util.SortedMap;

/**
 * @param degreeHistogram degree → number of free vertices with it (degrees with no vertex left out)
 * @param diameter        largest shortest-path distance within a component, 0 when there are no edges
 * @param method          {@code closed_form} or {@code scan}
 */
public record Analysis(BigInteger vertices, BigInteger edges, SortedMap<Integer, BigInteger> degreeHistogram,
                       long diameter, BigInteger components, boolean bipartite, long verticesScanned,
                       String method) {
}
