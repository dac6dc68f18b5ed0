package org.metric4j.eval;

/**
 * Whether a query may find itself among its neighbours: {@link #EXCLUDE_SELF} is leave-one-out
 * (the queries are the references, and query i never returns reference i), {@link
 * #INCLUDE_SELF} a search against a separate reference set (or one where a query may match
 * itself).
 */
public enum Neighbours {
    /** Every reference may be returned. */
    INCLUDE_SELF,
    /** Query i never returns reference i; the queries must be the references. */
    EXCLUDE_SELF;

    /** Whether the query itself is left out. */
    boolean excludesSelf() {
        return this == EXCLUDE_SELF;
    }
}
