package io.github.iothubexporter.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * JMH profiler ({@code -prof io.github.iothubexporter.bench.CpuUtilProfiler}) that reports, per iteration,
 * how many cores the benchmark JVM actually got ({@code cpu.cores} = process CPU time / wall time) and the
 * score divided by it ({@code per.cpu.second}: ops per CPU-second). On a shared, busy machine a one-thread
 * benchmark that was preempted shows {@code cpu.cores} below 1 and a lower score, while its per-CPU-second
 * figure stays comparable. The process figure includes JIT and GC threads, which are small in steady state.
 */
public final class CpuUtilProfiler implements InternalProfiler {
    private long cpu0;
    private long wall0;

    @Override
    public String getDescription() {
        return "process CPU time per wall second, and score per CPU-second";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        cpu0 = cpuNanos();
        wall0 = System.nanoTime();
    }

    @Override
    public List<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                 IterationResult result) {
        double cores = (cpuNanos() - cpu0) / (double) (System.nanoTime() - wall0);
        double score = result.getPrimaryResult().getScore();
        return List.of(
                new ScalarResult("cpu.cores", cores, "cores", AggregationPolicy.AVG),
                new ScalarResult("per.cpu.second", cores > 0 ? score / cores : Double.NaN,
                        result.getPrimaryResult().getScoreUnit() + "/core", AggregationPolicy.AVG));
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
