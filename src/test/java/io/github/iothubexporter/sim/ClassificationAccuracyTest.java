package io.github.iothubexporter.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classifier against the simulator's ground truth, through the real parsers: the targets of the
 * classification issue on 24 simulated hours of 10,000 devices (another seed than BENCHMARKS.md's run).
 */
class ClassificationAccuracyTest {

    @Test
    void aSimulatedDayIsClassifiedLikeTheGroundTruth() {
        AccuracyRun.Report r = AccuracyRun.run(10_000, 24, 11);
        System.out.print(r);
        assertThat(r.matched).isGreaterThan(80_000);
        assertThat(r.unmatchedTruths).as("every visible disconnect gets a decision").isLessThan(r.visibleTruths / 100);
        assertThat(r.accuracy()).as("disconnects classified correctly").isGreaterThanOrEqualTo(0.995);
        assertThat(r.renewalsCalledGenuine).as("no token renewal is ever genuine").isZero();
        assertThat(r.clearOutageRecall()).as("outages longer than grace + one snapshot flagged genuine").isGreaterThanOrEqualTo(0.999);
        assertThat(r.loggedOutageRecall()).as("outages longer than grace, both ends logged by the hub, flagged genuine")
                .isGreaterThanOrEqualTo(0.999);
        assertThat(r.longOutageRecall()).as("all outages longer than grace flagged genuine").isGreaterThanOrEqualTo(0.999);
    }
}
