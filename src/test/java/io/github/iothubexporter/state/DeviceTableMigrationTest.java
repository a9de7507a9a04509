package io.github.iothubexporter.state;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** A snapshot written by a build with the shorter format-4 record header still loads, field for field. */
class DeviceTableMigrationTest {

    /** Pages the way format 4 laid them out: the 124-byte header, then the device and module IDs. */
    private static byte[] format4Pages(String[][] identities, long[] times) throws Exception {
        ByteBuffer page = ByteBuffer.allocate(4096);
        for (int i = 0; i < identities.length; i++) {
            byte[] header = new byte[DeviceTable.HEADER_V4];
            ByteBuffer h = ByteBuffer.wrap(header);
            h.putShort(DeviceTable.OFF_HUB, (short) i);
            header[DeviceTable.OFF_FLAGS] = DeviceTable.FLAG_CONNECTED;
            header[DeviceTable.OFF_DEV_LEN] = (byte) identities[i][0].length();
            header[DeviceTable.OFF_MOD_LEN] = (byte) identities[i][1].length();
            h.putLong(DeviceTable.OFF_TIME, times[i]);
            h.putLong(DeviceTable.OFF_CONNECT_RECORD, times[i] - 1); // the last field of format 4
            page.put(header);
            page.put(identities[i][0].getBytes(StandardCharsets.ISO_8859_1));
            page.put(identities[i][1].getBytes(StandardCharsets.ISO_8859_1));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(identities.length);
        out.writeInt(1);
        out.writeInt(page.position());
        out.write(page.array(), 0, page.position());
        out.flush();
        return bytes.toByteArray();
    }

    @Test
    void format4RecordsAreMigratedWithTheNewFieldsEmpty() throws Exception {
        String[][] ids = {{"dev-1", ""}, {"dev-2", "telemetry"}, {"a-much-longer-device-identifier", ""}};
        long[] times = {1_750_000_000_000L, 1_750_000_001_000L, 1_750_000_002_000L};
        DeviceTable t = DeviceTable.readFrom(new DataInputStream(new ByteArrayInputStream(format4Pages(ids, times))),
                DeviceTable.HEADER_V4);
        assertThat(t.size()).isEqualTo(3);
        for (int i = 0; i < ids.length; i++) {
            int addr = t.find(i, ids[i][0], ids[i][1]);
            assertThat(addr).as(ids[i][0]).isNotNegative();
            assertThat(t.deviceId(addr)).isEqualTo(ids[i][0]);
            assertThat(t.moduleId(addr)).isEqualTo(ids[i][1]);
            assertThat(t.connected(addr)).isTrue();
            assertThat(t.eventTime(addr)).isEqualTo(times[i]);
            assertThat(t.longAt(addr, DeviceTable.OFF_CONNECT_RECORD)).isEqualTo(times[i] - 1);
            assertThat(t.longAt(addr, DeviceTable.OFF_OUTAGE_DROP)).isZero();
        }
        // and the migrated table takes new identities like any other
        int added = t.insert(0, "dev-3", "");
        assertThat(t.find(0, "dev-3", "")).isEqualTo(added);
    }

    @Test
    void aTableWrittenByThisBuildReadsBackUnchanged() throws Exception {
        DeviceTable t = new DeviceTable();
        int addr = t.insert(1, "dev-1", "m");
        t.longAt(addr, DeviceTable.OFF_OUTAGE_DROP, 42);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        t.writeTo(new DataOutputStream(bytes));
        DeviceTable back = DeviceTable.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back.longAt(back.find(1, "dev-1", "m"), DeviceTable.OFF_OUTAGE_DROP)).isEqualTo(42);
    }
}
