package io.exodus.proxy.verify;

/** One of the two databases a verification compares. */
public enum Side {
    SOURCE, TARGET
}
