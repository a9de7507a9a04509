package io.github.iothubexporter.sim;

import java.util.Arrays;

/**
 * A binary min-heap of (time, type, device, generation) packed in two parallel long arrays (device: 30 bits): the simulator's
 * agenda, with no object per scheduled item. Generation lets a superseded item be dropped when popped.
 */
final class EventHeap {
    /** A device connects or drops (which one its state says). */
    static final int TRANSITION = 0;
    /** IoT Hub samples a device's connection state. */
    static final int REPORT = 1;
    /** A (re)connected device sends or receives its first message, so IoT Hub starts reporting the connection. */
    static final int ACTIVATE = 2;

    private long[] times = new long[1024];
    private long[] payload = new long[1024];
    private int size;
    private int[] generations = new int[0];

    boolean isEmpty() {
        return size == 0;
    }

    long peekTime() {
        return times[0];
    }

    void push(long time, int type, int device) {
        push(time, type, device, -1);
    }

    void push(long time, int type, int device, int generation) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            payload = Arrays.copyOf(payload, size * 2);
        }
        long p = ((long) generation << 32) | ((long) type << 30) | device;
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (times[parent] <= time) {
                break;
            }
            times[i] = times[parent];
            payload[i] = payload[parent];
            i = parent;
        }
        times[i] = time;
        payload[i] = p;
    }

    /** Removes and returns the earliest item's payload. */
    long pop() {
        long top = payload[0];
        size--;
        long t = times[size];
        long p = payload[size];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) {
                break;
            }
            if (c + 1 < size && times[c + 1] < times[c]) {
                c++;
            }
            if (times[c] >= t) {
                break;
            }
            times[i] = times[c];
            payload[i] = payload[c];
            i = c;
        }
        times[i] = t;
        payload[i] = p;
        return top;
    }

    static int device(long payload) {
        return (int) (payload & 0x3FFFFFFF);
    }

    static int type(long payload) {
        return (int) ((payload >>> 30) & 3);
    }

    static int generation(long payload) {
        return (int) (payload >> 32);
    }
}
