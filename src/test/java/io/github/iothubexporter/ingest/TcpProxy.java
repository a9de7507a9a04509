package io.github.iothubexporter.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on 127.0.0.1 in front of a local server, whose link can be cut: {@link #cut()} black-holes every
 * connection, old and new (bytes are swallowed, nothing is answered, nothing is closed), as a network partition looks
 * to a client: requests hang until the client's own timeout. {@link #restore()} closes the black-holed connections
 * and forwards again.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile boolean closed;

    public TcpProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Rewrites a connection string's {@code 127.0.0.1:<target>} to go through this proxy. */
    public String rewrite(String connectionString) {
        return connectionString.replace("127.0.0.1:" + target, "127.0.0.1:" + port());
    }

    public void cut() {
        cut = true;
    }

    public void restore() {
        cut = false;
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                if (cut) {
                    pump(client, null, client);
                    continue;
                }
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 2000);
                sockets.add(upstream);
                pump(client, upstream, client);
                pump(upstream, client, client);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    /** Copies from → to while not cut; swallows while cut (to == null: always swallows). */
    private void pump(Socket from, Socket to, Socket client) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to == null ? null : to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (!cut && out != null) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException ignored) {
                // closed
            } finally {
                if (!cut) {
                    closeQuietly(from);
                    if (to != null) {
                        closeQuietly(to);
                    }
                }
                sockets.remove(from);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
