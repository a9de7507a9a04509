package io.github.iothubexporter.logs;

import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import io.github.iothubexporter.ingest.Azurite;
import io.github.iothubexporter.ingest.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The blob lease against Azurite (the real Blob REST protocol): one holder, fenced writes, release, unreachable storage. */
class LeaderLeaseTest {
    static final Duration LEASE = Duration.ofSeconds(15); // Azure's minimum; renewed every 5 s
    @TempDir
    Path dir;
    Azurite azurite;
    final List<LeaderLease> leases = new ArrayList<>();
    final List<TcpProxy> proxies = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        azurite = new Azurite(dir.resolve("azurite"));
    }

    @AfterEach
    void stop() throws Exception {
        leases.forEach(LeaderLease::close);
        for (TcpProxy p : proxies) {
            p.close();
        }
        azurite.close();
    }

    LeaderLease lease(String connectionString, AtomicInteger changes) {
        LeaderLease l = new LeaderLease(new LeaderLease.Settings(connectionString, "leases", "loganalytics-poller.lease", LEASE));
        leases.add(l);
        l.start(changes::incrementAndGet);
        return l;
    }

    @Test
    void oneHolderWritesFencedAndReleasingHandsOverAtTheNextAttempt() throws Exception {
        AtomicInteger changesA = new AtomicInteger();
        AtomicInteger changesB = new AtomicInteger();
        // neither the container nor the blob exists: both are created by whoever comes first
        LeaderLease a = lease(azurite.connectionString(), changesA);
        LeaderLease b = lease(azurite.connectionString(), changesB);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.attempted() && b.attempted() && (a.leading() || b.leading()));
        LeaderLease holder = a.leading() ? a : b;
        LeaderLease standby = holder == a ? b : a;
        // several rounds of renewals and acquire attempts: the holder stays, the standby stays standby and healthy
        await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8))
                .until(() -> holder.leading() && !standby.leading() && standby.storageHealthy() && standby.problem().isEmpty());
        assertThat(holder.term()).isEqualTo(1);
        assertThat((holder == a ? changesA : changesB).get()).isEqualTo(1);
        assertThat((standby == a ? changesA : changesB).get()).isZero();

        // only the holder can write the content; anyone can read it; renewals keep it
        holder.write(holder.term(), "position-1".getBytes(StandardCharsets.UTF_8), Map.of("watermark", "2026-01-01T00:00:00Z"));
        assertThatThrownBy(() -> standby.write(standby.term(), "stale".getBytes(StandardCharsets.UTF_8), Map.of()))
                .isInstanceOf(LeaderLease.LostLease.class);
        assertThatThrownBy(() -> holder.write(holder.term() - 1, "old term".getBytes(StandardCharsets.UTF_8), Map.of()))
                .isInstanceOf(LeaderLease.LostLease.class);
        LeaderLease.Content c = standby.read();
        assertThat(new String(c.data(), StandardCharsets.UTF_8)).isEqualTo("position-1");
        assertThat(c.metadata()).containsEntry("watermark", "2026-01-01T00:00:00Z");
        // the service itself refuses a write without the lease (the standby's check above is local)
        BlobClient raw = new BlobContainerClientBuilder().connectionString(azurite.connectionString()).containerName("leases")
                .buildClient().getBlobClient("loganalytics-poller.lease");
        assertThatThrownBy(() -> raw.upload(com.azure.core.util.BinaryData.fromString("intruder"), true))
                .hasMessageContaining("412");
        assertThat(raw.getProperties().getLeaseState().toString()).isEqualToIgnoringCase("leased");

        // a clean stop releases the lease: the standby takes over at its next attempt (every 5 s), long before expiry
        long released = System.nanoTime();
        holder.close();
        await().atMost(Duration.ofSeconds(8)).until(standby::leading);
        assertThat((System.nanoTime() - released) / 1e9).as("seconds to take over").isLessThan(LEASE.toSeconds());
        assertThat(new String(standby.read().data(), StandardCharsets.UTF_8)).isEqualTo("position-1");
        standby.write(standby.term(), "position-2".getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(raw.downloadContent().toString()).isEqualTo("position-2");
    }

    @Test
    void aHolderThatCannotReachTheStorageStopsLeadingBeforeTheLeaseCanExpire() throws Exception {
        TcpProxy link = new TcpProxy(azurite.port());
        proxies.add(link);
        AtomicInteger changes = new AtomicInteger();
        LeaderLease a = lease(link.rewrite(azurite.connectionString()), changes);
        await().atMost(Duration.ofSeconds(10)).until(a::leading);
        LeaderLease b = lease(azurite.connectionString(), new AtomicInteger());
        await().atMost(Duration.ofSeconds(10)).until(() -> b.attempted() && b.storageHealthy());
        assertThat(b.leading()).isFalse();

        // a blip: one renew times out, so the holder stops at once; its lease is still active and has its lease ID, so the
        // next attempt acquires it again (a new term: whatever was started under the old one is stale)
        link.cut();
        await().atMost(Duration.ofSeconds(10)).until(() -> !a.leading());
        link.restore();
        await().atMost(Duration.ofSeconds(10)).until(a::leading);
        assertThat(a.term()).isEqualTo(2);
        assertThat(changes.get()).isEqualTo(3); // gained, lost, gained
        assertThat(b.leading()).isFalse();

        long cutAt = System.nanoTime();
        link.cut(); // requests now hang: the renew times out after 2.5 s
        await().atMost(LEASE).until(() -> !a.leading());
        double stoppedAfter = (System.nanoTime() - cutAt) / 1e9;
        // the last renew was sent at most 5 s before the cut, so the service's lease runs at least 10 s past the cut
        assertThat(stoppedAfter).as("seconds from the cut until the holder stops").isLessThan(10);
        assertThat(changes.get()).isEqualTo(4); // ..., lost
        assertThat(b.leading()).as("the lease has not expired yet").isFalse();
        // the unreachable replica keeps trying; after a few failures it says so (for /readyz)
        await().atMost(Duration.ofSeconds(20)).until(() -> !a.storageHealthy());
        assertThat(a.problem()).isNotEmpty().doesNotContain("AccountKey");
        // meanwhile the lease has expired and the other replica holds it
        await().atMost(Duration.ofSeconds(10)).until(b::leading);
        link.restore();
        await().atMost(Duration.ofSeconds(15)).until(a::storageHealthy);
        assertThat(a.leading()).isFalse();
        assertThat(b.leading()).isTrue();
    }
}
