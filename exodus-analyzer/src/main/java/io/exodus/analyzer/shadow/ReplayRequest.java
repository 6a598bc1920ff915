package io.exodus.analyzer.shadow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * The optional body of {@code POST /analyzer/shadow}.
 *
 * @param since        replay only what was captured from this instant on; everything when absent
 * @param fingerprints replay only these shapes; all when absent
 * @param writes       {@code skip} (the default) or {@code rollback}
 * @param pace         {@code fast} (the default) or {@code captured}
 */
public record ReplayRequest(OffsetDateTime since, List<String> fingerprints, WritesMode writes, Pace pace) {

    public ReplayRequest {
        fingerprints = fingerprints == null ? null : List.copyOf(fingerprints);
        writes = writes == null ? WritesMode.SKIP : writes;
        pace = pace == null ? Pace.FAST : pace;
    }

    /** The request a body asks for: everything when it is empty; refused with what is wrong when it is not JSON. */
    public static ReplayRequest parse(ObjectMapper json, byte[] body) {
        if (body == null || new String(body, StandardCharsets.UTF_8).isBlank()) {
            return new ReplayRequest(null, null, WritesMode.SKIP, Pace.FAST);
        }
        try {
            return json.readValue(body, ReplayRequest.class);
        } catch (IOException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            String why = cause instanceof JsonProcessingException processing ? processing.getOriginalMessage()
                    : cause.getMessage();
            throw new ReplayRefused(ReplayRefused.BAD_REQUEST, "malformed-request", "Not a replay request "
                    + "({\"since\": \"2025-03-01T12:00:00Z\", \"fingerprints\": [\"…\"], \"writes\": \"skip\", "
                    + "\"pace\": \"fast\"}, each optional): " + why);
        }
    }
}
