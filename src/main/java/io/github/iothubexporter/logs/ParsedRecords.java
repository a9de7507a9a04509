package io.github.iothubexporter.logs;

import io.github.iothubexporter.ingest.Rejection;

import java.util.List;

/**
 * What one {@code {"records":[...]}} body held.
 *
 * @param records    usable Connections records, in body order
 * @param rejections records that could not be used, with reasons (offsets into the body)
 * @param skipped    well-formed records of other categories (a diagnostic setting may send several)
 */
public record ParsedRecords(List<ConnectionLogRecord> records, List<Rejection> rejections, int skipped) {
    public int total() {
        return records.size() + rejections.size() + skipped;
    }
}
