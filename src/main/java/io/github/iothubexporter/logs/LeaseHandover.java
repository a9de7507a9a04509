package io.github.iothubexporter.logs;

import io.github.iothubexporter.logs.PollPosition.CommitFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The lease side of polling with several replicas. A poll runs within one lease term and commits only while that
 * term lasts, so a leader that lost the lease saves and counts nothing more. Each term starts from this replica's
 * position merged with the one the last leader left in the lease blob, and each successful poll leaves this
 * replica's position there for the next leader. Used only under the poller's lock.
 */
final class LeaseHandover {
    // the poller's logger: operators filter on it, and the split into classes should not change that
    private static final Logger LOG = LoggerFactory.getLogger(LogAnalyticsPoller.class);
    /** This host's name for the lease blob's metadata (which replica wrote it last): ASCII only. */
    private static final String HOLDER = holderName();

    private final LeaderLease lease;
    private final PollPosition position;
    private final String workspaceId;
    private long syncedTerm = -1; // the lease term whose shared position has been merged into this one

    LeaseHandover(LeaderLease lease, PollPosition position, String workspaceId) {
        this.lease = lease;
        this.position = position;
        this.workspaceId = workspaceId;
    }

    /** The term a poll starts in, if this replica leads in it. */
    long currentTerm() throws NotLeading {
        long term = lease.term();
        checkLeading(term);
        return term;
    }

    /** Before each commit: the lease may be another replica's by now, and then the page is neither saved nor counted. */
    void checkLeading(long term) throws NotLeading {
        if (!lease.leading(term)) {
            throw new NotLeading();
        }
    }

    /** Whether the shared position has been merged in this term already. */
    boolean synced(long term) {
        return syncedTerm == term;
    }

    /** The next term merges the shared position again. */
    void forget() {
        syncedTerm = -1;
    }

    /**
     * Merges the position the last leader left in the lease blob into this replica's (at the start of each term);
     * see {@link PollPosition#merge}.
     */
    void adoptShared(long term) throws CommitFailure {
        LeaderLease.Content content;
        try {
            content = lease.read();
        } catch (IllegalStateException e) {
            throw new CommitFailure(e.getMessage());
        }
        SharedPosition shared = content == null ? null : SharedPosition.decode(content.data(), workspaceId);
        if (shared == null) {
            LOG.info("Log Analytics: leader for workspace {} (term {}); no shared position in the lease blob yet, so this "
                    + "replica's own is used", workspaceId, term);
            syncedTerm = term;
            return;
        }
        long own = position.cursor();
        position.merge(shared);
        syncedTerm = term;
        LOG.info("Log Analytics: leader for workspace {} (term {}); starting at ingestion time {} (own position {}, shared {})",
                workspaceId, term, Instant.ofEpochMilli(position.cursorMillis()),
                own == 0 ? "none" : Instant.ofEpochMilli(Ticks.toMillis(own)),
                Instant.ofEpochMilli(Ticks.toMillis(shared.cursor())));
    }

    /** Leaves this position in the lease blob for the next leader; a failure only costs the next leader some repeats. */
    void share(long term) {
        byte[] data = position.encodeShared();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("workspace", workspaceId);
        metadata.put("watermark", Instant.ofEpochMilli(Ticks.toMillis(position.cursor())).toString());
        metadata.put("holder", HOLDER);
        try {
            lease.write(term, data, metadata);
        } catch (LeaderLease.LostLease e) {
            LOG.warn("Log Analytics: the watermark could not be shared, the lease is lost ({})", e.getMessage());
        } catch (IllegalStateException e) {
            LOG.warn("Log Analytics: {}; the next leader would start from the last shared watermark", e.getMessage());
        }
    }

    private static String holderName() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                h = "unknown";
            }
        }
        return h.replaceAll("[^\\x21-\\x7e]", "_");
    }

    /** This replica does not hold the lease (or not in the term the poll started in). */
    static final class NotLeading extends Exception {
        NotLeading() {
            super("not the leader", null, false, false);
        }
    }
}
