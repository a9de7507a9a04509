package io.github.iothubexporter.logs;

import com.azure.core.http.policy.HttpLogDetailLevel;
import com.azure.core.http.policy.HttpLogOptions;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlobAcquireLeaseOptions;
import com.azure.storage.blob.options.BlobReleaseLeaseOptions;
import com.azure.storage.blob.options.BlobRenewLeaseOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.BlobLeaseClient;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Leader election among replicas with an Azure Blob lease (DESIGN §9: "The Log Analytics poller runs on one replica,
 * elected with a blob lease"), and the blob itself as the place where the leader leaves its position for the next one.
 *
 * <h2>Protocol</h2>
 * Every replica has its own lease ID. A thread of its own ("loganalytics-lease") runs every renew interval (a third of
 * the lease duration): the holder renews; everyone else tries to acquire (409 {@code LeaseAlreadyPresent}: another
 * replica holds it, stay standby). The blob (and its container) is created on the first 404; a 409 on creating it means
 * another replica did. Storage calls go without the SDK's retries and with a timeout of half the renew interval, so a
 * hanging storage account is noticed at the next tick.
 *
 * <h2>When a replica may count</h2>
 * {@link #leading(long)} is true only while the last successful acquire or renew was sent less than {@code duration −
 * renewInterval / 2} ago, and only for the {@link #term()} in which the caller started: a holder whose renew fails
 * (lease lost, storage unreachable, timeout) drops to standby at once, and even a renew that hangs longer than its
 * timeout cannot keep a replica leading up to the moment the service lets the lease expire (which is measured from
 * when the service received the request, later than it was sent). Each acquisition starts a new term, so work started
 * under an earlier term (before another replica may have held the lease) is recognised as stale.
 *
 * <h2>Shared content</h2>
 * {@link #write} replaces the blob's content and metadata with the lease ID as condition, so only the holder can write
 * it (412 otherwise, which also ends leadership); {@link #read} needs no lease. Lease operations keep the content.
 * <p>
 * Never called from a Vert.x event loop: the lease thread and the poller's thread make every call. The connection
 * string is never logged; problems name the storage account, container and blob.
 */
public final class LeaderLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderLease.class);
    /** Consecutive failed lease calls after which a standby replica reports itself not ready. */
    static final int FAILURES_BEFORE_UNREADY = 3;

    /** Where the lease lives and how long it lasts (15 to 60 s; Azure's finite lease limits). */
    public record Settings(String connectionString, String container, String blob, Duration duration) {
        public Settings {
            if (duration.compareTo(Duration.ofSeconds(15)) < 0 || duration.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new IllegalArgumentException("a blob lease lasts 15 to 60 seconds");
            }
        }

        public Duration renewInterval() {
            return duration.dividedBy(3);
        }

        @Override
        public String toString() {
            return "Settings[" + container + "/" + blob + ", " + duration + "]";
        }
    }

    /** The blob's content and metadata at one moment. */
    public record Content(byte[] data, Map<String, String> metadata) {
    }

    /** The lease is not (or no longer) held by this replica in the given term. */
    public static final class LostLease extends Exception {
        LostLease(String message) {
            super(message, null, false, false);
        }
    }

    private final Settings settings;
    private final String where;
    private final BlobContainerClient container;
    private final BlobClient blob;
    private final BlobLeaseClient lease;
    private final String leaseId = UUID.randomUUID().toString();
    private final long durationNanos;
    private final long validNanos;
    private final Duration callTimeout;
    private final Duration ioTimeout;
    private final ScheduledExecutorService timer;
    private volatile Runnable onChange = () -> { };

    // written by the lease thread (and by lost() from a writer), read by everyone
    private volatile boolean held;
    private volatile long validUntilNanos;
    private volatile long term;
    private volatile int failures;
    private volatile String problem = "no attempt yet";
    private volatile boolean attempted;
    private volatile boolean closed;

    public LeaderLease(Settings settings) {
        this.settings = settings;
        this.durationNanos = settings.duration().toNanos();
        long renewNanos = settings.renewInterval().toNanos();
        this.validNanos = durationNanos - renewNanos / 2;
        this.callTimeout = Duration.ofNanos(Math.min(renewNanos / 2, TimeUnit.SECONDS.toNanos(10)));
        // content reads and writes (the overlap keys: a few MB at most) wait at most a renew interval, so a hanging
        // storage account holds the poller up no longer than it takes the lease thread to notice
        this.ioTimeout = settings.renewInterval();
        var service = new BlobServiceClientBuilder()
                .connectionString(settings.connectionString())
                .retryOptions(new RequestRetryOptions(RetryPolicyType.FIXED, 1, (Integer) null, null, null, null))
                .httpLogOptions(new HttpLogOptions().setLogLevel(HttpLogDetailLevel.NONE))
                .buildClient();
        this.container = service.getBlobContainerClient(settings.container());
        this.blob = container.getBlobClient(settings.blob());
        this.lease = new BlobLeaseClientBuilder().blobClient(blob).leaseId(leaseId).buildClient();
        this.where = "blob " + settings.container() + "/" + settings.blob() + " in storage account " + service.getAccountName();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loganalytics-lease");
            t.setDaemon(true);
            return t;
        });
    }

    public Settings settings() {
        return settings;
    }

    /** Human-readable location (no secrets). */
    public String where() {
        return where;
    }

    /** Starts acquiring (at once) and renewing every renew interval; {@code onChange} runs on every gain or loss. */
    public void start(Runnable onChange) {
        this.onChange = onChange;
        long every = settings.renewInterval().toNanos();
        timer.scheduleAtFixedRate(this::tick, 0, every, TimeUnit.NANOSECONDS);
        LOG.info("Log Analytics leader election on {}: lease {} s, renewed every {} s", where, settings.duration().toSeconds(),
                settings.renewInterval().toMillis() / 1000.0);
    }

    /** The current term: incremented at each acquisition. */
    public long term() {
        return term;
    }

    /** True while this replica holds the lease, may still count on it, and has held it since {@code term} began. */
    public boolean leading(long term) {
        return held && this.term == term && System.nanoTime() - validUntilNanos < 0;
    }

    /** True while this replica holds the lease (whatever the term). */
    public boolean leading() {
        return leading(term);
    }

    /** Standby and the storage answers: another replica holds the lease. False after repeated failed calls. */
    public boolean storageHealthy() {
        return failures < FAILURES_BEFORE_UNREADY;
    }

    /** What the last attempt found, for /readyz: "" when it succeeded or another replica holds the lease. */
    public String problem() {
        return problem;
    }

    /** Whether any acquire attempt has been answered or failed yet. */
    public boolean attempted() {
        return attempted;
    }

    /** One round: renew when held, otherwise acquire. Runs on the lease thread only. */
    private void tick() {
        if (closed) {
            return;
        }
        long sent = System.nanoTime();
        try {
            if (held) {
                try {
                    lease.renewLeaseWithResponse(new BlobRenewLeaseOptions(), callTimeout, Context.NONE);
                    granted(sent);
                    return;
                } catch (RuntimeException e) {
                    lose("cannot renew the lease (" + describe(e) + ")");
                    failed(e);
                    return; // the next tick tries to acquire it again (with the same lease ID, so a lease that is still ours is kept)
                }
            }
            acquire();
            granted(sent);
        } catch (BlobStorageException e) {
            if (e.getErrorCode() == BlobErrorCode.LEASE_ALREADY_PRESENT
                    || e.getErrorCode() == BlobErrorCode.LEASE_IS_BREAKING_AND_CANNOT_BE_ACQUIRED) {
                attempted = true;
                failures = 0;
                problem = "";
                return; // standby: another replica is the leader
            }
            failed(e);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void acquire() {
        int seconds = (int) settings.duration().toSeconds();
        try {
            lease.acquireLeaseWithResponse(new BlobAcquireLeaseOptions(seconds), callTimeout, Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 404) {
                throw e;
            }
            create();
            lease.acquireLeaseWithResponse(new BlobAcquireLeaseOptions(seconds), callTimeout, Context.NONE);
        }
    }

    /** The container and an empty blob, unless they exist (409: another replica was first). */
    private void create() {
        try {
            container.createIfNotExistsWithResponse(null, callTimeout, Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 409) {
                throw e;
            }
        }
        try {
            blob.getBlockBlobClient().uploadWithResponse(new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(new byte[0]))
                    .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")), callTimeout, Context.NONE);
            LOG.info("Created the lease {}", where);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 409 && e.getStatusCode() != 412) {
                throw e;
            }
        }
    }

    private void granted(long sentNanos) {
        validUntilNanos = sentNanos + validNanos;
        attempted = true;
        failures = 0;
        problem = "";
        if (!held) {
            term++;
            held = true;
            LOG.info("Acquired the Log Analytics leader lease on {}: this replica polls", where);
            onChange.run();
        }
    }

    private void failed(RuntimeException e) {
        attempted = true;
        failures++;
        problem = describe(e);
        if (failures == FAILURES_BEFORE_UNREADY || failures == 1) {
            LOG.warn("Log Analytics leader lease on {}: {}", where, problem);
        }
    }

    /** Ends leadership at once (a failed renew, or a write refused for the lease). */
    private void lose(String why) {
        if (held) {
            held = false;
            LOG.warn("Lost the Log Analytics leader lease on {}: {}; polling stops", where, why);
            onChange.run();
        }
    }

    /** The blob's content and metadata, or null when the blob does not exist. Needs no lease. */
    public Content read() {
        try {
            var r = blob.downloadContentWithResponse(null, null, ioTimeout, Context.NONE);
            return new Content(r.getValue().toBytes(), r.getDeserializedHeaders().getMetadata());
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return null;
            }
            throw new IllegalStateException("cannot read the " + where + ": " + describe(e));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read the " + where + ": " + describe(e));
        }
    }

    /**
     * Replaces the blob's content and metadata, on condition that this replica holds the lease in {@code term}. A
     * refusal for the lease ends leadership and throws {@link LostLease}; other failures throw IllegalStateException.
     */
    public void write(long term, byte[] data, Map<String, String> metadata) throws LostLease {
        if (!leading(term)) {
            throw new LostLease("not the lease holder");
        }
        try {
            blob.getBlockBlobClient().uploadWithResponse(new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(data))
                    .setMetadata(metadata).setRequestConditions(new BlobRequestConditions().setLeaseId(leaseId)),
                    ioTimeout, Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 412 || e.getStatusCode() == 409 || e.getStatusCode() == 404) {
                lose("the service refused a write for the lease (" + describe(e) + ")");
                throw new LostLease(describe(e));
            }
            throw new IllegalStateException("cannot write the " + where + ": " + describe(e));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot write the " + where + ": " + describe(e));
        }
    }

    /** Stops renewing and releases the lease if held, so another replica can take over at its next attempt. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            timer.submit(() -> {
                closed = true;
                if (held) {
                    held = false;
                    try {
                        lease.releaseLeaseWithResponse(new BlobReleaseLeaseOptions(), callTimeout, Context.NONE);
                        LOG.info("Released the Log Analytics leader lease on {}", where);
                    } catch (RuntimeException e) {
                        LOG.warn("Could not release the Log Analytics leader lease on {} ({}); it expires within {} s",
                                where, describe(e), settings.duration().toSeconds());
                    }
                }
            }).get(callTimeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("Stopping the Log Analytics leader lease: {}", e.toString());
        } finally {
            closed = true;
            held = false;
            timer.shutdownNow();
        }
    }

    /** A short description without URLs or secrets: the storage error code, or the root cause. */
    static String describe(Throwable e) {
        if (e instanceof BlobStorageException b) {
            return "HTTP " + b.getStatusCode() + (b.getErrorCode() == null ? "" : " " + b.getErrorCode());
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        text = text.replaceAll("(?i)(sig|AccountKey|SharedAccessSignature)=[^&;\\s]*", "$1=***").replace('\n', ' ');
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
