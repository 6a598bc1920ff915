package io.exodus.proxy.dualwrite;

import io.exodus.proxy.backend.BackendConnector;
import io.exodus.proxy.catchup.CatchUpApplier;
import io.exodus.proxy.consistency.CommitDecisionLog;
import io.exodus.proxy.consistency.DivergenceLog;
import io.exodus.proxy.consistency.GlobalTransactionIds;
import io.exodus.proxy.consistency.TableShape;
import io.exodus.proxy.functions.SourceFunctions;
import io.exodus.proxy.metrics.DualWriteMetrics;
import io.exodus.proxy.metrics.ReadsBySide;
import io.exodus.proxy.migration.MigrationState;
import io.exodus.proxy.shadow.ShadowReads;

import java.time.Duration;
import java.util.Map;

/**
 * What a dual-write session needs besides {@link SessionServices}: the target, the migration's state, and the
 * shared caches and logs of dual-write. One instance per event loop (the connector is the loop's own).
 *
 * @param functions   the source's functions, by database, for telling reads from writes
 * @param tableShapes the catalog facts of tables that received row images, by "database/oid" of the primary
 * @param rowImages   whether INSERTs run with {@code RETURNING *} so that the secondary gets the primary's values
 * @param secondaryTimeout how long the secondary may take to answer one request
 * @param secondaryReconnectInterval how often, at most, a session tries to connect a secondary that went away
 * @param metrics     per-leg request timers, commit outcomes, detachments
 * @param replay      the durable queue of transactions the secondary missed
 * @param reads       reads outside transactions by the database that answered them, for a canary's health gates
 * @param copyFromFileMaxBytes the largest server file a {@code COPY … FROM 'file'} may read (exodus.migration.copy-from-file-max-bytes)
 * @param largeObjectMaxBytes  the largest large object a statement may create (exodus.migration.large-object-max-bytes)
 * @param rowImageMaxBytes     the most one request's row images may hold (exodus.migration.row-image-max-bytes)
 * @param shadow      whether reads are shadowed now, and where their comparisons are counted
 */
public record DualWriteServices(
        BackendConnector target,
        MigrationState migration,
        SourceFunctions functions,
        Map<String, TableShape> tableShapes,
        GlobalTransactionIds transactionIds,
        CommitDecisionLog decisions,
        DivergenceLog divergences,
        boolean rowImages,
        Duration secondaryTimeout,
        Duration secondaryReconnectInterval,
        DualWriteMetrics metrics,
        CatchUpApplier replay,
        ReadsBySide reads,
        long copyFromFileMaxBytes,
        long largeObjectMaxBytes,
        long rowImageMaxBytes,
        ShadowReads shadow) {
}
