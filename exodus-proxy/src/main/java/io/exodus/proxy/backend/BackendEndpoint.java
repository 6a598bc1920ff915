package io.exodus.proxy.backend;

import io.exodus.proxy.config.PostgresUrl;

/** One backend database the proxy relays to: where it is and how to reach it. */
public record BackendEndpoint(String role, PostgresUrl url) {

    public String describe() {
        return role + " " + url.describe();
    }
}
