package io.github.iothubexporter.logs;

import com.azure.monitor.query.models.LogsTableCell;
import com.azure.monitor.query.models.LogsTableRow;
import io.github.iothubexporter.logs.QueryRunner.QueryFailure;

import java.util.Arrays;
import java.util.List;

/** Column positions of a result, found from the cells' names (1.5.2 returns no column list). */
final class ResultColumns {
    private final int[] index;

    private ResultColumns(int[] index) {
        this.index = index;
    }

    static ResultColumns of(LogsTableRow first, List<String> names) throws QueryFailure {
        List<LogsTableCell> cells = first.getRow();
        int[] index = new int[names.size()];
        Arrays.fill(index, -1);
        for (int i = 0; i < cells.size(); i++) {
            int k = names.indexOf(cells.get(i).getColumnName());
            if (k >= 0) {
                index[k] = i;
            }
        }
        for (int k = 0; k < index.length; k++) {
            if (index[k] < 0) {
                throw new QueryFailure(LogAnalyticsMetrics.Outcome.ERROR, null, "the answer lacks column " + names.get(k));
            }
        }
        return new ResultColumns(index);
    }

    String get(LogsTableRow row, int k) {
        return row.getRow().get(index[k]).getValueAsString();
    }
}
