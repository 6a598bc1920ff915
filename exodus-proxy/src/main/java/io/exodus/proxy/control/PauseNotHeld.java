package io.exodus.proxy.control;

/**
 * A change made under the fleet's pause found, under the state's row lock, a live replica that does not hold the pause
 * (it became live again after the requester's last look): the change was not made.
 */
public final class PauseNotHeld extends IllegalStateException {
    public PauseNotHeld(String message) {
        super(message);
    }
}
