package io.github.iothubexporter.classify;

import java.util.Arrays;

/**
 * Min-heap of (deadline, record address) for disconnects waiting out their grace window, in two parallel
 * primitive arrays. Entries are checked against the device when they come due, so a disconnect that was
 * resolved by a reconnect is simply skipped (no removal needed).
 */
final class PendingQueue {
    private long[] deadlines = new long[1024];
    private int[] addrs = new int[1024];
    private int size;

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    boolean dueBy(long millis) {
        return size > 0 && deadlines[0] <= millis;
    }

    long peekDeadline() {
        return deadlines[0];
    }

    void push(long deadline, int addr) {
        if (size == deadlines.length) {
            deadlines = Arrays.copyOf(deadlines, size * 2);
            addrs = Arrays.copyOf(addrs, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (deadlines[parent] <= deadline) {
                break;
            }
            deadlines[i] = deadlines[parent];
            addrs[i] = addrs[parent];
            i = parent;
        }
        deadlines[i] = deadline;
        addrs[i] = addr;
    }

    /** Removes the earliest entry and returns its address. */
    int pop() {
        int top = addrs[0];
        size--;
        long d = deadlines[size];
        int a = addrs[size];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) {
                break;
            }
            if (c + 1 < size && deadlines[c + 1] < deadlines[c]) {
                c++;
            }
            if (deadlines[c] >= d) {
                break;
            }
            deadlines[i] = deadlines[c];
            addrs[i] = addrs[c];
            i = c;
        }
        deadlines[i] = d;
        addrs[i] = a;
        return top;
    }
}
