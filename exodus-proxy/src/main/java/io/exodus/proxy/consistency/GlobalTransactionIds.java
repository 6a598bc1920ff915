package io.exodus.proxy.consistency;

import io.exodus.proxy.migration.Side;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The global ids of this proxy's prepared transactions, {@code exodus_<proxyId>_<n>}, with {@code _t} at the end when
 * the target was the transaction's primary (after the cutover): the same id on the primary and the secondary, so that
 * recovery after a crash can pair the two halves of a transaction, tell whose it was, and which side's commit decided.
 */
public final class GlobalTransactionIds {
    public static final String PREFIX = "exodus_";
    /** Long enough for a Kubernetes pod name; PostgreSQL's own limit on a gid is 199 bytes. */
    static final int MAX_PROXY_ID_LENGTH = 40;

    private static final Pattern GID = Pattern.compile("exodus_([a-z0-9_]+)_[0-9]+(_t)?");
    private static final String TARGET_PRIMARY = "_t";

    private final String proxyId;
    private final AtomicLong counter;

    /** @param proxyId any text naming this proxy instance, such as a host name; it is sanitised. */
    public GlobalTransactionIds(String proxyId) {
        this.proxyId = sanitise(proxyId);
        // Microseconds since the epoch: a restarted proxy starts above every number it handed out before, unless it
        // averaged more than a thousand transactions per millisecond, so a gid still in the decision log is never
        // reused.
        this.counter = new AtomicLong(System.currentTimeMillis() * 1000);
    }

    public String proxyId() {
        return proxyId;
    }

    /** A new id for a transaction whose commit on this side decides. */
    public String next(Side primary) {
        return PREFIX + proxyId + "_" + counter.incrementAndGet() + (primary == Side.TARGET ? TARGET_PRIMARY : "");
    }

    /** The side whose COMMIT PREPARED decided the transaction of an Exodus gid (the source for ids without a mark). */
    public static Side primaryOf(String gid) {
        return gid.endsWith(TARGET_PRIMARY) ? Side.TARGET : Side.SOURCE;
    }

    /** Whether the gid was made by this proxy instance. */
    public boolean isOwn(String gid) {
        return proxyIdOf(gid).filter(proxyId::equals).isPresent();
    }

    /** Whether the gid was made by some Exodus proxy. */
    public static boolean isExodus(String gid) {
        return gid != null && GID.matcher(gid).matches();
    }

    /** The proxy id inside an Exodus gid. */
    public static Optional<String> proxyIdOf(String gid) {
        if (gid == null) {
            return Optional.empty();
        }
        Matcher matcher = GID.matcher(gid);
        return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /**
     * Lower case, every character outside {@code [a-z0-9_]} replaced by an underscore, so that the gid can be written
     * as a literal without quoting worries. An id longer than {@value #MAX_PROXY_ID_LENGTH} characters keeps its
     * beginning and a hash of the whole: pods of one deployment differ only at the end of their names.
     */
    public static String sanitise(String rawProxyId) {
        String id = rawProxyId == null ? "" : rawProxyId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (id.isEmpty()) {
            return "proxy";
        }
        if (id.length() <= MAX_PROXY_ID_LENGTH) {
            return id;
        }
        CRC32 crc = new CRC32();
        crc.update(id.getBytes(StandardCharsets.UTF_8));
        String hash = String.format("%08x", crc.getValue());
        return id.substring(0, MAX_PROXY_ID_LENGTH - hash.length() - 1) + "_" + hash;
    }
}
