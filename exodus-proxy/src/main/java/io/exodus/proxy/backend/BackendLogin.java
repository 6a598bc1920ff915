package io.exodus.proxy.backend;

import io.exodus.proxy.auth.BackendCredential;

import java.util.Map;

/** Who the proxy logs in as on a backend, into which database, with which startup parameters. */
public record BackendLogin(String user, String database, BackendCredential credential,
        Map<String, String> startupParameters) {
}
