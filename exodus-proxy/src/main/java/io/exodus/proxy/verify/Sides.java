package io.exodus.proxy.verify;

import io.exodus.proxy.migration.Side;

/** The same thing read on both databases. */
record Sides<T>(T source, T target) {

    T of(Side side) {
        return side == Side.SOURCE ? source : target;
    }
}
