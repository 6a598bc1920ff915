package io.exodus.proxy.demo;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * How the walk runs its steps: each numbered, timed and printed once done; a step that fails is printed as an ERROR
 * line and ends the walk with {@link Failed}. The waits block the walk's own thread, never an event loop: the
 * services it waits for run there.
 */
final class WalkSteps {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(10);

    /** One step's work; what it returns is the detail of its line. */
    interface Step {
        String run() throws Exception;
    }

    /** Why the walk ended early, as the report's failed step says it. */
    static final class Failed extends RuntimeException {
        Failed(String message) {
            super(message, null, false, false);
        }
    }

    private final DemoConsole console;
    private final int total;
    private int number;

    WalkSteps(DemoConsole console, int total) {
        this.console = console;
        this.total = total;
    }

    void run(String name, Step work) throws InterruptedException {
        number++;
        long started = System.nanoTime();
        String detail;
        try {
            detail = work.run();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            console.failed(number, name, Duration.ofNanos(System.nanoTime() - started), why);
            throw new Failed("[" + number + "/" + total + "] " + name + ": " + why);
        }
        console.step(number, name, Duration.ofNanos(System.nanoTime() - started), detail);
    }

    /** Reads {@code state} until it is {@code done}, with a progress line every few seconds. */
    <T> T waitFor(String name, Supplier<T> state, Predicate<T> done, Function<T, String> progress)
            throws InterruptedException {
        long started = System.nanoTime();
        long lastProgress = started;
        while (true) {
            T now = state.get();
            if (done.test(now)) {
                return now;
            }
            if (System.nanoTime() - started > STEP_TIMEOUT.toNanos()) {
                throw new IllegalStateException("not done after " + STEP_TIMEOUT.toMinutes() + " minutes: "
                        + progress.apply(now));
            }
            if (System.nanoTime() - lastProgress >= PROGRESS_EVERY.toNanos()) {
                lastProgress = System.nanoTime();
                console.progress(name, progress.apply(now));
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The service's answer, or its failure's message as a {@link Failed}. */
    static <T> T await(Future<T> future) throws InterruptedException {
        try {
            return future.toCompletionStage().toCompletableFuture().get(STEP_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new Failed(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        } catch (TimeoutException e) {
            throw new Failed("no answer after " + STEP_TIMEOUT.toMinutes() + " minutes");
        }
    }
}
