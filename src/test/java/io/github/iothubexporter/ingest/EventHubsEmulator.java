package io.github.iothubexporter.ingest;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonHelper;
import io.vertx.proton.ProtonReceiver;
import io.vertx.proton.ProtonSender;
import io.vertx.proton.ProtonServer;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.DescribedType;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.codec.WritableBuffer;
import org.apache.qpid.proton.message.Message;
import org.apache.qpid.proton.message.impl.MessageImpl;

import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test fixture that speaks enough of the Event Hubs AMQP 1.0 protocol on 127.0.0.1 for the real
 * {@code azure-messaging-eventhubs} SDK to consume from it: the {@code $cbs} put-token node (tokens are
 * accepted and ignored), the {@code $management} READ operations for the hub and its partitions, and partition
 * receiver links with the selector filters the SDK sends (offset, sequence number, enqueued time), credit-based
 * flow, and epoch enforcement ({@code amqp:link:stolen}) so two processors can hand partitions over.
 * Events live in memory; offsets are {@code sequenceNumber * 100} so a mix-up of the two would show.
 * Use with {@code UseDevelopmentEmulator=true} (plain AMQP, any SAS key).
 */
public final class EventHubsEmulator implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EventHubsEmulator.class);
    private static final Symbol SELECTOR = Symbol.valueOf("apache.org:selector-filter:string");
    private static final Symbol EPOCH = Symbol.valueOf("com.microsoft:epoch");
    private static final Symbol SEQ = Symbol.valueOf("x-opt-sequence-number");
    private static final Symbol OFFSET = Symbol.valueOf("x-opt-offset");
    private static final Symbol ENQUEUED = Symbol.valueOf("x-opt-enqueued-time");
    private static final Symbol PARTITION_KEY = Symbol.valueOf("x-opt-partition-key");
    private static final Pattern FILTER = Pattern.compile(
            "amqp\\.annotation\\.(x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time)\\s*(>=?)\\s*'([^']*)'");

    private final Vertx vertx;
    private final boolean ownVertx;
    private final String hub;
    private final List<Partition> partitions = new ArrayList<>();
    private final Date created = new Date();
    private final ProtonServer server;
    private final AtomicLong delivered = new AtomicLong();
    private final Map<ProtonConnection, Boolean> connections = new ConcurrentHashMap<>();

    /** One stored event, encoded once when appended (the encoding is what goes on the wire, every delivery). */
    public record StoredEvent(long sequenceNumber, long enqueuedMillis, byte[] encoded) {
        String offset() {
            return Long.toString(sequenceNumber * 100);
        }

        Message message() {
            return new PreEncoded(encoded);
        }
    }

    /** A message whose AMQP encoding is already known: vertx-proton asks the message to encode itself. */
    private static final class PreEncoded extends MessageImpl {
        private final byte[] encoded;

        PreEncoded(byte[] encoded) {
            this.encoded = encoded;
        }

        @Override
        public int encode(WritableBuffer buffer) {
            buffer.put(encoded, 0, encoded.length);
            return encoded.length;
        }
    }

    private static final class Partition {
        final String id;
        final List<StoredEvent> events = new CopyOnWriteArrayList<>();
        final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
        final Map<String, Subscription> epochOwners = new ConcurrentHashMap<>(); // consumer group → epoch receiver

        Partition(String id) {
            this.id = id;
        }
    }

    /** One partition receiver link: a cursor into the partition, pumped on its connection's context. */
    private final class Subscription {
        final Partition partition;
        final ProtonSender sender;
        final Context context;
        final Long epoch;
        final String group;
        int next;
        boolean closed;

        Subscription(Partition partition, ProtonSender sender, Context context, Long epoch, String group, int next) {
            this.partition = partition;
            this.sender = sender;
            this.context = context;
            this.epoch = epoch;
            this.group = group;
            this.next = next;
        }

        /** Sends while the receiver has credit; runs on the link's context. */
        void pump() {
            while (!closed && !sender.sendQueueFull() && next < partition.events.size()) {
                StoredEvent e = partition.events.get(next++);
                sender.send(e.message());
                delivered.incrementAndGet();
            }
        }

        void wakeUp() {
            context.runOnContext(v -> pump());
        }

        void close(String condition, String description) {
            closed = true;
            partition.subscriptions.remove(this);
            partition.epochOwners.remove(group, this);
            if (condition != null) {
                sender.setCondition(ProtonHelper.condition(condition, description));
            }
            sender.close();
        }
    }

    public EventHubsEmulator(String hub, int partitionCount) {
        this(null, hub, partitionCount);
    }

    public EventHubsEmulator(Vertx vertx, String hub, int partitionCount) {
        this.ownVertx = vertx == null;
        this.vertx = vertx == null ? Vertx.vertx() : vertx;
        this.hub = hub;
        for (int i = 0; i < partitionCount; i++) {
            partitions.add(new Partition(Integer.toString(i)));
        }
        server = ProtonServer.create(this.vertx);
        server.connectHandler(this::connected);
        CompletableFuture<Void> listening = new CompletableFuture<>();
        server.listen(0, "127.0.0.1", ar -> {
            if (ar.succeeded()) {
                listening.complete(null);
            } else {
                listening.completeExceptionally(ar.cause());
            }
        });
        try {
            listening.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("emulator did not start", e);
        }
    }

    public int port() {
        return server.actualPort();
    }

    public String hub() {
        return hub;
    }

    /** A connection string for the SDK, with EntityPath. */
    public String connectionString() {
        return "Endpoint=sb://127.0.0.1:" + port() + ";SharedAccessKeyName=RootManageSharedAccessKey;"
                + "SharedAccessKey=dGVzdA==;UseDevelopmentEmulator=true;EntityPath=" + hub;
    }

    public int partitionCount() {
        return partitions.size();
    }

    /** Messages sent to receivers so far (redeliveries after a restart count again). */
    public long delivered() {
        return delivered.get();
    }

    public int size(int partition) {
        return partitions.get(partition).events.size();
    }

    /** Open partition receiver links per partition, for assertions about who reads what. */
    public int receivers(int partition) {
        return partitions.get(partition).subscriptions.size();
    }

    /**
     * Appends one event to a partition.
     *
     * @param properties  application properties (String values, or other AMQP types)
     * @param annotations extra message annotations, e.g. {@code iothub-message-source}
     * @return its sequence number
     */
    public long append(int partition, byte[] body, Map<String, Object> properties, Map<String, Object> annotations,
                       long enqueuedMillis) {
        Partition p = partitions.get(partition);
        synchronized (p) {
            long seq = p.events.size();
            Message m = Message.Factory.create();
            m.setBody(new Data(new Binary(body)));
            if (properties != null && !properties.isEmpty()) {
                m.setApplicationProperties(new ApplicationProperties(new LinkedHashMap<>(properties)));
            }
            Map<Symbol, Object> ann = new HashMap<>();
            ann.put(SEQ, seq);
            ann.put(OFFSET, Long.toString(seq * 100));
            ann.put(ENQUEUED, new Date(enqueuedMillis));
            if (annotations != null) {
                annotations.forEach((k, v) -> ann.put(Symbol.valueOf(k), v));
            }
            m.setMessageAnnotations(new MessageAnnotations(ann));
            p.events.add(new StoredEvent(seq, enqueuedMillis, encode(m)));
            for (Subscription s : p.subscriptions) {
                s.wakeUp();
            }
            return seq;
        }
    }

    private static byte[] encode(Message m) {
        byte[] buf = new byte[1024];
        while (true) {
            try {
                int n = m.encode(buf, 0, buf.length);
                return java.util.Arrays.copyOf(buf, n);
            } catch (java.nio.BufferOverflowException e) {
                buf = new byte[buf.length * 4];
            }
        }
    }

    public long append(int partition, String body) {
        return append(partition, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), null, null, System.currentTimeMillis());
    }

    /** Adds a partition-key annotation, as Event Grid's Event Hubs delivery does with the PartitionKey property. */
    public long appendWithKey(int partition, String partitionKey, byte[] body) {
        return append(partition, body, null, Map.of(PARTITION_KEY.toString(), partitionKey), System.currentTimeMillis());
    }

    private void connected(ProtonConnection conn) {
        Context context = vertx.getOrCreateContext();
        Map<String, ProtonSender> replyLinks = new HashMap<>();
        connections.put(conn, Boolean.TRUE);
        conn.openHandler(ar -> conn.setContainer("eventhubs-emulator").open());
        conn.closeHandler(ar -> conn.close());
        conn.disconnectHandler(c -> {
            connections.remove(c);
            for (Partition p : partitions) {
                for (Subscription s : p.subscriptions) {
                    if (s.sender.getSession().getConnection() == c) {
                        s.closed = true;
                        p.subscriptions.remove(s);
                        p.epochOwners.remove(s.group, s);
                    }
                }
            }
        });
        conn.sessionOpenHandler(session -> {
            session.closeHandler(ar -> session.close());
            session.open();
        });
        conn.receiverOpenHandler(receiver -> requestNode(receiver, replyLinks));
        conn.senderOpenHandler(sender -> {
            String address = sender.getRemoteSource() == null ? null : sender.getRemoteSource().getAddress();
            if ("$cbs".equals(address) || "$management".equals(address)) {
                Target target = (Target) sender.getRemoteTarget();
                String replyTo = target == null ? null : target.getAddress();
                sender.setSource(sender.getRemoteSource());
                sender.setTarget(sender.getRemoteTarget());
                sender.setQoS(sender.getRemoteQoS());
                sender.closeHandler(ar -> {
                    replyLinks.remove(replyTo, sender);
                    sender.close();
                });
                sender.detachHandler(ar -> {
                    replyLinks.remove(replyTo, sender);
                    sender.detach();
                });
                replyLinks.put(replyTo, sender);
                sender.open();
            } else {
                partitionLink(sender, context);
            }
        });
    }

    /** The request side of $cbs and $management. */
    private void requestNode(ProtonReceiver receiver, Map<String, ProtonSender> replyLinks) {
        String node = receiver.getRemoteTarget() == null ? "" : receiver.getRemoteTarget().getAddress();
        receiver.setTarget(receiver.getRemoteTarget());
        receiver.setSource(receiver.getRemoteSource());
        receiver.setQoS(receiver.getRemoteQoS());
        receiver.closeHandler(ar -> receiver.close());
        receiver.detachHandler(ar -> receiver.detach());
        receiver.handler((delivery, request) -> {
            Map<String, Object> props = request.getApplicationProperties() == null ? Map.of()
                    : request.getApplicationProperties().getValue();
            Message response = ProtonHelper.message();
            response.setCorrelationId(request.getMessageId());
            Map<String, Object> status = new HashMap<>();
            if ("$cbs".equals(node)) {
                status.put("statusCode", 202);
                status.put("statusDescription", "Accepted");
            } else {
                Object body = management(props);
                if (body == null) {
                    status.put("statusCode", 404);
                    status.put("statusDescription", "not found: " + props);
                } else {
                    status.put("statusCode", 200);
                    status.put("statusDescription", "OK");
                    response.setBody(new AmqpValue(body));
                }
            }
            response.setApplicationProperties(new ApplicationProperties(status));
            ProtonSender reply = replyLinks.get(request.getReplyTo());
            if (reply != null) {
                reply.send(response);
            } else {
                LOG.warn("emulator: no reply link {} for a {} request; response dropped", request.getReplyTo(), node);
            }
        });
        receiver.open();
    }

    private Object management(Map<String, Object> props) {
        if (!"READ".equals(String.valueOf(props.get("operation")))) {
            return null;
        }
        String type = String.valueOf(props.get("type"));
        if ("com.microsoft:eventhub".equals(type)) {
            Map<String, Object> m = new HashMap<>();
            m.put("name", hub);
            m.put("created_at", created);
            String[] ids = new String[partitions.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = partitions.get(i).id;
            }
            m.put("partition_ids", ids);
            return m;
        }
        if ("com.microsoft:partition".equals(type)) {
            Partition p = partition(String.valueOf(props.get("partition")));
            if (p == null) {
                return null;
            }
            int n = p.events.size();
            StoredEvent last = n == 0 ? null : p.events.get(n - 1);
            Map<String, Object> m = new HashMap<>();
            m.put("name", hub);
            m.put("partition", p.id);
            m.put("begin_sequence_number", 0L);
            m.put("last_enqueued_sequence_number", last == null ? -1L : last.sequenceNumber());
            m.put("last_enqueued_offset", last == null ? "-1" : last.offset());
            m.put("last_enqueued_time_utc", new Date(last == null ? 0 : last.enqueuedMillis()));
            m.put("is_partition_empty", n == 0);
            return m;
        }
        return null;
    }

    private Partition partition(String id) {
        for (Partition p : partitions) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        return null;
    }

    /** A receiver on {@code <hub>/ConsumerGroups/<group>/Partitions/<id>}. */
    private void partitionLink(ProtonSender sender, Context context) {
        Source source = (Source) sender.getRemoteSource();
        String address = source == null ? "" : source.getAddress();
        String[] parts = address == null ? new String[0] : address.split("/");
        Partition p = parts.length == 5 && parts[0].equalsIgnoreCase(hub) && parts[1].equalsIgnoreCase("ConsumerGroups")
                && parts[3].equalsIgnoreCase("Partitions") ? partition(parts[4]) : null;
        sender.setSource(source);
        sender.setTarget(sender.getRemoteTarget());
        sender.setQoS(sender.getRemoteQoS());
        if (p == null) {
            sender.setCondition(ProtonHelper.condition("amqp:not-found", "no such entity: " + address));
            sender.open();
            sender.close();
            return;
        }
        String group = parts[2].toLowerCase(Locale.ROOT);
        Map<Symbol, Object> linkProps = sender.getRemoteProperties();
        Object epochValue = linkProps == null ? null : linkProps.get(EPOCH);
        Long epoch = epochValue instanceof Number n ? n.longValue() : null;
        int start = startIndex(p, source);
        Subscription sub = new Subscription(p, sender, context, epoch, group, start);
        synchronized (p) {
            if (epoch != null) {
                Subscription current = p.epochOwners.get(group);
                if (current != null && current.epoch != null && current.epoch > epoch) {
                    sender.setCondition(ProtonHelper.condition("amqp:link:stolen",
                            "a receiver with a higher epoch is connected"));
                    sender.open();
                    sender.close();
                    return;
                }
                if (current != null) {
                    current.context.runOnContext(v -> current.close("amqp:link:stolen",
                            "New receiver with epoch " + epoch + " took over the partition"));
                }
                p.epochOwners.put(group, sub);
            }
            p.subscriptions.add(sub);
        }
        sender.closeHandler(ar -> sub.close(null, null));
        sender.detachHandler(ar -> {
            sub.closed = true;
            p.subscriptions.remove(sub);
            p.epochOwners.remove(group, sub);
            sender.detach();
        });
        sender.sendQueueDrainHandler(s -> sub.pump());
        sender.open();
        sub.pump();
    }

    /** The first index a filter selects. */
    private static int startIndex(Partition p, Source source) {
        Map<?, ?> filter = source.getFilter();
        Object f = filter == null ? null : filter.get(SELECTOR);
        String expr = f instanceof DescribedType d ? String.valueOf(d.getDescribed()) : f == null ? null : f.toString();
        if (expr == null) {
            return 0;
        }
        Matcher m = FILTER.matcher(expr);
        if (!m.find()) {
            throw new IllegalArgumentException("unsupported filter " + expr);
        }
        boolean inclusive = m.group(2).equals(">=");
        String value = m.group(3);
        int n = p.events.size();
        switch (m.group(1)) {
            case "x-opt-offset" -> {
                if (value.equals("@latest")) {
                    return n;
                }
                long offset = Long.parseLong(value);
                if (offset < 0) {
                    return 0;
                }
                // offset = seq * 100
                long seq = offset / 100;
                return (int) Math.min(n, inclusive && offset % 100 == 0 ? seq : seq + 1);
            }
            case "x-opt-sequence-number" -> {
                long seq = Long.parseLong(value);
                return (int) Math.max(0, Math.min(n, inclusive ? seq : seq + 1));
            }
            default -> {
                long t = Long.parseLong(value);
                for (int i = 0; i < n; i++) {
                    long e = p.events.get(i).enqueuedMillis();
                    if (inclusive ? e >= t : e > t) {
                        return i;
                    }
                }
                return n;
            }
        }
    }

    @Override
    public void close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        server.close(ar -> closed.complete(null));
        try {
            closed.get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort
        }
        for (ProtonConnection c : connections.keySet()) {
            vertxRun(c::disconnect);
        }
        if (ownVertx) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    private void vertxRun(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // connection already gone
        }
    }
}
