package com.catalytic.command.lattice.engine;

/** A lattice definition or a vertex the caller gave is not acceptable; {@link #field()} names the request field. */
public class LatticeInputException extends RuntimeException {

    private final String field;

    public LatticeInputException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
