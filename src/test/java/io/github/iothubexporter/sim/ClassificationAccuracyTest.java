package io.github.iothubexporter.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classifier against the simulator's ground truth, through the real parsers (a smaller fleet than the
 * 10,000-device day in BENCHMARKS.md, same code path): the targets of the classification issue.
 */
class ClassificationAccuracyTest {

    @Test
    void aSimulatedDayIsClassifiedLikeTheGroundTruth() {
        AccuracyRun.Report r = AccuracyRun.run(3000, 24, 11);
        System.out.print(r);
        assertThat(r.matched).isGreaterThan(20_000);
        assertThat(r.unmatchedTruths).as("every visible disconnect gets a decision").isLessThan(r.visibleTruths / 100);
        assertThat(r.accuracy()).as("disconnects classified correctly").isGreaterThanOrEqualTo(0.993);
        assertThat(r.renewalsCalledGenuine).as("no token renewal is ever genuine").isZero();
        assertThat(r.clearOutageRecall()).as("outages longer than grace + one snapshot flagged genuine").isGreaterThanOrEqualTo(0.999);
        assertThat(r.longOutageRecall()).as("outages longer than grace flagged genuine").isGreaterThanOrEqualTo(0.97);
    }
}
