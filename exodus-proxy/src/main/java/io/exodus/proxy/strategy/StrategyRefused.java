package io.exodus.proxy.strategy;

/** A strategy cannot start (or stop) now; the message says why and what to do. Nothing was changed. */
public class StrategyRefused extends RuntimeException {
    public StrategyRefused(String message) {
        super(message);
    }
}
