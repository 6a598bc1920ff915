package io.exodus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.PrintStream;

/**
 * Where a command writes: for people, lines on stdout and warnings on stderr; with {@code --json}, one JSON document
 * on stdout (the answer, or {@code {"error", "exitCode", "httpStatus"}}) and nothing else, so that a script can
 * parse it whatever happened.
 */
final class Output {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean json;
    private final boolean terminal;
    private final ObjectMapper mapper;

    /** @param terminal whether stdout is a terminal, where a progress line is redrawn in place */
    Output(PrintStream out, PrintStream err, boolean json, boolean terminal, ObjectMapper mapper) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.terminal = terminal;
        this.mapper = mapper;
    }

    boolean json() {
        return json;
    }

    /** A line for people; nothing in JSON mode. */
    void line(String text) {
        if (!json) {
            out.println(text);
        }
    }

    /** A warning for people, on stderr in both modes: the JSON on stdout stays one document. */
    void warn(String text) {
        err.println("warning: " + text);
    }

    /** The document a script reads; nothing for people. */
    void document(JsonNode node) {
        if (json) {
            out.println(pretty(node));
        }
    }

    void failure(CliFailure failure) {
        if (json) {
            out.println(pretty(mapper.createObjectNode().put("error", failure.getMessage())
                    .put("exitCode", failure.exitCode().code()).put("httpStatus", failure.httpStatus())));
        } else {
            err.println("exodus: " + failure.getMessage());
        }
    }

    /** The progress of a long step: redrawn in place on a terminal, a plain line per change otherwise, none in JSON. */
    Progress progress() {
        return new Progress(json ? null : out, terminal);
    }

    String pretty(JsonNode node) {
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            return node.toString();
        }
    }
}
